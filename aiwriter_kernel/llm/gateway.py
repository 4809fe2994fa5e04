"""The model gateway: the single path from a pipeline to a provider.

It checks the request before anything is sent, serves identical requests from the
response cache, wraps the provider in retries, a circuit breaker and a concurrency limit,
and writes every call — hits and failures too — to the call log with its provenance.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import SecretStr

from aiwriter_kernel.config import Settings
from aiwriter_kernel.errors import AIWriterError, PromptError
from aiwriter_kernel.llm.messages import (
    ChatMessage,
    ChatRequest,
    Completion,
    GenerationParams,
    StreamChunk,
)
from aiwriter_kernel.llm.pricing import estimate_cost
from aiwriter_kernel.llm.provider import ChatProvider
from aiwriter_kernel.llm.registry import ProviderConfig, ProviderRegistry
from aiwriter_kernel.llm.resilience import ProviderGuard, ResiliencePolicy
from aiwriter_kernel.llm.tasks import Task
from aiwriter_kernel.llm.templates import render_task
from aiwriter_kernel.redaction import redact_error, url_secrets
from aiwriter_kernel.store.generations import GenerationsRepository
from aiwriter_kernel.store.records import NewGeneration

CachePolicy = bool | Literal["auto"]
MAX_PROMPT_CHARS = 400_000  # ~100k tokens: beyond any model we support


def input_hash(provider: str, request: ChatRequest, revision: str = "") -> str:
    """What identifies an answer: provider (and its code revision, for local providers whose
    behaviour changes with the code), model, every message and every parameter."""
    payload = {"provider": provider, "revision": revision, **request.model_dump(mode="json")}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def use_cache(policy: CachePolicy, params: GenerationParams) -> bool:
    """``auto`` caches only deterministic requests (temperature 0)."""
    return params.temperature == 0 if policy == "auto" else bool(policy)


class CompletionStream:
    """Iterate for text pieces; ``completion`` holds the whole answer once iteration ends."""

    def __init__(self, chunks: Iterator[StreamChunk]) -> None:
        self._chunks = chunks
        self.completion: Completion | None = None

    def __iter__(self) -> Iterator[str]:
        for chunk in self._chunks:
            if chunk.completion is not None:
                self.completion = chunk.completion
            if chunk.text:
                yield chunk.text

    def text(self) -> str:
        """Consume the stream and return the full text."""
        return "".join(self)


class ModelGateway:
    """Providers by name, each behind its guard, with the cache and the call log."""

    def __init__(
        self,
        settings: Settings,
        generations: GenerationsRepository,
        *,
        registry: ProviderRegistry | None = None,
        policy: ResiliencePolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self.generations = generations
        self.registry = registry or ProviderRegistry()
        self.policy = policy or ResiliencePolicy()
        self._lock = threading.Lock()
        self._providers: dict[tuple[str, str], ChatProvider] = {}
        self._guards: dict[str, ProviderGuard] = {}

    # -- choosing a provider ---------------------------------------------------------------

    def config_for(self, name: str, model: str | None = None) -> ProviderConfig:
        """Credentials and options for ``name`` from settings, passed explicitly."""
        settings = self.settings
        if model is None and name == settings.provider:
            model = settings.model
        keys: dict[str, SecretStr | None] = {
            "openai": settings.openai_api_key,
            "gemini": settings.gemini_api_key,
        }
        base_url = settings.openai_base_url if name == "openai" else None
        options = {"cache_dir": str(settings.home / "models")} if name == "hf" else {}
        return ProviderConfig(
            api_key=keys.get(name), base_url=base_url, model=model, options=options
        )

    def provider(
        self,
        name: str | None = None,
        *,
        model: str | None = None,
        credentials: ProviderConfig | None = None,
    ) -> ChatProvider:
        """The provider instance for ``name`` (created once per configuration)."""
        name = name or self.settings.provider
        config = credentials or self.config_for(name, model)
        if model is not None and config.model != model:
            config = config.model_copy(update={"model": model})
        with self._lock:
            key = (name, _config_key(config))
            if key not in self._providers:
                self._providers[key] = self.registry.create(name, config)
            return self._providers[key]

    def guard(self, name: str) -> ProviderGuard:
        with self._lock:
            if name not in self._guards:
                self._guards[name] = ProviderGuard(name, self.policy, sleep=self._sleep)
            return self._guards[name]

    # -- calls -----------------------------------------------------------------------------

    def complete(
        self,
        prompt: str | Sequence[ChatMessage],
        *,
        provider: str | None = None,
        model: str | None = None,
        system: str | None = None,
        params: GenerationParams | None = None,
        cache: CachePolicy = "auto",
        credentials: ProviderConfig | None = None,
        template: tuple[str, str] | None = None,
        workspace_id: int | None = None,
        draft_id: int | None = None,
    ) -> Completion:
        """One completion through cache, guard and call log."""
        chosen = self.provider(provider, model=model, credentials=credentials)
        request = self._request(chosen, model, _messages(prompt, system), params)
        call = _Call(chosen, request, cache, template, workspace_id, draft_id, credentials)
        return self._run(call, lambda: chosen.complete(request))

    async def acomplete(
        self,
        prompt: str | Sequence[ChatMessage],
        *,
        provider: str | None = None,
        model: str | None = None,
        system: str | None = None,
        params: GenerationParams | None = None,
        cache: CachePolicy = "auto",
        credentials: ProviderConfig | None = None,
    ) -> Completion:
        """The async twin of ``complete`` for many concurrent calls; the store work runs in
        a thread so the event loop keeps serving other calls."""
        chosen = self.provider(provider, model=model, credentials=credentials)
        request = self._request(chosen, model, _messages(prompt, system), params)
        call = _Call(chosen, request, cache, credentials=credentials)
        if call.cacheable:
            cached = await asyncio.to_thread(self._cached, call)
            if cached is not None:
                return cached
        started = time.perf_counter()
        try:
            completion = await self.guard(chosen.name).acall(lambda: chosen.acomplete(request))
        except AIWriterError as error:
            await asyncio.to_thread(self._log_failure, call, error, started)
            raise
        return await asyncio.to_thread(self._finish, call, completion, started)

    def run_task(
        self,
        task: Task,
        *,
        provider: str | None = None,
        model: str | None = None,
        params: GenerationParams | None = None,
        cache: CachePolicy = "auto",
        credentials: ProviderConfig | None = None,
        workspace_id: int | None = None,
        draft_id: int | None = None,
    ) -> Completion:
        """Execute a typed task: rendered through its template for chat models, composed
        directly by the offline provider. Either way it is cached and logged the same."""
        rendered = render_task(task)
        chosen = self.provider(provider, model=model, credentials=credentials)
        request = self._request(chosen, model, rendered.messages, params)
        run_task = getattr(chosen, "run_task", None)
        prompt_words = sum(len(m.content.split()) for m in rendered.messages)
        template = (rendered.template, rendered.template_version)
        call = _Call(chosen, request, cache, template, workspace_id, draft_id, credentials)
        if run_task is not None:
            return self._run(call, lambda: run_task(task, prompt_words))
        return self._run(call, lambda: chosen.complete(request))

    def stream(
        self,
        prompt: str | Sequence[ChatMessage],
        *,
        provider: str | None = None,
        model: str | None = None,
        system: str | None = None,
        params: GenerationParams | None = None,
        cache: CachePolicy = "auto",
        credentials: ProviderConfig | None = None,
        workspace_id: int | None = None,
        draft_id: int | None = None,
    ) -> CompletionStream:
        """Text pieces as the provider produces them; logged when the stream ends."""
        chosen = self.provider(provider, model=model, credentials=credentials)
        request = self._request(chosen, model, _messages(prompt, system), params)
        call = _Call(chosen, request, cache, None, workspace_id, draft_id, credentials)
        return CompletionStream(self._stream_chunks(call))

    def _stream_chunks(self, call: _Call) -> Iterator[StreamChunk]:
        chosen, request = call.provider, call.request
        cached = self._cached(call)
        if cached is not None:
            yield StreamChunk(text=cached.text)
            yield StreamChunk(completion=cached)
            return
        started = time.perf_counter()
        pieces: list[str] = []
        completion: Completion | None = None
        try:
            for chunk in self.guard(chosen.name).stream(lambda: chosen.stream(request)):
                pieces.append(chunk.text)
                completion = chunk.completion or completion
                if chunk.text:
                    yield StreamChunk(text=chunk.text)
        except AIWriterError as error:
            self._log_failure(call, error, started)
            raise
        completion = completion or Completion(
            text="".join(pieces), provider=chosen.name, model=request.model
        )
        completion = self._finish(call, completion, started)
        yield StreamChunk(completion=completion)

    # -- internals -------------------------------------------------------------------------

    def _request(
        self,
        chosen: ChatProvider,
        model: str | None,
        messages: Sequence[ChatMessage],
        params: GenerationParams | None,
    ) -> ChatRequest:
        """Validate before anything is sent: empty or oversized prompts never leave."""
        if not any(m.content.strip() for m in messages if m.role == "user"):
            raise PromptError("the prompt is empty: give some text to complete")
        size = sum(len(m.content) for m in messages)
        if size > MAX_PROMPT_CHARS:
            raise PromptError(
                f"the prompt is {size:,} characters, over the {MAX_PROMPT_CHARS:,} limit: "
                "shorten it or split the work"
            )
        model_name = model or getattr(chosen, "model", None) or chosen.default_model
        return ChatRequest(
            messages=tuple(messages), model=model_name, params=params or GenerationParams()
        )

    def _run(self, call: _Call, send: Callable[[], Completion]) -> Completion:
        cached = self._cached(call)
        if cached is not None:
            return cached
        started = time.perf_counter()
        try:
            completion = self.guard(call.provider.name).call(send)
        except AIWriterError as error:
            self._log_failure(call, error, started)
            raise
        return self._finish(call, completion, started)

    def _cached(self, call: _Call) -> Completion | None:
        """The stored answer to the same request, logged as a cache hit; None on a miss."""
        if not call.cacheable:
            return None
        started = time.perf_counter()
        hit = self.generations.find_cached(call.provider.name, call.request.model, call.digest)
        if hit is None:
            return None
        completion = Completion(
            text=hit.output or "",
            finish_reason=hit.finish_reason,
            provider=call.provider.name,
            model=hit.model,
            prompt_tokens=hit.prompt_tokens,
            completion_tokens=hit.completion_tokens,
            latency_ms=(time.perf_counter() - started) * 1000,
            cost_usd=0.0,
            cache_hit=True,
        )
        self.generations.log(call.record(completion=completion))
        return completion

    def _finish(self, call: _Call, completion: Completion, started: float) -> Completion:
        """Price the answer, log it, return it."""
        cost = completion.cost_usd
        if cost is None:
            cost = estimate_cost(
                call.provider.name,
                completion.model,
                completion.prompt_tokens,
                completion.completion_tokens,
            )
        completion = completion.model_copy(
            update={
                "cost_usd": cost,
                "latency_ms": completion.latency_ms or (time.perf_counter() - started) * 1000,
            }
        )
        self.generations.log(call.record(completion=completion))
        return completion

    def _log_failure(self, call: _Call, error: AIWriterError, started: float) -> None:
        """Log a failed call. The error is redacted first, in place: it is raised on to the
        caller (an API answer, a job's error and events), and no provider, built in or
        plugged in, may put a key or a URL's password or token in front of a user."""
        secrets = [*self.settings.secrets(), *_credential_secrets(call.credentials)]
        redact_error(error, secrets)
        self.generations.log(
            call.record(
                latency_ms=(time.perf_counter() - started) * 1000,
                error=f"{type(error).__name__}: {error}",
            )
        )


@dataclass
class _Call:
    """One request on its way through the gateway, with what its call-log row needs."""

    provider: ChatProvider
    request: ChatRequest
    cache: CachePolicy = "auto"
    template: tuple[str, str] | None = None
    workspace_id: int | None = None
    draft_id: int | None = None
    credentials: ProviderConfig | None = None
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        revision = getattr(self.provider, "revision", "")
        self.digest = input_hash(self.provider.name, self.request, revision)

    @property
    def cacheable(self) -> bool:
        return use_cache(self.cache, self.request.params)

    def record(
        self,
        *,
        completion: Completion | None = None,
        latency_ms: float | None = None,
        error: str | None = None,
    ) -> NewGeneration:
        """The call-log row for this call's answer (or its failure)."""
        name, version = self.template or (None, None)
        answer = {}
        if completion is not None:
            answer = {
                "model": completion.model or self.request.model,
                "output": completion.text,
                "finish_reason": completion.finish_reason,
                "prompt_tokens": completion.prompt_tokens,
                "completion_tokens": completion.completion_tokens,
                "latency_ms": completion.latency_ms,
                "cost_usd": completion.cost_usd,
                "cache_hit": completion.cache_hit,
            }
        return NewGeneration(
            **{"model": self.request.model, "latency_ms": latency_ms, "error": error, **answer},
            provider=self.provider.name,
            input_hash=self.digest,
            template=name,
            template_version=version,
            workspace_id=self.workspace_id,
            draft_id=self.draft_id,
        )


def _config_key(config: ProviderConfig) -> str:
    """A dict key for a configuration; the key enters it only as a digest."""
    secret = config.api_key.get_secret_value() if config.api_key else ""
    return json.dumps(
        [
            hashlib.sha256(secret.encode()).hexdigest(),
            config.base_url,
            config.model,
            config.timeout_s,
            config.options,
        ],
        sort_keys=True,
        default=str,
    )


def _credential_secrets(config: ProviderConfig | None) -> list[str]:
    """The secrets of credentials given for one call (a session's own key or endpoint)."""
    if config is None:
        return []
    key = config.api_key.get_secret_value() if config.api_key else ""
    return [key, *url_secrets(config.base_url)]


def _messages(prompt: str | Sequence[ChatMessage], system: str | None) -> list[ChatMessage]:
    messages = (
        [ChatMessage(role="user", content=prompt)] if isinstance(prompt, str) else list(prompt)
    )
    if system:
        messages.insert(0, ChatMessage(role="system", content=system))
    return messages
