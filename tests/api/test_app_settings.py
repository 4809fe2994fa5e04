"""The app's own protections as configured: CORS off unless origins are named, and an
oversized body refused from its declared length, with a JSON answer saying the limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiwriter_apps.api.app import create_app
from aiwriter_apps.api.settings import ApiSettings
from fastapi.testclient import TestClient

from aiwriter_kernel import Workbench

ORIGIN = "https://writers.example.org"


@pytest.fixture
def workbench(tmp_path: Path) -> Iterator[Workbench]:
    with Workbench.open(home=tmp_path / "home") as opened:
        opened.db.accounts.create_user("ann")
        yield opened


def client_for(workbench: Workbench, **settings) -> TestClient:
    return TestClient(create_app(workbench, api_settings=ApiSettings(_env_file=None, **settings)))


def preflight(client: TestClient, origin: str):
    return client.options(
        "/api/search",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )


def test_cors_is_off_by_default(workbench: Workbench) -> None:
    with client_for(workbench) as client:
        answer = preflight(client, ORIGIN)
        assert "access-control-allow-origin" not in answer.headers
        health = client.get("/health", headers={"Origin": ORIGIN})
        assert "access-control-allow-origin" not in health.headers


def test_cors_allows_only_the_named_origins(workbench: Workbench) -> None:
    with client_for(workbench, cors_origins=[ORIGIN]) as client:
        allowed = preflight(client, ORIGIN)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == ORIGIN
        other = preflight(client, "https://elsewhere.example.com")
        assert "access-control-allow-origin" not in other.headers


def test_cors_origins_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIWRITER_API_CORS_ORIGINS", f'["{ORIGIN}"]')
    assert ApiSettings(_env_file=None).cors_origins == [ORIGIN]


def test_a_declared_oversized_body_is_refused_unread_with_the_limit(workbench: Workbench) -> None:
    _, key = workbench.db.accounts.create_api_key("ann")
    with client_for(workbench, max_body_bytes=1000) as client:
        answer = client.post(
            "/api/analyze",
            content=b'{"markdown": "' + b"x" * 5000 + b'"}',
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
    assert answer.status_code == 413
    assert answer.json()["detail"] == (
        "Content Too Large: the request body is 5016 bytes; the limit is 1000 bytes"
    )


def test_a_streamed_body_is_cut_off_at_the_limit(workbench: Workbench) -> None:
    _, key = workbench.db.accounts.create_api_key("ann")

    def chunks():  # no Content-Length: the body arrives in pieces
        yield b'{"markdown": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    with client_for(workbench, max_body_bytes=1000) as client:
        answer = client.post("/api/analyze", content=chunks(), headers=headers)
        assert answer.status_code == 413
        assert answer.json()["detail"] == (
            "Content Too Large: the request body is over the limit of 1000 bytes"
        )
        small = client.post("/api/analyze", json={"markdown": "Short words."}, headers=headers)
        assert small.status_code == 200
