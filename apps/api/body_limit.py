"""The request size limit, answered like every other error: JSON ``{"detail": ...}``, 413.

A body that declares a length over the limit is refused before any of it is read; a body
that declares none (chunked) or understates it is cut off as soon as it passes the limit.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _TooLarge(BaseException):
    """Raised from ``receive`` once the streamed body passes the limit; a BaseException so
    that no ``except Exception`` on the way (body parsing turns those into a 400) eats it."""


class BodySizeLimit:
    """413 with ``{"detail": ...}`` naming the limit, for declared and streamed bodies."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            what = f"the request body is {declared} bytes; the limit is {self.max_bytes} bytes"
            await self._refuse(scope, receive, send, what)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except (_TooLarge, BaseExceptionGroup) as error:
            too_large = not isinstance(error, BaseExceptionGroup) or error.subgroup(_TooLarge)
            if started or not too_large:
                raise
            what = f"the request body is over the limit of {self.max_bytes} bytes"
            await self._refuse(scope, receive, send, what)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, what: str) -> None:
        detail = f"Content Too Large: {what}"
        await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
