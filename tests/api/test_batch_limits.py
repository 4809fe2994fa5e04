"""A batch upload has a row limit (``AIWRITER_MAX_BATCH_ROWS``): a larger file is a 422
naming the limit and its row count, and nothing of it is stored or queued."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiwriter_apps.api import jobs_runtime
from aiwriter_apps.api.app import create_app
from aiwriter_apps.api.settings import ApiSettings
from fastapi.testclient import TestClient

from aiwriter_kernel import Workbench

from .conftest import ApiUser


def topics_csv(rows: int) -> bytes:
    return ("topic,keywords\n" + "".join(f"Topic number {n},kw{n}\n" for n in range(rows))).encode()


def upload(client: TestClient, headers: dict[str, str], data: bytes) -> Any:
    files = {"file": ("topics.csv", data, "text/csv")}
    return client.post("/api/batch", files=files, headers=headers)


def nothing_stored_for(client: TestClient, wb: Workbench, user: ApiUser) -> bool:
    uploads = wb.settings.home / "uploads" / f"user-{user.id}"
    no_files = not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))
    no_jobs = client.get("/api/jobs", headers=user.headers).json() == []
    no_runs = client.get("/api/batch/runs", headers=user.headers).json() == []
    return no_files and no_jobs and no_runs


def test_a_twenty_thousand_row_upload_is_refused_and_nothing_is_stored(
    client: TestClient, api_workbench: Workbench, make_user: Callable[[str], ApiUser]
) -> None:
    carol = make_user("carol")
    data = topics_csv(20_000)
    assert len(data) < ApiSettings(_env_file=None).max_body_bytes  # refused for its rows

    answer = upload(client, carol.headers, data)

    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"] == (
        "topics.csv has 20,000 rows, more than the 1,000 a batch may have "
        "(AIWRITER_MAX_BATCH_ROWS); split it into smaller files"
    )
    assert nothing_stored_for(client, api_workbench, carol)


def test_the_row_limit_comes_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIWRITER_MAX_BATCH_ROWS", "3")
    with Workbench.open(home=tmp_path / "home") as wb:
        user = wb.db.accounts.create_user("dan")
        _, key = wb.db.accounts.create_api_key("dan")
        dan = ApiUser(name="dan", id=user.id, key=key)
        app = create_app(wb, api_settings=ApiSettings(_env_file=None))
        with TestClient(app) as client:
            jobs_runtime.stop(app)  # an accepted upload stays queued: no batch is run here
            refused = upload(client, dan.headers, topics_csv(5))
            assert refused.status_code == 422, refused.text
            assert "has 5 rows, more than the 3 a batch may have" in refused.json()["detail"]
            assert nothing_stored_for(client, wb, dan)

            accepted = upload(client, dan.headers, topics_csv(3))
            assert accepted.status_code == 202, accepted.text
            cancel = client.post(f"{accepted.json()['links']['self']}/cancel", headers=dan.headers)
            assert cancel.status_code == 200, cancel.text
