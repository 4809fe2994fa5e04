"""Kernel errors as HTTP answers: every one a 4xx (or 5xx for a provider outage or a broken
store on the server) with the kernel's one-line message as ``detail``, never a traceback;
and invalid requests as a 422 that says where and what, without echoing what was sent."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from aiwriter_kernel.errors import (
    AIWriterError,
    BadRequestError,
    ConfigError,
    NotFoundError,
    PromptError,
    ProviderError,
    ProviderNotConfiguredError,
    ProviderTimeoutError,
    RateLimitedError,
    UnknownProviderError,
    ValidationError,
    VectorStoreError,
)

# Most specific first: the first matching class decides the status.
STATUS_BY_ERROR: tuple[tuple[type[AIWriterError], int], ...] = (
    (NotFoundError, status.HTTP_404_NOT_FOUND),
    (ValidationError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (RateLimitedError, status.HTTP_429_TOO_MANY_REQUESTS),
    (ProviderTimeoutError, status.HTTP_504_GATEWAY_TIMEOUT),
    (ProviderNotConfiguredError, status.HTTP_503_SERVICE_UNAVAILABLE),
    (BadRequestError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (PromptError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (UnknownProviderError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (ProviderError, status.HTTP_502_BAD_GATEWAY),
    (ConfigError, status.HTTP_503_SERVICE_UNAVAILABLE),
    (VectorStoreError, status.HTTP_503_SERVICE_UNAVAILABLE),
)


def status_for(error: AIWriterError) -> int:
    """The HTTP status for a kernel error: the first match in ``STATUS_BY_ERROR`` (most
    specific first), else 400, since an unlisted kernel error is still the caller's
    request failing in a known way, not a server fault."""
    for kind, code in STATUS_BY_ERROR:
        if isinstance(error, kind):
            return code
    return status.HTTP_400_BAD_REQUEST


async def kernel_error_handler(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AIWriterError)
    headers = {}
    if isinstance(error, RateLimitedError) and error.retry_after_s:
        headers["Retry-After"] = str(max(1, round(error.retry_after_s)))
    return JSONResponse({"detail": str(error)}, status_code=status_for(error), headers=headers)


MAX_REPORTED_ERRORS = 20
MAX_TEXT_CHARS = 200


def safe_text(value: object, limit: int = MAX_TEXT_CHARS) -> str:
    """``value`` as text that always encodes as UTF-8 and is at most ``limit`` characters:
    a message or field name may hold what the client sent, a lone surrogate (which made
    encoding the answer fail: a 500) or a megabyte of it."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.encode("utf-8", "replace").decode("utf-8")


def validation_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    """Where and what of each error (location, message, type), at most
    ``MAX_REPORTED_ERRORS`` of them, then one saying how many more there were. FastAPI's
    own answer also echoes each invalid input: a 360 KB body got a 2.2 MB answer."""
    errors = error.errors()
    reported = [
        {
            "loc": [part if isinstance(part, int) else safe_text(part) for part in e["loc"]],
            "msg": safe_text(e["msg"]),
            "type": safe_text(e["type"]),
        }
        for e in errors[:MAX_REPORTED_ERRORS]
    ]
    if len(errors) > MAX_REPORTED_ERRORS:
        more = len(errors) - MAX_REPORTED_ERRORS
        reported.append({"loc": [], "msg": f"and {more} more errors", "type": "too_many_errors"})
    return reported


async def validation_error_handler(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return JSONResponse(
        {"detail": validation_errors(error)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer every kernel error raised by a route as JSON ``{"detail": ...}`` with its
    status, so no kernel failure reaches the client as a 500 with a traceback, and every
    invalid request as a 422 listing its errors. (The /v1 routes convert errors to
    OpenAI's shape themselves before these handlers see them.)"""
    app.add_exception_handler(AIWriterError, kernel_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)


def document_error_answers(app: FastAPI) -> None:
    """Say in the schema what a 422 really carries: FastAPI documents every 422 as its list
    of field errors, but a request that fits the schema and still breaks a kernel rule
    (a workspace name of only spaces) is answered with one plain-language line. Clients
    generated from the schema must accept both."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        answer = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
        if answer is not None:
            listed = answer["properties"]["detail"]
            answer["properties"]["detail"] = {
                "anyOf": [{"type": "string"}, listed],
                "title": listed.get("title", "Detail"),
            }
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
