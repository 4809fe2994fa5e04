"""Failed authentications counted per client address, so guessing keys is slow and cheap.

The per-key limit (``ratelimit``) cannot stop a client that invents a new key for every
request: each invented key starts a fresh count. So failures are also counted per client
address, in a fixed one-minute window (``AIWRITER_API_AUTH_FAILURES_PER_MINUTE``, 0 = off):

- **Check before the lookup, count after it.** ``admit_address`` only looks at the count
  (no increment) before the key is looked up; an address at the limit gets 429 with
  ``Retry-After`` and costs no database work. ``count_failure`` adds one when a lookup
  finds no usable key. A valid key is never counted, and a request without a key is a
  plain 401 that costs nothing, so it is not counted either. Guesses already in flight
  when the limit is reached still get their lookup: at most one per concurrent request.
- **IPv6 by /64.** One IPv6 host usually holds a whole /64 and can pick a new address in it
  for every request; counting per address would let it guess without limit.
- **Shared through Redis** when ``AIWRITER_REDIS_URL`` is set (under their own prefix), with
  the per-key limiter's fallback to counting in-process when Redis is down.

The address is the one uvicorn reports: it trusts ``X-Forwarded-For`` from a proxy on the
same machine; for a proxy elsewhere set ``FORWARDED_ALLOW_IPS``, or all its clients are
counted as one.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Annotated

from aiwriter_apps.api.credentials import api_key
from aiwriter_apps.api.ratelimit import RateLimiter, app_limiter, build_limiter
from fastapi import Depends, HTTPException, Request, status

if TYPE_CHECKING:
    from fastapi import FastAPI

LIMITER_NAME = "auth_failure_limiter"
REDIS_PREFIX = "aiwriter:authfail:"
IPV6_GROUP_BITS = 64


def client_group(host: str | None) -> str:
    """What an address is counted under: an IPv4 address itself (also when IPv4-mapped),
    an IPv6 address's /64 network, anything else (a test client's name) as given."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    host_bits = 128 - IPV6_GROUP_BITS
    network = ipaddress.IPv6Network((int(address) >> host_bits << host_bits, IPV6_GROUP_BITS))
    return str(network)


def failure_limiter_for(app: FastAPI) -> RateLimiter | None:
    """The app's failure limiter (made on first use; tests may set
    ``app.state.auth_failure_limiter``), or None when the setting turns it off."""
    limit = app.state.api_settings.auth_failures_per_minute
    if limit == 0:
        return None

    def build() -> RateLimiter:
        return build_limiter(limit, app.state.workbench.settings.redis_url, REDIS_PREFIX)

    return app_limiter(app, LIMITER_NAME, build)


def admit_address(request: Request, key: Annotated[str, Depends(api_key)]) -> None:
    """Dependency run before any key is looked up: 429 when the client's address has
    failed too often this minute. Depends on ``api_key`` so a request without a key is
    still a plain 401. A plain ``def``: a Redis round trip runs in a worker thread."""
    limiter = failure_limiter_for(request.app)
    if limiter is None:
        return
    decision = limiter.peek(_bucket(request))
    if decision.allowed:
        return
    seconds = decision.retry_after_s
    raise HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        detail=(
            f"too many failed authentications from this address: {decision.limit} per "
            f"minute; retry in {seconds} s"
        ),
        headers={"Retry-After": str(seconds)},
    )


def count_failure(request: Request) -> None:
    """Count one failed authentication against the client's address."""
    limiter = failure_limiter_for(request.app)
    if limiter is not None:
        limiter.hit(_bucket(request))


def _bucket(request: Request) -> str:
    return client_group(request.client.host if request.client else None)
