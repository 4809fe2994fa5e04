"""Fact checking against a real knowledge base (real store, Chroma and embeddings) built
from a few paragraphs of known facts about a fictional lighthouse: offline, through a chat
model (the local OpenAI-compatible server), and with web snippets from a local SearXNG."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fake_openai_server import openai_workbench

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import NotFoundError, ValidationError
from aiwriter_kernel.pipelines.article_models import PipelineEvent
from aiwriter_kernel.pipelines.fact_check import FactCheckResult

pytestmark = pytest.mark.slow

LIGHTHOUSE = """# Harrow Point Lighthouse

The Harrow Point Lighthouse stands on the northern cape of Selkie Island. The lighthouse was
built in 1889 to warn ships away from the Gannet Reef. It was designed by the architect
Agnes Moberg, who also drew the harbour office in Port Ellery.

## The tower

The tower is 42 metres tall and is built of local grey granite. A spiral staircase of 212
steps leads to the lantern room. The walls are three metres thick at the base.

## The light

The original lamp burned paraffin and could be seen from 18 nautical miles away. The lamp
was electrified in 1931. The station has not had a resident keeper since 1962, when the
light was automated.
"""
ISLAND = """# Selkie Island

Selkie Island lies 14 kilometres off the coast and has about 300 inhabitants. A ferry from
Port Ellery crosses to the island twice a day. The island is known for its colony of grey
seals, which breed on the western beaches every autumn.
"""
TEXT = """# A day at Harrow Point

Hello from the coast! The Harrow Point Lighthouse was built in 1889. It was designed by
Agnes Moberg. The tower is 42 metres tall. Is it open on Sundays? I think it is the
prettiest lighthouse in the north. Take the ferry early.

Some guides claim the lighthouse was built in 1920. Others say the tower is 50 metres tall.
The Harrow Point Lighthouse is not built of granite. The ferry crosses to Selkie Island
three times a day. The lighthouse gift shop opened in 2005.
"""
EXPECTED = {
    "The Harrow Point Lighthouse was built in 1889.": "supported",
    "It was designed by Agnes Moberg.": "supported",
    "The tower is 42 metres tall.": "supported",
    "Some guides claim the lighthouse was built in 1920.": "contradicted",
    "Others say the tower is 50 metres tall.": "contradicted",
    "The Harrow Point Lighthouse is not built of granite.": "contradicted",
    "The ferry crosses to Selkie Island three times a day.": "contradicted",
    "The lighthouse gift shop opened in 2005.": "no_evidence",
}


def write_kb(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "harrow-point.md").write_text(LIGHTHOUSE)
    (folder / "selkie-island.md").write_text(ISLAND)
    return folder


@pytest.fixture(scope="module")
def workbench(tmp_path_factory) -> Iterator[Workbench]:
    kb = write_kb(tmp_path_factory.mktemp("kb"))
    with Workbench.open(home=tmp_path_factory.mktemp("home")) as opened:
        assert opened.ingest(kb).ok
        yield opened


@pytest.fixture(scope="module")
def checked(workbench) -> tuple[FactCheckResult, list[PipelineEvent]]:
    events: list[PipelineEvent] = []
    return workbench.fact_check(text=TEXT, on_event=events.append), events


# -- offline ---------------------------------------------------------------------------------


def test_each_claim_gets_the_verdict_the_knowledge_base_supports(checked) -> None:
    result, _ = checked
    assert {check.claim: check.verdict for check in result.claims} == EXPECTED
    assert result.counts == {"supported": 3, "contradicted": 4, "no_evidence": 1}
    assert result.reason is None and result.warnings == []
    assert result.provider == "offline"


def test_each_verdict_is_explained(checked) -> None:
    result, _ = checked
    reasons = {check.claim: check.reason for check in result.claims}
    assert reasons["Some guides claim the lighthouse was built in 1920."].endswith(
        "says 1889, the claim says 1920"
    )
    assert reasons["Others say the tower is 50 metres tall."].endswith(
        "says 42 metres, the claim says 50 metres"
    )
    assert "twice" in reasons["The ferry crosses to Selkie Island three times a day."]
    assert "'not'" in reasons["The Harrow Point Lighthouse is not built of granite."]


def test_evidence_is_quoted_from_the_chunk_it_cites(checked, workbench) -> None:
    result, _ = checked
    labels: dict[str, int] = {}
    for check in result.claims:
        if check.verdict == "no_evidence":
            assert check.evidence is None
            continue
        evidence = check.evidence
        assert evidence is not None and evidence.chunk_id is not None
        (chunk,) = workbench.db.sources.get_chunks_by_ids([evidence.chunk_id])
        assert evidence.quote in chunk.text
        source = workbench.db.sources.get_source(chunk.source_id)
        assert (evidence.title, evidence.origin) == (source.title, source.origin)
        assert labels.setdefault(evidence.chunk_id, evidence.label) == evidence.label
    by_claim = {check.claim: check.evidence for check in result.claims}
    assert "1889" in by_claim["Some guides claim the lighthouse was built in 1920."].quote
    assert by_claim["The ferry crosses to Selkie Island three times a day."].origin.endswith(
        "selkie-island.md"
    )


def test_the_report_is_stored_as_a_fact_check_draft(checked, workbench) -> None:
    result, events = checked
    draft = workbench.db.drafts.get_draft(result.draft_id)
    assert draft.kind == "fact-check" and draft.title == "Fact check: A day at Harrow Point"
    stored = workbench.version(result.draft_id)
    assert stored.version == result.version == 1
    assert stored.content == result.to_markdown(draft.title)
    assert "**contradicted**: Others say the tower is 50 metres tall." in stored.content
    assert stored.meta["claims"] == [c.model_dump(mode="json") for c in result.claims]
    assert "text" not in stored.meta["request"]
    assert [e.stage for e in events][:2] == ["generate", "research"]
    assert [e.stage for e in events][-3:] == ["check", "store", "done"]


def test_a_text_without_claims_is_an_empty_result_with_a_reason(workbench) -> None:
    result = workbench.fact_check(text="Hello there! Is this working? Write to us soon.")
    assert result.claims == [] and result.counts["no_evidence"] == 0
    assert result.reason and result.reason.startswith("no checkable claims")
    assert workbench.version(result.draft_id).meta["reason"] == result.reason


def test_a_stored_draft_is_checked_without_its_references(workbench) -> None:
    space = workbench.db.workspaces.get_or_create("default")
    draft, _ = workbench.db.drafts.create_draft(
        space.id,
        kind="article",
        title="Lighthouses",
        topic="lighthouses",
        content=(
            "# Lighthouses\n\nThe lamp was electrified in 1931 [1]. The lamp was electrified "
            "in 1950 [1].\n\n## References\n\n[1] Harrow Point Lighthouse — kb/harrow-point.md\n"
        ),
    )
    result = workbench.fact_check(draft_id=draft.id)
    assert [(c.claim, c.verdict) for c in result.claims] == [
        ("The lamp was electrified in 1931.", "supported"),
        ("The lamp was electrified in 1950.", "contradicted"),
    ]
    assert result.source_draft_id == draft.id
    assert workbench.db.drafts.get_draft(result.draft_id).title == (
        f"Fact check: draft {draft.id}, Lighthouses"
    )
    with pytest.raises(NotFoundError):
        workbench.fact_check(draft_id=9999)


def test_a_persona_s_banned_words_never_reach_the_report(workbench) -> None:
    workbench.save_persona(name="Plain Pam", banned_words=("granite", "Moberg"))
    before = len(workbench.drafts(kind="fact-check"))
    with pytest.raises(ValidationError, match="unknown persona"):
        workbench.fact_check(text=TEXT, persona="Nobody")
    assert len(workbench.drafts(kind="fact-check")) == before  # refused before any work
    result = workbench.fact_check(text=TEXT, persona="Plain Pam")
    stored = workbench.version(result.draft_id)
    for shown in (result.model_dump_json(), stored.content, json.dumps(stored.meta)):
        assert "granite" not in shown.lower() and "moberg" not in shown.lower()
    assert "It was designed by Agnes [redacted]." in [c.claim for c in result.claims]
    assert any("[redacted]" in warning for warning in result.warnings)


def test_without_a_web_provider_the_knowledge_base_alone_is_used(workbench) -> None:
    result = workbench.fact_check(text=TEXT, use_web=True)
    assert {check.claim: check.verdict for check in result.claims} == EXPECTED
    assert len(result.warnings) == 1  # said once, not once per claim
    assert "web search is not configured" in result.warnings[0]
    assert "knowledge base only" in result.warnings[0]


# -- web snippets from a local SearXNG -------------------------------------------------------


class FakeSearxng(ThreadingHTTPServer):
    """A SearXNG instance answering every search with the same results."""

    daemon_threads = True

    def __init__(self, results: list[dict[str, Any]]) -> None:
        super().__init__(("127.0.0.1", 0), SearxngHandler)
        self.body = json.dumps({"results": results}).encode()
        self.queries: list[str] = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class SearxngHandler(BaseHTTPRequestHandler):
    server: FakeSearxng

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        self.server.queries.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)


@pytest.fixture
def searxng(monkeypatch) -> Iterator[FakeSearxng]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    result = {
        "title": "Lighthouses of the north",
        "url": "https://example.org/harrow",
        "content": "The Harrow Point Lighthouse was completed in 1889 by Agnes Moberg.",
    }
    server = FakeSearxng([result, result])  # a page listed twice is one passage
    server.thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_web_snippets_are_evidence_when_a_provider_is_configured(tmp_path, searxng) -> None:
    with Workbench.open(home=tmp_path, searxng_url=searxng.url) as empty:
        result = empty.fact_check(
            text="The Harrow Point Lighthouse was completed in 1920.", use_web=True
        )
    (check,) = result.claims
    assert check.verdict == "contradicted"
    assert check.evidence.origin == "https://example.org/harrow"
    assert check.evidence.chunk_id is None
    assert check.evidence.quote == (
        "The Harrow Point Lighthouse was completed in 1889 by Agnes Moberg."
    )
    assert len(searxng.queries) == 1 and result.warnings == []


# -- through a chat model --------------------------------------------------------------------


@pytest.fixture
def chat_workbench(tmp_path: Path, fake_openai) -> Iterator[Workbench]:
    with openai_workbench(tmp_path / "home", fake_openai) as opened:
        assert opened.ingest(write_kb(tmp_path / "kb")).ok
        yield opened


def test_a_model_s_valid_verdicts_are_used(chat_workbench, fake_openai) -> None:
    fake_openai.reply(
        json.dumps({"claims": ["The lighthouse was built in 1889.", "The tower is 50 m tall."]}),
        json.dumps(
            {
                "verdict": "supported",
                "label": 1,
                "quote": "The lighthouse was built in 1889 to warn ships",
                "reason": "The source gives 1889.",
            }
        ),
        "```json\n"
        + json.dumps(
            {
                "verdict": "contradicted",
                "label": 1,
                "quote": "The tower is 42 metres tall and is built of local grey granite.",
                "reason": "The source says 42 metres.",
            }
        )
        + "\n```",
    )
    result = chat_workbench.fact_check(text="It was built in 1889 and is 50 m tall.", k=1)
    assert [(c.claim, c.verdict, c.reason) for c in result.claims] == [
        ("The lighthouse was built in 1889.", "supported", "The source gives 1889."),
        ("The tower is 50 m tall.", "contradicted", "The source says 42 metres."),
    ]
    # the quote as the chunk writes it, line break included
    assert result.claims[0].evidence.quote == "The lighthouse was\nbuilt in 1889 to warn ships"
    assert result.warnings == [] and result.provider == "openai"
    prompts = [r.json["messages"][-1]["content"] for r in fake_openai.requests]
    assert len(prompts) == 3
    assert "It was built in 1889 and is 50 m tall." in prompts[0]
    assert '<claim untrusted="true">\nThe lighthouse was built in 1889.\n</claim>' in prompts[1]
    assert '<source id="1" title="Harrow Point Lighthouse"' in prompts[1]


def test_unusable_model_answers_fall_back_to_the_offline_judgement(
    chat_workbench, fake_openai
) -> None:
    fake_openai.reply(
        "Sure! The text says the lighthouse is old.",
        "I believe this one is supported.",
        json.dumps(
            {
                "verdict": "supported",
                "label": 1,
                "quote": "The tower is 42 metres tall, the source says.",
                "reason": "made up",
            }
        ),
        json.dumps(
            {"verdict": "supported", "label": 9, "quote": "About 300 people.", "reason": "x"}
        ),
    )
    text = (
        "The lighthouse was built in 1920. The tower is 42 metres tall. "
        "Selkie Island has about 300 inhabitants."
    )
    result = chat_workbench.fact_check(text=text, k=1)
    assert [(c.claim, c.verdict) for c in result.claims] == [
        ("The lighthouse was built in 1920.", "contradicted"),
        ("The tower is 42 metres tall.", "supported"),
        ("Selkie Island has about 300 inhabitants.", "supported"),
    ]
    assert "made up" not in result.model_dump_json()
    warnings = result.warnings
    assert len(warnings) == 4
    assert "claim list was unusable (the answer holds no JSON object)" in warnings[0]
    assert "no JSON object" in warnings[1] and "offline judgement" in warnings[1]
    assert "quote does not occur in source [1]" in warnings[2]
    assert "cites source 9, which it was not given" in warnings[3]
    stored = chat_workbench.version(result.draft_id)
    assert stored.meta["warnings"] == warnings
