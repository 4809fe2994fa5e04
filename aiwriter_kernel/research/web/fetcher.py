"""The one safe way the workbench fetches a URL.

A URL can come from a user, a search result or a redirect, so every fetch is treated as
hostile input (server-side request forgery). ``SafeFetcher.fetch`` therefore:

* accepts only ``http``/``https`` URLs without user name or password;
* resolves the host itself and refuses it unless EVERY resolved address is public
  (no loopback, private, link-local incl. 169.254.169.254, CGNAT, multicast, reserved...);
  numeric tricks such as ``http://2130706433/`` or ``http://0x7f.1/`` are caught because
  the check runs on the addresses the resolver returns, not on the spelling of the host;
* connects to the very address it checked (see ``SafeFetcher._send``), so a DNS answer
  that changes between check and connect ("DNS rebinding") cannot reach a private address;
* follows redirects by hand, checking every hop with the same rules before connecting;
* caps size (while streaming), total time, content type, and honours robots.txt and a
  polite per-host request rate.

Every refusal is a ``FetchError`` whose one-line message names the URL without its user
info, query or fragment, which may hold secrets.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import httpx
from protego import Protego
from pydantic import BaseModel, ConfigDict, Field, field_validator

from aiwriter_kernel.errors import AIWriterError

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., Sequence[tuple[Any, ...]]]
"""Same call shape as ``socket.getaddrinfo(host, port, type=...)``."""

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 512_000  # Google reads the first 500 KiB of a robots.txt; so do we.
_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_ADDRESS_KINDS = (  # checked in this order, so the message names the most telling kind
    ("is_unspecified", "unspecified"),
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_private", "private"),
    ("is_reserved", "reserved"),
)


class FetchError(AIWriterError):
    """A URL was refused or could not be fetched; the message says which and why."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class FetchPolicy(BaseModel):
    """Limits applied to every fetch; the defaults suit fetching articles and papers."""

    model_config = ConfigDict(frozen=True)

    max_bytes: int = Field(default=10_000_000, gt=0)
    timeout_s: float = Field(default=15.0, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    allowed_content_types: tuple[str, ...] = (
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "text/markdown",
        "application/pdf",
    )
    respect_robots: bool = True
    min_interval_per_host_s: float = Field(default=1.0, ge=0)
    user_agent: str = "aiwriter/0.1 (+research workbench)"
    # IPs, CIDRs or host names that bypass the address guard. Empty in production; tests
    # open it for 127.0.0.1 so they can fetch from a server they start themselves.
    allow_hosts: tuple[str, ...] = ()

    @field_validator("allowed_content_types", "allow_hosts")
    @classmethod
    def _lowercase(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(value.strip().lower().rstrip(".") for value in values if value.strip())


class FetchedPage(BaseModel):
    """What a successful fetch returns; ``url`` is the final URL after redirects."""

    model_config = ConfigDict(frozen=True)

    url: str
    status: int
    content_type: str  # the header as sent, e.g. "text/html; charset=utf-8"
    content: bytes
    fetched_at: datetime

    @property
    def media_type(self) -> str:
        """The content type without parameters, e.g. ``text/html``."""
        return _media_type(self.content_type)


def display_url(url: str | httpx.URL) -> str:
    """The URL as shown in messages and logs: no user info, query or fragment."""
    try:
        parts = urlsplit(str(url))
        netloc = parts.netloc.rpartition("@")[2]
        shown = parts._replace(netloc=netloc, query="", fragment="").geturl()
    except ValueError:
        shown = "<malformed URL>"
    return shown if len(shown) <= 200 else shown[:199] + "…"


def address_refusal(address: IPAddress) -> str | None:
    """Why connecting to ``address`` is refused (e.g. "a loopback address"), or None.

    IPv6 forms that carry an IPv4 address (``::ffff:127.0.0.1``, 6to4, Teredo, NAT64) are
    judged on that IPv4 address too, since the packets may end up there.
    """
    for candidate in (*_embedded_ipv4(address), address):
        for attribute, kind in _ADDRESS_KINDS:
            if getattr(candidate, attribute):
                return f"a {kind} address"
        if getattr(candidate, "is_site_local", False):
            return "a site-local address"
        if candidate in _CGNAT:
            return "a shared (carrier-grade NAT) address"
        if not candidate.is_global:
            return "not a public address"
    return None


def _embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address maps or tunnels to."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found = [address.ipv4_mapped, address.sixtofour]
    if address.teredo:
        found.append(address.teredo[1])
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [ip for ip in found if ip is not None]


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


class HostRateLimiter:
    """At most one request per host every ``interval_s``, across threads.

    Each caller reserves the next free slot under a lock, then sleeps outside it, so
    concurrent fetches of one host queue up at the right spacing without blocking others.
    ``sleep`` and ``clock`` are injectable so tests can record waits instead of waiting.
    """

    def __init__(
        self,
        interval_s: float,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval_s = interval_s
        self._sleep = sleep
        self._clock = clock
        self._next_slot: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> float:
        """Block until ``host`` may be contacted again; return the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + self._interval_s
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay


class _Target(NamedTuple):
    """One checked hop: the URL as written and the address that passed the guard."""

    url: httpx.URL
    address: IPAddress


class _Deadline:
    """The overall time budget of one fetch, redirects and robots.txt included."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def check(self, shown: str) -> None:
        if self.remaining() <= 0:
            raise FetchError(f"gave up on {shown}: fetching took longer than {self.seconds:g} s")


class SafeFetcher:
    """Fetches public web pages under a ``FetchPolicy``; see the module docstring.

    Thread-safe. ``resolver`` (default ``socket.getaddrinfo``) lets tests simulate DNS;
    ``sleep``/``clock`` drive the per-host rate limiter; ``transport`` replaces the httpx
    transport (tests use ``httpx.MockTransport`` to see requests without any network).
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        resolver: Resolver = socket.getaddrinfo,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self._resolver = resolver
        self._limiter = HostRateLimiter(
            self.policy.min_interval_per_host_s, sleep=sleep, clock=clock
        )
        # No keep-alive: a pooled TLS connection is keyed by IP, and reusing one verified
        # for host A to send a request for host B on the same IP would skip B's certificate.
        self._transport = transport or httpx.HTTPTransport(
            limits=httpx.Limits(max_keepalive_connections=0)
        )
        self._robots: dict[str, Protego | None] = {}
        self._robots_lock = threading.Lock()
        self._allowed_networks, self._allowed_names = _split_allow_list(self.policy.allow_hosts)

    def __enter__(self) -> SafeFetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release network resources."""
        self._transport.close()

    def fetch(self, url: str) -> FetchedPage:
        """Download ``url`` if every rule allows it; raise ``FetchError`` otherwise."""
        deadline = _Deadline(self.policy.timeout_s)
        first = self._check_address(self._parse(url))
        final_url, response = self._open(first, deadline, check_robots=self.policy.respect_robots)
        with contextlib.closing(response):
            shown = display_url(final_url)
            if not 200 <= response.status_code < 300:
                raise FetchError(
                    f"{shown} answered HTTP {response.status_code}", status=response.status_code
                )
            content_type = self._check_content_type(response, shown)
            content = self._read(response, shown, deadline, self.policy.max_bytes)
        return FetchedPage(
            url=str(final_url),
            status=response.status_code,
            content_type=content_type,
            content=content,
            fetched_at=datetime.now(UTC),
        )

    # --- URL and address checks ----------------------------------------------------------

    def _parse(self, raw: str, via: httpx.URL | None = None) -> httpx.URL:
        """Parse ``raw`` and refuse anything but a plain http(s) URL with a host."""
        shown = _shown(raw, via)
        try:
            url = httpx.URL(raw)
        except (httpx.InvalidURL, TypeError) as exc:
            raise FetchError(f"refused {shown}: not a valid URL") from exc
        if url.scheme not in ("http", "https"):
            raise FetchError(f"refused {shown}: only http and https URLs are fetched")
        if url.userinfo:
            raise FetchError(f"refused {shown}: URLs with a user name or password are not fetched")
        if not url.host:
            raise FetchError(f"refused {shown}: the URL has no host")
        return url

    def _check_address(self, url: httpx.URL, via: httpx.URL | None = None) -> _Target:
        """Resolve the host once and refuse it unless every address is public or allowed."""
        host = url.raw_host.decode("ascii").lower().rstrip(".")
        addresses = self._resolve(url, host, via)
        if host not in self._allowed_names:
            for address in addresses:
                reason = address_refusal(address)
                if reason and not self._is_allowed(address):
                    who = host if _is_ip_literal(host) else f"{host} ({address})"
                    shown = _shown(url, via)
                    raise FetchError(
                        f"refused {shown}: {who} is {reason}; only public ones are fetched"
                    )
        return _Target(url, addresses[0])

    def _resolve(self, url: httpx.URL, host: str, via: httpx.URL | None) -> list[IPAddress]:
        """The host's addresses: the literal itself, or what the resolver answers."""
        if _is_ip_literal(host):
            return [ipaddress.ip_address(host)]
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            infos = self._resolver(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"could not resolve {host} for {_shown(url, via)}") from exc
        addresses: list[IPAddress] = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise FetchError(f"could not resolve {host} for {_shown(url, via)}")
        return addresses

    def _is_allowed(self, address: IPAddress) -> bool:
        candidates = (address, *_embedded_ipv4(address))
        return any(ip in network for ip in candidates for network in self._allowed_networks)

    # --- requests and redirects ----------------------------------------------------------

    def _open(
        self, first: _Target, deadline: _Deadline, *, check_robots: bool
    ) -> tuple[httpx.URL, httpx.Response]:
        """GET ``first``, following redirects by hand; each hop is checked before connecting.

        Returns the final URL and the open (unread) response; the caller closes it.
        """
        target, via = first, None
        seen = {str(first.url)}
        for _hop in range(self.policy.max_redirects + 1):
            if check_robots:
                self._check_robots(target, deadline)
            response = self._send(target, deadline)
            location = response.headers.get("location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return target.url, response
            response.close()
            via = target.url
            next_url = self._parse(_join(via, location), via)
            if str(next_url) in seen:
                raise FetchError(f"gave up on {display_url(first.url)}: it redirects in a loop")
            seen.add(str(next_url))
            target = self._check_address(next_url, via)
        raise FetchError(
            f"gave up on {display_url(first.url)}: more than {self.policy.max_redirects} redirects"
        )

    def _send(self, target: _Target, deadline: _Deadline) -> httpx.Response:
        """Send one GET to the checked address and return the response, body unread.

        Rebinding defence: the request goes to ``target.address`` itself (the URL's host is
        replaced by the checked IP), so no second DNS lookup happens between the check and
        the connection. The site still sees its own name in the ``Host`` header, and for
        https httpcore's ``sni_hostname`` extension sends that name as SNI and verifies the
        certificate against it. The transport is used directly (no ``httpx.Client``): no
        proxies from the environment, no cookies carried between sites, no auto-redirects.
        """
        shown = display_url(target.url)
        self._limiter.wait(target.url.raw_host.decode("ascii").lower())
        deadline.check(shown)
        extensions: dict[str, Any] = {"timeout": httpx.Timeout(deadline.remaining()).as_dict()}
        if target.url.scheme == "https":
            extensions["sni_hostname"] = target.url.raw_host.decode("ascii")
        request = httpx.Request(
            "GET",
            target.url.copy_with(host=str(target.address)),
            headers={
                "Host": target.url.netloc.decode("ascii"),
                "User-Agent": self.policy.user_agent,
                "Accept": ", ".join((*self.policy.allowed_content_types, "*/*;q=0.1")),
                # Uncompressed answers keep max_bytes a limit on what the site sends.
                "Accept-Encoding": "identity",
            },
            extensions=extensions,
        )
        with _network_errors(shown, self.policy.timeout_s):
            response = self._transport.handle_request(request)
        response.request = request
        return response

    # --- the answer --------------------------------------------------------------------

    def _check_content_type(self, response: httpx.Response, shown: str) -> str:
        content_type = response.headers.get("content-type", "").strip()
        media_type = _media_type(content_type)
        if media_type not in self.policy.allowed_content_types:
            raise FetchError(f"refused {shown}: content type {media_type or 'missing'!r}")
        return content_type

    def _read(self, response: httpx.Response, shown: str, deadline: _Deadline, limit: int) -> bytes:
        """Read the body, stopping as soon as it passes ``limit`` bytes or the deadline."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"refused {shown}: it is larger than {limit} bytes ({declared})")
        chunks: list[bytes] = []
        size = 0
        with _network_errors(shown, self.policy.timeout_s):
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"refused {shown}: it is larger than {limit} bytes")
                chunks.append(chunk)
                deadline.check(shown)
        return b"".join(chunks)

    # --- robots.txt --------------------------------------------------------------------

    def _check_robots(self, target: _Target, deadline: _Deadline) -> None:
        rules = self._robots_for(target, deadline)
        if rules is not None and not rules.can_fetch(str(target.url), self.policy.user_agent):
            shown = display_url(target.url)
            raise FetchError(f"refused {shown}: the site's robots.txt disallows it")

    def _robots_for(self, target: _Target, deadline: _Deadline) -> Protego | None:
        """The site's robots.txt rules (None: everything allowed), cached per origin."""
        origin = f"{target.url.scheme}://{target.url.netloc.decode('ascii')}"
        with self._robots_lock:
            if origin in self._robots:
                return self._robots[origin]
        rules = self._load_robots(target, deadline)
        with self._robots_lock:
            return self._robots.setdefault(origin, rules)

    def _load_robots(self, target: _Target, deadline: _Deadline) -> Protego | None:
        """Fetch robots.txt through the same guard, pinned to the address already checked.

        A missing file (4xx) allows everything; an unreachable or broken one is logged and
        also allows everything, so a flaky robots.txt never blocks research.
        """
        robots_url = target.url.copy_with(path="/robots.txt", query=None, fragment=None)
        shown = display_url(robots_url)
        try:
            _, response = self._open(
                _Target(robots_url, target.address), deadline, check_robots=False
            )
            with contextlib.closing(response):
                if 400 <= response.status_code < 500:
                    return None
                if not 200 <= response.status_code < 300:
                    raise FetchError(f"{shown} answered HTTP {response.status_code}")
                body = self._read(response, shown, deadline, ROBOTS_MAX_BYTES)
        except FetchError as exc:
            log.warning("robots.txt unavailable, fetching anyway: %s", exc)
            return None
        return Protego.parse(body.decode("utf-8", errors="replace"))


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _shown(url: str | httpx.URL, via: httpx.URL | None) -> str:
    """The URL for a message, saying which page redirected to it."""
    shown = display_url(url)
    return f"{shown} (redirected from {display_url(via)})" if via is not None else shown


def _join(base: httpx.URL, location: str) -> str:
    """Resolve a Location header against the page that sent it."""
    try:
        return str(base.join(location))
    except httpx.InvalidURL as exc:
        raise FetchError(f"refused a redirect from {display_url(base)}: not a valid URL") from exc


def _split_allow_list(
    entries: tuple[str, ...],
) -> tuple[list[ipaddress.IPv4Network | ipaddress.IPv6Network], set[str]]:
    """Split ``allow_hosts`` into networks (IPs, CIDRs) and host names."""
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    names: set[str] = set()
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            names.add(entry)
    return networks, names


@contextlib.contextmanager
def _network_errors(shown: str, timeout_s: float) -> Iterator[None]:
    """Turn httpx transport failures into one-line ``FetchError`` messages."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise FetchError(f"gave up on {shown}: no answer within {timeout_s:g} s") from exc
    except httpx.TransportError as exc:
        reason = str(exc) or type(exc).__name__
        raise FetchError(f"could not fetch {shown}: {reason}") from exc
