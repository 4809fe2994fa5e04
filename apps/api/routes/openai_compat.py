"""An OpenAI-compatible endpoint (``/v1/chat/completions``, ``/v1/models``) over the
workbench's configured provider, so any OpenAI client or tool can use its models: the
offline composer, a local Hugging Face model, or whatever remote provider is configured.

Callers authenticate with their workbench API key as the OpenAI ``api_key`` (sent as
``Authorization: Bearer``). Every error on this router is in OpenAI's shape,
``{"error": {"message", "type", "code", "param"}}``, which OpenAI clients turn into their
typed exceptions (``AuthenticationError``, ``NotFoundError``, ``RateLimitError``...).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from aiwriter_apps.api.auth import UserWorkbench
from aiwriter_apps.api.errors import safe_text, status_for
from aiwriter_apps.api.openai_schemas import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Choice,
    ChunkChoice,
    Delta,
    ErrorBody,
    ErrorResponse,
    ModelCard,
    ModelList,
    Usage,
    openai_finish_reason,
)
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute

from aiwriter_kernel.errors import AIWriterError, NotFoundError, PromptError
from aiwriter_kernel.llm.gateway import CompletionStream
from aiwriter_kernel.llm.messages import Completion

# OpenAI's error "type" and "code" for each status this router answers with.
ERROR_KINDS: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("authentication_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("invalid_request_error", "not_found"),
    413: ("invalid_request_error", "request_too_large"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": description}
    for code, description in (
        (400, "The request is malformed or asks for something unsupported."),
        (401, "The API key is missing, unknown, revoked or expired."),
        (404, "No such model."),
        (429, "Over the key's rate limit, or too many failed authentications; see Retry-After."),
        (502, "The model provider failed."),
        (503, "The model provider is not configured."),
    )
}


def openai_error(
    code: int,
    message: str,
    *,
    error_code: str | None = None,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    fallback = ("server_error" if code >= 500 else "api_error", None)
    kind, default_code = ERROR_KINDS.get(code, fallback)
    body = ErrorResponse(
        error=ErrorBody(message=message, type=kind, code=error_code or default_code, param=param)
    )
    return JSONResponse(body.model_dump(), status_code=code, headers=headers)


def error_response(error: Exception) -> JSONResponse:
    """Any failure of a /v1 request, dependencies included, as an OpenAI error."""
    if isinstance(error, RequestValidationError):
        return _invalid_request(error)
    if isinstance(error, HTTPException):
        code = status.HTTP_400_BAD_REQUEST if error.status_code == 422 else error.status_code
        return openai_error(code, str(error.detail), headers=dict(error.headers or {}))
    assert isinstance(error, AIWriterError)
    if isinstance(error, NotFoundError):
        return openai_error(404, str(error), error_code="model_not_found", param="model")
    code = status_for(error)
    if isinstance(error, PromptError) or code == 422:
        code = status.HTTP_400_BAD_REQUEST
    headers = {}
    retry_after = getattr(error, "retry_after_s", None)
    if code == 429 and retry_after:
        headers["Retry-After"] = str(max(1, round(retry_after)))
    return openai_error(code, str(error), headers=headers)


def _invalid_request(error: RequestValidationError) -> JSONResponse:
    first = error.errors()[0] if error.errors() else {}
    where = [safe_text(part) for part in first.get("loc", ()) if part != "body"]
    message = safe_text(first.get("msg", "the request is invalid")).removeprefix("Value error, ")
    if first.get("type") == "json_invalid":
        return openai_error(400, f"the request body is not valid JSON: {message}")
    param = ".".join(where) or None
    return openai_error(400, f"{param}: {message}" if param else message, param=param)


class OpenAIErrorRoute(APIRoute):
    """A route whose errors, raised anywhere (auth, rate limit, validation, the kernel),
    leave in OpenAI's shape instead of the rest of the API's ``{"detail": ...}``."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except (RequestValidationError, HTTPException, AIWriterError) as error:
                return error_response(error)

        return handle


router = APIRouter(route_class=OpenAIErrorRoute, tags=["openai-compatible"])


@router.get("/models", response_model=ModelList, responses=ERROR_RESPONSES)
def list_models(workbench: UserWorkbench) -> ModelList:
    """The models a chat request may name: the configured provider's, then the offline
    composer, then the local Hugging Face preset when installed."""
    served = workbench.models()
    return ModelList(data=[ModelCard(id=model.id, owned_by=model.provider) for model in served])


@router.get("/models/{model_id:path}", response_model=ModelCard, responses=ERROR_RESPONSES)
def get_model(model_id: str, workbench: UserWorkbench) -> ModelCard:
    """One served model; 404 in OpenAI's shape when it is not served."""
    model = workbench.model(model_id)
    return ModelCard(id=model.id, owned_by=model.provider)


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={
        **ERROR_RESPONSES,
        200: {
            "description": "The answer; with `stream: true`, `chat.completion.chunk` events "
            "ending with `data: [DONE]`.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
    },
)
def chat_completions(body: ChatCompletionRequest, workbench: UserWorkbench) -> Response | Any:
    """One chat turn by the provider owning ``model``, through the workbench's gateway
    (cache, retries, call log). Streams server-sent events when ``stream`` is true."""
    messages, params = body.kernel_messages(), body.params()
    completion_id = f"chatcmpl-{secrets.token_hex(12)}"
    if body.stream:
        stream = workbench.chat_stream(messages, model=body.model, params=params)
        return _streaming_response(stream, body, completion_id)
    completion = workbench.chat(messages, model=body.model, params=params)
    return ChatCompletion(
        id=completion_id,
        model=completion.model or body.model,
        choices=[
            Choice(
                message=AssistantMessage(content=completion.text),
                finish_reason=openai_finish_reason(completion.finish_reason),
            )
        ],
        usage=_usage(completion),
    )


def _usage(completion: Completion) -> Usage:
    prompt = completion.prompt_tokens or 0
    answer = completion.completion_tokens or 0
    return Usage(prompt_tokens=prompt, completion_tokens=answer, total_tokens=prompt + answer)


def _streaming_response(
    stream: CompletionStream, body: ChatCompletionRequest, completion_id: str
) -> StreamingResponse:
    """Start the stream here, so failures before the first piece (unknown model, provider
    down, empty prompt) still get a proper status; later failures become an error event."""
    pieces = iter(stream)
    first = next(pieces, None)
    events = _events(stream, pieces, first, body, completion_id)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events, media_type="text/event-stream", headers=headers)


def _events(
    stream: CompletionStream,
    pieces: Iterator[str],
    first: str | None,
    body: ChatCompletionRequest,
    completion_id: str,
) -> Iterator[str]:
    created = int(time.time())

    def chunk(delta: Delta, finish_reason: str | None = None) -> str:
        choice = ChunkChoice(delta=delta, finish_reason=finish_reason)
        return ChatCompletionChunk(
            id=completion_id, created=created, model=body.model, choices=[choice]
        ).sse()

    yield chunk(Delta(role="assistant", content=""))
    try:
        if first:
            yield chunk(Delta(content=first))
        for piece in pieces:
            yield chunk(Delta(content=piece))
    except AIWriterError as error:
        failure = json.loads(error_response(error).body)
        yield f"data: {json.dumps(failure)}\n\n"
        yield "data: [DONE]\n\n"
        return
    completion = stream.completion
    reason = completion.finish_reason if completion is not None else None
    yield chunk(Delta(), openai_finish_reason(reason))
    if body.include_usage and completion is not None:
        usage = _usage(completion)
        last = ChatCompletionChunk(
            id=completion_id, created=created, model=body.model, choices=[], usage=usage
        )
        yield last.sse()
    yield "data: [DONE]\n\n"
