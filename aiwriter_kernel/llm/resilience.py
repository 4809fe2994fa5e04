"""What keeps a flaky provider from losing work: retries with jittered exponential backoff
that honour Retry-After, a circuit breaker per provider, and a concurrency limit.

Only errors marked ``retryable`` (rate limits, timeouts, 5xx, dropped connections) are
retried; a bad key or a bad request fails at once because retrying cannot fix it.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
)

from aiwriter_kernel.errors import ProviderError, ProviderUnavailableError, RateLimitedError

T = TypeVar("T")


class ResiliencePolicy(BaseModel):
    """How hard to try; tests shrink the delays, production keeps the defaults."""

    model_config = ConfigDict(frozen=True)

    max_attempts: int = Field(default=4, ge=1, le=20)
    base_delay_s: float = Field(default=0.5, ge=0)
    max_delay_s: float = Field(default=20.0, ge=0)
    max_retry_after_s: float = Field(default=60.0, ge=0)
    breaker_failures: int = Field(default=5, ge=1)
    breaker_cooldown_s: float = Field(default=30.0, ge=0)
    max_concurrency: int = Field(default=16, ge=1)


class CircuitOpenError(ProviderUnavailableError):
    """The breaker is open: fail fast instead of hammering a provider that is down."""

    retryable = False


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after ``failures`` consecutive availability failures; after ``cooldown_s`` one
    trial call is let through (half-open), and its outcome closes or re-opens the circuit."""

    def __init__(
        self,
        name: str,
        failures: int,
        cooldown_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._threshold = failures
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at = 0.0
        self._state = BreakerState.CLOSED
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        with self._lock:
            if self._state is BreakerState.OPEN and self._cooled_down():
                return BreakerState.HALF_OPEN
            return self._state

    def _cooled_down(self) -> bool:
        return self._clock() - self._opened_at >= self._cooldown_s

    def before_call(self) -> None:
        """Raise ``CircuitOpenError`` unless a call may go through now."""
        with self._lock:
            if self._state is BreakerState.CLOSED:
                return
            if self._state is BreakerState.OPEN and self._cooled_down():
                self._state = BreakerState.HALF_OPEN
            if self._state is BreakerState.HALF_OPEN and not self._trial_running:
                self._trial_running = True
                return
            wait = max(0.0, self._cooldown_s - (self._clock() - self._opened_at))
            raise CircuitOpenError(
                f"{self.name} is unavailable after repeated failures; "
                f"the next attempt is allowed in {wait:.0f} s"
            )

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._state = BreakerState.CLOSED
            self._trial_running = False

    def record_failure(self, error: BaseException) -> None:
        """Count availability failures only; a bad request says nothing about the provider."""
        with self._lock:
            self._trial_running = False
            if not (isinstance(error, ProviderError) and error.retryable):
                return
            self._failures += 1
            if self._state is BreakerState.HALF_OPEN or self._failures >= self._threshold:
                self._state = BreakerState.OPEN
                self._opened_at = self._clock()


def backoff_delay(
    attempt: int, error: BaseException | None, policy: ResiliencePolicy, rng: random.Random
) -> float:
    """Seconds to wait before attempt ``attempt + 1``: Retry-After if given, else full jitter."""
    if isinstance(error, RateLimitedError) and error.retry_after_s is not None:
        return min(max(error.retry_after_s, 0.0), policy.max_retry_after_s)
    ceiling = min(policy.max_delay_s, policy.base_delay_s * 2 ** (attempt - 1))
    return rng.uniform(0, ceiling)


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, ProviderError) and error.retryable


class ProviderGuard:
    """Breaker, concurrency limit and retries around every call to one provider."""

    def __init__(
        self, name: str, policy: ResiliencePolicy, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.name = name
        self.policy = policy
        self.breaker = CircuitBreaker(name, policy.breaker_failures, policy.breaker_cooldown_s)
        self._slots = threading.BoundedSemaphore(policy.max_concurrency)
        self._async_slots: asyncio.Semaphore | None = None
        self._sleep = sleep
        self._rng = random.Random()
        self.attempts = 0  # total attempts made, for tests and `aiwriter usage`

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        return backoff_delay(state.attempt_number, error, self.policy, self._rng)

    def _attempt(self, call: Callable[[], T]) -> T:
        self.breaker.before_call()
        self.attempts += 1
        try:
            with self._slots:
                result = call()
        except BaseException as error:
            self.breaker.record_failure(error)
            raise
        self.breaker.record_success()
        return result

    def call(self, call: Callable[[], T]) -> T:
        """Run ``call`` with retries; the last error is raised as it is."""
        retrying = Retrying(
            stop=stop_after_attempt(self.policy.max_attempts),
            wait=self._wait,
            retry=retry_if_exception(_is_retryable),
            sleep=self._sleep,
            reraise=True,
        )
        return retrying(self._attempt, call)

    async def acall(self, call: Callable[[], Awaitable[T]]) -> T:
        """The async twin of ``call``, limited by an asyncio semaphore."""
        if self._async_slots is None:
            self._async_slots = asyncio.Semaphore(self.policy.max_concurrency)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.max_attempts),
            wait=self._wait,
            retry=retry_if_exception(_is_retryable),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                self.breaker.before_call()
                self.attempts += 1
                try:
                    async with self._async_slots:
                        result = await call()
                except BaseException as error:
                    self.breaker.record_failure(error)
                    raise
                self.breaker.record_success()
        return result

    def stream(self, open_stream: Callable[[], Iterator[T]]) -> Iterator[T]:
        """Stream with retries until the first piece arrives; after that a failure is
        raised, because retrying would repeat text the caller has already shown."""

        iterator, head = self.call(lambda: _peek(open_stream))
        yield from head
        try:
            yield from iterator
        except BaseException as error:
            self.breaker.record_failure(error)
            raise


def _peek(open_stream: Callable[[], Iterator[T]]) -> tuple[Iterator[T], list[T]]:
    iterator = open_stream()
    try:
        return iterator, [next(iterator)]
    except StopIteration:
        return iterator, []
