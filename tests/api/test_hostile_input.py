"""Input made to hurt the server (issue 14) gets an ordinary answer.

Text whose Markdown never closes once took the analysers minutes (regular expressions that
backtrack from every character); now it is answered like any other text. A lone surrogate
in a JSON body made the 422 answer, which echoed it, fail to encode: a 500. The request size
cap of the app's default settings (2 MB) lets such bodies in.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiwriter_apps.api.app import create_app
from aiwriter_apps.api.errors import MAX_REPORTED_ERRORS
from aiwriter_apps.api.settings import ApiSettings
from fastapi.testclient import TestClient

SIZE = 400_000
LEAD = "Bread rises slowly overnight.\n\n"
HOSTILE = {
    "nested brackets": "[" * (SIZE // 2) + "]" * (SIZE // 2),
    "open images": "![" * (SIZE // 2),
    "open link targets": "[a](" * (SIZE // 4),
    "unclosed stars": "*a " * (SIZE // 3),
    "unclosed underscores": "_x " * (SIZE // 3),
    "open citations": "[1," * (SIZE // 3),
    "open tags": "<" * SIZE,
    "spaces before a citation": " " * SIZE + "x",
    "heading with a gap": "# a" + " " * SIZE + "b",
    "reference with a gap": "Text [1].\n\n# References\n\n[1] a" + " " * SIZE + "b",
    "attribute": "<a " + "b" * SIZE + ">",
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_is_analysed(client: TestClient, alice: Any, text: str) -> None:
    answer = client.post("/api/analyze", json={"markdown": LEAD + text}, headers=alice.headers)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["readability"]["word_count"] >= 4  # the lead's words at least


# A heading whose closing-hash pattern took time cubic in the gap: hours at this size.
GAPPED = "# Bread" + " " * 150_000 + "rises\n\nBread rises slowly overnight in a warm kitchen.\n"


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/rewrite", {"channel": "email", "text": GAPPED}),
        ("/api/seo-metadata", {"markdown": GAPPED}),
    ],
    ids=["rewrite", "seo-metadata"],
)
def test_a_heading_with_a_long_gap_is_read(
    client: TestClient, alice: Any, path: str, body: dict[str, Any]
) -> None:
    answer = client.post(path, json=body, headers=alice.headers)
    assert answer.status_code == 200, answer.text[:300]


@pytest.mark.timeout(300)
def test_a_hostile_source_is_added(client: TestClient, alice: Any) -> None:
    """The probe's 400 KB source, which never finished: its title took minutes to clean."""
    text = "Brackets " + HOSTILE["nested brackets"]
    answer = client.post(
        "/api/sources/text", json={"title": "brackets", "text": text}, headers=alice.headers
    )
    assert answer.status_code == 200, answer.text[:300]
    [item] = answer.json()["items"]
    assert item["status"] == "added"
    assert item["title"].startswith("Brackets")


# -- invalid JSON bodies -------------------------------------------------------------------

LONE_SURROGATE = b'{"query":"\\udfff"}'  # valid JSON; no UTF-8 can encode the string


def _json_routes() -> list[str]:
    """Every route taking a JSON body, from the app's schema; path ids are 1."""
    paths = create_app(api_settings=ApiSettings(_env_file=None)).openapi()["paths"]
    return [
        path.replace("{draft_id}", "1")
        for path, item in paths.items()
        for operation in item.values()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


JSON_ROUTES = _json_routes()


def _decoded(answer: Any) -> Any:
    """The answer's JSON, checked to be strict UTF-8."""
    return json.loads(answer.content.decode("utf-8", errors="strict"))


def test_every_json_route_is_probed() -> None:
    assert len(JSON_ROUTES) >= 11
    assert {"/api/search", "/api/analyze", "/api/jobs", "/v1/chat/completions"} <= set(JSON_ROUTES)


@pytest.mark.parametrize("path", JSON_ROUTES)
@pytest.mark.parametrize(
    "body",
    [LONE_SURROGATE, b'{"\\udfff": "x", "query": "\\udfff"}'],
    ids=["in a value", "in a key"],
)
def test_a_lone_surrogate_gets_a_clean_refusal(
    client: TestClient, alice: Any, path: str, body: bytes
) -> None:
    headers = {**alice.headers, "Content-Type": "application/json"}
    answer = client.post(path, content=body, headers=headers)
    openai_shaped = path.startswith("/v1/")
    assert answer.status_code == (400 if openai_shaped else 422), answer.text
    decoded = _decoded(answer)
    assert "\udfff" not in answer.content.decode("utf-8")
    if not openai_shaped:
        for error in decoded["detail"]:
            assert set(error) == {"loc", "msg", "type"}  # no "input" echoed


def test_a_big_invalid_body_gets_a_small_answer(client: TestClient, alice: Any) -> None:
    """FastAPI's own 422 echoed every invalid value: 360 KB in, 2.2 MB out."""
    body = {"query": "bread", "source_ids": ["not a number " * 300] * 100}  # at most 100 ids
    answer = client.post("/api/search", json=body, headers=alice.headers)
    assert len(json.dumps(body)) > 300_000
    assert answer.status_code == 422
    detail = _decoded(answer)["detail"]
    assert len(detail) == MAX_REPORTED_ERRORS + 1
    assert detail[0]["loc"] == ["body", "source_ids", 0]
    assert detail[-1]["msg"] == f"and {100 - MAX_REPORTED_ERRORS} more errors"
    assert len(answer.content) < 10_000
    assert "not a number" not in answer.text


def test_a_long_field_name_is_not_echoed_in_full(client: TestClient, alice: Any) -> None:
    name = "x" * 100_000
    answer = client.post("/api/search", json={"query": "q", name: 1}, headers=alice.headers)
    assert answer.status_code == 422
    [error] = _decoded(answer)["detail"]
    assert error["type"] == "extra_forbidden"
    assert error["loc"][0] == "body" and len(error["loc"][1]) <= 200
    assert len(answer.content) < 2_000
