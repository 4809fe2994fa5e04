"""The provider protocol, and a base class giving every provider async variants for free.

A provider is small: it turns a ``ChatRequest`` into a ``Completion`` (or a stream of
``StreamChunk``). Retries, the circuit breaker, caching and the call log live in the
gateway around it, so a new provider (simonw/llm-style plugin) is a few dozen lines.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Protocol, runtime_checkable

from aiwriter_kernel.llm.messages import ChatRequest, Completion, StreamChunk


@runtime_checkable
class ChatProvider(Protocol):
    """What the gateway needs from a provider."""

    name: str
    default_model: str

    def models(self) -> list[str]:
        """Model names this provider knows it can serve (may be partial)."""
        ...

    def complete(self, request: ChatRequest) -> Completion: ...

    def stream(self, request: ChatRequest) -> Iterator[StreamChunk]: ...

    async def acomplete(self, request: ChatRequest) -> Completion: ...

    def astream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]: ...


class BaseProvider:
    """Defaults: streaming as one chunk, async by running the sync call in a thread.

    Providers with native streaming or async clients override those methods.
    """

    name: str = "base"
    default_model: str = ""

    def models(self) -> list[str]:
        return [self.default_model] if self.default_model else []

    def complete(self, request: ChatRequest) -> Completion:
        raise NotImplementedError

    def stream(self, request: ChatRequest) -> Iterator[StreamChunk]:
        completion = self.complete(request)
        yield StreamChunk(text=completion.text)
        yield StreamChunk(completion=completion)

    async def acomplete(self, request: ChatRequest) -> Completion:
        return await asyncio.to_thread(self.complete, request)

    async def astream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        chunks = await asyncio.to_thread(lambda: list(self.stream(request)))
        for chunk in chunks:
            yield chunk

    def __repr__(self) -> str:
        return f"{type(self).__name__}(default_model={self.default_model!r})"
