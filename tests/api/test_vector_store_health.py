"""A broken vector store is noticed: ``/ready`` and searches answer 503 without naming any
server path, and ``aiwriter doctor`` fails with a clear line."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiwriter_apps.api.app import create_app
from aiwriter_apps.api.settings import ApiSettings
from fastapi.testclient import TestClient
from support import run_doctor

from aiwriter_kernel import Workbench

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
DENSE = {"query": "Do puns make good headlines?", "mode": "dense", "k": 3}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, TestClient, dict[str, str]]]:
    """An app of its own over a home with one user's source, whose store this test breaks."""
    home = tmp_path / "home"
    with Workbench.open(home=home) as workbench:
        user = workbench.db.accounts.create_user("ada")
        _, key = workbench.db.accounts.create_api_key("ada")
        workbench.for_user(user.id).ingest(CORPUS / "headlines.md")
        app = create_app(workbench, api_settings=ApiSettings(_env_file=None))
        with TestClient(app) as client:
            headers = {"Authorization": f"Bearer {key}"}
            assert client.get("/ready").status_code == 200
            assert client.post("/api/search", json=DENSE, headers=headers).status_code == 200
            yield home, client, headers


def assert_no_path(answer, home: Path) -> None:
    assert str(home) not in answer.text and str(home.resolve()) not in answer.text
    assert "chroma" not in answer.text.lower()


def test_a_deleted_chroma_folder_is_not_ready_and_fails_the_doctor(served) -> None:
    home, client, headers = served
    shutil.rmtree(home / "chroma")

    ready = client.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["detail"] == "not ready: the vector store is missing"
    searched = client.post("/api/search", json=DENSE, headers=headers)
    assert searched.status_code == 503  # not an empty list of hits
    assert "kb reindex" in searched.json()["detail"]
    for answer in (ready, searched):
        assert_no_path(answer, home)
    assert not (home / "chroma").exists()  # reading did not quietly make an empty store

    code, checks = run_doctor(home)
    assert code == 1
    assert checks["vector store"]["status"] == "fail"
    assert "the vector store is missing" in checks["vector store"]["detail"]
    assert checks["vectors"]["status"] == "fail"


def test_a_corrupted_chroma_database_answers_503_without_a_path(served) -> None:
    home, client, headers = served
    database = home / "chroma" / "chroma.sqlite3"
    database.write_bytes(os.urandom(database.stat().st_size))

    searched = client.post("/api/search", json=DENSE, headers=headers)
    assert searched.status_code == 503
    assert "the vector store" in searched.json()["detail"]
    ready = client.get("/ready")
    assert ready.status_code == 503 and ready.json()["detail"].startswith("not ready: ")
    for answer in (searched, ready):
        assert_no_path(answer, home)

    code, checks = run_doctor(home)
    assert code == 1 and checks["vector store"]["status"] == "fail"
