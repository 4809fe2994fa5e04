"""Failed authentications per client address: invented keys from one address end in 429 with
Retry-After before any key lookup, valid keys are never counted, IPv6 counts by /64, 0 turns
it off, and two app instances share the count through a real Redis.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiwriter_apps.api.app import create_app
from aiwriter_apps.api.auth_failures import REDIS_PREFIX, client_group, failure_limiter_for
from aiwriter_apps.api.ratelimit import InProcessLimiter, RedisLimiter
from aiwriter_apps.api.settings import ApiSettings
from fastapi import FastAPI
from fastapi.testclient import TestClient
from support import sql_statements

from aiwriter_kernel import Workbench

from .live_server import free_port
from .test_ratelimit import REDIS_URL, FakeClock, redis_client  # noqa: F401 (a fixture)

ROUTE = "/api/batch/runs"  # any authenticated route; a cheap one


@pytest.fixture
def workbench(home: Path) -> Iterator[Workbench]:
    with Workbench.open(home=home) as wb:
        wb.db.accounts.create_user("alice")
        yield wb


@pytest.fixture
def alice(workbench: Workbench) -> dict[str, str]:
    return _bearer(workbench.db.accounts.create_api_key("alice")[1])


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _invented() -> dict[str, str]:
    return _bearer(f"aiw_{secrets.token_urlsafe(16)}")


def _app(workbench: Workbench, failures: int) -> FastAPI:
    settings = ApiSettings(
        auth_failures_per_minute=failures, rate_limit_per_minute=1000, _env_file=None
    )
    return create_app(workbench, api_settings=settings)


def _from(app: FastAPI, address: str) -> TestClient:
    """A client calling from ``address``; the app must be started by another client's
    ``with`` block (a client used without one does not run the lifespan again)."""
    return TestClient(app, client=(address, 40000))


def _unique_ipv4() -> str:
    """An address no other test (or engineer's run) on the shared Redis counts under."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


# -- one app, counted in this process -----------------------------------------------------------


def test_invented_keys_from_one_address_end_in_429_before_any_lookup(
    workbench: Workbench, alice: dict[str, str]
) -> None:
    app = _app(workbench, 3)
    clock = FakeClock()
    with _from(app, "203.0.113.7") as guesser:
        app.state.auth_failure_limiter = InProcessLimiter(3, clock=clock)
        guesses = [guesser.get(ROUTE, headers=_invented()) for _ in range(3)]
        clock.now += 20
        with sql_statements(workbench.db.engine) as statements:
            blocked = guesser.get(ROUTE, headers=_invented())
            blocked_valid = guesser.get(ROUTE, headers=alice)
            blocked_v1 = guesser.get("/v1/models", headers=_invented())
        with sql_statements(workbench.db.engine) as lookup:
            elsewhere = _from(app, "198.51.100.9").get(ROUTE, headers=alice)
        clock.now += 40  # the window has ended
        after_window = guesser.get(ROUTE, headers=alice)

    assert [r.status_code for r in guesses] == [401, 401, 401]
    assert blocked.status_code == 429
    assert blocked.headers["Retry-After"] == "40"
    assert blocked.json()["detail"] == (
        "too many failed authentications from this address: 3 per minute; retry in 40 s"
    )
    # Blocked before the lookup: even a valid key from that address waits, and no query ran.
    assert blocked_valid.status_code == 429
    assert statements == []
    assert lookup  # (the probe sees the queries a lookup makes)
    assert blocked_v1.status_code == 429
    assert blocked_v1.json()["error"]["code"] == "rate_limit_exceeded"
    assert elsewhere.status_code == 200
    assert after_window.status_code == 200


def test_valid_keys_and_missing_keys_are_not_counted(
    workbench: Workbench, alice: dict[str, str]
) -> None:
    app = _app(workbench, 2)
    with _from(app, "203.0.113.8") as client:
        valid = [client.get(ROUTE, headers=alice) for _ in range(10)]
        keyless = [client.get(ROUTE) for _ in range(10)]
        guesses = [client.get(ROUTE, headers=_invented()) for _ in range(3)]

    assert {r.status_code for r in valid} == {200}
    assert {r.status_code for r in keyless} == {401}
    assert [r.status_code for r in guesses] == [401, 401, 429]


def test_ipv6_addresses_are_counted_by_their_64(workbench: Workbench) -> None:
    app = _app(workbench, 2)
    hosts = ["2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:2::abcd", "2001:db8:1:3::1"]
    with _from(app, "2001:db8:1:2::1") as first:
        codes = [first.get(ROUTE, headers=_invented()).status_code]
        codes += [_from(app, host).get(ROUTE, headers=_invented()).status_code for host in hosts]

    # Two failures in 2001:db8:1:2::/64 fill its count; the next /64 has its own.
    assert codes == [401, 401, 429, 401]


@pytest.mark.parametrize(
    ("host", "group"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),  # IPv4 through an IPv6 socket
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("testclient", "testclient"),
        (None, "unknown"),
    ],
)
def test_client_groups(host: str | None, group: str) -> None:
    assert client_group(host) == group


def test_zero_turns_the_limit_off(workbench: Workbench, alice: dict[str, str]) -> None:
    app = _app(workbench, 0)
    with _from(app, "203.0.113.9") as client:
        guesses = [client.get(ROUTE, headers=_invented()) for _ in range(40)]
        valid = client.get(ROUTE, headers=alice)
        limiter = failure_limiter_for(app)

    assert {r.status_code for r in guesses} == {401}
    assert valid.status_code == 200
    assert limiter is None


def test_the_setting_refuses_a_negative_limit() -> None:
    with pytest.raises(ValueError, match="auth_failures_per_minute"):
        ApiSettings(auth_failures_per_minute=-1, _env_file=None)


def test_peek_does_not_count() -> None:
    limiter = InProcessLimiter(2, clock=FakeClock())

    peeks = [limiter.peek("a") for _ in range(5)]
    limiter.hit("a")
    limiter.hit("a")

    assert all(d.allowed for d in peeks)
    assert not limiter.peek("a").allowed


# -- Redis ---------------------------------------------------------------------------------------


def test_two_app_instances_share_the_failure_count_through_redis(
    workbench: Workbench,
    alice: dict[str, str],
    redis_client: object,  # noqa: F811 (the fixture)
) -> None:
    prefix = f"aiwriter:test:{secrets.token_hex(6)}:"
    address = "203.0.113.10"
    other_wb = Workbench.open(home=workbench.settings.home)
    worker_a, worker_b = _app(workbench, 3), _app(other_wb, 3)
    try:
        with _from(worker_a, address) as a, _from(worker_b, address) as b:
            for app in (worker_a, worker_b):
                app.state.auth_failure_limiter = RedisLimiter(REDIS_URL, 3, prefix=prefix)
            codes = [c.get(ROUTE, headers=_invented()).status_code for c in (a, b, a, b, a)]
            counted = int(redis_client.get(prefix + address))  # type: ignore[attr-defined]
            elsewhere = _from(worker_b, "198.51.100.10").get(ROUTE, headers=alice)
            for app in (worker_a, worker_b):
                app.state.auth_failure_limiter.close()
    finally:
        for key in redis_client.scan_iter(match=prefix + "*"):  # type: ignore[attr-defined]
            redis_client.delete(key)  # type: ignore[attr-defined]
        other_wb.close()

    assert codes == [401, 401, 401, 429, 429]
    assert counted == 3  # the refused requests were only looked at, not counted
    assert elsewhere.status_code == 200


def test_with_redis_configured_failures_are_counted_in_redis(
    workbench: Workbench,
    redis_client: object,  # noqa: F811 (the fixture)
) -> None:
    address = _unique_ipv4()
    shared_wb = Workbench.open(home=workbench.settings.home, redis_url=REDIS_URL)
    app = _app(shared_wb, 2)
    try:
        with _from(app, address) as client:
            codes = [client.get(ROUTE, headers=_invented()).status_code for _ in range(3)]
            limiter = failure_limiter_for(app)
            counted = int(redis_client.get(REDIS_PREFIX + address))  # type: ignore[attr-defined]
            ttl_ms = redis_client.pttl(REDIS_PREFIX + address)  # type: ignore[attr-defined]
    finally:
        redis_client.delete(REDIS_PREFIX + address)  # type: ignore[attr-defined]
        shared_wb.close()

    assert isinstance(limiter, RedisLimiter)
    assert codes == [401, 401, 429]
    assert counted == 2
    assert 0 < ttl_ms <= 60_000


def test_redis_peek_falls_back_when_redis_is_down() -> None:
    limiter = RedisLimiter(f"redis://127.0.0.1:{free_port()}/0", 1)

    before = limiter.peek("a")
    limiter.hit("a")

    assert before.allowed
    assert not limiter.peek("a").allowed
