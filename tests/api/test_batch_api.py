"""Batch over HTTP: a CSV upload becomes a batch job in the user's own folder; its runs,
reports and summary CSV are the owner's alone; a bad upload is a 422 and queues nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aiwriter_kernel.workbench import Workbench

from .conftest import wait_for_job

pytestmark = pytest.mark.slow

TOPICS = (
    b"topic,keywords,words\n"
    b"readable headlines,headline,300\n"
    b"plain language for the web,readability,300\n"
)


def upload(client: TestClient, headers: dict[str, str], data: bytes, filename: str) -> Any:
    files = {"file": (filename, data, "text/csv")}
    return client.post("/api/batch", files=files, data={"workers": "1"}, headers=headers)


def test_an_uploaded_csv_runs_as_a_batch_job_visible_to_its_owner_only(
    client: TestClient, api_workbench: Workbench, alice: Any, bob: Any, alice_sources: None
) -> None:
    accepted = upload(client, alice.headers, TOPICS, "../../topics.csv")
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["kind"] == "batch"
    job_id = accepted.json()["id"]
    stored = Path(api_workbench.db.jobs.get(job_id).request["csv_path"])  # type: ignore[union-attr]
    own_folder = api_workbench.settings.home / "uploads" / f"user-{alice.id}" / "batch"
    assert stored.is_relative_to(own_folder) and stored.read_bytes() == TOPICS

    job = wait_for_job(client, job_id, alice.headers)
    assert job["status"] == "succeeded", job["error"]
    report = job["result"]
    assert report["totals"]["done"] == 2, report
    events = client.get(f"/api/jobs/{job_id}/events/list", headers=alice.headers).json()
    progress = [e["data"] for e in events if e["type"] == "progress"]
    assert [p["finished"] for p in progress] == [1, 2] and progress[-1]["total"] == 2

    run_id = report["run_id"]
    runs = client.get("/api/batch/runs", headers=alice.headers).json()
    assert [r["id"] for r in runs] == [run_id]
    assert client.get("/api/batch/runs", headers=bob.headers).json() == []
    shown = client.get(f"/api/batch/runs/{run_id}", headers=alice.headers).json()
    assert {row["status"] for row in shown["rows"]} == {"done"}
    assert client.get(f"/api/batch/runs/{run_id}", headers=bob.headers).status_code == 404
    assert client.get("/api/batch/runs/999999", headers=alice.headers).status_code == 404

    summary = client.get(f"/api/batch/runs/{run_id}/summary.csv", headers=alice.headers)
    assert summary.status_code == 200 and summary.headers["content-type"].startswith("text/csv")
    assert "readable headlines" in summary.text
    assert client.get(f"/api/batch/runs/{run_id}/summary.csv", headers=bob.headers).status_code == (
        404
    )
    assert client.get(f"/api/jobs/{job_id}", headers=bob.headers).status_code == 404


def test_no_batch_or_job_answer_shows_a_server_path(
    client: TestClient, api_workbench: Workbench, alice: Any, alice_sources: None
) -> None:
    home = str(api_workbench.settings.home)
    accepted = upload(client, alice.headers, TOPICS, "headline-topics.csv")
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["id"]
    stored = api_workbench.db.jobs.get(job_id)
    assert stored is not None and stored.request["csv_path"].startswith(home)  # the server knows
    job = wait_for_job(client, job_id, alice.headers)
    assert job["status"] == "succeeded", job["error"]
    run_id = job["result"]["run_id"]

    answers = {
        path: client.get(path, headers=alice.headers)
        for path in (
            f"/api/jobs/{job_id}",
            "/api/jobs",
            f"/api/jobs/{job_id}/events/list",
            f"/api/jobs/{job_id}/events",
            "/api/batch/runs",
            f"/api/batch/runs/{run_id}",
        )
    }
    for path, answer in answers.items():
        assert answer.status_code == 200, (path, answer.text)
        assert home not in answer.text, path
        assert "/uploads/" not in answer.text, path

    shown = answers[f"/api/jobs/{job_id}"].json()
    assert "csv_path" not in shown["request"] and shown["request"]["workers"] == 1
    assert shown["request"]["file_name"] == "headline-topics.csv"
    assert shown["result"]["file_name"] == "headline-topics.csv"
    assert shown["result"]["has_summary"] is True
    rows = shown["result"]["rows"]
    assert {row["topic"] for row in rows} == {"readable headlines", "plain language for the web"}
    assert all(row["status"] == "done" and row["draft_id"] for row in rows)
    run = next(r for r in answers["/api/batch/runs"].json() if r["id"] == run_id)
    assert run["file_name"] == "headline-topics.csv" and run["total_rows"] == 2
    assert answers[f"/api/batch/runs/{run_id}"].json()["rows"] == rows
    summary = client.get(f"/api/batch/runs/{run_id}/summary.csv", headers=alice.headers)
    assert summary.status_code == 200 and "plain language for the web" in summary.text


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"title,keyword\nno topic column,x\n", "topic"),
    ],
)
def test_an_unusable_upload_is_422_and_queues_nothing(
    client: TestClient, bob: Any, data: bytes, fragment: str
) -> None:
    before = client.get("/api/jobs", headers=bob.headers).json()
    answer = upload(client, bob.headers, data, "bad.csv")
    assert answer.status_code == 422, answer.text
    assert fragment in answer.json()["detail"] and "/uploads/" not in answer.json()["detail"]
    assert client.get("/api/jobs", headers=bob.headers).json() == before


def test_an_upload_without_a_file_or_with_too_many_workers_is_422(
    client: TestClient, bob: Any
) -> None:
    assert client.post("/api/batch", headers=bob.headers).status_code == 422
    files = {"file": ("t.csv", TOPICS, "text/csv")}
    many = client.post("/api/batch", files=files, data={"workers": "99"}, headers=bob.headers)
    assert many.status_code == 422
