"""The gateway: validation before sending, the response cache, and the call log."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from aiwriter_kernel.errors import (
    BadCredentialsError,
    PromptError,
    ProviderUnavailableError,
    UnknownProviderError,
)
from aiwriter_kernel.llm.gateway import MAX_PROMPT_CHARS, ModelGateway
from aiwriter_kernel.llm.messages import ChatRequest, Completion, GenerationParams, StreamChunk
from aiwriter_kernel.llm.provider import BaseProvider
from aiwriter_kernel.llm.registry import ProviderConfig, ProviderRegistry
from aiwriter_kernel.llm.resilience import ResiliencePolicy
from aiwriter_kernel.llm.tasks import SectionTask, SourcePassage
from aiwriter_kernel.workbench import Workbench

POLICY = ResiliencePolicy(max_attempts=3, base_delay_s=0.0, max_delay_s=0.0, breaker_failures=50)


class ScriptedProvider(BaseProvider):
    """Answers 'answer N' (N = call number) unless an error is queued."""

    name = "scripted"
    default_model = "script-1"

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        self.requests: list[ChatRequest] = []
        self.errors: list[Exception] = []

    def complete(self, request: ChatRequest) -> Completion:
        self.requests.append(request)
        if self.errors:
            raise self.errors.pop(0)
        return Completion(
            text=f"answer {len(self.requests)}",
            finish_reason="stop",
            provider=self.name,
            model=request.model,
            prompt_tokens=10,
            completion_tokens=2,
            latency_ms=1.0,
        )

    def stream(self, request: ChatRequest) -> Iterator[StreamChunk]:
        completion = self.complete(request)
        for word in completion.text.split(" "):
            yield StreamChunk(text=word + " ")
        yield StreamChunk(completion=completion)


@pytest.fixture
def workbench(tmp_path: Path) -> Iterator[Workbench]:
    with Workbench.open(home=tmp_path) as opened:
        yield opened


@pytest.fixture
def gateway(workbench: Workbench) -> tuple[ModelGateway, list[ScriptedProvider]]:
    created: list[ScriptedProvider] = []
    registry = ProviderRegistry(load_plugins=False)

    def factory(config: ProviderConfig) -> ScriptedProvider:
        created.append(ScriptedProvider(config))
        return created[-1]

    registry.register("scripted", factory)
    return ModelGateway(
        workbench.settings, workbench.db.generations, registry=registry, policy=POLICY
    ), created


def test_a_call_is_logged_with_its_provenance(gateway, workbench) -> None:
    model_gateway, _ = gateway
    completion = model_gateway.complete("Say hi", provider="scripted", system="Be brief.")
    assert completion.text == "answer 1" and completion.cache_hit is False
    (logged,) = workbench.db.generations.list_recent()
    assert (logged.provider, logged.model, logged.output) == ("scripted", "script-1", "answer 1")
    assert (logged.prompt_tokens, logged.completion_tokens, logged.error) == (10, 2, None)
    assert len(logged.input_hash) == 64


def test_identical_requests_are_served_from_the_cache(gateway, workbench) -> None:
    model_gateway, created = gateway
    first = model_gateway.complete("Say hi", provider="scripted")
    second = model_gateway.complete("Say hi", provider="scripted")
    assert second.text == first.text and second.cache_hit is True
    assert len(created[0].requests) == 1
    assert [g.cache_hit for g in workbench.db.generations.list_recent()] == [True, False]


@pytest.mark.parametrize(
    ("kwargs", "calls"),
    [
        ({"cache": False}, 2),
        ({"params": GenerationParams(temperature=0.7)}, 2),  # auto: sampling is not cached
        ({"params": GenerationParams(temperature=0.7), "cache": True}, 1),
        ({}, 1),
    ],
)
def test_cache_policy(gateway, kwargs, calls) -> None:
    model_gateway, created = gateway
    model_gateway.complete("Say hi", provider="scripted", **kwargs)
    model_gateway.complete("Say hi", provider="scripted", **kwargs)
    assert len(created[0].requests) == calls


def test_different_parameters_are_different_cache_entries(gateway) -> None:
    model_gateway, created = gateway
    model_gateway.complete("Say hi", provider="scripted")
    model_gateway.complete("Say hi", provider="scripted", params=GenerationParams(max_tokens=5))
    model_gateway.complete("Say hi", provider="scripted", model="script-2")
    assert sum(len(p.requests) for p in created) == 3


def test_transient_failures_are_retried_and_a_final_failure_is_logged(gateway, workbench) -> None:
    model_gateway, created = gateway
    model_gateway.complete("warm up", provider="scripted")
    created[0].errors = [ProviderUnavailableError("down")] * 3
    with pytest.raises(ProviderUnavailableError, match="down"):
        model_gateway.complete("Say hi", provider="scripted")
    assert len(created[0].requests) == 1 + 3
    failed = workbench.db.generations.list_recent()[0]
    assert failed.error == "ProviderUnavailableError: down" and failed.output is None
    assert workbench.db.generations.list_recent()[1].output == "answer 1"  # nothing lost


def test_bad_credentials_fail_once_and_are_logged(gateway, workbench) -> None:
    model_gateway, created = gateway
    model_gateway.provider("scripted").errors = [BadCredentialsError("the key was rejected")]
    with pytest.raises(BadCredentialsError):
        model_gateway.complete("Say hi", provider="scripted")
    assert len(created[0].requests) == 1
    assert "BadCredentialsError" in workbench.db.generations.list_recent()[0].error


def test_streaming_yields_pieces_and_logs_the_whole(gateway, workbench) -> None:
    model_gateway, _ = gateway
    stream = model_gateway.stream("Say hi", provider="scripted")
    assert list(stream) == ["answer ", "1 "]
    assert stream.completion.text == "answer 1"
    assert workbench.db.generations.list_recent()[0].output == "answer 1"


@pytest.mark.parametrize(
    ("prompt", "error", "message"),
    [
        ("   ", PromptError, "empty"),
        ("x" * (MAX_PROMPT_CHARS + 1), PromptError, "limit"),
    ],
)
def test_bad_prompts_fail_before_any_call(gateway, workbench, prompt, error, message) -> None:
    model_gateway, created = gateway
    with pytest.raises(error, match=message):
        model_gateway.complete(prompt, provider="scripted")
    assert all(not p.requests for p in created)


def test_unknown_provider_and_offline_model_are_refused(gateway) -> None:
    model_gateway, _ = gateway
    with pytest.raises(UnknownProviderError, match="unknown provider 'nope'"):
        model_gateway.complete("hi", provider="nope")
    with pytest.raises(UnknownProviderError, match="composer"):
        model_gateway.complete("hi", provider="offline", model="gpt-9")


def test_tasks_render_through_templates_for_chat_providers(gateway, workbench) -> None:
    model_gateway, created = gateway
    source = SourcePassage(label=1, title="Tea", origin="tea.md", text="Tea grows on hills.")
    task = SectionTask(topic="Tea", heading="Where tea grows", sources=(source,))
    model_gateway.run_task(task, provider="scripted")
    sent = created[0].requests[0].messages[-1].content
    assert "Tea grows on hills." in sent and '<source id="1"' in sent
    logged = workbench.db.generations.list_recent()[0]
    assert (logged.template, logged.template_version) == ("section", "4")


def test_offline_tasks_are_composed_cached_and_logged(workbench) -> None:
    source = SourcePassage(
        label=1,
        title="Tea",
        origin="tea.md",
        text="Tea plants grow best on steep, rainy hillsides in warm places.",
    )
    task = SectionTask(topic="Tea", heading="Where tea grows", sources=(source,))
    first = workbench.llm.run_task(task)
    second = workbench.llm.run_task(task)
    assert first.text == "Tea plants grow best on steep, rainy hillsides in warm places [1]."
    assert (first.provider, first.cache_hit, second.cache_hit) == ("offline", False, True)
    logged = workbench.db.generations.list_recent()
    assert [g.template for g in logged] == ["section", "section"]
    assert logged[-1].cost_usd == 0.0


def test_keys_go_to_the_provider_not_the_environment(gateway, monkeypatch) -> None:
    import os

    model_gateway, _ = gateway
    before = dict(os.environ)
    credentials = ProviderConfig(api_key="sk-user-a-secret")
    provider = model_gateway.provider("scripted", credentials=credentials)
    model_gateway.complete("hi", provider="scripted", credentials=credentials)
    assert provider.config.api_key.get_secret_value() == "sk-user-a-secret"
    assert dict(os.environ) == before
    other = model_gateway.provider("scripted", credentials=ProviderConfig(api_key="sk-user-b"))
    assert other is not provider  # two users never share a client


def test_a_providers_error_quoting_secrets_is_redacted_before_it_is_logged_or_raised(
    workbench,
) -> None:
    """Any provider, plugins too: the settings' secrets and the call's own credentials."""
    registry = ProviderRegistry(load_plugins=False)
    registry.register("scripted", ScriptedProvider)
    home_url = "http://user:home-pw-9931@127.0.0.1:9/v1?token=home-tok-3317"
    settings = workbench.settings.model_copy(
        update={"openai_api_key": SecretStr("sk-home-key-0042"), "openai_base_url": home_url}
    )
    gateway = ModelGateway(settings, workbench.db.generations, registry=registry, policy=POLICY)
    credentials = ProviderConfig(api_key="sk-session-key-7788")
    leaky = f"refused sk-home-key-0042 / sk-session-key-7788 at {home_url}"
    provider = gateway.provider("scripted", credentials=credentials)
    provider.errors = [BadCredentialsError(leaky) for _ in range(3)]
    calls = (
        lambda: gateway.complete("hi", provider="scripted", credentials=credentials),
        lambda: gateway.stream("hi", provider="scripted", credentials=credentials).text(),
        lambda: asyncio.run(gateway.acomplete("hi", provider="scripted", credentials=credentials)),
    )

    errors = []
    for call in calls:
        with pytest.raises(BadCredentialsError) as caught:
            call()
        errors.append(str(caught.value))

    logged = [g.error for g in workbench.db.generations.list_recent()]
    assert errors == ["refused *** / *** at http://127.0.0.1:9/v1?token=***"] * 3
    assert logged == [f"BadCredentialsError: {errors[0]}"] * 3
