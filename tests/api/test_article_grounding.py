"""Articles only on what the caller's sources cover: an uncovered topic is a 422 whose
``detail`` says so in one line (and stores nothing), ``allow_thin`` writes it anyway, and the
plan's and the article's warnings are in the JSON answers.

Alice's knowledge base holds two demo documents, on readability and on headlines.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

UNCOVERED = "How to brew cold brew coffee"  # nothing in her sources is about it
THIN = "Headlines versus cold brew coffee"  # half covered: written only when allowed

pytestmark = pytest.mark.usefixtures("alice_sources")


def _drafts(client: TestClient, alice: Any) -> list[dict[str, Any]]:
    answer = client.get("/api/drafts", headers=alice.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize("path", ["/api/outlines", "/api/articles"])
def test_an_uncovered_topic_is_a_422_in_one_line_and_stores_nothing(
    client: TestClient, alice: Any, path: str
) -> None:
    before = _drafts(client, alice)
    answer = client.post(path, json={"topic": UNCOVERED}, headers=alice.headers)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail
    assert "no sources on" in detail and UNCOVERED in detail and "thin" in detail
    assert _drafts(client, alice) == before


def test_allow_thin_writes_the_article_with_its_warnings(client: TestClient, alice: Any) -> None:
    answer = client.post(
        "/api/articles",
        json={"topic": THIN, "allow_thin": True, "target_words": 600},
        headers=alice.headers,
    )
    assert answer.status_code == 200, answer.text
    article = answer.json()
    assert any("only thinly" in warning for warning in article["warnings"])
    assert article["target_words"] == 600 and article["word_count"] > 0
    assert 0 < article["coverage"] < 1


def test_a_thin_outline_answers_its_warnings_and_the_draft_keeps_them(
    client: TestClient, alice: Any
) -> None:
    planned = client.post(
        "/api/outlines", json={"topic": THIN, "allow_thin": True}, headers=alice.headers
    )
    assert planned.status_code == 200, planned.text
    warnings, draft_id = planned.json()["warnings"], planned.json()["draft_id"]
    assert any("only thinly" in warning for warning in warnings)

    written = client.post(f"/api/drafts/{draft_id}/article", headers=alice.headers)
    assert written.status_code == 200, written.text
    assert written.json()["warnings"][: len(warnings)] == warnings  # the plan's come first


def test_a_covered_outline_answers_an_empty_warning_list(client: TestClient, alice: Any) -> None:
    planned = client.post(
        "/api/outlines",
        json={"topic": "How to write readable web content"},
        headers=alice.headers,
    )
    assert planned.status_code == 200, planned.text
    assert planned.json()["warnings"] == []


def test_allow_thin_must_be_a_boolean(client: TestClient, alice: Any) -> None:
    answer = client.post(
        "/api/outlines", json={"topic": THIN, "allow_thin": "maybe"}, headers=alice.headers
    )
    assert answer.status_code == 422
    assert "allow_thin" in str(answer.json()["detail"])
