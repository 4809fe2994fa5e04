"""The whole provider layer against a real HTTP server speaking OpenAI's API: faults are
retried or raised as the right typed error, every call is logged, nothing stored is lost,
and the key never reaches the log, the database or the environment."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai_server import cut_stream_after, hang, malformed_json, reply, status
from sqlalchemy import text

from aiwriter_kernel.errors import (
    BadCredentialsError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    RateLimitedError,
)
from aiwriter_kernel.llm.gateway import ModelGateway
from aiwriter_kernel.llm.registry import ProviderConfig
from aiwriter_kernel.llm.resilience import CircuitOpenError, ResiliencePolicy
from aiwriter_kernel.workbench import Workbench

SECRET = "sk-test-never-log-me-7731"


@pytest.fixture
def workbench(tmp_path: Path) -> Iterator[Workbench]:
    with Workbench.open(home=tmp_path) as opened:
        yield opened


def make_gateway(workbench: Workbench, fake_openai, **policy) -> tuple[ModelGateway, list[float]]:
    slept: list[float] = []
    settings = workbench.settings.model_copy(
        update={
            "provider": "openai",
            "openai_api_key": SECRET,
            "openai_base_url": fake_openai.base_url,
        }
    )
    defaults = {"max_attempts": 3, "base_delay_s": 0.0, "max_delay_s": 0.0}
    gateway = ModelGateway(
        settings,
        workbench.db.generations,
        policy=ResiliencePolicy(**(defaults | policy)),
        sleep=slept.append,
    )
    return gateway, slept


def short_timeout(fake_openai) -> ProviderConfig:
    return ProviderConfig(api_key=SECRET, base_url=fake_openai.base_url, timeout_s=0.5)


def test_rate_limit_is_retried_after_the_servers_delay(workbench, fake_openai) -> None:
    gateway, slept = make_gateway(workbench, fake_openai)
    fake_openai.script(status(429, retry_after="3"), reply("finally"))
    completion = gateway.complete("hello")
    assert completion.text == "finally"
    assert slept == [3.0] and len(fake_openai.requests) == 2


def test_persistent_rate_limit_is_raised_typed_and_logged(workbench, fake_openai) -> None:
    gateway, _ = make_gateway(workbench, fake_openai)
    fake_openai.script(*[status(429, retry_after="0")] * 3)
    with pytest.raises(RateLimitedError):
        gateway.complete("hello")
    assert len(fake_openai.requests) == 3
    assert workbench.db.generations.list_recent()[0].error.startswith("RateLimitedError")


def test_server_errors_and_malformed_json_are_retried(workbench, fake_openai) -> None:
    gateway, _ = make_gateway(workbench, fake_openai)
    fake_openai.script(status(500), malformed_json(), reply("recovered"))
    assert gateway.complete("hello").text == "recovered"
    assert len(fake_openai.requests) == 3


def test_a_hung_server_times_out(workbench, fake_openai) -> None:
    gateway, _ = make_gateway(workbench, fake_openai, max_attempts=2)
    fake_openai.script(hang(3), hang(3))
    with pytest.raises(ProviderTimeoutError):
        gateway.complete("hello", credentials=short_timeout(fake_openai))
    assert len(fake_openai.requests) == 2


def test_a_bad_key_is_not_retried_and_never_logged(workbench, fake_openai) -> None:
    gateway, _ = make_gateway(workbench, fake_openai)
    fake_openai.script(status(401))
    with pytest.raises(BadCredentialsError) as raised:
        gateway.complete("hello")
    assert len(fake_openai.requests) == 1
    assert fake_openai.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in str(raised.value) and SECRET not in repr(gateway.provider())
    assert SECRET not in os.environ.values()


def test_the_breaker_opens_then_lets_a_trial_through(workbench, fake_openai) -> None:
    gateway, _ = make_gateway(
        workbench, fake_openai, max_attempts=1, breaker_failures=2, breaker_cooldown_s=0.3
    )
    fake_openai.script(status(503), status(503))
    for _ in range(2):
        with pytest.raises(ProviderUnavailableError):
            gateway.complete("hello", cache=False)
    with pytest.raises(CircuitOpenError):
        gateway.complete("hello", cache=False)
    assert len(fake_openai.requests) == 2  # the open breaker sent nothing
    time.sleep(0.35)
    assert gateway.complete("hello", cache=False).text == "echo: hello"
    assert gateway.complete("again", cache=False).text == "echo: again"
    assert len(fake_openai.requests) == 4


def test_a_stream_cut_mid_way_is_raised_and_logged(workbench, fake_openai) -> None:
    gateway, _ = make_gateway(workbench, fake_openai)
    fake_openai.script(cut_stream_after(2))
    pieces: list[str] = []
    with pytest.raises(ProviderUnavailableError):
        for piece in gateway.stream("tell me a long story please"):
            pieces.append(piece)
    assert pieces  # the reader saw the start; it is not silently retried and duplicated
    assert len(fake_openai.requests) == 1
    assert workbench.db.generations.list_recent()[0].error is not None


def test_streaming_logs_usage_and_serves_the_cache(workbench, fake_openai) -> None:
    gateway, _ = make_gateway(workbench, fake_openai)
    stream = gateway.stream("count these four words")
    assert "".join(stream).strip() == "echo: count these four words"
    assert stream.completion.prompt_tokens and stream.completion.completion_tokens
    assert gateway.complete("count these four words").cache_hit is True
    assert len(fake_openai.requests) == 1


def test_failures_lose_nothing_already_stored(workbench, fake_openai) -> None:
    workspace = workbench.db.workspaces.get_or_create("default")
    draft, _ = workbench.db.drafts.create_draft(
        workspace.id, kind="article", title="Kept", topic="t", content="# Kept\n\nBody."
    )
    gateway, _ = make_gateway(workbench, fake_openai)
    gateway.complete("first answer")
    fake_openai.script(status(500), status(500), status(500), status(401))
    for _ in range(2):
        with pytest.raises((ProviderUnavailableError, BadCredentialsError)):
            gateway.complete("fails", cache=False)
    assert workbench.db.drafts.get_version(draft.id).content == "# Kept\n\nBody."
    logged = workbench.db.generations.list_recent()
    assert [g.error is None for g in logged] == [False, False, True]
    assert logged[-1].output == "echo: first answer"


def test_the_key_is_in_no_stored_column(workbench, fake_openai) -> None:
    gateway, _ = make_gateway(workbench, fake_openai)
    gateway.complete("hello")
    fake_openai.script(status(401))
    with pytest.raises(BadCredentialsError):
        gateway.complete("other")
    with workbench.db.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM generations")).fetchall()
    assert rows and all(SECRET not in str(value) for row in rows for value in row)


def test_async_calls_go_through_the_same_log(workbench, fake_openai) -> None:
    import asyncio

    gateway, _ = make_gateway(workbench, fake_openai)

    async def many() -> list[str]:
        calls = [gateway.acomplete(f"question {n}") for n in range(8)]
        return [completion.text for completion in await asyncio.gather(*calls)]

    assert asyncio.run(many()) == [f"echo: question {n}" for n in range(8)]
    assert len(workbench.db.generations.list_recent()) == 8
