"""Job event streams are bounded: a few per user (429 beyond, the slot back when a client
leaves), a time limit ending with a ``retry:`` hint that a ``Last-Event-ID`` resume continues
without gaps or duplicates, polls that back off while idle, and an end at the job's end.

The app is the real one on a real home; the dispatcher is stopped so the tests play the
worker themselves (claim, add events, finish) and decide when each event appears. Polls are
counted through the streams' sleep seam and the queries they cost with a SQLAlchemy
listener, never by timing.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiwriter_apps.api import jobs_runtime
from aiwriter_apps.api.streams import RECONNECT_MS, JobStreams
from fastapi.testclient import TestClient
from support import sql_statements

from aiwriter_kernel.workbench import Workbench

from .live_server import live_api

WORKER = "test-worker"
WAIT_S = 30.0  # the longest any wait-until here may take before the test fails


@dataclass(frozen=True)
class Sse:
    """One item of a stream: an event (``id`` set) or the time-limit hint (``retry`` set)."""

    id: int | None
    type: str | None
    data: dict[str, Any] | None
    retry: int | None


@pytest.fixture(scope="module")
def quiet(client: TestClient) -> Iterator[None]:
    """No dispatcher: the jobs here are run by the tests themselves."""
    jobs_runtime.stop(client.app)  # type: ignore[arg-type]
    yield


@pytest.fixture
def streams(client: TestClient, quiet: None) -> Iterator[JobStreams]:
    """The app's streams; the clock and sleep seams a test replaces are put back after it."""
    found: JobStreams = client.app.state.streams  # type: ignore[attr-defined]
    clock, sleep = found.clock, found.sleep
    yield found
    found.clock, found.sleep = clock, sleep


def running_job(wb: Workbench, owner_id: int) -> str:
    """A job that is running (events 1 and 2: queued, running) until the test says."""
    job = wb.db.jobs.create("article", {"topic": "streams"}, owner_id)
    assert wb.db.jobs.claim(job.id, WORKER) is not None
    return job.id


def progress(wb: Workbench, job_id: str, count: int = 1) -> None:
    for _ in range(count):
        assert wb.db.jobs.add_event(job_id, "stage", {"stage": "section"}, worker=WORKER)


def read_sse(lines: Iterator[str]) -> Iterator[Sse]:
    """Parse ``text/event-stream`` lines as they come; pings and comments alone are skipped."""
    fields: dict[str, str] = {}
    for line in lines:
        if line == "":
            if "data" in fields or "retry" in fields:
                yield Sse(
                    int(fields["id"]) if "id" in fields else None,
                    fields.get("event"),
                    json.loads(fields["data"]) if "data" in fields else None,
                    int(fields["retry"]) if "retry" in fields else None,
                )
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


def take(items: Iterator[Sse], count: int) -> list[Sse]:
    return [next(items) for _ in range(count)]


def wait_until(condition: Callable[[], bool], every_s: float = 0.01) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(every_s)


def events_url(job_id: str) -> str:
    return f"/api/jobs/{job_id}/events"


# -- how many ------------------------------------------------------------------------------


def test_a_fifth_stream_is_429_another_users_is_not_and_a_closed_one_frees_its_slot(
    client: TestClient, streams: JobStreams, api_workbench: Workbench, alice: Any, bob: Any
) -> None:
    mine = running_job(api_workbench, alice.id)
    theirs = running_job(api_workbench, bob.id)
    with contextlib.ExitStack() as held:
        opened = [
            held.enter_context(client.stream("GET", events_url(mine), headers=alice.headers))
            for _ in range(streams.per_user)
        ]
        assert [r.status_code for r in opened] == [200] * 4
        assert streams.slots.held(alice.id) == 4

        refused = client.get(events_url(mine), headers=alice.headers)
        assert refused.status_code == 429
        detail = refused.json()["detail"]
        assert "4 event streams" in detail and "\n" not in detail
        assert int(refused.headers["Retry-After"]) >= 1
        assert streams.slots.held(alice.id) == 4  # the refused request took no slot

        with client.stream("GET", events_url(theirs), headers=bob.headers) as other:
            assert other.status_code == 200

        opened[0].close()  # the client goes away: the app is cancelled, the slot given back
        assert streams.slots.held(alice.id) == 3
        with client.stream("GET", events_url(mine), headers=alice.headers) as again:
            assert again.status_code == 200
    assert streams.slots.held(alice.id) == 0 and streams.slots.held(bob.id) == 0


def test_streams_ending_on_their_own_give_their_slots_back(
    client: TestClient, streams: JobStreams, api_workbench: Workbench, alice: Any
) -> None:
    job_id = running_job(api_workbench, alice.id)
    assert api_workbench.db.jobs.finish(job_id, WORKER, "succeeded", result={})
    for _ in range(streams.per_user + 2):  # more than the limit, one after the other
        answer = client.get(events_url(job_id), headers=alice.headers)
        assert answer.status_code == 200
    assert streams.slots.held(alice.id) == 0


# -- when it ends --------------------------------------------------------------------------


def test_a_stream_ends_at_the_final_status_and_at_once_when_resumed_after_it(
    client: TestClient, streams: JobStreams, api_workbench: Workbench, alice: Any
) -> None:
    job_id = running_job(api_workbench, alice.id)
    with client.stream("GET", events_url(job_id), headers=alice.headers) as live:
        items = read_sse(live.iter_lines())
        assert [e.id for e in take(items, 2)] == [1, 2]
        client.post(f"/api/jobs/{job_id}/cancel", headers=alice.headers)
        rest = list(items)  # ends by itself: the status is the last thing sent
    assert [(e.id, e.data) for e in rest] == [(3, {"status": "cancelled"})]

    after_end = client.get(events_url(job_id), headers={**alice.headers, "Last-Event-ID": "3"})
    assert after_end.status_code == 200 and list(read_sse(iter(after_end.text.split("\n")))) == []


# -- how long ------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_time_limit_ends_with_retry_and_a_resume_loses_and_repeats_nothing(
    client: TestClient, streams: JobStreams, api_workbench: Workbench, alice: Any
) -> None:
    clock = streams.clock = FakeClock()
    job_id = running_job(api_workbench, alice.id)
    progress(api_workbench, job_id, 2)  # events 1..4
    with client.stream("GET", events_url(job_id), headers=alice.headers) as first:
        items = read_sse(first.iter_lines())
        received = take(items, 4)
        clock.now += streams.max_s  # the limit passes while more events come in
        progress(api_workbench, job_id, 2)
        received += list(items)
    hint = received.pop()
    assert hint.retry == RECONNECT_MS and hint.id is None and hint.data is None
    statuses = [e.data["status"] for e in received if e.type == "status" and e.data]
    assert statuses == ["queued", "running"]  # it was cut short, not finished

    progress(api_workbench, job_id, 1)
    assert api_workbench.db.jobs.finish(job_id, WORKER, "succeeded", result={})
    resume = {**alice.headers, "Last-Event-ID": str(received[-1].id)}
    with client.stream("GET", events_url(job_id), headers=resume) as second:
        resumed = list(read_sse(second.iter_lines()))
    ids = [e.id for e in received + resumed]
    total = len(api_workbench.db.jobs.events(job_id))
    assert ids == list(range(1, total + 1))  # every event once, in order
    assert resumed[-1].data == {"status": "succeeded"}


# -- how often -----------------------------------------------------------------------------


class CountingSleep:
    """The streams' sleep seam: records each wait asked for (one per poll) and how many
    queries had run by then, and sleeps a hundredth of it."""

    def __init__(self, queries: list[str]) -> None:
        self.queries = queries
        self.waits: list[float] = []
        self.queries_before: list[int] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.queries_before.append(len(self.queries))
        await asyncio.sleep(seconds / 100)


def test_polls_back_off_while_idle_and_close_in_after_an_event(
    client: TestClient, streams: JobStreams, api_workbench: Workbench, alice: Any
) -> None:
    job_id = running_job(api_workbench, alice.id)
    with sql_statements(api_workbench.db.engine) as queries:
        sleep = streams.sleep = CountingSleep(queries)
        with client.stream("GET", events_url(job_id), headers=alice.headers) as live:
            items = read_sse(live.iter_lines())
            take(items, 2)
            wait_until(lambda: len(sleep.waits) >= 8)
            progress(api_workbench, job_id)
            assert next(items).id == 3
            wait_until(lambda: 0.5 in sleep.waits[8:])
            live.close()

    waits = sleep.waits
    assert waits[:8] == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    # 8 polls cover 11.75 idle seconds, where polling 4x a second took 47.
    found_at = next(i for i in range(8, len(waits)) if waits[i] != 2.0)
    assert waits[found_at : found_at + 2] == [0.25, 0.5]  # close in after the event, back off
    idle = sleep.queries_before[:8]
    per_poll = [after - before for before, after in itertools.pairwise(idle)]
    assert per_poll and max(per_poll) <= 3  # an idle poll: its events, and the job's status


# -- against a real server: a client that hangs up -----------------------------------------


@contextlib.contextmanager
def kept_running(home: Path, job_id: str) -> Iterator[None]:
    """Heartbeat the job as its worker would, so the server's dispatcher never retries it."""
    stop = threading.Event()

    def beat() -> None:
        with Workbench.open(home=home) as wb:
            while not stop.wait(1.0):
                wb.db.jobs.heartbeat(job_id, WORKER)

    beater = threading.Thread(target=beat, daemon=True)
    beater.start()
    try:
        yield
    finally:
        stop.set()
        beater.join(timeout=10)


@pytest.mark.server
@pytest.mark.slow
def test_a_client_hanging_up_frees_its_slot_on_a_real_server(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Workbench.open(home=home) as wb:
        user = wb.db.accounts.create_user("dana")
        _, key = wb.db.accounts.create_api_key("dana")
        job_id = running_job(wb, user.id)
    headers = {"Authorization": f"Bearer {key}"}
    env = {
        "AIWRITER_HOME": str(home),
        "AIWRITER_API_SSE_STREAMS_PER_USER": "2",
        "AIWRITER_API_RATE_LIMIT_PER_MINUTE": "100000",
    }
    with kept_running(home, job_id), live_api(env) as server:
        url = f"{server.url}{events_url(job_id)}"
        with httpx.stream("GET", url, headers=headers, timeout=WAIT_S) as one:
            assert one.status_code == 200
            with httpx.stream("GET", url, headers=headers, timeout=WAIT_S) as two:
                assert two.status_code == 200
                refused = httpx.get(url, headers=headers, timeout=WAIT_S)
                assert refused.status_code == 429 and refused.headers["Retry-After"]
            # ``two`` hung up while its stream was idle (``one`` still open): the server
            # notices the disconnect and gives the slot back without waiting for an event.
            wait_until(lambda: _opens(url, headers), every_s=0.2)


def _opens(url: str, headers: dict[str, str]) -> bool:
    """Whether a new stream is let in now (200, not 429)."""
    with httpx.stream("GET", url, headers=headers, timeout=WAIT_S) as answer:
        assert answer.status_code in (200, 429)
        return answer.status_code == 200
