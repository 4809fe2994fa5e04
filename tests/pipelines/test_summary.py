"""Cited summaries of sources chosen by id, by a query, or both: every cited sentence is in a
chunk of the source its number names, the length limit holds, bad selections fail early."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai_server import openai_workbench

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import NotFoundError, ValidationError
from aiwriter_kernel.pipelines.summary import SummaryRequest
from aiwriter_kernel.text.banned import find_banned
from aiwriter_kernel.text.sentences import split_sentences

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
CITED = re.compile(r"^(?P<body>.+?) \[(?P<labels>\d+(?:, \d+)*)\](?P<end>[.!?])$")
REFERENCE = re.compile(r"^\[(\d+)\] (.+) — (.+)$")


@pytest.fixture(scope="module")
def workbench(tmp_path_factory) -> Iterator[Workbench]:
    with Workbench.open(home=tmp_path_factory.mktemp("home")) as opened:
        opened.ingest(CORPUS)
        yield opened


def source_id(workbench: Workbench, name: str) -> int:
    space = workbench.db.workspaces.get_or_create("default")
    return next(
        s.id for s in workbench.db.sources.list_sources(space.id) if s.origin.endswith(name)
    )


def assert_citations_are_real(workbench: Workbench, result) -> list[int]:
    """Each cited sentence is word for word in a chunk of the cited source; the references
    list the citations in order. Returns the cited sources' ids."""
    by_label = {c.label: c for c in result.citations}
    assert sorted(by_label) == list(range(1, len(result.citations) + 1))
    assert len(result.references) == len(result.citations)
    for line, citation in zip(result.references, result.citations, strict=True):
        label, title, origin = REFERENCE.match(line).groups()
        assert (int(label), title, origin) == (citation.label, citation.title, citation.origin)
    assert result.markdown.endswith("\n\n".join(result.references) + "\n")
    sentences = [s for s in split_sentences(result.summary) if s.strip()]
    assert sentences
    for sentence in sentences:
        match = CITED.match(sentence)
        assert match, sentence
        for label in map(int, match["labels"].split(", ")):
            chunks = workbench.db.sources.get_chunks_by_ids(by_label[label].chunk_ids)
            assert chunks and {c.source_id for c in chunks} == {by_label[label].source_id}
            said = " ".join((match["body"] + match["end"]).split())
            assert any(said in " ".join(chunk.text.split()) for chunk in chunks), said
    return [c.source_id for c in result.citations]


def test_sources_chosen_by_id_are_summarised_within_the_limit(workbench) -> None:
    chosen = [source_id(workbench, "seo-basics.md"), source_id(workbench, "readability.md")]
    result = workbench.summarize(source_ids=chosen, max_words=90)
    assert set(assert_citations_are_real(workbench, result)) == set(chosen)
    assert 40 <= result.word_count <= 90
    assert result.reason is None and result.warnings == []
    draft = workbench.db.drafts.get_draft(result.draft_id)
    stored = workbench.version(result.draft_id)
    assert draft.kind == "summary" and stored.content == result.markdown
    assert stored.meta["citations"] == [c.model_dump(mode="json") for c in result.citations]


def test_a_query_selects_the_passages_about_it(workbench) -> None:
    result = workbench.summarize(query="unsubscribe link in email newsletters", max_words=60)
    cited = assert_citations_are_real(workbench, result)
    assert source_id(workbench, "email-newsletters.md") in cited
    assert result.word_count <= 60


def test_a_query_within_chosen_sources_cites_only_them(workbench) -> None:
    only = source_id(workbench, "headlines.md")
    result = workbench.summarize(source_ids=[only], query="headline length", max_words=50)
    assert set(assert_citations_are_real(workbench, result)) == {only}


def test_bad_selections_fail_before_any_work(workbench) -> None:
    before = len(workbench.drafts())
    with pytest.raises(NotFoundError, match="no source 999"):
        workbench.summarize(source_ids=[999])
    with pytest.raises(ValidationError, match="nothing selected"):
        workbench.summarize()
    with pytest.raises(ValidationError, match="nothing selected"):
        workbench.summarize(source_ids=[], query="   ")
    with pytest.raises(ValidationError, match="says nothing about boiling, tungsten"):
        workbench.summarize(query="boiling point of tungsten")
    for words in (29, 2001):
        with pytest.raises(ValidationError, match="max_words"):
            workbench.summarize(query="headlines", max_words=words)
    with pytest.raises(ValidationError, match="unknown persona"):
        workbench.summarize(query="headlines", persona="nobody")
    assert len(workbench.drafts()) == before
    assert SummaryRequest(source_ids=[3, 3, 1]).source_ids == [3, 1]


def test_a_persona_s_banned_words_never_appear(workbench) -> None:
    workbench.save_persona(name="no-brand", banned_words=("brand", "persona"))
    chosen = source_id(workbench, "brand-voice.md")
    result = workbench.summarize(source_ids=[chosen], max_words=80, persona="no-brand")
    assert result.summary
    for text in (result.markdown, workbench.version(result.draft_id).content):
        assert not find_banned(text, ["brand", "persona"])
    assert result.citations[0].title == "Defining a [redacted] voice and personas"
    assert any("redacted a banned word" in w for w in result.warnings)


def test_a_chat_model_s_summary_is_checked(tmp_path: Path, fake_openai) -> None:
    with openai_workbench(tmp_path, fake_openai) as chat:
        chat.ingest(CORPUS / "email-newsletters.md")
        chat.ingest(CORPUS / "headlines.md")
        ids = [source_id(chat, "email-newsletters.md"), source_id(chat, "headlines.md")]
        filler = " ".join(["Subscribers like a predictable day [1]."] * 3)
        fake_openai.reply(
            "## Summary\n\nHeadlines earn the click [2]. Tungsten boils at 5930 degrees [7]. "
            f"Newsletters need an unsubscribe link [1, 7]. {filler} "
            + " ".join(f"Sentence number {n} goes on and on for a while [1]." for n in range(6))
        )
        result = chat.summarize(source_ids=ids, max_words=30)
    prompt = fake_openai.requests[0].json["messages"][-1]["content"]
    assert "at most 30 words" in prompt
    assert '<source id="1" title="Email newsletters that people open"' in prompt
    assert '<source id="2" title="Writing headlines that earn the click"' in prompt
    assert "Tungsten" not in result.markdown and "[7]" not in result.markdown
    assert "## Summary" not in result.markdown
    # Renumbered in reading order: the headlines source is cited first now.
    assert result.summary.startswith("Headlines earn the click [1]. Newsletters need an ")
    assert [c.title for c in result.citations] == [
        "Writing headlines that earn the click",
        "Email newsletters that people open",
    ]
    assert result.word_count <= 30
    warnings = "\n".join(result.warnings)
    assert "removed citations to sources it was not given: [7]" in warnings
    assert "dropped 1 sentences citing only sources it was not given" in warnings
    assert "to keep the summary within 30 words" in warnings
