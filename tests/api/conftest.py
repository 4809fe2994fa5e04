"""Fixtures for the HTTP API tests: one app per test module on a real home, and its users.

What a test module gets (all module-scoped, so a module shares one home, app and client):

- ``api_workbench``: a Workbench on a fresh home (offline provider, real SQLite or
  PostgreSQL, real Chroma); the app is built around it, so a test can look behind the API.
- ``api_settings``: the app's ``ApiSettings``, with no practical rate limit; override the
  fixture in a module for other limits, e.g. ``ApiSettings(max_body_bytes=2000, ...)``.
- ``api_app`` and ``client``: ``create_app(api_workbench, api_settings=...)`` and a started
  ``TestClient`` on it (lifespan run).
- ``alice`` and ``bob``: users with a key each (``.name``, ``.id``, ``.key``, ``.headers``);
  ``make_user("carol")`` makes more (a name may be used once per module).
- ``auth(key)``: the headers presenting ``key``.

The database is SQLite. A module that should also run on PostgreSQL overrides the backend::

    @pytest.fixture(scope="module", params=BACKENDS)  # with BACKENDS as in test_routes.py
    def api_backend(request): return request.param

PostgreSQL runs only when ``AIWRITER_TEST_POSTGRES_URL`` names a server (see tests/conftest.py);
each module then gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiwriter_apps.api.app import create_app
from aiwriter_apps.api.settings import ApiSettings
from fastapi import FastAPI
from fastapi.testclient import TestClient
from support import is_leaky, postgres_schema

from aiwriter_kernel import Workbench

POSTGRES_URL = os.environ.get("AIWRITER_TEST_POSTGRES_URL")
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"


@dataclass(frozen=True)
class ApiUser:
    """A user of the API as a test sees it: who, and the headers that present their key."""

    name: str
    id: int
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return auth_headers(self.key)


def auth_headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def clean_module_environment() -> Iterator[None]:
    """Module fixtures are built before the per-test clean-up of tests/conftest.py runs, so
    they clear the developer's settings and keys themselves."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if is_leaky(name):
                patch.delenv(name)
        yield


@pytest.fixture(scope="module")
def api_backend() -> str:
    """Which database the module's home uses; override with params to run on PostgreSQL."""
    return "sqlite"


@pytest.fixture(scope="module")
def api_home(api_backend: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home per backend: the Chroma directory must match the database it indexes."""
    return tmp_path_factory.mktemp(f"api-home-{api_backend}")


@pytest.fixture(scope="module")
def api_database_url(api_backend: str, api_home: Path) -> Iterator[str]:
    if api_backend == "sqlite":
        yield f"sqlite:///{api_home / 'store.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("AIWRITER_TEST_POSTGRES_URL is not set")
    yield from postgres_schema(POSTGRES_URL)


@pytest.fixture(scope="module")
def api_workbench(
    clean_module_environment: None, api_home: Path, api_database_url: str
) -> Iterator[Workbench]:
    with Workbench.open(home=api_home, database_url=api_database_url) as workbench:
        yield workbench


# Functional tests make hundreds of requests a minute with one key, and some present made-up
# keys on purpose; the limits themselves are tested with small limits of their own.
UNLIMITED = 1_000_000


@pytest.fixture(scope="module")
def api_settings(clean_module_environment: None) -> ApiSettings:
    return ApiSettings(rate_limit_per_minute=UNLIMITED, auth_failures_per_minute=0, _env_file=None)


@pytest.fixture(scope="module")
def api_app(api_workbench: Workbench, api_settings: ApiSettings) -> FastAPI:
    return create_app(api_workbench, api_settings=api_settings)


@pytest.fixture(scope="module")
def client(api_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(api_app) as started:
        yield started


@pytest.fixture(scope="module")
def make_user(api_workbench: Workbench) -> Callable[[str], ApiUser]:
    def make(name: str) -> ApiUser:
        user = api_workbench.db.accounts.create_user(name)
        _, key = api_workbench.db.accounts.create_api_key(name)
        return ApiUser(name=name, id=user.id, key=key)

    return make


@pytest.fixture(scope="module")
def alice(make_user: Callable[[str], ApiUser]) -> ApiUser:
    return make_user("alice")


@pytest.fixture(scope="module")
def bob(make_user: Callable[[str], ApiUser]) -> ApiUser:
    return make_user("bob")


@pytest.fixture(scope="module")
def auth() -> Callable[[str], dict[str, str]]:
    """``auth(key)``: the headers presenting ``key`` as a bearer token."""
    return auth_headers


@pytest.fixture(scope="module")
def alice_sources(api_workbench: Workbench, alice: ApiUser) -> None:
    """Alice's knowledge base holds two demo documents, so her articles have sources."""
    api_workbench.for_user(alice.id).ingest([CORPUS / "readability.md", CORPUS / "headlines.md"])


def wait_for_job(
    client: TestClient, job_id: str, headers: dict[str, str], timeout_s: float = 300.0
) -> dict:
    """Poll ``GET /api/jobs/{id}`` until the job has finished; its last state."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = client.get(f"/api/jobs/{job_id}", headers=headers)
        assert answer.status_code == 200, answer.text
        job = answer.json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s:g} s")
