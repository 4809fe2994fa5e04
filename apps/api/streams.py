"""Server-sent event streams of a job's events, bounded in number, in time and in database load.

An open stream holds a connection and polls the database, so an unbounded one lets a single
key tie up a worker (an outside probe found streams with no limit polling 4x a second each).
Now:

- **How many.** Each user may hold ``sse_streams_per_user`` streams open at once in this API
  process; one more gets 429 with ``Retry-After``. A slot is taken before the stream starts
  and given back when it ends, however it ends: the job finished, the time limit, or the
  client went away (the request is cancelled and the slot's ``finally`` runs).
- **How long.** A stream ends after ``sse_stream_max_s`` with a ``retry:`` hint and no
  final status event. Events carry their seq as ``id``, so a client (a browser's
  ``EventSource`` on its own) reconnects with ``Last-Event-ID`` and loses nothing.
- **How often.** It polls 0.25 s after a poll that found events and doubles the wait while
  idle, up to 2 s: an idle stream costs one poll every 2 s, a busy one still follows closely.
- **When it ends.** Right after the job's final status event, or at once when the client
  resumes after that event.

The clock and the sleep are seams (``JobStreams.clock``, ``JobStreams.sleep``) so tests can
count polls and pass the time limit without waiting on the wall clock.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from aiwriter_apps.api.auth import CurrentUser
from aiwriter_apps.api.job_schemas import public_event_data
from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.sse import ServerSentEvent

from aiwriter_kernel.records import JOB_TERMINAL, JobEventRecord

if TYPE_CHECKING:
    from aiwriter_apps.api.settings import ApiSettings

    from aiwriter_kernel.workbench import Workbench

FIRST_POLL_S = 0.25
MOST_POLL_S = 2.0
RECONNECT_MS = 1000  # the retry: hint sent when a stream reaches its time limit
RETRY_AFTER_S = 5  # a hint only: a slot frees whenever one of the user's streams ends


class StreamSlots:
    """How many streams each user has open in this process (a counter per user, locked:
    the slot is taken from the threadpool or the event loop alike)."""

    def __init__(self, per_user: int) -> None:
        self.per_user = per_user
        self._lock = threading.Lock()
        self._open: dict[int, int] = {}

    def take(self, user_id: int) -> bool:
        """Take a slot for ``user_id``; False when they already hold ``per_user``."""
        with self._lock:
            held = self._open.get(user_id, 0)
            if held >= self.per_user:
                return False
            self._open[user_id] = held + 1
            return True

    def give_back(self, user_id: int) -> None:
        with self._lock:
            held = self._open.get(user_id, 0) - 1
            if held > 0:
                self._open[user_id] = held
            else:
                self._open.pop(user_id, None)

    def held(self, user_id: int) -> int:
        with self._lock:
            return self._open.get(user_id, 0)


class PollBackoff:
    """The wait before the next poll: ``first`` after a poll that found events, then
    doubling with each idle poll up to ``most``."""

    def __init__(self, first: float = FIRST_POLL_S, most: float = MOST_POLL_S) -> None:
        self.first = first
        self.most = most
        self._next = first

    def wait_after(self, found_events: bool) -> float:
        if found_events:
            self._next = self.first
        delay = self._next
        self._next = min(delay * 2, self.most)
        return delay


@dataclass
class JobStreams:
    """This process's event streams: the limits, the open slots, and the clock and sleep
    they run on (seams for tests)."""

    per_user: int
    max_s: float
    slots: StreamSlots = field(init=False)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def __post_init__(self) -> None:
        self.slots = StreamSlots(self.per_user)

    @classmethod
    def from_settings(cls, settings: ApiSettings) -> JobStreams:
        return cls(per_user=settings.sse_streams_per_user, max_s=settings.sse_stream_max_s)


def job_streams(request: Request) -> JobStreams:
    return request.app.state.streams


async def stream_slot(
    user: CurrentUser, streams: Annotated[JobStreams, Depends(job_streams)]
) -> AsyncIterator[None]:
    """Hold one of the user's stream slots for as long as the response streams; 429 when
    they hold them all. The ``finally`` runs after the response, also when it is cancelled
    because the client went away."""
    if not streams.slots.take(user.id):
        detail = (
            f"you already have {streams.per_user} event streams open, the most allowed; "
            "close one or retry later"
        )
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=detail,
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    try:
        yield
    finally:
        streams.slots.give_back(user.id)


StreamSlot = Annotated[None, Depends(stream_slot)]


async def job_event_stream(
    wb: Workbench, job_id: str, after: int, streams: JobStreams
) -> AsyncIterator[ServerSentEvent]:
    """The job's events after seq ``after`` as they come, until the job's final status,
    a resume after it, or the time limit (then a ``retry:`` hint)."""
    deadline = streams.clock() + streams.max_s
    backoff = PollBackoff()
    seen = after
    while True:
        events = await run_in_threadpool(wb.job_events, job_id, seen)
        for event in events:
            seen = event.seq
            yield ServerSentEvent(
                data=public_event_data(event, wb.settings.home), event=event.type, id=str(seen)
            )
            if _is_final(event):
                return
        if not events and await run_in_threadpool(_ended_before, wb, job_id, seen):
            return
        now = streams.clock()
        if now >= deadline:
            yield ServerSentEvent(
                comment="time limit: reconnect with Last-Event-ID", retry=RECONNECT_MS
            )
            return
        await streams.sleep(min(backoff.wait_after(bool(events)), deadline - now))


def _is_final(event: JobEventRecord) -> bool:
    return event.type == "status" and event.data.get("status") in JOB_TERMINAL


def _ended_before(wb: Workbench, job_id: str, seen: int) -> bool:
    """Whether the job has finished and its final status is at or before ``seen`` (the
    client resumed after the end). The events are read again after the job, so a final
    status written in between is streamed, not skipped."""
    return wb.job(job_id).finished and not wb.job_events(job_id, seen)
