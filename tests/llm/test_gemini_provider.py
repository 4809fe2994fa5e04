"""The Gemini provider end to end: the real ``google-genai`` SDK against a fake server.

Sync calls go through the SDK's httpx client and async ones through aiohttp, so both
paths are covered. Every failure test checks that exactly one request reached the
server: retries belong to the gateway, so the SDK must never retry on its own.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable

import pytest
from fake_gemini_server import FakeGeminiServer
from fake_openai_server import (
    Behaviour,
    cut_stream_after,
    hang,
    malformed_json,
    refuse,
    reply,
    status,
)
from google.genai import errors as genai_errors
from pydantic import SecretStr

from aiwriter_kernel.errors import (
    BadCredentialsError,
    BadRequestError,
    ContentRefusedError,
    ProviderError,
    ProviderNotConfiguredError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    RateLimitedError,
)
from aiwriter_kernel.llm.gemini_provider import GeminiProvider, create, translate_error
from aiwriter_kernel.llm.messages import (
    ChatMessage,
    ChatRequest,
    Completion,
    GenerationParams,
    StreamChunk,
)
from aiwriter_kernel.llm.provider import ChatProvider
from aiwriter_kernel.llm.registry import ProviderConfig, ProviderRegistry

KEY = "AIza-test-0123456789abcdef"

# google-genai subclasses aiohttp.ClientSession for its async calls; aiohttp disapproves.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Inheritance class AiohttpClientSession:DeprecationWarning"
)


def provider_for(server: FakeGeminiServer, *, timeout_s: float = 5.0) -> GeminiProvider:
    config = ProviderConfig(api_key=SecretStr(KEY), base_url=server.base_url, timeout_s=timeout_s)
    return create(config)


def chat(*turns: tuple[str, str], **params: object) -> ChatRequest:
    turns = turns or (("system", "You are terse."), ("user", "hello there"))
    messages = tuple(ChatMessage(role=role, content=text) for role, text in turns)  # type: ignore[arg-type]
    return ChatRequest(messages=messages, model="", params=GenerationParams(**params))


async def collect(chunks: AsyncIterator[StreamChunk]) -> list[StreamChunk]:
    return [chunk async for chunk in chunks]


def final(chunks: list[StreamChunk]) -> Completion:
    assert chunks[-1].completion is not None
    assert all(chunk.completion is None for chunk in chunks[:-1])
    return chunks[-1].completion


def _error_of(call: Callable[[], object]) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        call()
    return caught.value


# --- answers ---------------------------------------------------------------------------------


def test_complete_returns_text_usage_and_model(fake_gemini: FakeGeminiServer) -> None:
    completion = provider_for(fake_gemini).complete(chat())

    assert completion.text == "echo: hello there"
    assert completion.finish_reason == "stop"
    assert completion.provider == "gemini"
    assert completion.model == "gemini-2.5-flash"
    assert (completion.prompt_tokens, completion.completion_tokens) == (5, 3)
    assert completion.latency_ms > 0
    assert fake_gemini.requests[0].path.endswith("/models/gemini-2.5-flash:generateContent")


def test_stream_yields_each_delta_then_the_completion(fake_gemini: FakeGeminiServer) -> None:
    fake_gemini.reply("one two three")

    chunks = list(provider_for(fake_gemini).stream(chat()))

    assert [chunk.text for chunk in chunks[:-1]] == ["one ", "two ", "three"]
    completion = final(chunks)
    assert completion.text == "one two three"
    assert (completion.finish_reason, completion.completion_tokens) == ("stop", 3)
    request = fake_gemini.requests[0]
    assert request.path.endswith(":streamGenerateContent")
    assert request.query == {"alt": "sse"}


def test_async_complete_and_stream(fake_gemini: FakeGeminiServer) -> None:
    provider = provider_for(fake_gemini)
    fake_gemini.reply("first answer", "second answer")

    completion = asyncio.run(provider.acomplete(chat()))
    chunks = asyncio.run(collect(provider.astream(chat())))

    assert completion.text == "first answer"
    assert "".join(chunk.text for chunk in chunks) == "second answer"
    assert final(chunks).prompt_tokens == 5


def test_finish_reasons_are_lower_case(fake_gemini: FakeGeminiServer) -> None:
    fake_gemini.script(reply("cut here", finish_reason="max_tokens"))

    assert provider_for(fake_gemini).complete(chat()).finish_reason == "max_tokens"


def test_latency_is_measured_around_the_call(fake_gemini: FakeGeminiServer) -> None:
    fake_gemini.latency_s = 0.2

    assert provider_for(fake_gemini).complete(chat()).latency_ms >= 200


def test_system_turns_and_parameters_reach_the_server(fake_gemini: FakeGeminiServer) -> None:
    request = chat(
        ("system", "Be brief."),
        ("user", "hi"),
        ("assistant", "hello"),
        ("user", "again"),
        temperature=0.3,
        max_tokens=42,
        top_p=0.9,
        stop=("END",),
        seed=7,
    )

    provider_for(fake_gemini).complete(request)

    body = fake_gemini.requests[0].json
    assert body["systemInstruction"]["parts"] == [{"text": "Be brief."}]
    assert [turn["role"] for turn in body["contents"]] == ["user", "model", "user"]
    config = body["generationConfig"]
    assert (config["temperature"], config["maxOutputTokens"], config["topP"]) == (0.3, 42, 0.9)
    assert (config["stopSequences"], config["seed"]) == (["END"], 7)


# --- the key -----------------------------------------------------------------------------------


def test_the_key_reaches_the_server_and_nowhere_else(
    fake_gemini: FakeGeminiServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    provider = provider_for(fake_gemini)
    fake_gemini.script(
        status(401, message=f"API key not valid: {KEY}"),
        status(400, message=f"bad request from {KEY}"),
    )

    errors = [_error_of(lambda: provider.complete(chat())) for _ in range(2)]
    provider.complete(chat())

    assert fake_gemini.requests[-1].headers["x-goog-api-key"] == KEY
    assert KEY not in repr(provider)
    assert all(KEY not in str(error) for error in errors)
    assert KEY not in caplog.text
    assert all(KEY not in value for value in os.environ.values())


def test_without_a_key_nothing_is_sent(fake_gemini: FakeGeminiServer) -> None:
    with pytest.raises(ProviderNotConfiguredError, match="GEMINI_API_KEY"):
        create(ProviderConfig(base_url=fake_gemini.base_url))
    assert fake_gemini.requests == []


# --- failures ----------------------------------------------------------------------------------

FAULTS = [
    pytest.param(status(429, retry_after="1"), RateLimitedError, id="429"),
    pytest.param(status(500), ProviderUnavailableError, id="500"),
    pytest.param(status(503), ProviderUnavailableError, id="503"),
    pytest.param(status(401), BadCredentialsError, id="401"),
    pytest.param(status(403), BadCredentialsError, id="403"),
    pytest.param(status(400), BadRequestError, id="400"),
    pytest.param(status(404), BadRequestError, id="404"),
    pytest.param(hang(3), ProviderTimeoutError, id="hang"),
    pytest.param(malformed_json(), ProviderUnavailableError, id="malformed"),
    pytest.param(refuse(), ContentRefusedError, id="blocked-prompt"),
    pytest.param(reply("", finish_reason="safety"), ContentRefusedError, id="safety-finish"),
]


@pytest.mark.parametrize(("behaviour", "expected"), FAULTS)
def test_each_fault_maps_to_one_typed_error_after_one_request(
    fake_gemini: FakeGeminiServer, behaviour: Behaviour, expected: type[ProviderError]
) -> None:
    fake_gemini.script(behaviour)

    error = _error_of(lambda: provider_for(fake_gemini, timeout_s=0.5).complete(chat()))

    assert type(error) is expected
    assert len(fake_gemini.requests) == 1


@pytest.mark.parametrize(("behaviour", "expected"), FAULTS[:4] + FAULTS[7:10])
def test_async_faults_map_to_typed_errors(
    fake_gemini: FakeGeminiServer, behaviour: Behaviour, expected: type[ProviderError]
) -> None:
    fake_gemini.script(behaviour)
    provider = provider_for(fake_gemini, timeout_s=0.5)

    error = _error_of(lambda: asyncio.run(provider.acomplete(chat())))

    assert type(error) is expected
    assert len(fake_gemini.requests) == 1


@pytest.mark.parametrize(
    ("behaviour", "expected"),
    [
        pytest.param(cut_stream_after(2), ProviderUnavailableError, id="cut"),
        pytest.param(malformed_json(), ProviderUnavailableError, id="malformed"),
        pytest.param(status(429, retry_after="1"), RateLimitedError, id="429"),
        pytest.param(status(500), ProviderUnavailableError, id="500"),
        pytest.param(hang(3), ProviderTimeoutError, id="hang"),
        pytest.param(refuse(), ContentRefusedError, id="blocked-prompt"),
    ],
)
def test_stream_faults_map_to_typed_errors(
    fake_gemini: FakeGeminiServer, behaviour: Behaviour, expected: type[ProviderError]
) -> None:
    fake_gemini.script(behaviour, behaviour)
    provider = provider_for(fake_gemini, timeout_s=0.5)

    assert type(_error_of(lambda: list(provider.stream(chat())))) is expected
    assert type(_error_of(lambda: asyncio.run(collect(provider.astream(chat()))))) is expected
    assert len(fake_gemini.requests) == 2


def test_rate_limit_carries_the_retry_after_header(fake_gemini: FakeGeminiServer) -> None:
    fake_gemini.script(status(429, retry_after="7"))

    error = _error_of(lambda: provider_for(fake_gemini).complete(chat()))

    assert isinstance(error, RateLimitedError)
    assert error.retry_after_s == 7.0


def test_gemini_retry_info_and_invalid_key_details_are_understood() -> None:
    """Real Gemini says "retry in 37s" in the body and answers a bad key with a 400."""
    retry_info = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"}
    throttled = genai_errors.ClientError(429, {"error": {"code": 429, "details": [retry_info]}})
    bad_key = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
    rejected = genai_errors.ClientError(400, {"error": {"code": 400, "details": [bad_key]}})

    rate_limited = translate_error(throttled, key=KEY, timeout_s=1)

    assert isinstance(rate_limited, RateLimitedError)
    assert rate_limited.retry_after_s == 37.0
    assert isinstance(translate_error(rejected, key=KEY, timeout_s=1), BadCredentialsError)


def test_credentials_in_the_base_url_are_in_no_message(
    fake_gemini: FakeGeminiServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    password = "pw-in-url-5526"
    host = fake_gemini.base_url.removeprefix("http://")
    config = ProviderConfig(api_key=SecretStr(KEY), base_url=f"http://u:{password}@{host}")
    provider = create(config)
    fake_gemini.script(status(500, message=f"upstream said {password}"))

    error = _error_of(lambda: provider.complete(chat()))

    assert str(error).endswith("(HTTP 500): upstream said ***")
    assert password not in repr(provider) + caplog.text


def test_an_unreachable_server_is_unavailable(fake_gemini: FakeGeminiServer) -> None:
    provider = provider_for(fake_gemini)
    fake_gemini.stop()

    assert type(_error_of(lambda: provider.complete(chat()))) is ProviderUnavailableError
    assert type(_error_of(lambda: asyncio.run(provider.acomplete(chat())))) is (
        ProviderUnavailableError
    )


# --- the rest of the provider surface --------------------------------------------------------


def test_models_are_listed_without_the_network(fake_gemini: FakeGeminiServer) -> None:
    provider = provider_for(fake_gemini)

    assert provider.models()[0] == "gemini-2.5-flash"
    assert fake_gemini.requests == []


def test_the_registry_builds_it_as_a_chat_provider(fake_gemini: FakeGeminiServer) -> None:
    config = ProviderConfig(api_key=SecretStr(KEY), base_url=fake_gemini.base_url)

    provider = ProviderRegistry(load_plugins=False).create("gemini", config)

    assert isinstance(provider, GeminiProvider)
    assert isinstance(provider, ChatProvider)
    assert provider.name == "gemini"
