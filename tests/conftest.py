"""Fixtures shared by every test: a clean environment, a home, and databases on each backend.

PostgreSQL tests run only when ``AIWRITER_TEST_POSTGRES_URL`` names a server, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``; each test then gets a schema of its
own, dropped afterwards, so tests never see each other's tables.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from aiwriter_kernel.store import Database
from aiwriter_kernel.store.engine import create_engine_for

# The fake model servers live in plain modules under tests/llm; this puts that folder on
# sys.path so every test folder can import them without a ``tests`` package.
FAKES = str(Path(__file__).resolve().parent / "llm")
if FAKES not in sys.path:
    sys.path.insert(0, FAKES)

from fake_gemini_server import FakeGeminiServer  # noqa: E402
from fake_openai_server import FakeOpenAIServer  # noqa: E402

# Read now: the autouse fixture below removes AIWRITER_* variables before each test.
POSTGRES_URL = os.environ.get("AIWRITER_TEST_POSTGRES_URL")
POSTGRES_SESSION_TIME_ZONE = "Pacific/Kiritimati"  # UTC+14

LEAKY_PREFIXES = ("AIWRITER_", "OPENAI_")
LEAKY_NAMES = (
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "TAVILY_API_KEY",
    "EXA_API_KEY",
    "SERPER_API_KEY",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's own settings and keys out of every test."""
    for name in list(os.environ):
        if name.startswith(LEAKY_PREFIXES) or name in LEAKY_NAMES:
            monkeypatch.delenv(name)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty workbench home, selected through ``AIWRITER_HOME`` as a user would."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("AIWRITER_HOME", str(path))
    return path


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: an SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("AIWRITER_TEST_POSTGRES_URL is not set")
    yield from _postgres_schema(POSTGRES_URL)


def _postgres_schema(server_url: str) -> Iterator[str]:
    """Create a schema, yield a URL whose search_path points at it, then drop it."""
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine_for(server_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        # psycopg hands "options" to the server: every connection starts in the schema, and
        # in a time zone far from UTC so that any time not normalised to UTC shows up.
        options = f"-csearch_path={schema} -ctimezone={POSTGRES_SESSION_TIME_ZONE}"
        url = make_url(server_url).update_query_dict({"options": options})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated, empty database on each backend."""
    opened = Database.open(database_url)
    yield opened
    opened.close()


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    """A fresh OpenAI-compatible server per test; ``.base_url`` ends in ``/v1``."""
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture
def fake_gemini() -> Iterator[FakeGeminiServer]:
    """A fresh Gemini-compatible server per test; pass ``.base_url`` as the provider's base_url."""
    with FakeGeminiServer() as server:
        yield server
