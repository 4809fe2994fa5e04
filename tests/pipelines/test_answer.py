"""Cited answers from the knowledge base, and refusals instead of inventions: offline from
the demo corpus, and through a chat model whose invented citations are removed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai_server import openai_workbench

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import NotFoundError, ValidationError
from aiwriter_kernel.llm.tasks import NO_EVIDENCE, AnswerTask, SourcePassage
from aiwriter_kernel.llm.templates import render_task
from aiwriter_kernel.pipelines.answer import REFUSAL, is_refusal
from aiwriter_kernel.text.banned import find_banned
from aiwriter_kernel.text.sentences import split_sentences

CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
CITED = re.compile(r"^(?P<body>.+?) \[(?P<labels>\d+(?:, \d+)*)\](?P<end>[.!?])$")


def test_the_prompt_asks_for_the_refusal_sentence_that_is_detected() -> None:
    task = AnswerTask(
        question="Why?",
        sources=(SourcePassage(label=1, title="t", origin="o", text="Tea grows on hills."),),
    )
    rendered = render_task(task)
    assert all(REFUSAL in message.content for message in rendered.messages)
    assert int(rendered.template_version) >= 3
    assert REFUSAL == NO_EVIDENCE  # what the offline composer says, too
    assert is_refusal(REFUSAL) and is_refusal(
        "the sources provided do NOT contain\n enough evidence to answer this"
    )
    assert is_refusal("") and not is_refusal("Tea grows on hills [1].")


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


def answer_sentences(answer: str) -> list[str]:
    body = answer.split("\n## References\n")[0]
    return [s for s in split_sentences(body) if s.strip()]


@pytest.mark.slow
def test_an_answerable_question_is_answered_from_real_chunks(workbench) -> None:
    result = workbench.ask(question="What is keyword stuffing?")
    assert result.answered and result.reason is None
    assert "keyword stuffing makes text awkward" in result.answer
    by_label = {c.label: c for c in result.citations}
    assert sorted(by_label) == list(range(1, len(by_label) + 1))
    assert by_label[1].source_id == source_id(workbench, "seo-basics.md")
    for sentence in answer_sentences(result.answer):
        match = CITED.match(sentence)
        assert match, sentence  # every sentence of an answer cites its source
        said = " ".join((match["body"] + match["end"]).split())
        for label in map(int, match["labels"].split(", ")):
            chunks = workbench.db.sources.get_chunks_by_ids(by_label[label].chunk_ids)
            assert chunks and all(c.source_id == by_label[label].source_id for c in chunks)
            assert any(said in " ".join(chunk.text.split()) for chunk in chunks)
    assert result.answer.rstrip().endswith(f"[1] {by_label[1].title} — {CORPUS / 'seo-basics.md'}")
    stored = workbench.version(result.draft_id)
    assert workbench.db.drafts.get_draft(result.draft_id).kind == "answer"
    assert stored.stage == "answer" and result.answer in stored.content


@pytest.mark.slow
def test_an_unrelated_question_is_refused_and_nothing_is_invented(workbench) -> None:
    result = workbench.ask(question="What is the boiling point of tungsten?")
    assert not result.answered
    assert result.answer == "" and result.citations == []
    assert "tungsten" in result.reason
    stored = workbench.version(result.draft_id)
    assert stored.stage == "refused" and "Not answered" in stored.content
    assert stored.meta["answered"] is False


@pytest.mark.slow
def test_a_source_filter_limits_what_is_cited(workbench) -> None:
    only = source_id(workbench, "email-newsletters.md")
    result = workbench.ask(question="How often should I send a newsletter?", source_ids=[only])
    assert result.answered
    assert {c.source_id for c in result.citations} == {only}
    off_topic = workbench.ask(question="What is keyword stuffing?", source_ids=[only])
    assert not off_topic.answered and off_topic.citations == []


@pytest.mark.slow
def test_per_source_one_cites_each_source_at_most_once(workbench) -> None:
    result = workbench.ask(question="What is keyword stuffing?", k=6, per_source=1)
    assert result.answered
    chunk_ids = [chunk for citation in result.citations for chunk in citation.chunk_ids]
    assert all(len(citation.chunk_ids) == 1 for citation in result.citations), chunk_ids


@pytest.mark.slow
def test_bad_questions_fail_before_any_work(workbench) -> None:
    before = len(workbench.drafts())
    for empty in ("", "   \n"):
        with pytest.raises(ValidationError, match="the question is empty"):
            workbench.ask(question=empty)
    with pytest.raises(ValidationError, match="k"):
        workbench.ask(question="What is SEO?", k=0)
    with pytest.raises(ValidationError, match="source_ids"):
        workbench.ask(question="What is SEO?", source_ids=[])
    with pytest.raises(NotFoundError, match="no source 999"):
        workbench.ask(question="What is SEO?", source_ids=[999])
    with pytest.raises(ValidationError, match="unknown persona"):
        workbench.ask(question="What is SEO?", persona="nobody")
    assert len(workbench.drafts()) == before


@pytest.mark.slow
def test_a_persona_s_banned_words_never_appear(workbench) -> None:
    workbench.save_persona(name="no-stuffing", banned_words=("stuffing", "optimisation"))
    result = workbench.ask(question="What is keyword stuffing?", persona="no-stuffing")
    said = result.model_dump_json() + workbench.version(result.draft_id).content
    assert not find_banned(said, ["stuffing", "optimisation"])


# -- a chat model ------------------------------------------------------------------------------


@pytest.fixture
def chat(tmp_path: Path, fake_openai) -> Iterator[Workbench]:
    with openai_workbench(tmp_path, fake_openai) as opened:
        opened.ingest(CORPUS / "seo-basics.md")
        yield opened


@pytest.mark.slow
def test_a_chat_model_s_invented_citations_are_removed(chat, fake_openai) -> None:
    fake_openai.reply(
        "Keyword stuffing makes text awkward and search engines discount it [1]. "
        "Tungsten boils at 5930 degrees Celsius [9]. Most writers agree with this."
    )
    result = chat.ask(question="What is keyword stuffing?")
    prompt = fake_openai.requests[0].json["messages"]
    assert REFUSAL in prompt[0]["content"] and REFUSAL in prompt[-1]["content"]
    assert '<source id="1" title="Search engine optimisation basics"' in prompt[-1]["content"]
    assert result.answered
    body = result.answer.split("\n## References\n")[0].strip()
    assert body == "Keyword stuffing makes text awkward and search engines discount it [1]."
    warnings = "\n".join(result.warnings)
    assert "removed citations to sources it was not given: [9]" in warnings
    assert "dropped 1 sentences citing only sources it was not given" in warnings
    assert "dropped 1 sentences of the answer that cite no source" in warnings


@pytest.mark.slow
@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("Tungsten boils at 5930 degrees Celsius [9].", "cites none of the sources"),
        ("Keyword stuffing is bad for pages.", "cites none of the sources"),
        (f"I checked carefully. {REFUSAL}", "do not answer the question"),
    ],
)
def test_a_chat_answer_without_real_citations_is_refused(chat, fake_openai, reply, reason):
    fake_openai.reply(reply)
    result = chat.ask(question="What is keyword stuffing?")
    assert not result.answered and reason in result.reason
    assert result.answer == "" and result.citations == []
    assert "Tungsten" not in chat.version(result.draft_id).content


@pytest.mark.slow
def test_no_model_call_when_the_sources_say_nothing_about_it(chat, fake_openai) -> None:
    result = chat.ask(question="What is the boiling point of tungsten?")
    assert not result.answered and "tungsten" in result.reason
    assert fake_openai.requests == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "guide"),
    [
        ("How long should paragraphs be?", "readability.md"),
        ("What makes a good headline?", "headlines.md"),
        ("What is a content calendar?", "content-calendar.txt"),
    ],
)
def test_an_answer_holds_only_sentences_from_the_guide_that_answers(
    workbench, question: str, guide: str
) -> None:
    # other guides share a word of each question ("long", "good", "content"): search returns
    # them too, and none of their sentences may pad the answer
    result = workbench.ask(question=question, k=6, per_source=1)
    assert result.answered, result.reason
    assert {c.source_id for c in result.citations} == {source_id(workbench, guide)}
    assert result.answer.count("\n[") == 1  # one reference
    for sentence in answer_sentences(result.answer):
        assert sentence.rstrip().endswith(("[1].", "[1]?", "[1]!")), sentence
