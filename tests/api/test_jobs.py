"""Jobs over HTTP (TestClient, the app's real dispatcher and worker processes): submit, poll,
read events, cancel; bad input and other users' ids get a clear 4xx and store nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from aiwriter_apps.api import jobs_runtime
from fastapi.testclient import TestClient

from aiwriter_kernel.errors import NotFoundError
from aiwriter_kernel.workbench import Workbench

from .conftest import wait_for_job

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=BACKENDS)
def api_backend(request: pytest.FixtureRequest) -> str:
    """Jobs are claimed and streamed from the database: run the module on both backends."""
    return request.param


@pytest.fixture
def paused(client: TestClient) -> Iterator[None]:
    """The dispatcher stopped for the test (jobs stay queued), started again afterwards."""
    jobs_runtime.stop(client.app)  # type: ignore[arg-type]
    try:
        yield
    finally:
        jobs_runtime.start(client.app)  # type: ignore[arg-type]


def test_an_article_job_runs_to_success_and_its_draft_is_the_owners(
    client: TestClient, api_workbench: Workbench, alice: Any, bob: Any, alice_sources: None
) -> None:
    body = {"kind": "article", "request": {"topic": "readable headlines", "target_words": 300}}
    accepted = client.post("/api/jobs", json=body, headers=alice.headers)
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["id"]
    assert accepted.json()["status"] == "queued"
    assert accepted.headers["Location"] == f"/api/jobs/{job_id}"
    assert accepted.json()["links"]["events"] == f"/api/jobs/{job_id}/events"

    job = wait_for_job(client, job_id, alice.headers)
    assert job["status"] == "succeeded", job["error"]
    assert job["attempts"] == 1 and job["error"] is None
    draft_id = job["result"]["draft_id"]
    draft = api_workbench.for_user(alice.id).require_draft(draft_id)
    assert draft.topic == "readable headlines"
    with pytest.raises(NotFoundError):
        api_workbench.for_user(bob.id).require_draft(draft_id)

    events = client.get(f"/api/jobs/{job_id}/events/list", headers=alice.headers).json()
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    statuses = [e["data"]["status"] for e in events if e["type"] == "status"]
    assert statuses == ["queued", "running", "succeeded"]
    stages = [e["data"]["stage"] for e in events if e["type"] == "stage"]
    assert stages[0] == "research" and "section" in stages
    texts = [e["data"]["text"] for e in events if e["type"] == "text"]
    assert texts and all(text for text in texts)
    assert any(e["type"] == "checkpoint" and e["data"]["draft_id"] == draft_id for e in events)

    listed = client.get("/api/jobs", headers=alice.headers).json()
    assert job_id in [j["id"] for j in listed]
    assert client.get("/api/jobs", headers=bob.headers).json() == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"kind": "poem", "request": {"topic": "x"}}, "poem"),
        ({"kind": "article", "request": {}}, "topic"),
        ({"kind": "article", "request": {"topic": "x", "target_words": "many"}}, "target_words"),
        ({"kind": "article", "request": {"topic": "   "}}, "topic is empty"),
        ({"kind": "article"}, "request"),
        ({"request": {"topic": "x"}}, "kind"),
        ([1, 2], "valid dictionary"),
        # Ids beyond what the database holds are refused at submission, as by the sync routes.
        ({"kind": "rewrite", "request": {"channel": "linkedin", "draft_id": 2**40}}, "draft_id"),
        ({"kind": "copy", "request": {"framework": "AIDA", "draft_id": 2**40}}, "draft_id"),
        ({"kind": "summary", "request": {"source_ids": [2**40]}}, "source_ids"),
        # Models are checked as the sync routes check them: only those this home serves.
        ({"kind": "article", "request": {"topic": "x", "model": "/etc"}}, "not served here"),
        (
            {"kind": "rewrite", "request": {"text": "Hi.", "channel": "x", "provider": "gemini"}},
            "the provider 'gemini' is not served here",
        ),
    ],
)
def test_bad_submissions_are_422_with_the_field_and_store_nothing(
    client: TestClient, alice: Any, body: Any, fragment: str
) -> None:
    before = client.get("/api/jobs", headers=alice.headers).json()
    answer = client.post("/api/jobs", json=body, headers=alice.headers)
    assert answer.status_code == 422
    assert fragment in answer.text
    assert client.get("/api/jobs", headers=alice.headers).json() == before


def test_malformed_json_and_a_missing_key_are_rejected(client: TestClient, alice: Any) -> None:
    malformed = client.post(
        "/api/jobs",
        content=b'{"kind": "article", "request": {',
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert malformed.status_code == 422 and "JSON" in malformed.text
    unauthenticated = client.post("/api/jobs", json={"kind": "article", "request": {"topic": "x"}})
    assert unauthenticated.status_code == 401


def test_other_users_and_unknown_ids_get_404_everywhere(
    client: TestClient, api_workbench: Workbench, alice: Any, bob: Any, paused: None
) -> None:
    job = api_workbench.for_user(alice.id).submit_job("article", {"topic": "private"})
    for path in (f"/api/jobs/{job.id}", f"/api/jobs/{job.id}/events/list"):
        assert client.get(path, headers=bob.headers).status_code == 404
        assert (
            client.get(path.replace(job.id, "no-such-job"), headers=alice.headers).status_code
            == 404
        )
    with client.stream("GET", f"/api/jobs/{job.id}/events", headers=bob.headers) as stream:
        assert stream.status_code == 404
    refused = client.post(f"/api/jobs/{job.id}/cancel", headers=bob.headers)
    assert refused.status_code == 404 and "no job" in refused.json()["detail"]
    assert job.id not in [j["id"] for j in client.get("/api/jobs", headers=bob.headers).json()]
    assert api_workbench.db.jobs.get(job.id).status == "queued"  # type: ignore[union-attr]
    client.post(f"/api/jobs/{job.id}/cancel", headers=alice.headers)


def test_a_queued_job_is_cancelled_and_a_finished_one_is_409(
    client: TestClient, alice: Any, paused: None
) -> None:
    body = {"kind": "article", "request": {"topic": "never written"}}
    job_id = client.post("/api/jobs", json=body, headers=alice.headers).json()["id"]
    cancelled = client.post(f"/api/jobs/{job_id}/cancel", headers=alice.headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/jobs/{job_id}/cancel", headers=alice.headers)
    assert again.status_code == 409 and "already finished" in again.json()["detail"]
    events = client.get(f"/api/jobs/{job_id}/events/list", headers=alice.headers).json()
    assert [e["data"]["status"] for e in events] == ["queued", "cancelled"]
    queued_only = client.get("/api/jobs?status=queued", headers=alice.headers).json()
    assert job_id not in [j["id"] for j in queued_only]
    assert client.get("/api/jobs?status=lost", headers=alice.headers).status_code == 422


def test_jobs_queued_while_no_dispatcher_ran_are_picked_up_on_start(
    client: TestClient, alice: Any, alice_sources: None
) -> None:
    jobs_runtime.stop(client.app)  # type: ignore[arg-type]
    try:
        body = {"kind": "answer", "request": {"question": "What makes a headline readable?"}}
        job_id = client.post("/api/jobs", json=body, headers=alice.headers).json()["id"]
        time.sleep(1.5)  # a running dispatcher would have claimed it by now
        assert client.get(f"/api/jobs/{job_id}", headers=alice.headers).json()["status"] == (
            "queued"
        )
    finally:
        jobs_runtime.start(client.app)  # type: ignore[arg-type]
    job = wait_for_job(client, job_id, alice.headers)
    assert job["status"] == "succeeded", job["error"]
    assert "answered" in job["result"]


def test_a_failing_pipeline_fails_the_job_with_one_line(client: TestClient, alice: Any) -> None:
    body = {"kind": "rewrite", "request": {"draft_id": 999999, "channel": "linkedin"}}
    accepted = client.post("/api/jobs", json=body, headers=alice.headers)
    assert accepted.status_code == 202, accepted.text
    job = wait_for_job(client, accepted.json()["id"], alice.headers)
    assert job["status"] == "failed" and job["result"] is None
    assert "999999" in job["error"] and "\n" not in job["error"]
