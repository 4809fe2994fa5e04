"""A time limit per request: a route that has not started answering in time gets a 504.

Pipelines are synchronous and run in FastAPI's threadpool, where they cannot be interrupted.
So the limit bounds the caller's wait rather than the work: when it passes, the caller gets a
504 at once, the route's own answer is dropped when it comes, and the work finishes in the
background (what it stores is kept, nothing is half-written). The deadline covers the time
until the response starts, so streams (server-sent events, streamed completions) are never cut
once they have begun.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from fastapi import FastAPI, status
from fastapi.responses import JSONResponse

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


class RequestTimeoutMiddleware:
    """ASGI middleware answering 504 when the app has not started its response in time."""

    def __init__(self, app: ASGIApp, timeout_s: float) -> None:
        self.app = app
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = asyncio.Event()
        abandoned = False

        async def guarded_send(message: Message) -> None:
            if abandoned:
                return  # the caller already has its 504
            if message["type"] == "http.response.start":
                started.set()
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        if await _started_in_time(task, started, self.timeout_s):
            await task  # finished, or streaming with no deadline
            return
        abandoned = True
        task.cancel()  # a route in the threadpool still runs to its end
        task.add_done_callback(_log_late_failure)
        detail = f"the request took longer than {self.timeout_s:g} s and was abandoned"
        response = JSONResponse({"detail": detail}, status.HTTP_504_GATEWAY_TIMEOUT)
        await response(scope, receive, send)


async def _started_in_time(task: asyncio.Future, started: asyncio.Event, timeout_s: float) -> bool:
    """Wait until the app finishes or starts its response; False when the time ran out."""
    waiter = asyncio.ensure_future(started.wait())
    try:
        await asyncio.wait({task, waiter}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:  # the server is going away: take the request with it
        task.cancel()
        raise
    finally:
        waiter.cancel()
    return task.done() or started.is_set()


def _log_late_failure(task: asyncio.Future) -> None:
    """Retrieve an abandoned request's outcome so a late error is logged, not lost."""
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        log.warning("an abandoned request failed after its timeout: %s", error)


def install_request_timeout(app: FastAPI, timeout_s: float) -> None:
    """Bound every request of ``app`` to ``timeout_s`` seconds until its response starts."""
    app.add_middleware(RequestTimeoutMiddleware, timeout_s=timeout_s)
