"""Bad input gets a 4xx with a clear ``detail``, never a 500, and loses nothing already saved.

Each case is sent as Alice after she has a source and a draft; afterwards both are still
there, unchanged. A slow pipeline past the request time limit gets a 504.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiwriter_apps.api.app import create_app
from aiwriter_apps.api.schemas import MAX_ID
from aiwriter_apps.api.settings import ApiSettings
from aiwriter_apps.api.timeouts import install_request_timeout
from fake_openai_server import FakeOpenAIServer, openai_workbench
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient
from support import docx_bomb

MAX_BODY = 20_000
TOO_BIG = "x" * (MAX_BODY + 1)
HUGE = 10**30
NOTES = "# Bread\n\nSourdough needs a starter fed with flour and water every day.\n"


@pytest.fixture(scope="module")
def api_settings(clean_module_environment: None) -> ApiSettings:
    return ApiSettings(max_body_bytes=MAX_BODY, rate_limit_per_minute=100_000, _env_file=None)


@pytest.fixture(scope="module")
def saved(client: TestClient, alice: Any) -> dict[str, Any]:
    """Alice's work before any bad request: a source and a rewritten draft."""
    added = client.post(
        "/api/sources/text", json={"title": "Bread", "text": NOTES}, headers=alice.headers
    )
    assert added.status_code == 200, added.text
    made = client.post(
        "/api/rewrite", json={"channel": "email", "text": NOTES}, headers=alice.headers
    )
    assert made.status_code == 200, made.text
    return {"source_id": added.json()["items"][0]["source_id"], "draft_id": made.json()["draft_id"]}


def _snapshot(client: TestClient, alice: Any, saved: dict[str, Any]) -> Any:
    sources = client.get("/api/sources", headers=alice.headers).json()
    drafts = client.get("/api/drafts", headers=alice.headers).json()
    draft = client.get(f"/api/drafts/{saved['draft_id']}", headers=alice.headers).json()
    return sources, drafts, draft


# (method, url, how the body is sent, the status, a phrase the detail must contain)
JSON = {"Content-Type": "application/json"}
CASES: list[tuple[str, str, dict[str, Any], int, str]] = [
    # malformed JSON and bodies of the wrong shape
    ("POST", "/api/search", {"content": b'{"query": "bread"', "headers": JSON}, 422, "JSON"),
    ("POST", "/api/articles", {"content": b"\xff\xfe\x00", "headers": JSON}, 400, "parsing"),
    ("POST", "/api/search", {"json": ["bread"]}, 422, "valid dictionary"),
    ("POST", "/api/search", {"content": b'{"query": "x"}', "headers": {}}, 422, "dictionary"),
    # wrong types and missing fields
    ("POST", "/api/search", {"json": {"query": "bread", "k": "many"}}, 422, "valid integer"),
    ("POST", "/api/search", {"json": {"query": ["bread"]}}, 422, "valid string"),
    ("POST", "/api/search", {"json": {"k": 3}}, 422, "Field required"),
    ("POST", "/api/rewrite", {"json": {"text": "x"}}, 422, "Field required"),
    ("POST", "/api/articles", {"json": {"topic": "bread", "target_words": "long"}}, 422, "integer"),
    ("POST", "/api/sources/text", {"json": {"title": "t"}}, 422, "Field required"),
    ("POST", "/api/sources", {"data": {"workspace": "w"}}, 422, "Field required"),
    ("POST", "/api/search", {"json": {"query": "x", "unknown": 1}}, 422, "Extra inputs"),
    # values out of range
    ("POST", "/api/search", {"json": {"query": "bread", "k": HUGE}}, 422, "less than or equal"),
    ("POST", "/api/search", {"json": {"query": "bread", "k": 0}}, 422, "greater than or equal"),
    ("POST", "/api/search", {"json": {"query": ""}}, 422, "at least 1 character"),
    ("POST", "/api/search", {"json": {"query": "   "}}, 422, "the search query is empty"),
    ("POST", "/api/search", {"json": {"query": "x", "mode": "psychic"}}, 422, "hybrid"),
    ("POST", "/api/rewrite", {"json": {"channel": "fax", "text": "x"}}, 422, "unknown channel"),
    ("POST", "/api/rewrite", {"json": {"channel": "email", "text": "x", "topic": "y"}}, 422, "one"),
    ("POST", "/api/copy", {"json": {"framework": "zzz", "topic": "x"}}, 422, "framework"),
    ("POST", "/api/answers", {"json": {"question": ""}}, 422, "question is empty"),
    ("POST", "/api/analyze", {"json": {"markdown": "x", "persona": "ghost"}}, 422, "persona"),
    ("GET", "/api/drafts/{draft_id}/export?format=pdf", {}, 422, "'md', 'html' or 'docx'"),
    ("GET", "/api/drafts/{draft_id}/diff?old=0", {}, 422, "greater than or equal"),
    ("GET", "/api/drafts/{draft_id}/diff", {}, 422, "Field required"),
    ("GET", "/api/drafts/abc", {}, 422, "valid integer"),
    # ids beyond any stored id, in paths, queries and bodies
    ("GET", f"/api/drafts/{HUGE}", {}, 422, "less than or equal"),
    ("DELETE", f"/api/sources/{MAX_ID + 1}", {}, 422, "less than or equal"),
    ("GET", "/api/drafts/{draft_id}/export?version=" + str(HUGE), {}, 422, "less than"),
    ("POST", "/api/rewrite", {"json": {"channel": "email", "draft_id": HUGE}}, 422, "less than"),
    ("POST", "/api/summaries", {"json": {"source_ids": [HUGE]}}, 422, "less than"),
    ("POST", "/api/answers", {"json": {"question": "q", "source_ids": [HUGE]}}, 422, "less than"),
    ("POST", "/api/fact-checks", {"json": {"draft_id": HUGE}}, 422, "less than"),
    ("POST", "/api/seo-metadata", {"json": {"draft_id": HUGE}}, 422, "less than"),
    ("POST", "/api/copy", {"json": {"framework": "pas", "draft_id": HUGE}}, 422, "less than"),
    ("POST", "/api/search", {"json": {"query": "x", "source_ids": [HUGE]}}, 422, "less than"),
    # unknown ids
    ("GET", f"/api/drafts/{MAX_ID}", {}, 404, f"there is no draft {MAX_ID}"),
    ("DELETE", f"/api/drafts/{MAX_ID}", {}, 404, "there is no draft"),
    ("DELETE", f"/api/sources/{MAX_ID}", {}, 404, "there is no source"),
    ("GET", "/api/drafts/{draft_id}/versions/99", {}, 404, "has no version 99"),
    ("GET", "/api/drafts/{draft_id}/diff?old=1&new=99", {}, 404, "has no version 99"),
    ("GET", "/api/drafts/{draft_id}/export?version=99", {}, 404, "has no version 99"),
    ("POST", "/api/rewrite", {"json": {"channel": "email", "draft_id": MAX_ID}}, 404, "no draft"),
    ("POST", "/api/summaries", {"json": {"source_ids": [MAX_ID]}}, 404, "no source"),
    ("POST", f"/api/drafts/{MAX_ID}/article", {"json": {}}, 404, "no draft"),
    # bodies over the size limit
    ("POST", "/api/sources/text", {"json": {"title": "big", "text": TOO_BIG}}, 413, "Too Large"),
    ("POST", "/api/analyze", {"json": {"markdown": TOO_BIG}}, 413, "Too Large"),
    ("POST", "/api/sources", {"files": [("files", ("big.md", TOO_BIG.encode()))]}, 413, "Large"),
    # nothing usable in an upload
    ("POST", "/api/sources", {"files": [("files", ("empty.md", b""))]}, 422, "empty"),
    ("POST", "/api/sources", {"files": [("files", ("x.exe", b"MZ\x90\x00"))]}, 422, "x.exe"),
    # 2,000,000 empty paragraphs in 18 kB: refused before parsing, not a 504 and a busy core
    ("POST", "/api/sources", {"files": [("files", ("bomb.docx", docx_bomb()))]}, 422, "zip bomb"),
    ("POST", "/api/sources", {"files": [("files", ("a.md", b"a"))] * 21}, 422, "at most 20"),
]


@pytest.mark.parametrize(
    ("method", "url", "send", "status", "phrase"),
    CASES,
    ids=[
        f"{status}-{method} {url[:40]}-{i}" for i, (method, url, _, status, _) in enumerate(CASES)
    ],
)
def test_bad_input_is_refused_clearly_and_loses_nothing(
    client: TestClient,
    alice: Any,
    saved: dict[str, Any],
    method: str,
    url: str,
    send: dict[str, Any],
    status: int,
    phrase: str,
) -> None:
    before = _snapshot(client, alice, saved)
    headers = {**alice.headers, **send.get("headers", {})}
    arguments = {key: value for key, value in send.items() if key != "headers"}
    answer = client.request(method, url.format(**saved), headers=headers, **arguments)
    assert answer.status_code == status, answer.text
    detail = answer.json()["detail"] if status != 413 else answer.text
    assert phrase in str(detail)
    assert _snapshot(client, alice, saved) == before


def test_validation_errors_name_the_field(client: TestClient, alice: Any) -> None:
    answer = client.post("/api/search", json={"query": "x", "k": "many"}, headers=alice.headers)
    [error] = answer.json()["detail"]
    assert error["loc"] == ["body", "k"]
    assert error["msg"]


def test_a_body_at_the_limit_is_still_accepted(client: TestClient, alice: Any) -> None:
    body = {"markdown": ""}
    size = len(b'{"markdown":""}')
    body["markdown"] = "word " * ((MAX_BODY - size) // 5)
    answer = client.post("/api/analyze", json=body, headers=alice.headers)
    assert answer.status_code == 200, answer.text


def test_a_tiny_knowledge_base_never_gives_a_500(client: TestClient, make_user: Any) -> None:
    frank = make_user("frank")
    added = client.post(
        "/api/sources/text", json={"title": "t", "text": "Frank's own."}, headers=frank.headers
    )
    assert added.status_code == 200
    answer = client.post("/api/outlines", json={"topic": "harbour gates"}, headers=frank.headers)
    assert answer.status_code == 422, answer.text
    assert "no sources on 'harbour gates'" in answer.json()["detail"]
    assert client.get("/api/sources", headers=frank.headers).json()  # the source is kept


# -- the request time limit --------------------------------------------------------------------


@pytest.fixture
def slow_app(tmp_path: Path, fake_openai: FakeOpenAIServer) -> Iterator[tuple[TestClient, str]]:
    """An app whose model is a fake OpenAI server, with a 2 s limit per request."""
    workbench = openai_workbench(tmp_path / "home", fake_openai)
    workbench.db.accounts.create_user("slow")
    _, key = workbench.db.accounts.create_api_key("slow")
    settings = ApiSettings(request_timeout_s=2.0, rate_limit_per_minute=100_000, _env_file=None)
    with TestClient(create_app(workbench, api_settings=settings)) as client:
        yield client, key
    workbench.close()


def test_a_slow_pipeline_gets_a_504(
    slow_app: tuple[TestClient, str], fake_openai: FakeOpenAIServer
) -> None:
    client, key = slow_app
    headers = {"Authorization": f"Bearer {key}"}
    quick = client.post("/api/rewrite", json={"channel": "email", "text": NOTES}, headers=headers)
    assert quick.status_code == 200, quick.text  # the same route, with a prompt model
    assert quick.json()["provider"] == "openai"
    fake_openai.latency_s = 10.0
    slow = client.post("/api/rewrite", json={"channel": "linkedin", "text": NOTES}, headers=headers)
    assert slow.status_code == 504
    assert slow.json() == {"detail": "the request took longer than 2 s and was abandoned"}
    assert client.get("/health").status_code == 200  # the server itself still answers


def _timed_app(timeout_s: float) -> FastAPI:
    """A bare app behind the time limit: a route that hangs, a quick one and a slow stream."""
    app = FastAPI()
    install_request_timeout(app, timeout_s)

    @app.get("/hang")
    async def hang() -> None:
        await asyncio.sleep(60)

    @app.get("/quick")
    def quick() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/stream")
    def stream() -> StreamingResponse:
        def chunks() -> Iterator[bytes]:
            yield b"first\n"
            time.sleep(timeout_s * 1.5)  # longer than the limit, after the response started
            yield b"last\n"

        return StreamingResponse(chunks(), media_type="text/plain")

    return app


def test_the_time_limit_cuts_only_answers_that_have_not_started() -> None:
    with TestClient(_timed_app(1.0)) as client:
        hung = client.get("/hang")
        assert hung.status_code == 504
        assert hung.json()["detail"] == "the request took longer than 1 s and was abandoned"
        assert client.get("/quick").json() == {"ok": True}
        streamed = client.get("/stream")
        assert streamed.status_code == 200
        assert streamed.text == "first\nlast\n"
