"""Input made to hurt the server (issue 14) gets an ordinary answer.

Text whose Markdown never closes once took the analysers minutes (regular expressions that
backtrack from every character); now it is answered like any other text. The request size
cap of the app's default settings (2 MB) lets such texts in.
"""

from __future__ import annotations

from typing import Any

import pytest
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
