"""A small OpenAI-compatible HTTP server for tests, with faults a test can script.

The real SDKs talk to it over a real socket on 127.0.0.1, so tests cover the same code
path as production (headers, SSE parsing, timeouts, status codes) without any network.
The ``FakeServer`` base class holds what every dialect shares (socket, thread, request
log, behaviour queue, chunked streaming); ``fake_gemini_server`` reuses it.

Typical use (through the ``fake_openai`` fixture of ``tests/llm/conftest.py``)::

    fake_openai.script(status(429, retry_after="1"), reply("second answer"))
    fake_openai.latency_s = 0.1
    ...
    assert fake_openai.requests[0].json["temperature"] == 0.2
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# --- behaviours a test can queue, one per request ----------------------------------------


@dataclass(frozen=True)
class Behaviour:
    """What the server does with one request; the default is a deterministic echo."""

    kind: str = "reply"
    text: str | None = None
    finish_reason: str = "stop"
    status: int = 200
    retry_after: str | None = None
    message: str | None = None
    seconds: float = 0.0
    n_chunks: int = 0


def reply(text: str, finish_reason: str = "stop") -> Behaviour:
    """Answer with exactly ``text`` (streamed word by word when the client streams)."""
    return Behaviour(kind="reply", text=text, finish_reason=finish_reason)


def status(code: int, retry_after: str | None = None, message: str | None = None) -> Behaviour:
    """Answer with an HTTP error in the dialect's error shape, optionally with Retry-After."""
    return Behaviour(kind="status", status=code, retry_after=retry_after, message=message)


def hang(seconds: float) -> Behaviour:
    """Say nothing for ``seconds`` (past the client's timeout), then answer normally."""
    return Behaviour(kind="hang", seconds=seconds)


def cut_stream_after(n_chunks: int) -> Behaviour:
    """Stream ``n_chunks`` events, then drop the connection mid-body."""
    return Behaviour(kind="cut", n_chunks=n_chunks)


def malformed_json() -> Behaviour:
    """Answer 200 with a body that is not valid JSON (a truncated object)."""
    return Behaviour(kind="malformed")


def refuse() -> Behaviour:
    """Answer as the provider does when its safety filter blocks the content."""
    return Behaviour(kind="refuse")


# --- request log ---------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    """One request as the server saw it; header names are lower-case."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any


def word_count(text: str) -> int:
    """The fake "token" count: deterministic and easy to assert on."""
    return len(text.split())


def pieces(text: str) -> list[str]:
    """Split a reply into stream deltas (one word with its trailing space each)."""
    return re.findall(r"\S+\s*", text) or [text]


# --- the server ------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    """Hands every request to the owning ``FakeServer``; HTTP/1.1 for keep-alive and chunks."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate small writes
    server: _HTTPServer

    def do_GET(self) -> None:
        self.server.fake.dispatch(self)

    def do_POST(self) -> None:
        self.server.fake.dispatch(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: pytest output is for failures, not access logs."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 resets connections under load
    fake: FakeServer

    def __init__(self, fake: FakeServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        self.connections: set[socket.socket] = set()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track open connections so ``stop`` can close idle keep-alive ones."""
        self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that time out or hang up are expected here, not worth a traceback."""


class FakeServer:
    """Socket, thread, request log and behaviour queue; subclasses speak one API dialect."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.latency_s = 0.0
        self._queue: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # behaviour constructors, so a test needs only the fixture object
    reply_with = staticmethod(reply)
    status = staticmethod(status)
    hang = staticmethod(hang)
    cut_stream_after = staticmethod(cut_stream_after)
    malformed_json = staticmethod(malformed_json)
    refuse = staticmethod(refuse)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake hanging handlers and close every connection still open."""
        self._stopping.set()
        self._httpd.shutdown()
        for connection in list(self._httpd.connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def script(self, *behaviours: Behaviour) -> None:
        """Queue behaviours for the next requests; once empty, the server echoes again."""
        with self._lock:
            self._queue.extend(behaviours)

    def reply(self, *texts: str) -> None:
        """Queue plain text answers for the next requests."""
        self.script(*(reply(text) for text in texts))

    def reset(self) -> None:
        """Forget recorded requests and queued behaviours."""
        with self._lock:
            self._queue.clear()
            self.requests.clear()

    # --- request handling ----------------------------------------------------------------

    def dispatch(self, handler: _Handler) -> None:
        """Record the request, apply latency and the next behaviour, then answer."""
        request = self._record(handler)
        with self._lock:
            behaviour = self._queue.popleft() if self._queue else Behaviour()
        try:
            if self.latency_s:
                self._stopping.wait(self.latency_s)
            if behaviour.kind == "hang":
                self._stopping.wait(behaviour.seconds)
                behaviour = Behaviour()
            if self._stopping.is_set():
                handler.close_connection = True
                return
            self.answer(handler, request, behaviour)
        except OSError:
            # The client gave up (timeout) or the connection was cut on purpose.
            handler.close_connection = True

    def _record(self, handler: _Handler) -> RecordedRequest:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        url = urlsplit(handler.path)
        recorded = RecordedRequest(
            method=handler.command,
            path=url.path,
            query=dict(parse_qsl(url.query)),
            headers={name.lower(): value for name, value in handler.headers.items()},
            json=body,
        )
        with self._lock:
            self.requests.append(recorded)
        return recorded

    def answer(self, handler: _Handler, request: RecordedRequest, behaviour: Behaviour) -> None:
        raise NotImplementedError

    # --- writing helpers shared by the dialects ------------------------------------------

    @staticmethod
    def send_json(
        handler: _Handler, code: int, payload: Any, headers: dict[str, str] | None = None
    ) -> None:
        FakeServer.send_bytes(handler, code, json.dumps(payload).encode(), headers)

    @staticmethod
    def send_bytes(
        handler: _Handler,
        code: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        handler.send_response(code)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()

    @staticmethod
    def send_events(handler: _Handler, events: Iterator[bytes], cut_after: int | None) -> None:
        """Send SSE events with chunked encoding; after ``cut_after`` events, drop the socket.

        Chunked encoding matters: the client can only notice a cut body when the
        response announced its framing, which is exactly the case of a real server.
        """
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for sent, event in enumerate(events):
            if cut_after is not None and sent >= cut_after:
                FakeServer.drop_connection(handler)
                return
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            handler.wfile.flush()
        if cut_after is not None:
            FakeServer.drop_connection(handler)
            return
        handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()

    @staticmethod
    def drop_connection(handler: _Handler) -> None:
        """Close the socket without finishing the chunked body, like a crashed upstream."""
        handler.close_connection = True
        handler.wfile.flush()
        handler.connection.shutdown(socket.SHUT_RDWR)


# --- the OpenAI dialect --------------------------------------------------------------------


def _content_text(content: Any) -> str:
    """Message content is a string, or a list of parts with ``text`` fields."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


@dataclass
class _Answer:
    text: str
    finish_reason: str
    model: str
    prompt_tokens: int
    completion_tokens: int = field(init=False)

    def __post_init__(self) -> None:
        self.completion_tokens = word_count(self.text)


class FakeOpenAIServer(FakeServer):
    """Speaks ``POST /v1/chat/completions`` (JSON and SSE) and ``GET /v1/models``."""

    models = ("fake-model",)

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def answer(self, handler: _Handler, request: RecordedRequest, behaviour: Behaviour) -> None:
        if request.method == "GET" and request.path.endswith("/models"):
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in self.models
            ]
            self.send_json(handler, 200, {"object": "list", "data": data})
            return
        if request.method != "POST" or not request.path.endswith("/chat/completions"):
            self.send_json(handler, 404, _error(404, f"no route {request.path}"))
            return
        body = request.json if isinstance(request.json, dict) else {}
        if behaviour.kind == "status":
            headers = {"Retry-After": behaviour.retry_after} if behaviour.retry_after else {}
            self.send_json(
                handler, behaviour.status, _error(behaviour.status, behaviour.message), headers
            )
        elif behaviour.kind == "malformed" and not body.get("stream"):
            self.send_bytes(handler, 200, b'{"id": "chatcmpl-broken", "choices": [')
        elif body.get("stream"):
            self._stream(handler, body, behaviour)
        else:
            self.send_json(handler, 200, _completion(_answer_for(body, behaviour)))

    def _stream(self, handler: _Handler, body: dict[str, Any], behaviour: Behaviour) -> None:
        answer = _answer_for(body, behaviour)
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        if behaviour.kind == "malformed":
            events = iter([b"data: {not json\n\n"])
        else:
            events = _sse_events(answer, include_usage)
        cut_after = behaviour.n_chunks if behaviour.kind == "cut" else None
        self.send_events(handler, events, cut_after)


def _error(code: int, message: str | None) -> dict[str, Any]:
    kinds = {401: "invalid_api_key", 429: "rate_limit_exceeded", 400: "invalid_request_error"}
    return {
        "error": {
            "message": message or f"fake error {code}",
            "type": kinds.get(code, "server_error"),
            "code": kinds.get(code),
            "param": None,
        }
    }


def _answer_for(body: dict[str, Any], behaviour: Behaviour) -> _Answer:
    """The deterministic answer: scripted text, or "echo: " + the last user message."""
    messages = body.get("messages") or []
    prompt_tokens = sum(word_count(_content_text(m.get("content"))) for m in messages)
    model = str(body.get("model") or "fake-model")
    if behaviour.kind == "refuse":
        return _Answer("", "content_filter", model, prompt_tokens)
    if behaviour.text is not None:
        return _Answer(behaviour.text, behaviour.finish_reason, model, prompt_tokens)
    users = [_content_text(m.get("content")) for m in messages if m.get("role") == "user"]
    last = users[-1] if users else ""
    return _Answer(f"echo: {last}", "stop", model, prompt_tokens)


def _usage(answer: _Answer) -> dict[str, int]:
    return {
        "prompt_tokens": answer.prompt_tokens,
        "completion_tokens": answer.completion_tokens,
        "total_tokens": answer.prompt_tokens + answer.completion_tokens,
    }


def _completion(answer: _Answer) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": answer.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.text},
                "finish_reason": answer.finish_reason,
                "logprobs": None,
            }
        ],
        "usage": _usage(answer),
    }


def _chunk(answer: _Answer, delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": answer.model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def _sse_events(answer: _Answer, include_usage: bool) -> Iterator[bytes]:
    """One event per word, one with the finish reason, the usage if asked, then [DONE]."""
    payloads = [_chunk(answer, {"role": "assistant", "content": ""}, None)]
    payloads += [_chunk(answer, {"content": piece}, None) for piece in pieces(answer.text)]
    payloads.append(_chunk(answer, {}, answer.finish_reason))
    if include_usage:
        usage_only = _chunk(answer, {}, None)
        usage_only["choices"] = []
        usage_only["usage"] = _usage(answer)
        payloads.append(usage_only)
    for payload in payloads:
        yield b"data: " + json.dumps(payload).encode() + b"\n\n"
    yield b"data: [DONE]\n\n"


def openai_workbench(home: Any, server: FakeOpenAIServer) -> Any:
    """A Workbench on ``home`` whose default provider is OpenAI, served by ``server``."""
    from aiwriter_kernel import Workbench

    return Workbench.open(
        home=home, provider="openai", openai_api_key="sk-test", openai_base_url=server.base_url
    )
