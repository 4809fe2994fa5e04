"""The provider layer's vocabulary: chat messages in, a completion (or a stream of text) out."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["system", "user", "assistant"]


class ChatMessage(BaseModel):
    """One message of a chat."""

    model_config = ConfigDict(frozen=True)

    role: Role
    content: str


class GenerationParams(BaseModel):
    """Sampling settings shared by every provider; ``None`` means the provider's default."""

    model_config = ConfigDict(frozen=True)

    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, gt=0, le=200_000)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    stop: tuple[str, ...] | None = None
    seed: int | None = None


class ChatRequest(BaseModel):
    """Everything a provider needs for one call; its hash keys the response cache."""

    model_config = ConfigDict(frozen=True)

    messages: tuple[ChatMessage, ...]
    model: str
    params: GenerationParams = GenerationParams()


class Completion(BaseModel):
    """A finished answer with its accounting."""

    text: str
    finish_reason: str | None = None
    provider: str
    model: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: float = 0.0
    cost_usd: float | None = None
    cache_hit: bool = False


class StreamChunk(BaseModel):
    """A piece of a streamed answer; the last chunk carries the whole ``Completion``."""

    text: str = ""
    completion: Completion | None = None
