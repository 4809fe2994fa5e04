"""Every resource route end to end on the offline provider: real home, database and Chroma.

A source is ingested, found with its citation, written into an article whose history is then
read, compared and exported; each other pipeline answers with its result. The module runs
on SQLite and, when a server is configured, on PostgreSQL.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document
from fastapi.testclient import TestClient

from aiwriter_kernel import Workbench
from aiwriter_kernel.analysis.word_count import word_count

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

COMPOSTING = (
    "# Home composting\n\n"
    "Worms turn kitchen scraps into humus within weeks. A compost pile needs air, moisture "
    "and a balance of green and brown material. Turning the pile every week keeps it "
    "aerobic. Finished compost smells of forest soil.\n"
)


@pytest.fixture(scope="module", params=BACKENDS)
def api_backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def source_id(client: TestClient, alice: Any) -> int:
    """Alice's composting notes, added as text."""
    answer = client.post(
        "/api/sources/text",
        json={"title": "Composting notes", "text": COMPOSTING, "tags": ["garden"]},
        headers=alice.headers,
    )
    assert answer.status_code == 200, answer.text
    [item] = answer.json()["items"]
    assert item["status"] == "added" and item["chunks"] >= 1
    return item["source_id"]


@pytest.fixture(scope="module")
def article(client: TestClient, alice: Any, source_id: int) -> dict[str, Any]:
    """An article Alice wrote from her notes, through the synchronous route."""
    answer = client.post(
        "/api/articles",
        json={"topic": "home composting", "target_words": 300},
        headers=alice.headers,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


# -- research ------------------------------------------------------------------------------


def test_a_text_source_is_listed_and_found_with_its_citation(
    client: TestClient, alice: Any, source_id: int
) -> None:
    listed = client.get("/api/sources", headers=alice.headers).json()
    assert [s["title"] for s in listed if s["id"] == source_id] == ["Home composting"]
    found = client.post("/api/search", json={"query": "worms humus", "k": 3}, headers=alice.headers)
    assert found.status_code == 200, found.text
    hits = found.json()["hits"]
    assert hits and hits[0]["source_id"] == source_id
    assert "worms" in hits[0]["text"].lower()
    assert hits[0]["citation"].startswith("Home composting — upload:Composting notes.md")


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_search_modes_and_filters(
    client: TestClient, alice: Any, source_id: int, mode: str
) -> None:
    body = {"query": "compost pile air", "mode": mode, "tags": ["garden"], "diversify": True}
    hits = client.post("/api/search", json=body, headers=alice.headers).json()["hits"]
    assert {hit["source_id"] for hit in hits} == {source_id}
    body["tags"] = ["no-such-tag"]
    assert client.post("/api/search", json=body, headers=alice.headers).json()["hits"] == []


def test_search_per_source_keeps_one_hit_of_each_source(
    client: TestClient, alice: Any, source_id: int
) -> None:
    body = {"query": "compost worms soil", "k": 5, "per_source": 1}
    hits = client.post("/api/search", json=body, headers=alice.headers).json()["hits"]
    assert hits and len({hit["source_id"] for hit in hits}) == len(hits)
    body["per_source"] = -1
    refused = client.post("/api/search", json=body, headers=alice.headers)
    assert refused.status_code == 422 and "per_source" in refused.text


def test_uploaded_files_are_ingested_one_item_each(client: TestClient, alice: Any) -> None:
    files = [
        (
            "files",
            ("beans.md", b"# Growing beans\n\nBeans fix nitrogen in the soil.", "text/markdown"),
        ),
        ("files", ("kale.txt", b"Kale survives frost and tastes sweeter after it.", "text/plain")),
    ]
    answer = client.post(
        "/api/sources", files=files, data={"workspace": "uploads"}, headers=alice.headers
    )
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [(i["origin"], i["status"]) for i in items] == [
        ("upload:beans.md", "added"),
        ("upload:kale.txt", "added"),
    ]
    listed = client.get("/api/sources", params={"workspace": "uploads"}, headers=alice.headers)
    assert sorted(s["origin"] for s in listed.json()) == ["upload:beans.md", "upload:kale.txt"]
    hits = client.post(
        "/api/search", json={"query": "frost", "workspace": "uploads"}, headers=alice.headers
    ).json()["hits"]
    assert hits[0]["origin"] == "upload:kale.txt"


def test_an_upload_nothing_can_be_read_from_is_refused(client: TestClient, alice: Any) -> None:
    files = [("files", ("archive.zip", b"PK\x03\x04 not a document", "application/zip"))]
    answer = client.post("/api/sources", files=files, headers=alice.headers)
    assert answer.status_code == 422
    assert "archive.zip" in answer.json()["detail"]


def test_the_server_never_reads_a_path_or_url_a_caller_names(
    client: TestClient, alice: Any, api_workbench: Workbench
) -> None:
    """Sources are only the bytes sent: a path in a title, or a path or URL as a field, is
    never opened or fetched."""
    refused = client.post(
        "/api/sources/text",
        json={"title": "notes", "text": "x", "path": "/etc/passwd"},
        headers=alice.headers,
    )
    assert refused.status_code == 422
    refused = client.post(
        "/api/sources",
        json={"paths": ["/etc/passwd"], "urls": ["http://127.0.0.1/"]},
        headers=alice.headers,
    )
    assert refused.status_code == 422
    named = client.post(
        "/api/sources/text",
        json={"title": "/etc/passwd", "text": "Only these words were sent.", "workspace": "paths"},
        headers=alice.headers,
    )
    assert named.status_code == 200, named.text
    [item] = named.json()["items"]
    assert item["origin"] == "upload:etc-passwd.md"
    hits = client.post(
        "/api/search",
        json={"query": "root", "workspace": "paths", "mode": "lexical"},
        headers=alice.headers,
    ).json()["hits"]
    assert all("root:" not in hit["text"] for hit in hits)
    text = api_workbench.db.sources.get_source_text(item["source_id"])
    assert "Only these words were sent." in text and "root:" not in text


def test_a_source_is_deleted_and_no_longer_found(client: TestClient, alice: Any) -> None:
    added = client.post(
        "/api/sources/text",
        json={"title": "Rhubarb", "text": "Rhubarb leaves are poisonous.", "workspace": "del"},
        headers=alice.headers,
    ).json()
    source = added["items"][0]["source_id"]
    assert client.delete(f"/api/sources/{source}", headers=alice.headers).status_code == 204
    assert (
        client.get("/api/sources", params={"workspace": "del"}, headers=alice.headers).json() == []
    )
    hits = client.post(
        "/api/search", json={"query": "rhubarb", "workspace": "del"}, headers=alice.headers
    ).json()["hits"]
    assert hits == []
    assert client.delete(f"/api/sources/{source}", headers=alice.headers).status_code == 404


# -- articles and their history --------------------------------------------------------------


def test_an_article_is_written_with_citations(article: dict[str, Any], source_id: int) -> None:
    assert article["provider"] == "offline"
    assert article["markdown"].startswith("# ")
    assert [c["source_id"] for c in article["citations"]] == [source_id]
    assert "[1]" in article["markdown"]


def test_the_article_is_listed_read_and_has_a_history(
    client: TestClient, alice: Any, article: dict[str, Any]
) -> None:
    draft_id = article["draft_id"]
    listed = client.get("/api/drafts", params={"kind": "article"}, headers=alice.headers).json()
    assert draft_id in [d["id"] for d in listed]
    assert all(d["kind"] == "article" for d in listed)
    detail = client.get(f"/api/drafts/{draft_id}", headers=alice.headers).json()
    assert detail["title"] == article["title"] and detail["topic"] == "home composting"
    assert detail["latest"]["version"] == article["version"]
    assert detail["latest"]["content"] == article["markdown"]
    versions = client.get(f"/api/drafts/{draft_id}/versions", headers=alice.headers).json()
    assert [v["version"] for v in versions] == list(range(1, article["version"] + 1))
    assert versions[0]["stage"] == "outline"
    first = client.get(f"/api/drafts/{draft_id}/versions/1", headers=alice.headers).json()
    assert first["stage"] == "outline" and first["content"] != article["markdown"]


def test_a_diff_between_versions_as_json_and_as_text(
    client: TestClient, alice: Any, article: dict[str, Any]
) -> None:
    draft_id, latest = article["draft_id"], article["version"]
    url = f"/api/drafts/{draft_id}/diff"
    as_json = client.get(url, params={"old": 1}, headers=alice.headers).json()
    assert (as_json["old"], as_json["new"]) == (1, latest)
    assert f"--- draft {draft_id} v1" in as_json["diff"]
    assert any(line.startswith("+") for line in as_json["diff"].splitlines()[2:])
    as_text = client.get(
        url, params={"old": 1, "new": latest}, headers={**alice.headers, "Accept": "text/plain"}
    )
    assert as_text.headers["content-type"].startswith("text/plain")
    assert as_text.text == as_json["diff"]
    same = client.get(url, params={"old": latest, "new": latest}, headers=alice.headers)
    assert same.json()["diff"] == ""


def test_exports_in_three_formats(client: TestClient, alice: Any, article: dict[str, Any]) -> None:
    url = f"/api/drafts/{article['draft_id']}/export"
    markdown = client.get(url, params={"format": "md"}, headers=alice.headers)
    assert markdown.status_code == 200
    assert markdown.text == article["markdown"]
    disposition = markdown.headers["content-disposition"]
    assert disposition.startswith("attachment;") and f"-v{article['version']}.md" in disposition
    html = client.get(url, params={"format": "html"}, headers=alice.headers)
    assert html.headers["content-type"].startswith("text/html")
    assert f"<h1>{article['title']}</h1>" in html.text
    docx = client.get(url, params={"format": "docx", "version": 1}, headers=alice.headers)
    assert "-v1.docx" in docx.headers["content-disposition"]
    paragraphs = [p.text for p in Document(io.BytesIO(docx.content)).paragraphs]
    assert article["outline"]["sections"][0]["heading"] in paragraphs


def test_an_html_export_escapes_markup_from_model_output(
    client: TestClient, alice: Any, api_workbench: Workbench
) -> None:
    """Model output and sources may contain HTML; the exported page shows it as text."""
    space = api_workbench.for_user(alice.id).workspace()
    draft, _ = api_workbench.db.drafts.create_draft(
        space.id,
        kind="article",
        title="Unsafe <b>title</b>",
        topic="t",
        content="# Unsafe\n\nA tag: <script>alert('x')</script> <img src=x onerror=alert(1)>\n",
    )
    page = client.get(
        f"/api/drafts/{draft.id}/export", params={"format": "html"}, headers=alice.headers
    ).text
    assert "<script>alert" not in page and "<img" not in page
    assert "&lt;script&gt;alert" in page


def test_an_outline_is_edited_then_written(client: TestClient, alice: Any, source_id: int) -> None:
    planned = client.post(
        "/api/outlines", json={"topic": "compost piles", "sections": 2}, headers=alice.headers
    )
    assert planned.status_code == 200, planned.text
    draft_id, outline = planned.json()["draft_id"], planned.json()["outline"]
    outline["sections"][0]["heading"] = "Why worms matter"
    written = client.post(
        f"/api/drafts/{draft_id}/article", json={"outline": outline}, headers=alice.headers
    )
    assert written.status_code == 200, written.text
    assert written.json()["draft_id"] == draft_id
    result = written.json()
    assert result["outline"]["sections"][0]["heading"] == "Why worms matter"
    assert "Why worms matter" in result["regenerated_sections"]
    versions = client.get(f"/api/drafts/{draft_id}/versions", headers=alice.headers).json()
    assert len(versions) >= 2


def test_a_draft_is_deleted_with_its_history(client: TestClient, alice: Any) -> None:
    made = client.post(
        "/api/rewrite", json={"channel": "email", "text": COMPOSTING}, headers=alice.headers
    ).json()
    draft_id = made["draft_id"]
    assert client.delete(f"/api/drafts/{draft_id}", headers=alice.headers).status_code == 204
    assert client.get(f"/api/drafts/{draft_id}", headers=alice.headers).status_code == 404
    assert client.get(f"/api/drafts/{draft_id}/versions", headers=alice.headers).status_code == 404
    listed = client.get("/api/drafts", headers=alice.headers).json()
    assert draft_id not in [d["id"] for d in listed]


# -- the other pipelines ---------------------------------------------------------------------

PIPELINES: list[tuple[str, dict[str, Any], str]] = [
    ("/api/rewrite", {"channel": "linkedin", "text": COMPOSTING}, "rewrite:linkedin"),
    ("/api/seo-metadata", {"markdown": COMPOSTING, "keyword": "composting"}, "seo-metadata"),
    ("/api/summaries", {"query": "composting"}, "summary"),
    ("/api/answers", {"question": "How do worms help compost?"}, "answer"),
    ("/api/copy", {"framework": "aida", "offer": "A compost kit", "topic": "compost"}, "copy:aida"),
    ("/api/fact-checks", {"text": "Worms turn scraps into humus in 3 weeks."}, "fact-check"),
]


@pytest.mark.parametrize(("path", "body", "kind"), PIPELINES, ids=[p for p, _, _ in PIPELINES])
def test_each_pipeline_answers_and_stores_a_draft(
    client: TestClient, alice: Any, source_id: int, path: str, body: dict[str, Any], kind: str
) -> None:
    answer = client.post(path, json=body, headers=alice.headers)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["provider"] == "offline"
    stored = client.get(f"/api/drafts/{result['draft_id']}", headers=alice.headers).json()
    assert stored["kind"] == kind
    assert stored["latest"]["version"] == result["version"]


def test_a_pipeline_on_a_stored_draft(
    client: TestClient, alice: Any, article: dict[str, Any]
) -> None:
    answer = client.post(
        "/api/rewrite",
        json={"channel": "x-thread", "draft_id": article["draft_id"]},
        headers=alice.headers,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["source_draft_id"] == article["draft_id"]


def test_cited_pipelines_cite_the_callers_source(
    client: TestClient, alice: Any, source_id: int
) -> None:
    answered = client.post(
        "/api/answers", json={"question": "What does a compost pile need?"}, headers=alice.headers
    ).json()
    assert answered["answered"] is True
    assert [c["source_id"] for c in answered["citations"]] == [source_id]
    summary = client.post(
        "/api/summaries", json={"source_ids": [source_id], "max_words": 60}, headers=alice.headers
    ).json()
    assert summary["citations"][0]["source_id"] == source_id


def test_analyze_scores_readability_and_seo(client: TestClient, alice: Any) -> None:
    answer = client.post(
        "/api/analyze",
        json={"markdown": COMPOSTING, "keyword": "composting"},
        headers=alice.headers,
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["readability"]["word_count"] > 20
    assert report["seo"]["keyword"] == "composting"
    # one word count: the answer's, every part's, and the kernel's rule agree
    words = word_count(COMPOSTING)
    assert report["word_count"] == report["readability"]["word_count"] == words
    assert report["keywords"]["word_count"] == report["seo"]["word_count"] == words
    plain = client.post("/api/analyze", json={"markdown": COMPOSTING}, headers=alice.headers)
    assert plain.json()["seo"] is None


def test_the_openapi_schema_documents_every_route(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path, methods in schema["paths"].items():
        if not path.startswith("/api/") or "/jobs" in path or "/batch" in path:
            continue  # those routers are other modules' (and tested there)
        for method, operation in methods.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
            assert operation.get("description"), f"{method.upper()} {path} has no description"
            codes = operation["responses"]
            assert any(code.startswith("2") for code in codes), f"{method} {path}"
            if "{" in path:
                assert "404" in codes, f"{method.upper()} {path} documents no 404"
