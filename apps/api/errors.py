"""Kernel errors as HTTP answers: every one a 4xx (or 5xx for a provider outage or a broken
store on the server) with the kernel's one-line message as ``detail``, never a traceback."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
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


def install_error_handlers(app: FastAPI) -> None:
    """Answer every kernel error raised by a route as JSON ``{"detail": ...}`` with its
    status, so no kernel failure reaches the client as a 500 with a traceback. (The /v1
    routes convert errors to OpenAI's shape themselves before this handler sees them.)"""
    app.add_exception_handler(AIWriterError, kernel_error_handler)
