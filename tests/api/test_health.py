"""Liveness and readiness: answered without a key, and readiness tells a broken database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiwriter_apps.api.app import create_app
from aiwriter_apps.api.settings import ApiSettings
from fastapi.testclient import TestClient
from sqlalchemy import text

from aiwriter_kernel import Workbench


def test_health_answers_without_a_key(client: TestClient) -> None:
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_ready_when_the_database_is_current(client: TestClient) -> None:
    answer = client.get("/ready")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready"}


def test_the_probes_are_documented_and_public(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "503" in paths["/ready"]["get"]["responses"]
    assert "security" not in paths["/health"]["get"]
    assert "security" not in paths["/ready"]["get"]


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[tuple[Workbench, TestClient]]:
    """An app of its own, whose database this test may break."""
    with Workbench.open(home=tmp_path) as workbench:
        app = create_app(workbench, api_settings=ApiSettings(_env_file=None))
        with TestClient(app) as client:
            yield workbench, client


def test_not_ready_when_the_schema_is_unknown(fresh: tuple[Workbench, TestClient]) -> None:
    """A database migrated by a newer release (or another program) must get no traffic."""
    workbench, client = fresh
    assert client.get("/ready").status_code == 200
    with workbench.db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    answer = client.get("/ready")
    assert answer.status_code == 503
    assert answer.json()["detail"] == "not ready: the database schema is too_new, not current"
    assert client.get("/health").status_code == 200


def test_not_ready_when_the_database_cannot_be_read(fresh: tuple[Workbench, TestClient]) -> None:
    workbench, client = fresh
    with workbench.db.engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(text("CREATE TABLE alembic_version (garbage INTEGER)"))
    answer = client.get("/ready")
    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("not ready: ")
