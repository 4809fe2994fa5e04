"""Google Gemini through the ``google-genai`` SDK.

The SDK does the HTTP; this module translates our chat into Gemini's shape (system
messages become ``system_instruction``, the assistant is the "model" role), the answer
into a ``Completion`` and the SDK's exceptions into our typed errors. The SDK's retries
are switched off (``HttpRetryOptions(attempts=1)``): the gateway decides when to retry.

SDK quirks handled here: timeouts are given in milliseconds; sync calls go through
httpx/httpx2 while async calls use aiohttp when it is installed, so transport errors of
every one of those libraries are translated.
"""

from __future__ import annotations

import importlib
import json
import re
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

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
    from google.genai import errors as genai_errors
    from google.genai import types

DEFAULT_MODEL = "gemini-2.5-flash"
# Given explicitly so GOOGLE_GEMINI_BASE_URL in the environment cannot redirect calls.
DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/"
GEMINI_MODELS = ["gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.5-pro", "gemini-2.0-flash"]
# Finish reasons meaning the provider withheld the answer rather than finished it.
REFUSAL_REASONS = frozenset(
    {"safety", "blocklist", "prohibited_content", "spii", "recitation", "image_safety"}
)
WHERE = "Gemini"


class GeminiProvider(BaseProvider):
    """Gemini chat through ``google-genai``, sync and async, streamed or not."""

    name = "gemini"
    default_model = DEFAULT_MODEL

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        default_model: str = DEFAULT_MODEL,
        timeout_s: float = 60.0,
        api_version: str | None = None,
    ) -> None:
        from google import genai
        from google.genai import types

        redact_http_client_logs()  # the HTTP client logs each request's full URL
        self.default_model = default_model
        self.base_url = base_url
        self.timeout_s = timeout_s
        self._api_key = api_key
        http_options = types.HttpOptions(
            base_url=base_url,
            api_version=api_version,
            timeout=max(1, round(timeout_s * 1000)),
            retry_options=types.HttpRetryOptions(attempts=1),
        )
        # vertexai=False: never let GOOGLE_GENAI_USE_VERTEXAI switch the backend under us.
        self._client = genai.Client(api_key=api_key, vertexai=False, http_options=http_options)

    def __repr__(self) -> str:
        shown = redact_url(self.base_url)
        return f"GeminiProvider(default_model={self.default_model!r}, base_url={shown!r})"

    def models(self) -> list[str]:
        """Known models, without a network call."""
        return list(dict.fromkeys([self.default_model, *GEMINI_MODELS]))

    def close(self) -> None:
        """Release the sync client's connections."""
        self._client.close()

    # --- calls -----------------------------------------------------------------------------

    def complete(self, request: ChatRequest) -> Completion:
        started = time.perf_counter()
        with self._translated_errors():
            response = self._client.models.generate_content(**self._arguments(request))
        state = _ResponseState(model=self._model(request))
        state.add(response)
        return state.completion(_elapsed_ms(started), streamed=False)

    def stream(self, request: ChatRequest) -> Iterator[StreamChunk]:
        started = time.perf_counter()
        state = _ResponseState(model=self._model(request))
        with self._translated_errors():
            for response in self._client.models.generate_content_stream(**self._arguments(request)):
                text = state.add(response)
                if text:
                    yield StreamChunk(text=text)
        yield StreamChunk(completion=state.completion(_elapsed_ms(started), streamed=True))

    async def acomplete(self, request: ChatRequest) -> Completion:
        started = time.perf_counter()
        with self._translated_errors():
            response = await self._client.aio.models.generate_content(**self._arguments(request))
        state = _ResponseState(model=self._model(request))
        state.add(response)
        return state.completion(_elapsed_ms(started), streamed=False)

    async def astream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        started = time.perf_counter()
        state = _ResponseState(model=self._model(request))
        with self._translated_errors():
            responses = await self._client.aio.models.generate_content_stream(
                **self._arguments(request)
            )
            async for response in responses:
                text = state.add(response)
                if text:
                    yield StreamChunk(text=text)
        yield StreamChunk(completion=state.completion(_elapsed_ms(started), streamed=True))

    # --- translation -----------------------------------------------------------------------

    def _model(self, request: ChatRequest) -> str:
        return request.model or self.default_model

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        """SDK arguments: system text apart, chat turns as user/model contents."""
        from google.genai import types

        params = request.params
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        contents = [
            types.Content(
                role="model" if m.role == "assistant" else "user",
                parts=[types.Part(text=m.content)],
            )
            for m in request.messages
            if m.role != "system"
        ]
        config = types.GenerateContentConfig(
            system_instruction=system or None,
            temperature=params.temperature,
            max_output_tokens=params.max_tokens,
            top_p=params.top_p,
            stop_sequences=list(params.stop) if params.stop else None,
            seed=params.seed,
            # No tools are passed; this also keeps the SDK from logging about AFC per call.
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )
        return {"model": self._model(request), "contents": contents, "config": config}

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        """Turn SDK and transport exceptions into our typed errors, without the SDK's text;
        a transport's reason may quote the URL, so the final message is redacted."""
        secrets = [self._api_key, *url_secrets(self.base_url)]
        try:
            yield
        except ProviderError as error:
            redact_error(error, secrets)
            raise
        except Exception as error:
            translated = translate_error(error, key=self._api_key, timeout_s=self.timeout_s)
            if translated is None:
                raise
            raise redact_error(translated, secrets) from None


@dataclass
class _ResponseState:
    """What the response (or the stream of responses) has said so far."""

    model: str
    parts: list[str] = field(default_factory=list)
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    seen_candidate: bool = False

    def add(self, response: types.GenerateContentResponse) -> str:
        """Absorb one response (or stream chunk) and return its new text."""
        feedback = response.prompt_feedback
        if feedback is not None and feedback.block_reason is not None:
            reason = _lower(feedback.block_reason)
            raise ContentRefusedError(f"{WHERE} blocked the prompt ({reason})")
        self.model = response.model_version or self.model
        usage = response.usage_metadata
        if usage is not None:
            self.prompt_tokens = usage.prompt_token_count
            # Thinking tokens are billed as output, so they count as completion tokens.
            answer_tokens = (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)
            self.completion_tokens = answer_tokens or usage.candidates_token_count
        if not response.candidates:
            return ""
        self.seen_candidate = True
        candidate = response.candidates[0]
        self.finish_reason = _lower(candidate.finish_reason) or self.finish_reason
        parts = candidate.content.parts if candidate.content else None
        text = "".join(p.text for p in parts or [] if p.text and not p.thought)
        self.parts.append(text)
        return text

    def completion(self, latency_ms: float, *, streamed: bool) -> Completion:
        """The final ``Completion``, or the typed error the response amounts to."""
        if not self.seen_candidate:
            raise ProviderUnavailableError(f"{WHERE} returned a malformed response")
        if streamed and self.finish_reason is None:
            raise ProviderUnavailableError(f"{WHERE} ended the stream before the answer")
        if self.finish_reason in REFUSAL_REASONS:
            raise ContentRefusedError(f"{WHERE} withheld the answer ({self.finish_reason})")
        return Completion(
            text="".join(self.parts),
            finish_reason=self.finish_reason,
            provider="gemini",
            model=self.model,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            latency_ms=latency_ms,
        )


def create(config: ProviderConfig) -> GeminiProvider:
    """Registry factory: Gemini always needs a key, even behind a custom base_url."""
    key = config.api_key.get_secret_value().strip() if config.api_key else ""
    if not key:
        raise ProviderNotConfiguredError(
            "GEMINI_API_KEY (or GOOGLE_API_KEY) is not set: add your Gemini key to the settings"
        )
    return GeminiProvider(
        api_key=key,
        base_url=config.base_url or DEFAULT_BASE_URL,
        default_model=config.model or DEFAULT_MODEL,
        timeout_s=config.timeout_s,
        api_version=config.options.get("api_version"),
    )


# --- error translation ------------------------------------------------------------------------


def translate_error(error: Exception, *, key: str, timeout_s: float) -> ProviderError | None:
    """Our typed error for an SDK or transport exception, or None when it is neither."""
    from google.genai import errors as genai_errors

    timeouts, failures = _transport_errors()
    if isinstance(error, genai_errors.APIError):
        return _status_error(error, key=key)
    if isinstance(error, genai_errors.UnknownApiResponseError | json.JSONDecodeError):
        return ProviderUnavailableError(f"{WHERE} returned a malformed response")
    if isinstance(error, ValidationError):
        return ProviderUnavailableError(f"{WHERE} returned a malformed response")
    if isinstance(error, timeouts):
        return ProviderTimeoutError(f"{WHERE} did not answer within {timeout_s:g} s")
    if isinstance(error, failures):
        return ProviderUnavailableError(f"connection to {WHERE} failed: {_describe(error, key)}")
    return None


def _status_error(error: genai_errors.APIError, *, key: str) -> ProviderError:
    """Map an HTTP error status; the server's own message is kept only where it helps."""
    code = error.code
    detail = _scrub(str(error.message or error.status or "error"), key)
    if code in (401, 403) or "API_KEY_INVALID" in str(error.details):
        # Gemini answers an invalid key with 400 INVALID_ARGUMENT + reason API_KEY_INVALID.
        return BadCredentialsError(f"{WHERE} rejected the API key (HTTP {code})")
    if code == 429:
        headers = getattr(error.response, "headers", None)
        wait = retry_after_seconds(headers) or _retry_delay(error.details)
        return RateLimitedError(f"{WHERE} is rate limiting requests (HTTP 429)", wait)
    if code == 408:
        return ProviderTimeoutError(f"{WHERE} timed out (HTTP 408)")
    if code is not None and code >= 500:
        return ProviderUnavailableError(f"{WHERE} is unavailable (HTTP {code}): {detail}")
    return BadRequestError(f"{WHERE} refused the request (HTTP {code}): {detail}")


def _retry_delay(details: Any) -> float | None:
    """Gemini's own hint: ``RetryInfo.retryDelay`` such as "37s" in the error details."""
    error = details.get("error", details) if isinstance(details, Mapping) else None
    entries = error.get("details") if isinstance(error, Mapping) else None
    for entry in entries if isinstance(entries, list) else []:
        delay = entry.get("retryDelay") if isinstance(entry, Mapping) else None
        match = re.fullmatch(r"(\d+(?:\.\d+)?)s", str(delay or ""))
        if match:
            return float(match[1])
    return None


def _transport_errors() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """(timeouts, other transport failures) of whichever HTTP libraries are installed."""
    timeouts: list[type[BaseException]] = [TimeoutError]  # also asyncio's and aiohttp's
    failures: list[type[BaseException]] = [ConnectionError]
    for name in ("httpx", "httpx2"):
        module = _optional_module(name)
        if module is not None:
            timeouts.append(module.TimeoutException)
            failures.append(module.TransportError)
    aiohttp = _optional_module("aiohttp")
    if aiohttp is not None:
        failures.append(aiohttp.ClientError)
    return tuple(timeouts), tuple(failures)


def _optional_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _lower(value: Any) -> str | None:
    """Enum or string to lower case ("STOP" -> "stop"); unspecified means unknown."""
    if value is None:
        return None
    text = str(getattr(value, "value", value)).lower()
    return None if text.endswith("_unspecified") else text


def _describe(error: BaseException, key: str) -> str:
    return _scrub(str(error), key) or type(error).__name__


def _scrub(text: str, key: str) -> str:
    """Servers sometimes echo the key back; never let it into a message."""
    return text.replace(key, "***") if key else text


def _elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
