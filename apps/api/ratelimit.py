"""Rate limits per API key: a fixed window of one minute, counted in this process or in Redis.

How it behaves, and why:

- **Whom it counts.** A request without any key gets 401 before it is counted: there is no
  one to count it against. A request *with* a key is counted against that key before the
  key is verified, so a client hammering the API with made-up keys is slowed down before
  each attempt costs a database lookup. Keys are counted under their sha256, never in plain.
  A client inventing a new key each time is stopped per address instead (``auth_failures``,
  which uses these limiters with ``peek`` before the lookup and ``hit`` on a failure).
- **Where it counts.** In this process by default (one worker). When the workbench's
  ``redis_url`` (``AIWRITER_REDIS_URL``) is set, in Redis, with one atomic script (INCR,
  then PEXPIRE on the window's first request), so several workers enforce one shared limit.
- **When Redis is down: fail open, but not unlimited.** Each worker falls back to its own
  in-process window and logs a warning once per outage. Redis only holds counters: losing
  it must not take the writing service down with it (fail-closed would turn every Redis
  blip into a full API outage), while failing fully open would leave the paid model
  providers unprotected. With the fallback a key gets at most ``workers x limit`` a minute.
- **No database.** The limiter never touches the database, so it keeps working (and keeps
  protecting it) when the database is slow.

Over the limit: 429 with ``Retry-After`` (seconds until the window ends) and a detail that
says what the limit is. Every counted answer carries ``X-RateLimit-Limit`` and
``X-RateLimit-Remaining``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from aiwriter_apps.api.credentials import api_key
from fastapi import Depends, HTTPException, Request, Response, status

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger(__name__)

WINDOW_S = 60.0
REDIS_PREFIX = "aiwriter:ratelimit:"
REDIS_TIMEOUT_S = 0.5
# KEYS[1]: the key's counter; ARGV[1]: the window in ms. Returns {count, ms left in window}.
REDIS_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""
# The same counter read without counting: {count, ms left in window} ({0, <0} for none).
REDIS_PEEK_SCRIPT = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
return {count, redis.call('PTTL', KEYS[1])}
"""

_build_lock = threading.Lock()


@dataclass(frozen=True)
class Decision:
    """The verdict on one request."""

    allowed: bool
    limit: int
    remaining: int
    retry_after_s: int  # whole seconds until the window ends (at least 1)


class RateLimiter(Protocol):
    limit: int

    def hit(self, bucket: str) -> Decision:
        """Count one request in ``bucket`` and say whether it may go ahead."""
        ...

    def peek(self, bucket: str) -> Decision:
        """Say whether one more request in ``bucket`` would go ahead, without counting it."""
        ...


def key_bucket(key: str) -> str:
    """What a key is counted under: its sha256, so no plain key sits in memory dumps or Redis."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _decision(count: int, limit: int, seconds_left: float) -> Decision:
    return Decision(
        allowed=count <= limit,
        limit=limit,
        remaining=max(0, limit - count),
        retry_after_s=max(1, math.ceil(seconds_left)),
    )


class InProcessLimiter:
    """Fixed windows in a dict, for one worker. ``clock`` is injectable for tests."""

    def __init__(
        self,
        limit: int,
        *,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}  # bucket -> (window start, count)
        self._next_sweep = 0.0

    def hit(self, bucket: str) -> Decision:
        return self._judge(bucket, counted=True)

    def peek(self, bucket: str) -> Decision:
        return self._judge(bucket, counted=False)

    def _judge(self, bucket: str, *, counted: bool) -> Decision:
        """The verdict on one more request in the bucket's window, counting it when
        ``counted``; a peek stores nothing."""
        with self._lock:
            now = self._clock()
            self._sweep(now)
            started, count = self._windows.get(bucket, (now, 0))
            if now - started >= self.window_s:
                started, count = now, 0
            if counted:
                self._windows[bucket] = (started, count + 1)
            return _decision(count + 1, self.limit, started + self.window_s - now)

    def _sweep(self, now: float) -> None:
        """Forget ended windows now and then, so made-up keys cannot grow the dict forever."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.window_s
        ended = [b for b, (start, _) in self._windows.items() if now - start >= self.window_s]
        for bucket in ended:
            del self._windows[bucket]


class RedisLimiter:
    """One fixed window per key in Redis, shared by every worker that uses the same Redis.

    When Redis cannot be reached, this worker counts in-process instead (see the module
    docstring) and says so in the log once, until Redis answers again.
    """

    def __init__(
        self,
        url: str,
        limit: int,
        *,
        window_s: float = WINDOW_S,
        prefix: str = REDIS_PREFIX,
        fallback: InProcessLimiter | None = None,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.prefix = prefix
        self.fallback = fallback or InProcessLimiter(limit, window_s=window_s)
        self._client = _redis_client(url)
        self._script = self._client.register_script(REDIS_SCRIPT)
        self._peek_script = self._client.register_script(REDIS_PEEK_SCRIPT)
        self._degraded = False

    def hit(self, bucket: str) -> Decision:
        window_ms = int(self.window_s * 1000)
        return self._judge(self._script, bucket, [window_ms], counted=True)

    def peek(self, bucket: str) -> Decision:
        return self._judge(self._peek_script, bucket, [], counted=False)

    def _judge(self, script: Any, bucket: str, args: list[int], *, counted: bool) -> Decision:
        """Run ``script`` on the bucket's counter (it returns the count, after counting
        when ``counted``); judge in-process when Redis fails."""
        import redis

        try:
            count, ttl_ms = script(keys=[self.prefix + bucket], args=args)
        except redis.RedisError as error:
            if not self._degraded:
                self._degraded = True
                log.warning(
                    "rate limits: Redis is unreachable (%s); this worker counts on its own "
                    "until it is back",
                    type(error).__name__,
                )
            return self.fallback.hit(bucket) if counted else self.fallback.peek(bucket)
        if self._degraded:
            self._degraded = False
            log.warning("rate limits: Redis is reachable again; limits are shared once more")
        seconds_left = int(ttl_ms) / 1000 if int(ttl_ms) >= 0 else self.window_s
        judged = int(count) if counted else int(count) + 1
        return _decision(judged, self.limit, seconds_left)

    def close(self) -> None:
        self._client.close()


def _redis_client(url: str) -> Any:
    from aiwriter_kernel.errors import ConfigError

    try:
        import redis
    except ImportError:
        raise ConfigError(
            "AIWRITER_REDIS_URL is set but the redis package is missing: "
            "pip install 'aiwriter-workbench[redis]'"
        ) from None
    return redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S
    )


def build_limiter(limit: int, redis_url: str | None, prefix: str = REDIS_PREFIX) -> RateLimiter:
    """Redis-backed (counters under ``prefix``) when a Redis URL is configured, in-process
    otherwise."""
    if redis_url:
        return RedisLimiter(redis_url, limit, prefix=prefix)
    return InProcessLimiter(limit)


def limiter_for(app: FastAPI) -> RateLimiter:
    """The app's per-key limiter, made on first use from its settings; tests may set
    ``app.state.rate_limiter`` beforehand (an injected clock, a Redis key prefix)."""

    def build() -> RateLimiter:
        limit = app.state.api_settings.rate_limit_per_minute
        return build_limiter(limit, app.state.workbench.settings.redis_url)

    return app_limiter(app, "rate_limiter", build)


def app_limiter(app: FastAPI, name: str, build: Callable[[], RateLimiter]) -> RateLimiter:
    """``app.state.<name>``, made by ``build`` on first use (once, even when two requests
    arrive together) and then owned by the app: ``close_limiter`` closes it at shutdown."""
    limiter = getattr(app.state, name, None)
    if limiter is not None:
        return limiter
    with _build_lock:
        limiter = getattr(app.state, name, None)
        if limiter is None:
            limiter = build()
            setattr(app.state, name, limiter)
            setattr(app.state, f"{name}_owned", True)
        return limiter


def close_limiter(app: FastAPI, name: str = "rate_limiter") -> None:
    """At shutdown: close the limiter ``app_limiter`` made (a Redis one holds a connection
    pool) and forget it, so a restarted app makes a fresh one. One a test injected stays
    the test's to close."""
    with _build_lock:
        limiter = getattr(app.state, name, None)
        if limiter is None or not getattr(app.state, f"{name}_owned", False):
            return
        setattr(app.state, name, None)
        setattr(app.state, f"{name}_owned", False)
    close = getattr(limiter, "close", None)
    if close is not None:
        close()


def enforce_rate_limit(
    request: Request, response: Response, key: Annotated[str, Depends(api_key)]
) -> None:
    """Dependency on every authenticated route: count the request, 429 when over the limit.

    A plain ``def``: FastAPI runs it in a worker thread, so a Redis round trip never blocks
    the event loop.
    """
    decision = limiter_for(request.app).hit(key_bucket(key))
    headers = {
        "X-RateLimit-Limit": str(decision.limit),
        "X-RateLimit-Remaining": str(decision.remaining),
    }
    if not decision.allowed:
        seconds = decision.retry_after_s
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=(
                f"rate limit exceeded: {decision.limit} requests per minute per API key; "
                f"retry in {seconds} s"
            ),
            headers={**headers, "Retry-After": str(seconds)},
        )
    response.headers.update(headers)
