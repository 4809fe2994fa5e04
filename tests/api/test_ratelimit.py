"""Per-key rate limits: in-process with an injected clock, shared through a real Redis by two
app instances, falling back when Redis is down, and held across two real uvicorn workers on
PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from aiwriter_apps.api.app import create_app
from aiwriter_apps.api.ratelimit import (
    REDIS_PREFIX,
    InProcessLimiter,
    RedisLimiter,
    key_bucket,
    limiter_for,
)
from aiwriter_apps.api.settings import ApiSettings
from fastapi.testclient import TestClient
from support import postgres_schema

from aiwriter_kernel import Workbench

from .live_server import free_port, live_api

REDIS_URL = "redis://127.0.0.1:6379/0"
POSTGRES_URL = os.environ.get("AIWRITER_TEST_POSTGRES_URL")
LIMITED_ROUTE = "/api/batch/runs"  # any authenticated /api route; a cheap one


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _redis_or_skip() -> object:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    return client


@pytest.fixture
def redis_client() -> Iterator[object]:
    client = _redis_or_skip()
    yield client
    client.close()  # type: ignore[attr-defined]


@pytest.fixture
def workbench(home: Path) -> Iterator[Workbench]:
    with Workbench.open(home=home) as wb:
        for name in ("alice", "bob"):
            wb.db.accounts.create_user(name)
        yield wb


def _key(wb: Workbench, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {wb.db.accounts.create_api_key(user)[1]}"}


def _settings(limit: int) -> ApiSettings:
    return ApiSettings(rate_limit_per_minute=limit, _env_file=None)


# -- the limiter itself ----------------------------------------------------------------------


def test_in_process_window_limits_counts_per_bucket_and_resets() -> None:
    clock = FakeClock()
    limiter = InProcessLimiter(3, clock=clock)

    first = [limiter.hit("a") for _ in range(3)]
    clock.now += 20
    over = limiter.hit("a")
    other = limiter.hit("b")
    clock.now += 40  # the window that began at the first hit has ended
    again = limiter.hit("a")

    assert [d.allowed for d in first] == [True, True, True]
    assert [d.remaining for d in first] == [2, 1, 0]
    assert not over.allowed
    assert over.retry_after_s == 40
    assert other.allowed
    assert again.allowed
    assert again.remaining == 2


def test_keys_are_counted_under_their_sha256_never_in_plain() -> None:
    bucket = key_bucket("aiw_secret")
    assert "aiw_secret" not in bucket
    assert re.fullmatch(r"[0-9a-f]{64}", bucket)


# -- through the app ---------------------------------------------------------------------------


def test_fourth_request_is_429_with_retry_after_and_others_are_unaffected(
    workbench: Workbench,
) -> None:
    alice, bob = _key(workbench, "alice"), _key(workbench, "bob")
    clock = FakeClock()
    app = create_app(workbench, api_settings=_settings(3))
    with TestClient(app) as client:
        app.state.rate_limiter = InProcessLimiter(3, clock=clock)
        allowed = [client.get(LIMITED_ROUTE, headers=alice) for _ in range(3)]
        clock.now += 15
        refused = client.get(LIMITED_ROUTE, headers=alice)
        refused_v1 = client.get("/v1/models", headers=alice)
        bobs = client.get(LIMITED_ROUTE, headers=bob)
        clock.now += 45
        after_window = client.get(LIMITED_ROUTE, headers=alice)

    assert [r.status_code for r in allowed] == [200, 200, 200]
    assert [r.headers["X-RateLimit-Remaining"] for r in allowed] == ["2", "1", "0"]
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "45"
    assert "3 requests per minute" in refused.json()["detail"]
    # The OpenAI-compatible routes share the limit and answer in OpenAI's error shape.
    assert refused_v1.status_code == 429
    assert refused_v1.headers["Retry-After"] == "45"
    assert refused_v1.json()["error"]["code"] == "rate_limit_exceeded"
    assert bobs.status_code == 200
    assert after_window.status_code == 200


def test_requests_without_a_key_are_not_counted_but_made_up_keys_are(
    workbench: Workbench,
) -> None:
    alice = _key(workbench, "alice")
    made_up = {"Authorization": "Bearer aiw_made-up"}
    with TestClient(create_app(workbench, api_settings=_settings(2))) as client:
        anonymous = [client.get(LIMITED_ROUTE) for _ in range(3)]
        guesses = [client.get(LIMITED_ROUTE, headers=made_up) for _ in range(3)]
        alices = [client.get(LIMITED_ROUTE, headers=alice) for _ in range(2)]

    assert [r.status_code for r in anonymous] == [401, 401, 401]
    # A flood of bad keys is slowed down before each attempt costs a database lookup.
    assert [r.status_code for r in guesses] == [401, 401, 429]
    assert [r.status_code for r in alices] == [200, 200]


def test_the_limiter_is_in_process_unless_redis_is_configured(
    workbench: Workbench, redis_client: object
) -> None:
    local = create_app(workbench, api_settings=_settings(7))
    shared_wb = Workbench.open(home=workbench.settings.home, redis_url=REDIS_URL)
    shared = create_app(shared_wb, api_settings=_settings(7))
    alice = _key(workbench, "alice")
    try:
        with TestClient(local) as client:
            client.get(LIMITED_ROUTE, headers=alice)
            local_limiter = limiter_for(local)
        with TestClient(shared) as client:
            client.get(LIMITED_ROUTE, headers=alice)
            shared_limiter = limiter_for(shared)
        bucket = REDIS_PREFIX + key_bucket(alice["Authorization"].removeprefix("Bearer "))
        counted = int(redis_client.get(bucket))  # type: ignore[attr-defined]
    finally:
        redis_client.delete(bucket)  # type: ignore[attr-defined]
        shared_wb.close()

    assert isinstance(local_limiter, InProcessLimiter)
    assert local_limiter.limit == 7
    assert isinstance(shared_limiter, RedisLimiter)
    assert counted == 1


# -- Redis ---------------------------------------------------------------------------------------


def _server_client_ids(redis_client: object) -> set[int]:
    return {int(c["id"]) for c in redis_client.client_list()}  # type: ignore[attr-defined]


def test_the_redis_limiter_the_app_made_is_closed_at_shutdown(
    workbench: Workbench, redis_client: object
) -> None:
    shared_wb = Workbench.open(home=workbench.settings.home, redis_url=REDIS_URL)
    app = create_app(shared_wb, api_settings=_settings(7))
    alice = _key(workbench, "alice")
    bucket = REDIS_PREFIX + key_bucket(alice["Authorization"].removeprefix("Bearer "))
    try:
        with TestClient(app) as client:
            assert client.get(LIMITED_ROUTE, headers=alice).status_code == 200
            limiter = limiter_for(app)
            assert isinstance(limiter, RedisLimiter)
            connection_id = limiter._client.client_id()  # the server's id of its connection
            assert connection_id in _server_client_ids(redis_client)
        gone = _wait_for(lambda: connection_id not in _server_client_ids(redis_client))
    finally:
        redis_client.delete(bucket)  # type: ignore[attr-defined]
        shared_wb.close()

    assert gone, "the limiter's Redis connection is still open after shutdown"
    pool = limiter._client.connection_pool
    assert not any(c.is_connected for c in pool._available_connections)
    assert getattr(app.state, "rate_limiter", None) is None  # a restart makes a new one


def test_an_injected_limiter_is_left_to_its_owner(workbench: Workbench) -> None:
    app = create_app(workbench, api_settings=_settings(7))
    injected = InProcessLimiter(7)
    with TestClient(app) as client:
        app.state.rate_limiter = injected
        client.get(LIMITED_ROUTE, headers=_key(workbench, "alice"))
    assert app.state.rate_limiter is injected


def _wait_for(condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    """Poll ``condition`` (the server notices a closed socket on its next event loop turn)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_two_app_instances_share_one_limit_through_redis(
    workbench: Workbench, redis_client: object
) -> None:
    prefix = f"aiwriter:test:{secrets.token_hex(6)}:"
    alice, bob = _key(workbench, "alice"), _key(workbench, "bob")
    # Two apps, each with its own workbench and Redis connection: two "workers".
    other_wb = Workbench.open(home=workbench.settings.home)
    worker_a = create_app(workbench, api_settings=_settings(3))
    worker_b = create_app(other_wb, api_settings=_settings(3))
    try:
        with TestClient(worker_a) as a, TestClient(worker_b) as b:
            worker_a.state.rate_limiter = RedisLimiter(REDIS_URL, 3, prefix=prefix)
            worker_b.state.rate_limiter = RedisLimiter(REDIS_URL, 3, prefix=prefix)
            codes = [
                client.get(LIMITED_ROUTE, headers=alice).status_code for client in (a, b, a, b, a)
            ]
            refused = b.get(LIMITED_ROUTE, headers=alice)
            bobs = b.get(LIMITED_ROUTE, headers=bob)
    finally:
        for key in redis_client.scan_iter(match=prefix + "*"):  # type: ignore[attr-defined]
            redis_client.delete(key)  # type: ignore[attr-defined]
        other_wb.close()

    assert codes == [200, 200, 200, 429, 429]
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert bobs.status_code == 200


def test_redis_window_expires(redis_client: object) -> None:
    prefix = f"aiwriter:test:{secrets.token_hex(6)}:"
    limiter = RedisLimiter(REDIS_URL, 1, window_s=0.2, prefix=prefix)
    try:
        first, second = limiter.hit("k"), limiter.hit("k")
        ttl_ms = redis_client.pttl(prefix + "k")  # type: ignore[attr-defined]
        redis_client.pexpire(prefix + "k", 1)  # end the window now instead of sleeping
        time.sleep(0.01)
        third = limiter.hit("k")
    finally:
        redis_client.delete(prefix + "k")  # type: ignore[attr-defined]
        limiter.close()

    assert (first.allowed, second.allowed, third.allowed) == (True, False, True)
    assert 0 < ttl_ms <= 200


def test_redis_down_falls_back_to_counting_in_process_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = RedisLimiter(f"redis://127.0.0.1:{free_port()}/0", 2)

    with caplog.at_level(logging.WARNING, logger="aiwriter_apps.api.ratelimit"):
        decisions = [limiter.hit("k") for _ in range(3)]

    assert [d.allowed for d in decisions] == [True, True, False]
    warnings = [r for r in caplog.records if "Redis is unreachable" in r.getMessage()]
    assert len(warnings) == 1


# -- two real workers ----------------------------------------------------------------------------

ACCESS_LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "access": {
            "()": "uvicorn.logging.AccessFormatter",
            "fmt": "ACCESS pid=%(process)d %(request_line)s %(status_code)s",
            "use_colors": False,
        },
        "default": {
            "()": "uvicorn.logging.DefaultFormatter",
            "fmt": "%(levelprefix)s %(message)s",
            "use_colors": False,
        },
    },
    "handlers": {
        "access": {"class": "logging.StreamHandler", "formatter": "access"},
        "default": {"class": "logging.StreamHandler", "formatter": "default"},
    },
    "loggers": {
        "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("AIWRITER_TEST_POSTGRES_URL is not set")
    yield from postgres_schema(POSTGRES_URL)


@pytest.mark.server
@pytest.mark.postgres
def test_redis_limit_holds_across_two_uvicorn_workers_on_postgres(
    tmp_path: Path, postgres_url: str, redis_client: object
) -> None:
    home = tmp_path / "home"
    # Migrate once here, before two workers start on the same schema.
    with Workbench.open(home=home, database_url=postgres_url) as wb:
        wb.db.accounts.create_user("alice")
        key = wb.db.accounts.create_api_key("alice")[1]
    log_config = tmp_path / "log.json"
    log_config.write_text(json.dumps(ACCESS_LOG_CONFIG))
    env = {
        "AIWRITER_HOME": str(home),
        "AIWRITER_DATABASE_URL": postgres_url,
        "AIWRITER_REDIS_URL": REDIS_URL,
        "AIWRITER_API_RATE_LIMIT_PER_MINUTE": "5",
    }
    headers = {"Authorization": f"Bearer {key}"}
    codes: list[int] = []
    try:
        with live_api(env, workers=2, extra_args=["--log-config", str(log_config)]) as server:

            def one(_: int) -> int:
                # A new connection each time, so the kernel may hand it to either worker.
                return httpx.get(f"{server.url}/v1/models", headers=headers).status_code

            with ThreadPoolExecutor(max_workers=8) as pool:
                for _ in range(10):  # until both workers have answered (nearly always at once)
                    codes += pool.map(one, range(20))
                    if len(_serving_pids(server.log())) >= 2:
                        break
            log = server.log()
    finally:
        redis_client.delete(REDIS_PREFIX + key_bucket(key))  # type: ignore[attr-defined]

    assert len(_serving_pids(log)) == 2, log
    assert codes.count(200) == 5  # not 5 per worker: the limit is shared
    assert codes.count(429) == len(codes) - 5


def _serving_pids(log: str) -> set[str]:
    return set(re.findall(r"^ACCESS pid=(\d+) GET /v1/models", log, flags=re.MULTILINE))
