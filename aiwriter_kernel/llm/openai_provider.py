"""OpenAI chat completions, and every server that speaks the same API.

With ``base_url`` set, the same provider talks to Ollama, vLLM, llama.cpp or LM Studio.
The official ``openai`` SDK does the HTTP; this module only translates our request into
its arguments, its answer into a ``Completion`` and its exceptions into our typed errors.
The SDK's own retries are switched off: the gateway decides when to retry.

The SDK is imported inside the functions that need it, so importing this module (which
``gemini_provider`` does for ``retry_after_seconds``) stays cheap.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
from aiwriter_kernel.llm.messages import ChatRequest, Completion, StreamChunk
from aiwriter_kernel.llm.provider import BaseProvider
from aiwriter_kernel.llm.registry import ProviderConfig
from aiwriter_kernel.llm.retry_after import retry_after_seconds
from aiwriter_kernel.redaction import (
    redact_error,
    redact_http_client_logs,
    redact_url,
    url_secrets,
)

if TYPE_CHECKING:
    import openai

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Local servers ignore the key, but the SDK refuses to start without one.
LOCAL_SERVER_KEY = "not-needed"
OPENAI_MODELS = ["gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o4-mini"]
# Reasoning models reject ``max_tokens`` and any temperature/top_p but the default.
REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")
REFUSAL_CODES = ("content_filter", "content_policy_violation")


class OpenAIProvider(BaseProvider):
    """Chat completions through the ``openai`` SDK, sync and async, streamed or not."""

    name = "openai"
    default_model = DEFAULT_MODEL

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        default_model: str = DEFAULT_MODEL,
        timeout_s: float = 60.0,
        organization: str | None = None,
        project: str | None = None,
    ) -> None:
        import openai

        redact_http_client_logs()  # the HTTP client logs each request's full URL
        self.default_model = default_model
        self.base_url = base_url
        self.timeout_s = timeout_s
        # Kept only to build async clients (one per event loop); SecretStr hides it in repr.
        self._api_key = SecretStr(api_key)
        self._client_options: dict[str, Any] = {
            "base_url": base_url,
            "timeout": timeout_s,
            "max_retries": 0,
            "organization": organization,
            "project": project,
        }
        self._client = openai.OpenAI(api_key=api_key, **self._client_options)
        self._async_clients: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, openai.AsyncOpenAI
        ] = weakref.WeakKeyDictionary()

    def __repr__(self) -> str:
        shown = redact_url(self.base_url)
        return f"OpenAIProvider(default_model={self.default_model!r}, base_url={shown!r})"

    @property
    def _where(self) -> str:
        """How messages name the server: users of local servers should see their URL, but
        never the password or token it may carry."""
        if self.base_url.rstrip("/") == DEFAULT_BASE_URL:
            return "OpenAI"
        return f"the OpenAI-compatible server at {redact_url(self.base_url)}"

    @property
    def _secrets(self) -> list[str]:
        """What no message may quote: the key, and the base URL's credentials and query."""
        return [self._api_key.get_secret_value(), *url_secrets(self.base_url)]

    def models(self) -> list[str]:
        """Known models, without a network call; a custom server only knows its default."""
        if self.base_url.rstrip("/") != DEFAULT_BASE_URL:
            return [self.default_model]
        return list(dict.fromkeys([self.default_model, *OPENAI_MODELS]))

    def remote_models(self) -> list[str]:
        """Ask the server which models it serves (``GET /models``): handy for Ollama & co."""
        with self._translated_errors():
            return [model.id for model in self._client.models.list()]

    def close(self) -> None:
        """Release the sync client's connections (async clients close with their loop)."""
        self._client.close()

    # --- calls -----------------------------------------------------------------------------

    def complete(self, request: ChatRequest) -> Completion:
        started = time.perf_counter()
        with self._translated_errors():
            response = self._client.chat.completions.create(**self._arguments(request))
        return self._completion(response, self._model(request), started)

    def stream(self, request: ChatRequest) -> Iterator[StreamChunk]:
        started = time.perf_counter()
        state = _StreamState(model=self._model(request), where=self._where)
        with self._translated_errors():
            events = self._client.chat.completions.create(**self._arguments(request, stream=True))
            with events:
                for event in events:
                    text = state.add(event)
                    if text:
                        yield StreamChunk(text=text)
        yield StreamChunk(completion=state.completion(_elapsed_ms(started)))

    async def acomplete(self, request: ChatRequest) -> Completion:
        started = time.perf_counter()
        client = self._async_client()
        with self._translated_errors():
            response = await client.chat.completions.create(**self._arguments(request))
        return self._completion(response, self._model(request), started)

    async def astream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        started = time.perf_counter()
        state = _StreamState(model=self._model(request), where=self._where)
        client = self._async_client()
        with self._translated_errors():
            arguments = self._arguments(request, stream=True)
            events = await client.chat.completions.create(**arguments)
            try:
                async for event in events:
                    text = state.add(event)
                    if text:
                        yield StreamChunk(text=text)
            finally:
                await events.close()
        yield StreamChunk(completion=state.completion(_elapsed_ms(started)))

    # --- translation -----------------------------------------------------------------------

    def _model(self, request: ChatRequest) -> str:
        return request.model or self.default_model

    def _arguments(self, request: ChatRequest, *, stream: bool = False) -> dict[str, Any]:
        """SDK arguments; unset parameters are left out so the server's defaults apply."""
        model = self._model(request)
        params = request.params
        optional: dict[str, Any] = {
            "temperature": params.temperature,
            "max_tokens": params.max_tokens,
            "top_p": params.top_p,
            "stop": list(params.stop) if params.stop else None,
            "seed": params.seed,
        }
        if model.startswith(REASONING_PREFIXES):
            optional["max_completion_tokens"] = optional.pop("max_tokens")
            optional.pop("temperature")
            optional.pop("top_p")
        arguments: dict[str, Any] = {
            "model": model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        }
        arguments.update({name: value for name, value in optional.items() if value is not None})
        if stream:
            arguments["stream"] = True
            arguments["stream_options"] = {"include_usage": True}
        return arguments

    def _completion(self, response: Any, model: str, started: float) -> Completion:
        """Read the SDK's answer defensively: a local server may leave fields out."""
        choices = getattr(response, "choices", None)
        if not choices:
            raise ProviderUnavailableError(f"{self._where} returned a malformed response")
        choice = choices[0]
        message = getattr(choice, "message", None)
        _raise_if_refused(choice.finish_reason, getattr(message, "refusal", None), self._where)
        usage = getattr(response, "usage", None)
        return Completion(
            text=getattr(message, "content", None) or "",
            finish_reason=choice.finish_reason,
            provider="openai",
            model=getattr(response, "model", None) or model,
            prompt_tokens=getattr(usage, "prompt_tokens", None),
            completion_tokens=getattr(usage, "completion_tokens", None),
            latency_ms=_elapsed_ms(started),
        )

    def _async_client(self) -> openai.AsyncOpenAI:
        """One async client per event loop: pooled connections cannot cross loops."""
        import openai

        loop = asyncio.get_running_loop()
        client = self._async_clients.get(loop)
        if client is None:
            client = openai.AsyncOpenAI(
                api_key=self._api_key.get_secret_value(), **self._client_options
            )
            self._async_clients[loop] = client
        return client

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        """Turn SDK and transport exceptions into our typed errors, without the SDK's text.

        The final message is redacted, not only ``_where``: a transport's reason may quote
        the request URL, and a server may echo the key back."""
        try:
            yield
        except ProviderError as error:
            redact_error(error, self._secrets)
            raise
        except Exception as error:
            key = self._api_key.get_secret_value()
            translated = translate_error(
                error, where=self._where, key=key, timeout_s=self.timeout_s
            )
            if translated is None:
                raise
            raise redact_error(translated, self._secrets) from None


@dataclass
class _StreamState:
    """What the stream has said so far: text, finish reason, usage, model."""

    model: str
    where: str
    parts: list[str] = field(default_factory=list)
    finish_reason: str | None = None
    refusal: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    def add(self, event: Any) -> str:
        """Absorb one chunk and return its new text ("" when it carries none)."""
        self.model = getattr(event, "model", None) or self.model
        usage = getattr(event, "usage", None)
        if usage is not None:
            self.prompt_tokens = usage.prompt_tokens
            self.completion_tokens = usage.completion_tokens
        choices = getattr(event, "choices", None) or []
        if not choices:
            return ""
        choice = choices[0]
        self.finish_reason = choice.finish_reason or self.finish_reason
        delta = getattr(choice, "delta", None)
        self.refusal = getattr(delta, "refusal", None) or self.refusal
        text = getattr(delta, "content", None) or ""
        self.parts.append(text)
        return text

    def completion(self, latency_ms: float) -> Completion:
        """The final ``Completion``; a stream that never finished was cut short."""
        if self.finish_reason is None:
            raise ProviderUnavailableError(f"{self.where} ended the stream before the answer")
        _raise_if_refused(self.finish_reason, self.refusal, self.where)
        return Completion(
            text="".join(self.parts),
            finish_reason=self.finish_reason,
            provider="openai",
            model=self.model,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            latency_ms=latency_ms,
        )


def create(config: ProviderConfig) -> OpenAIProvider:
    """Registry factory: a key for OpenAI, or a ``base_url`` for a local server."""
    key = config.api_key.get_secret_value().strip() if config.api_key else ""
    if not key and not config.base_url:
        raise ProviderNotConfiguredError(
            "OPENAI_API_KEY is not set: add your OpenAI key to the settings, or set a "
            "base_url to use a local OpenAI-compatible server (Ollama, vLLM, LM Studio)"
        )
    return OpenAIProvider(
        api_key=key or LOCAL_SERVER_KEY,
        base_url=config.base_url or DEFAULT_BASE_URL,
        default_model=config.model or DEFAULT_MODEL,
        timeout_s=config.timeout_s,
        organization=config.options.get("organization"),
        project=config.options.get("project"),
    )


# --- error translation ------------------------------------------------------------------------


def translate_error(
    error: Exception, *, where: str, key: str, timeout_s: float
) -> ProviderError | None:
    """Our typed error for an SDK exception, or None when it is not a provider failure."""
    import openai

    if isinstance(error, openai.APITimeoutError):
        return ProviderTimeoutError(f"{where} did not answer within {timeout_s:g} s")
    if isinstance(error, openai.APIConnectionError):
        return ProviderUnavailableError(f"connection to {where} failed: {_cause(error, key)}")
    if isinstance(error, openai.APIStatusError):
        return _status_error(error, where=where, key=key)
    if isinstance(error, openai.APIResponseValidationError | json.JSONDecodeError):
        return ProviderUnavailableError(f"{where} returned a malformed response")
    if isinstance(error, openai.APIError):
        # An error event inside an otherwise successful stream.
        return ProviderUnavailableError(f"{where} reported an error: {_scrub(error.message, key)}")
    return None


def _status_error(error: openai.APIStatusError, *, where: str, key: str) -> ProviderError:
    """Map an HTTP error status; the server's own message is kept only where it helps."""
    code = error.status_code
    detail = _scrub(_server_message(error), key)
    if code in (401, 403):
        return BadCredentialsError(f"{where} rejected the API key (HTTP {code})")
    if code == 429:
        wait = retry_after_seconds(error.response.headers)
        return RateLimitedError(f"{where} is rate limiting requests (HTTP 429)", wait)
    if code == 408:
        return ProviderTimeoutError(f"{where} timed out (HTTP 408)")
    if code >= 500:
        return ProviderUnavailableError(f"{where} is unavailable (HTTP {code}): {detail}")
    if error.code in REFUSAL_CODES or "content_filter" in str(error.body):
        return ContentRefusedError(f"{where} refused the content: {detail}")
    return BadRequestError(f"{where} refused the request (HTTP {code}): {detail}")


def _raise_if_refused(finish_reason: str | None, refusal: str | None, where: str) -> None:
    if finish_reason == "content_filter":
        raise ContentRefusedError(f"{where} withheld the answer (content filter)")
    if refusal:
        raise ContentRefusedError(f"{where} refused to answer: {refusal}")


def _server_message(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, Mapping) and isinstance(body.get("message"), str):
        return body["message"]
    return f"{error.response.reason_phrase or 'error'}"


def _cause(error: BaseException, key: str) -> str:
    """The transport's reason (e.g. "connection refused"), which the SDK's message drops."""
    cause = error.__cause__
    return _scrub(str(cause), key) if cause and str(cause) else "connection error"


def _scrub(text: str, key: str) -> str:
    """Servers sometimes echo the key back; never let it into a message."""
    return text.replace(key, "***") if key else text


def _elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
