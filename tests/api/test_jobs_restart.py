"""Jobs against a real uvicorn: server-sent events (in order, resumable with Last-Event-ID),
jobs queued while no server ran, and a job surviving a SIGKILLed server exactly once."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_openai_server import FakeOpenAIServer

from aiwriter_kernel.workbench import Workbench

from .live_server import live_api

pytestmark = [pytest.mark.server, pytest.mark.slow]

CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
JOB_TIMEOUT_S = 180.0
TERMINAL = ("succeeded", "failed", "cancelled")
NO_RATE_LIMIT = {"AIWRITER_API_RATE_LIMIT_PER_MINUTE": "100000"}  # the tests poll often


@dataclass(frozen=True)
class Event:
    id: int
    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Home:
    path: Path
    user_id: int
    headers: dict[str, str]


@pytest.fixture
def api_home(tmp_path: Path) -> Home:
    """A home with a user, her key and two sources in her knowledge base."""
    path = tmp_path / "home"
    with Workbench.open(home=path) as wb:
        user = wb.db.accounts.create_user("alice")
        _, key = wb.db.accounts.create_api_key("alice")
        wb.for_user(user.id).ingest([CORPUS / "readability.md", CORPUS / "headlines.md"])
    return Home(path, user.id, {"Authorization": f"Bearer {key}"})


def read_events(response: httpx.Response) -> Iterator[Event]:
    """Parse a ``text/event-stream`` body into events (comments and pings skipped)."""
    fields: dict[str, str] = {}
    for line in response.iter_lines():
        if line == "":
            if "data" in fields:
                yield Event(
                    int(fields["id"]), fields.get("event", "message"), json.loads(fields["data"])
                )
            fields = {}
        elif not line.startswith(":") and ":" in line:
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


def stream(url: str, headers: dict[str, str]) -> list[Event]:
    with httpx.stream("GET", url, headers=headers, timeout=JOB_TIMEOUT_S) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        return list(read_events(response))


def wait_for(url: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while time.monotonic() < deadline:
        job = httpx.get(url, headers=headers, timeout=10).json()
        if job["status"] in TERMINAL:
            return job
        time.sleep(0.5)
    raise AssertionError(f"{url} did not finish in {JOB_TIMEOUT_S:g} s")


def test_events_stream_in_order_end_with_the_status_and_resume(api_home: Home) -> None:
    # Queued before any server runs: the server's dispatcher picks it up when it starts.
    with Workbench.open(home=api_home.path) as wb:
        job = wb.for_user(api_home.user_id).submit_job(
            "article", {"topic": "readable headlines", "target_words": 300}
        )
    with live_api({"AIWRITER_HOME": str(api_home.path), **NO_RATE_LIMIT}) as server:
        url = f"{server.url}/api/jobs/{job.id}/events"
        events = stream(url, api_home.headers)

        ids = [event.id for event in events]
        assert ids == sorted(ids) and len(set(ids)) == len(ids) and ids[0] == 1
        statuses = [e.data["status"] for e in events if e.type == "status"]
        assert statuses == ["queued", "running", "succeeded"]
        assert events[-1].type == "status"  # the stream ended right after the final status
        stages = [e.data["stage"] for e in events if e.type == "stage"]
        assert stages.index("research") < stages.index("outline") < stages.index("section")
        assert stages[-1] == "done"
        texts = [e for e in events if e.type == "text"]
        assert texts and all(e.data["text"] for e in texts)

        middle = events[len(events) // 2].id
        resumed = stream(url, {**api_home.headers, "Last-Event-ID": str(middle)})
        assert [e.id for e in resumed] == [i for i in ids if i > middle]
        assert stream(url, {**api_home.headers, "Last-Event-ID": str(ids[-1])}) == []

        final = httpx.get(f"{server.url}/api/jobs/{job.id}", headers=api_home.headers).json()
        assert final["status"] == "succeeded" and final["result"]["draft_id"] >= 1


def test_a_job_survives_a_killed_server_and_finishes_exactly_once(
    api_home: Home, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.latency_s = 1.5  # each model call takes a while: the job is still running
    env = {
        "AIWRITER_HOME": str(api_home.path),
        "AIWRITER_PROVIDER": "openai",
        "AIWRITER_OPENAI_BASE_URL": fake_openai.base_url,
        "OPENAI_API_KEY": "sk-test-only",  # the server process's own environment
        **NO_RATE_LIMIT,
    }
    body = {"kind": "article", "request": {"topic": "readable headlines", "target_words": 300}}
    with live_api(env) as first:
        try:
            accepted = httpx.post(f"{first.url}/api/jobs", json=body, headers=api_home.headers)
            assert accepted.status_code == 202, accepted.text
            job_id = accepted.json()["id"]
            checkpoint = wait_for_checkpoint(first.url, job_id, api_home.headers)
            first.process.send_signal(signal.SIGKILL)  # the server only: no clean shutdown
            first.process.wait(timeout=10)
            with Workbench.open(home=api_home.path) as wb:
                interrupted = wb.db.jobs.get(job_id)
            assert interrupted is not None and interrupted.status == "running"
        finally:
            # Whatever the test saw, leave no process of the first server behind.
            with contextlib.suppress(ProcessLookupError):
                time.sleep(3)  # its pool workers notice the parent is gone and leave
                os.killpg(first.process.pid, signal.SIGKILL)

    with live_api(env) as second:
        job = wait_for(f"{second.url}/api/jobs/{job_id}", api_home.headers)
        events = httpx.get(
            f"{second.url}/api/jobs/{job_id}/events/list", headers=api_home.headers
        ).json()

    assert job["status"] == "succeeded", job["error"]
    assert job["attempts"] == 2
    assert job["result"]["draft_id"] == checkpoint
    statuses = [e["data"]["status"] for e in events if e["type"] == "status"]
    assert statuses == ["queued", "running", "queued", "running", "succeeded"]
    with Workbench.open(home=api_home.path) as wb:
        drafts = wb.for_user(api_home.user_id).drafts()
    assert [d.id for d in drafts] == [checkpoint]  # one draft, not two


def wait_for_checkpoint(base_url: str, job_id: str, headers: dict[str, str]) -> int:
    """The draft id the job stored after its outline, once it is writing sections."""
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while time.monotonic() < deadline:
        events = httpx.get(f"{base_url}/api/jobs/{job_id}/events/list", headers=headers).json()
        found = [e["data"]["draft_id"] for e in events if e["type"] == "checkpoint"]
        statuses = [e["data"]["status"] for e in events if e["type"] == "status"]
        assert not set(statuses) & set(TERMINAL), f"the job ended too soon: {statuses}"
        if found:
            return int(found[0])
        time.sleep(0.2)
    raise AssertionError("the job never reached its outline checkpoint")
