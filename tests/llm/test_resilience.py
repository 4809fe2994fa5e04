"""Retries, backoff, the circuit breaker and the concurrency limit, with a fake clock."""

from __future__ import annotations

import random
import threading
import time

import pytest

from aiwriter_kernel.errors import (
    BadCredentialsError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    RateLimitedError,
)
from aiwriter_kernel.llm.resilience import (
    BreakerState,
    CircuitBreaker,
    CircuitOpenError,
    ProviderGuard,
    ResiliencePolicy,
    backoff_delay,
)

FAST = ResiliencePolicy(
    max_attempts=4, base_delay_s=0.01, max_delay_s=0.02, breaker_failures=3, breaker_cooldown_s=60
)


class Script:
    """A callable that raises or returns the next scripted outcome."""

    def __init__(self, *outcomes: object) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    def __call__(self) -> object:
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def guard(policy: ResiliencePolicy = FAST) -> tuple[ProviderGuard, list[float]]:
    slept: list[float] = []
    return ProviderGuard("fake", policy, sleep=slept.append), slept


def test_transient_errors_are_retried_until_success() -> None:
    provider_guard, slept = guard()
    script = Script(ProviderUnavailableError("500"), ProviderTimeoutError("slow"), "done")
    assert provider_guard.call(script) == "done"
    assert script.calls == 3 and len(slept) == 2


def test_retry_after_is_honoured() -> None:
    provider_guard, slept = guard()
    script = Script(RateLimitedError("429", retry_after_s=7.0), "done")
    assert provider_guard.call(script) == "done"
    assert slept == [7.0]


def test_errors_that_cannot_succeed_are_not_retried() -> None:
    provider_guard, slept = guard()
    script = Script(BadCredentialsError("bad key"), "never")
    with pytest.raises(BadCredentialsError):
        provider_guard.call(script)
    assert script.calls == 1 and slept == []


def test_retries_stop_after_max_attempts_with_the_last_error() -> None:
    provider_guard, _ = guard(FAST.model_copy(update={"breaker_failures": 100}))
    script = Script(*[ProviderUnavailableError(f"fail {n}") for n in range(4)])
    with pytest.raises(ProviderUnavailableError, match="fail 3"):
        provider_guard.call(script)
    assert script.calls == 4


def test_backoff_grows_exponentially_with_full_jitter() -> None:
    policy = ResiliencePolicy(base_delay_s=1.0, max_delay_s=8.0)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (6, 8.0)]:
        delays = [
            backoff_delay(attempt, ProviderUnavailableError("x"), policy, rng) for _ in range(200)
        ]
        assert min(delays) >= 0 and max(delays) <= ceiling
        assert max(delays) > ceiling * 0.8  # jitter spreads over the whole range
    capped = backoff_delay(1, RateLimitedError("x", retry_after_s=999), policy, rng)
    assert capped == policy.max_retry_after_s


def test_breaker_opens_fails_fast_half_opens_and_closes() -> None:
    now = [0.0]
    breaker = CircuitBreaker("fake", failures=2, cooldown_s=10, clock=lambda: now[0])
    for _ in range(2):
        breaker.before_call()
        breaker.record_failure(ProviderUnavailableError("down"))
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(CircuitOpenError, match="unavailable"):
        breaker.before_call()
    now[0] = 10.0
    assert breaker.state is BreakerState.HALF_OPEN
    breaker.before_call()  # the one trial call
    with pytest.raises(CircuitOpenError):
        breaker.before_call()  # a second caller during the trial is turned away
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    breaker.before_call()


def test_a_failed_trial_reopens_the_breaker() -> None:
    now = [0.0]
    breaker = CircuitBreaker("fake", failures=1, cooldown_s=5, clock=lambda: now[0])
    breaker.record_failure(ProviderUnavailableError("down"))
    now[0] = 6.0
    breaker.before_call()
    breaker.record_failure(ProviderTimeoutError("still down"))
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(CircuitOpenError):
        breaker.before_call()


def test_bad_requests_do_not_open_the_breaker() -> None:
    breaker = CircuitBreaker("fake", failures=1, cooldown_s=5)
    breaker.record_failure(BadCredentialsError("bad key"))
    assert breaker.state is BreakerState.CLOSED


def test_guard_stops_calling_a_provider_whose_breaker_is_open() -> None:
    provider_guard, _ = guard(FAST.model_copy(update={"max_attempts": 1}))
    failing = Script(*[ProviderUnavailableError("down")] * 3)
    for _ in range(3):
        with pytest.raises(ProviderUnavailableError):
            provider_guard.call(failing)
    never = Script("should not run")
    with pytest.raises(CircuitOpenError):
        provider_guard.call(never)
    assert never.calls == 0


def test_concurrency_is_limited_per_provider() -> None:
    provider_guard, _ = guard(FAST.model_copy(update={"max_concurrency": 2}))
    running, peak, lock = [0], [0], threading.Lock()

    def slow_call() -> str:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return "ok"

    threads = [threading.Thread(target=provider_guard.call, args=(slow_call,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 2


def test_stream_retries_before_the_first_piece_only() -> None:
    provider_guard, _ = guard()
    opened = [0]

    def flaky_then_fine():
        opened[0] += 1
        if opened[0] == 1:
            raise ProviderUnavailableError("refused")
        yield "a"
        yield "b"

    assert list(provider_guard.stream(flaky_then_fine)) == ["a", "b"]
    assert opened[0] == 2

    def cut_mid_way():
        yield "partial"
        raise ProviderUnavailableError("connection cut")

    pieces = []
    with pytest.raises(ProviderUnavailableError, match="cut"):
        for piece in provider_guard.stream(cut_mid_way):
            pieces.append(piece)
    assert pieces == ["partial"]


async def _async_outcomes(script: Script) -> object:
    return script()


def test_async_calls_retry_too() -> None:
    import asyncio

    provider_guard, _ = guard()
    script = Script(ProviderUnavailableError("500"), "done")
    result = asyncio.run(provider_guard.acall(lambda: _async_outcomes(script)))
    assert result == "done" and script.calls == 2
