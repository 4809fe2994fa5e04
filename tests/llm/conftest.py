"""Fixtures for provider tests: fake OpenAI and Gemini servers on 127.0.0.1.

The fake servers live in plain modules next to this file; putting this folder on
``sys.path`` lets the conftest and the tests import them without a ``tests`` package.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from fake_gemini_server import FakeGeminiServer  # noqa: E402
from fake_openai_server import FakeOpenAIServer  # noqa: E402


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
