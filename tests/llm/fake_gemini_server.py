"""A small Gemini-API-compatible HTTP server for tests, with the same scriptable faults.

It answers what ``google-genai`` sends when ``HttpOptions(base_url=...)`` points at it:
``POST /{api_version}/models/{model}:generateContent`` and
``POST /{api_version}/models/{model}:streamGenerateContent?alt=sse``. Behaviours
(``status``, ``hang``, ``cut_stream_after``, ``malformed_json``, ``refuse``, ``reply``) and
the request log come from ``fake_openai_server.FakeServer``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from fake_openai_server import Behaviour, FakeServer, RecordedRequest, _Handler, pieces, word_count

ROUTE = re.compile(r"^/(?P<version>[^/]+)/models/(?P<model>[^/:]+):(?P<method>\w+)$")

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class FakeGeminiServer(FakeServer):
    """Speaks Gemini's ``generateContent`` and ``streamGenerateContent`` (SSE)."""

    @property
    def base_url(self) -> str:
        """The SDK appends ``{api_version}/models/...`` itself, so this is the bare origin."""
        return self.origin

    def answer(self, handler: _Handler, request: RecordedRequest, behaviour: Behaviour) -> None:
        route = ROUTE.match(request.path)
        method = route["method"] if route else ""
        if request.method != "POST" or method not in ("generateContent", "streamGenerateContent"):
            self.send_json(handler, 404, _error(404, f"no route {request.path}"))
            return
        assert route is not None
        body = request.json if isinstance(request.json, dict) else {}
        model = route["model"]
        if behaviour.kind == "status":
            headers = {"Retry-After": behaviour.retry_after} if behaviour.retry_after else {}
            self.send_json(
                handler, behaviour.status, _error(behaviour.status, behaviour.message), headers
            )
        elif method == "streamGenerateContent":
            self._stream(handler, body, model, behaviour)
        elif behaviour.kind == "malformed":
            self.send_bytes(handler, 200, b'{"candidates": [{"content": ')
        else:
            chunks = list(_responses(body, model, behaviour, streaming=False))
            self.send_json(handler, 200, chunks[0])

    def _stream(
        self, handler: _Handler, body: dict[str, Any], model: str, behaviour: Behaviour
    ) -> None:
        if behaviour.kind == "malformed":
            events: Iterator[bytes] = iter([b"data: {not json\n\n"])
        else:
            payloads = _responses(body, model, behaviour, streaming=True)
            events = (b"data: " + json.dumps(p).encode() + b"\n\n" for p in payloads)
        cut_after = behaviour.n_chunks if behaviour.kind == "cut" else None
        self.send_events(handler, events, cut_after)


def _error(code: int, message: str | None) -> dict[str, Any]:
    status = STATUS_NAMES.get(code, "UNKNOWN")
    return {"error": {"code": code, "message": message or f"fake error {code}", "status": status}}


def _text_of(content: Any) -> str:
    parts = content.get("parts") if isinstance(content, dict) else None
    return " ".join(str(p.get("text", "")) for p in parts or [] if isinstance(p, dict))


def _responses(
    body: dict[str, Any], model: str, behaviour: Behaviour, *, streaming: bool
) -> Iterator[dict[str, Any]]:
    """The answer as one response, or as one response per word with usage on the last."""
    contents = body.get("contents") or []
    prompt_text = " ".join(_text_of(c) for c in contents)
    prompt_text += " " + _text_of(body.get("systemInstruction"))
    prompt_tokens = word_count(prompt_text)
    if behaviour.kind == "refuse":
        usage = {"promptTokenCount": prompt_tokens, "totalTokenCount": prompt_tokens}
        yield {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": usage}
        return
    if behaviour.text is not None:
        text, finish = behaviour.text, behaviour.finish_reason
    else:
        users = [_text_of(c) for c in contents if c.get("role", "user") == "user"]
        text, finish = f"echo: {users[-1] if users else ''}", "stop"
    usage = {
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": word_count(text),
        "totalTokenCount": prompt_tokens + word_count(text),
    }
    parts = pieces(text) if streaming else [text]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": [{"text": part}]}}
        candidate["index"] = 0
        response: dict[str, Any] = {"candidates": [candidate], "modelVersion": model}
        response["responseId"] = "fake-response"
        if last:
            candidate["finishReason"] = finish.upper()
            response["usageMetadata"] = usage
        yield response
