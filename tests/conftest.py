"""Fixtures shared by every test: a clean environment, a home, and databases on each backend.

PostgreSQL tests run only when ``AIWRITER_TEST_POSTGRES_URL`` names a server, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``; each test then gets a schema of its
own, dropped afterwards, so tests never see each other's tables.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiwriter_kernel import Workbench
from aiwriter_kernel.store import Database

# The fake model servers live in plain modules under tests/llm; this puts that folder on
# sys.path so every test folder can import them without a ``tests`` package.
DEMO_CORPUS = Path(__file__).resolve().parents[1] / "data" / "demo_corpus"
FAKES = str(Path(__file__).resolve().parent / "llm")
if FAKES not in sys.path:
    sys.path.insert(0, FAKES)

from fake_gemini_server import FakeGeminiServer  # noqa: E402
from fake_openai_server import FakeOpenAIServer  # noqa: E402
from support import is_leaky, postgres_schema  # noqa: E402

# Read now: the autouse fixture below removes AIWRITER_* variables before each test.
POSTGRES_URL = os.environ.get("AIWRITER_TEST_POSTGRES_URL")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's own settings and keys out of every test."""
    for name in list(os.environ):
        if is_leaky(name):
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
    yield from postgres_schema(POSTGRES_URL)


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


@pytest.fixture(scope="session")
def corpus_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the demo corpus ingested (the slow part, done once per session)."""
    home = tmp_path_factory.mktemp("corpus-snapshot") / "home"
    with Workbench.open(home=home) as wb:
        assert wb.ingest(DEMO_CORPUS).ok
    return home


@pytest.fixture
def corpus_home(corpus_snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own copy of the ingested home, selected through ``AIWRITER_HOME``."""
    home = tmp_path / "corpus-home"
    shutil.copytree(corpus_snapshot, home)
    monkeypatch.setenv("AIWRITER_HOME", str(home))
    return home
