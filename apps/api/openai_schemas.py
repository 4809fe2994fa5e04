"""The OpenAI chat-completions shapes this API speaks, as pydantic models.

Only what the workbench can honour is accepted: text messages, one choice, the usual
sampling settings. Anything else (tools, images, several choices, log-probabilities) is
refused with a 400 naming the field, rather than silently ignored; harmless settings other
clients send along (``user``, penalties, ``metadata``...) are ignored.
"""

from __future__ import annotations

import json
import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aiwriter_kernel.llm.messages import ChatMessage, GenerationParams

OPENAI_FINISH_REASONS = ("stop", "length", "content_filter")
# A seed must fit the signed 64-bit integer providers (and the call log) take.
MAX_SEED = 2**63 - 1


# -- request ---------------------------------------------------------------------------------


class TextPart(BaseModel):
    """A text part of a message's content list (images and audio are not supported)."""

    type: Literal["text"]
    text: str


class RequestMessage(BaseModel):
    """One message of the conversation; ``developer`` is treated as ``system``."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart] | None = None
    name: str | None = None

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(part.text for part in self.content)

    def to_kernel(self) -> ChatMessage:
        role = "system" if self.role == "developer" else self.role
        return ChatMessage(role=role, content=self.text())


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """``POST /v1/chat/completions``. Temperature defaults to the workbench's 0 (repeatable,
    and cacheable), not OpenAI's 1: pass it to sample more freely."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "model": "composer",
                    "messages": [{"role": "user", "content": "Summarise the quoted sources."}],
                }
            ]
        },
    )

    model: str = Field(min_length=1, description="An id from GET /v1/models.")
    messages: list[RequestMessage] = Field(min_length=1, max_length=1000)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    max_tokens: int | None = Field(default=None, gt=0, le=200_000)
    max_completion_tokens: int | None = Field(default=None, gt=0, le=200_000)
    stop: str | list[str] | None = None
    seed: int | None = Field(
        default=None, ge=0, le=MAX_SEED, description="For repeatable sampling, if supported."
    )
    n: int = Field(default=1, description="Only 1 is supported.")
    stream: bool = False
    stream_options: StreamOptions | None = None
    tools: list[Any] | None = Field(default=None, description="Not supported.")
    functions: list[Any] | None = Field(default=None, description="Not supported.")
    logprobs: bool | None = Field(default=None, description="Not supported.")
    response_format: dict[str, Any] | None = Field(default=None, description="Only text.")

    @field_validator("n")
    @classmethod
    def _one_choice(cls, value: int) -> int:
        if value != 1:
            raise ValueError("only n=1 is supported: send the request again for another answer")
        return value

    @field_validator("tools", "functions")
    @classmethod
    def _no_tools(cls, value: list[Any] | None) -> list[Any] | None:
        if value:
            raise ValueError("tool and function calling are not supported by this server")
        return value

    @field_validator("logprobs")
    @classmethod
    def _no_logprobs(cls, value: bool | None) -> bool | None:
        if value:
            raise ValueError("log-probabilities are not supported by this server")
        return value

    @field_validator("response_format")
    @classmethod
    def _text_only(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value and value.get("type", "text") != "text":
            raise ValueError("only the 'text' response format is supported by this server")
        return value

    @field_validator("stop")
    @classmethod
    def _few_stops(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and len(value) > 4:
            raise ValueError("at most 4 stop sequences")
        return value

    def kernel_messages(self) -> list[ChatMessage]:
        return [message.to_kernel() for message in self.messages]

    def params(self) -> GenerationParams:
        stop = [self.stop] if isinstance(self.stop, str) else self.stop
        return GenerationParams(
            temperature=0.0 if self.temperature is None else self.temperature,
            max_tokens=self.max_completion_tokens or self.max_tokens,
            top_p=self.top_p,
            stop=tuple(stop) if stop else None,
            seed=self.seed,
        )

    @property
    def include_usage(self) -> bool:
        return self.stream_options is not None and self.stream_options.include_usage


# -- responses -------------------------------------------------------------------------------


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    refusal: str | None = None


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: str
    logprobs: None = None


class ChatCompletion(BaseModel):
    """The non-streaming answer, as ``openai.types.chat.ChatCompletion`` parses it."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str
    choices: list[Choice]
    usage: Usage
    system_fingerprint: str | None = None


class Delta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: Delta
    finish_reason: str | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    """One server-sent event of a streamed answer (``data: {...}``)."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None = None

    def sse(self) -> str:
        """The event as OpenAI writes it: a delta holds only the fields it carries, and
        ``usage`` appears only on the usage chunk."""
        payload = self.model_dump(mode="json")
        for choice in payload["choices"]:
            choice["delta"] = {k: v for k, v in choice["delta"].items() if v is not None}
        if payload["usage"] is None:
            del payload["usage"]
        return f"data: {json.dumps(payload, separators=(',', ':'))}\n\n"


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = Field(description="The workbench provider that answers for this model.")


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ErrorBody(BaseModel):
    message: str
    type: str
    code: str | None = None
    param: str | None = None


class ErrorResponse(BaseModel):
    """OpenAI's error shape, which OpenAI clients turn into typed exceptions."""

    error: ErrorBody


def openai_finish_reason(reason: str | None) -> str:
    """Providers' own reasons in OpenAI's words (the offline ``no_evidence`` is a ``stop``)."""
    reason = (reason or "stop").lower()
    if reason in ("max_tokens", "max_length"):
        return "length"
    return reason if reason in OPENAI_FINISH_REASONS else "stop"
