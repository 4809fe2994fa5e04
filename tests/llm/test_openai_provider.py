"""The OpenAI provider end to end: the real ``openai`` SDK against a fake server on 127.0.0.1.

Every failure test also checks that exactly one request reached the server: retries
belong to the gateway, so the SDK must never retry on its own.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from fake_openai_server import (
    Behaviour,
    FakeOpenAIServer,
    cut_stream_after,
    hang,
    malformed_json,
    refuse,
    status,
)
from pydantic import SecretStr
from support import free_port

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
from aiwriter_kernel.llm.messages import (
    ChatMessage,
    ChatRequest,
    Completion,
    GenerationParams,
    StreamChunk,
)
from aiwriter_kernel.llm.openai_provider import (
    LOCAL_SERVER_KEY,
    OpenAIProvider,
    create,
    retry_after_seconds,
)
from aiwriter_kernel.llm.provider import ChatProvider
from aiwriter_kernel.llm.registry import ProviderConfig, ProviderRegistry

KEY = "sk-test-0123456789abcdef"


def provider_for(server: FakeOpenAIServer, *, timeout_s: float = 5.0) -> OpenAIProvider:
    config = ProviderConfig(api_key=SecretStr(KEY), base_url=server.base_url, timeout_s=timeout_s)
    return create(config)


def chat(text: str = "hello there", **params: object) -> ChatRequest:
    messages = (
        ChatMessage(role="system", content="You are terse."),
        ChatMessage(role="user", content=text),
    )
    return ChatRequest(messages=messages, model="", params=GenerationParams(**params))


async def collect(chunks: AsyncIterator[StreamChunk]) -> list[StreamChunk]:
    return [chunk async for chunk in chunks]


def final(chunks: list[StreamChunk]) -> Completion:
    assert chunks[-1].completion is not None
    assert all(chunk.completion is None for chunk in chunks[:-1])
    return chunks[-1].completion


# --- answers ---------------------------------------------------------------------------------


def test_complete_returns_text_usage_and_model(fake_openai: FakeOpenAIServer) -> None:
    completion = provider_for(fake_openai).complete(chat("hello there"))

    assert completion.text == "echo: hello there"
    assert completion.finish_reason == "stop"
    assert completion.provider == "openai"
    assert completion.model == "gpt-4o-mini"
    assert (completion.prompt_tokens, completion.completion_tokens) == (5, 3)
    assert completion.latency_ms > 0


def test_stream_yields_each_delta_then_the_completion(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.reply("one two three")

    chunks = list(provider_for(fake_openai).stream(chat()))

    assert [chunk.text for chunk in chunks[:-1]] == ["one ", "two ", "three"]
    completion = final(chunks)
    assert completion.text == "one two three"
    assert (completion.finish_reason, completion.completion_tokens) == ("stop", 3)
    assert fake_openai.requests[0].json["stream_options"] == {"include_usage": True}


def test_async_complete_and_stream(fake_openai: FakeOpenAIServer) -> None:
    provider = provider_for(fake_openai)
    fake_openai.reply("first answer", "second answer")

    completion = asyncio.run(provider.acomplete(chat()))
    chunks = asyncio.run(collect(provider.astream(chat())))

    assert completion.text == "first answer"
    assert "".join(chunk.text for chunk in chunks) == "second answer"
    assert final(chunks).prompt_tokens == 5


def test_a_truncated_answer_keeps_its_finish_reason(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Behaviour(text="cut here", finish_reason="length"))

    assert provider_for(fake_openai).complete(chat()).finish_reason == "length"


def test_latency_is_measured_around_the_call(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.latency_s = 0.2

    assert provider_for(fake_openai).complete(chat()).latency_ms >= 200


def test_parameters_reach_the_server(fake_openai: FakeOpenAIServer) -> None:
    request = chat(temperature=0.3, max_tokens=42, top_p=0.9, stop=("END",), seed=7)

    provider_for(fake_openai).complete(request)

    body = fake_openai.requests[0].json
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"][0] == {"role": "system", "content": "You are terse."}
    assert (body["temperature"], body["max_tokens"], body["top_p"]) == (0.3, 42, 0.9)
    assert (body["stop"], body["seed"]) == (["END"], 7)


def test_unset_parameters_are_left_out(fake_openai: FakeOpenAIServer) -> None:
    provider_for(fake_openai).complete(chat())

    body = fake_openai.requests[0].json
    assert not {"max_tokens", "top_p", "stop", "seed", "stream"} & set(body)
    assert body["temperature"] == 0.0


def test_reasoning_models_get_max_completion_tokens_and_no_temperature(
    fake_openai: FakeOpenAIServer,
) -> None:
    request = chat(max_tokens=50).model_copy(update={"model": "o4-mini"})

    provider_for(fake_openai).complete(request)

    body = fake_openai.requests[0].json
    assert body["max_completion_tokens"] == 50
    assert not {"max_tokens", "temperature"} & set(body)


# --- the key -----------------------------------------------------------------------------------


def test_the_key_reaches_the_server_and_nowhere_else(
    fake_openai: FakeOpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    provider = provider_for(fake_openai)
    fake_openai.script(
        status(401, message=f"Incorrect API key provided: {KEY}"),
        status(400, message=f"bad request from {KEY}"),
    )

    errors = [_error_of(lambda: provider.complete(chat())) for _ in range(2)]
    provider.complete(chat())

    assert fake_openai.requests[-1].headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in repr(provider)
    assert all(KEY not in str(error) for error in errors)
    assert KEY not in caplog.text
    assert all(KEY not in value for value in os.environ.values())


def test_a_local_server_needs_no_key(fake_openai: FakeOpenAIServer) -> None:
    provider = create(ProviderConfig(base_url=fake_openai.base_url))

    assert provider.complete(chat()).text == "echo: hello there"
    assert fake_openai.requests[0].headers["authorization"] == f"Bearer {LOCAL_SERVER_KEY}"


def test_without_key_or_base_url_nothing_is_sent(fake_openai: FakeOpenAIServer) -> None:
    with pytest.raises(ProviderNotConfiguredError, match="OPENAI_API_KEY"):
        create(ProviderConfig())
    assert fake_openai.requests == []


# --- failures ----------------------------------------------------------------------------------


def _error_of(call: Callable[[], object]) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        call()
    return caught.value


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
    pytest.param(refuse(), ContentRefusedError, id="content-filter"),
]


@pytest.mark.parametrize(("behaviour", "expected"), FAULTS)
def test_each_fault_maps_to_one_typed_error_after_one_request(
    fake_openai: FakeOpenAIServer, behaviour: Behaviour, expected: type[ProviderError]
) -> None:
    fake_openai.script(behaviour)

    error = _error_of(lambda: provider_for(fake_openai, timeout_s=0.5).complete(chat()))

    assert type(error) is expected
    assert len(fake_openai.requests) == 1


@pytest.mark.parametrize(
    ("behaviour", "expected"),
    [
        pytest.param(cut_stream_after(3), ProviderUnavailableError, id="cut"),
        pytest.param(malformed_json(), ProviderUnavailableError, id="malformed"),
        pytest.param(status(429, retry_after="1"), RateLimitedError, id="429"),
        pytest.param(status(500), ProviderUnavailableError, id="500"),
        pytest.param(hang(3), ProviderTimeoutError, id="hang"),
        pytest.param(refuse(), ContentRefusedError, id="content-filter"),
    ],
)
def test_stream_faults_map_to_typed_errors(
    fake_openai: FakeOpenAIServer, behaviour: Behaviour, expected: type[ProviderError]
) -> None:
    fake_openai.script(behaviour, behaviour)
    provider = provider_for(fake_openai, timeout_s=0.5)

    assert type(_error_of(lambda: list(provider.stream(chat())))) is expected
    assert type(_error_of(lambda: asyncio.run(collect(provider.astream(chat()))))) is expected
    assert len(fake_openai.requests) == 2


def test_a_cut_stream_has_already_yielded_its_first_words(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(cut_stream_after(3))
    received: list[str] = []

    with pytest.raises(ProviderUnavailableError):
        for chunk in provider_for(fake_openai).stream(chat("a b c d e f")):
            received.append(chunk.text)

    assert "".join(received) == "echo: a "


@pytest.mark.parametrize(
    ("behaviour", "expected"),
    [
        pytest.param(status(429, retry_after="2"), RateLimitedError, id="429"),
        pytest.param(status(401), BadCredentialsError, id="401"),
        pytest.param(hang(3), ProviderTimeoutError, id="hang"),
        pytest.param(malformed_json(), ProviderUnavailableError, id="malformed"),
    ],
)
def test_async_faults_map_to_typed_errors(
    fake_openai: FakeOpenAIServer, behaviour: Behaviour, expected: type[ProviderError]
) -> None:
    fake_openai.script(behaviour)
    provider = provider_for(fake_openai, timeout_s=0.5)

    error = _error_of(lambda: asyncio.run(provider.acomplete(chat())))

    assert type(error) is expected
    assert len(fake_openai.requests) == 1


def test_rate_limit_carries_the_retry_after_header(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(status(429, retry_after="7"))

    error = _error_of(lambda: provider_for(fake_openai).complete(chat()))

    assert isinstance(error, RateLimitedError)
    assert error.retry_after_s == 7.0
    assert error.retryable


def test_an_unreachable_server_is_unavailable(fake_openai: FakeOpenAIServer) -> None:
    provider = provider_for(fake_openai)
    fake_openai.stop()

    assert type(_error_of(lambda: provider.complete(chat()))) is ProviderUnavailableError


def test_credentials_in_the_base_url_are_in_no_message(
    fake_openai: FakeOpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The URL is named without its user info or query values, also when the transport's or
    the server's own text quotes them."""
    caplog.set_level(logging.DEBUG)
    password, token = "pw-in-url-3318", "tok-in-url-9904"
    host = fake_openai.base_url.removeprefix("http://")
    answering = provider_for_url(f"http://u:{password}@{host}")
    fake_openai.script(status(500, message=f"upstream said {password} twice: {password}"))
    refused = provider_for_url(f"http://u:{password}@127.0.0.1:{free_port()}/v1?token={token}")

    errors = [
        _error_of(lambda: answering.complete(chat())),
        _error_of(lambda: refused.complete(chat())),
        _error_of(lambda: list(refused.stream(chat()))),
        _error_of(lambda: asyncio.run(refused.acomplete(chat()))),
    ]

    assert str(errors[0]).endswith("(HTTP 500): upstream said *** twice: ***")
    assert all("/v1?token=***" in str(error) for error in errors[1:])
    shown = " ".join(str(error) for error in errors) + repr(refused) + caplog.text
    assert password not in shown and token not in shown


def provider_for_url(url: str) -> OpenAIProvider:
    return create(ProviderConfig(api_key=SecretStr(KEY), base_url=url, timeout_s=5.0))


# --- the rest of the provider surface --------------------------------------------------------


def test_retry_after_accepts_seconds_milliseconds_and_http_dates() -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)

    assert retry_after_seconds({"Retry-After": "3"}) == 3.0
    assert retry_after_seconds({"retry-after-ms": "1500", "Retry-After": "2"}) == 1.5
    assert 25 < (retry_after_seconds({"Retry-After": later}) or 0) <= 30
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_models_are_listed_without_the_network(fake_openai: FakeOpenAIServer) -> None:
    official = create(ProviderConfig(api_key=SecretStr(KEY)))
    local = create(ProviderConfig(base_url=fake_openai.base_url, model="llama3.2"))

    assert official.models()[0] == "gpt-4o-mini"
    assert local.models() == ["llama3.2"]
    assert fake_openai.requests == []
    assert local.remote_models() == ["fake-model"]


def test_the_registry_builds_it_as_a_chat_provider(fake_openai: FakeOpenAIServer) -> None:
    config = ProviderConfig(api_key=SecretStr(KEY), base_url=fake_openai.base_url)

    provider = ProviderRegistry(load_plugins=False).create("openai", config)

    assert isinstance(provider, OpenAIProvider)
    assert isinstance(provider, ChatProvider)
    assert provider.name == "openai"
