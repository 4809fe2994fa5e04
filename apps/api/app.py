"""The FastAPI app: the Workbench's pipelines over HTTP, for programs and colleagues.

Routes are thin: authenticate, scope the Workbench to the caller, call one method, return
its pydantic result. ``create_app`` is the factory uvicorn runs (``--factory``) and tests call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from aiwriter_apps.api import jobs_runtime
from aiwriter_apps.api.auth_failures import LIMITER_NAME as AUTH_FAILURE_LIMITER
from aiwriter_apps.api.auth_failures import admit_address
from aiwriter_apps.api.body_limit import BodySizeLimit
from aiwriter_apps.api.errors import document_error_answers, install_error_handlers
from aiwriter_apps.api.ratelimit import close_limiter, enforce_rate_limit
from aiwriter_apps.api.routes import batch, drafts, health, jobs, openai_compat, pipelines, research
from aiwriter_apps.api.schemas import json_error
from aiwriter_apps.api.settings import ApiSettings
from aiwriter_apps.api.streams import JobStreams
from aiwriter_apps.api.timeouts import install_request_timeout
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from aiwriter_kernel.config import Settings
from aiwriter_kernel.redaction import redact_server_logs
from aiwriter_kernel.workbench import Workbench

API_VERSION = "1"


LIMITED_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: json_error("No key, or an unknown, revoked or expired one."),
    413: json_error("The request body is over the size limit."),
    429: json_error(
        "Over the key's rate limit, or too many failed authentications from the client's "
        "address; see Retry-After."
    ),
}


def create_app(
    workbench: Workbench | None = None,
    *,
    settings: Settings | None = None,
    api_settings: ApiSettings | None = None,
) -> FastAPI:
    """The app for ``workbench`` (else one opened from ``settings`` / ``AIWRITER_*``).

    A workbench passed in stays the caller's to close; one opened here closes at shutdown.
    uvicorn's log lines get their query values masked (a key sent as ``?api_key=`` is
    refused, but would otherwise be kept in the access log).
    """
    redact_server_logs()
    api_settings = api_settings or ApiSettings()
    app = FastAPI(
        title="AI-Writer API",
        version=API_VERSION,
        description="Research, cited drafts, channel rewrites, SEO and readability over HTTP.",
        lifespan=lifespan_for(workbench, settings, api_settings),
    )
    install_middleware(app, api_settings)
    include_routers(app)
    return app


Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def lifespan_for(
    workbench: Workbench | None, settings: Settings | None, api_settings: ApiSettings
) -> Lifespan:
    """What runs around serving: open the workbench (unless given one), start counting
    event streams and start the job dispatcher; at shutdown stop the dispatcher, close the
    rate limiters the app made and the workbench it opened."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = workbench is None
        app.state.workbench = workbench or Workbench.open(settings=settings)
        app.state.api_settings = api_settings
        app.state.streams = JobStreams.from_settings(api_settings)
        jobs_runtime.start(app)
        try:
            yield
        finally:
            jobs_runtime.stop(app)
            close_limiter(app)
            close_limiter(app, AUTH_FAILURE_LIMITER)
            if owned:
                app.state.workbench.close()

    return lifespan


def install_middleware(app: FastAPI, api_settings: ApiSettings) -> None:
    """Error answers, the request time limit, the body size limit and (when configured) CORS."""
    install_error_handlers(app)
    document_error_answers(app)
    install_request_timeout(app, api_settings.request_timeout_s)
    app.add_middleware(BodySizeLimit, max_bytes=api_settings.max_body_bytes)
    if api_settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=api_settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )


def include_routers(app: FastAPI) -> None:
    """Health is open; everything under /api and /v1 needs a key and is rate limited. The
    client's address is admitted first, so a guessing address is not even counted per key."""
    app.include_router(health.router)
    limited = [Depends(admit_address), Depends(enforce_rate_limit)]
    for module in (research, pipelines, drafts, batch, jobs):
        app.include_router(
            module.router, prefix="/api", dependencies=limited, responses=LIMITED_RESPONSES
        )
    app.include_router(openai_compat.router, prefix="/v1", dependencies=limited)
