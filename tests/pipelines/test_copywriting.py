"""Copy in every framework, offline from the demo corpus and from a given text, through a
chat model whose answers are parsed and repaired, and kept free of a persona's banned words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai_server import openai_workbench

from aiwriter_kernel import Workbench
from aiwriter_kernel.copywriting import COPY_FORMATS, frameworks, resolve_framework
from aiwriter_kernel.errors import NotFoundError, ValidationError
from aiwriter_kernel.pipelines.article_models import PipelineEvent
from aiwriter_kernel.pipelines.copywriting import CopyResult
from aiwriter_kernel.text.sentences import split_sentences
from aiwriter_kernel.text.words import words

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
OFFER = "Acme Planner"
KEYS = [framework.key for framework in frameworks()]
TEXT = """# Acme Planner

Acme Planner is a calendar app for small teams.
Most teams struggle to plan their week without a shared view.
Missed deadlines cost hours of rework and frustrate customers.
Acme Planner includes shared boards, reminders and a weekly digest.
It is faster than a spreadsheet and easier to keep up to date.
You save time every Monday and your team knows what comes next.
In a 2025 survey, 82% of our customers said planning took half as long.
Imagine starting each week with a plan everyone already agreed on.
"""
TOPICS = {
    "aida": "email newsletter subject lines",
    "pas": "readability of web content",
    "bab": "repurposing articles for social media",
    "fab": "SEO basics for writers",
    "4ps": "writing headlines",
    "psp": "brand voice guidelines",
}


def plain(text: str) -> str:
    return " ".join(words(text))


def assert_well_formed(result: CopyResult, key: str, material: str, cta: str = "") -> None:
    """Sections in the framework's order, written, within limits, each sentence once and
    taken from the material (the call to action aside)."""
    framework = resolve_framework(key)
    limits = framework.limits(result.format)
    assert [s.label for s in result.sections] == list(framework.labels)
    assert all(s.text and s.chars == len(s.text) <= limits.section_chars for s in result.sections)
    assert result.total_chars <= limits.total_chars
    assert all(check.ok for check in result.checks), result.checks
    assert result.reason is None
    sentences = [
        sentence
        for section, copy_section in zip(framework.sections, result.sections, strict=True)
        if section.role != "action"
        for sentence in split_sentences(copy_section.text)
        if plain(sentence) != plain(cta)
    ]
    assert len(sentences) == len(set(sentences))
    assert all(plain(sentence) in plain(material) for sentence in sentences)
    assert result.markdown.startswith(f"**{framework.labels[0]}:** ")


@pytest.fixture(scope="module")
def workbench(tmp_path_factory) -> Iterator[Workbench]:
    with Workbench.open(home=tmp_path_factory.mktemp("home")) as opened:
        opened.ingest(CORPUS)
        yield opened


# -- offline, every framework -------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_every_framework_from_the_demo_corpus(workbench: Workbench, key: str) -> None:
    copy_format = COPY_FORMATS[KEYS.index(key) % len(COPY_FORMATS)]
    events: list[PipelineEvent] = []
    result = workbench.copy(
        framework=key, format=copy_format, topic=TOPICS[key], on_event=events.append
    )
    assert result.citations and result.provider == "offline"
    sources = "\n".join(
        chunk.text
        for citation in result.citations
        for chunk in workbench.db.sources.get_chunks_by_ids(citation.chunk_ids)
    )
    assert_well_formed(result, key, sources)
    assert [e.stage for e in events] == ["research", "generate", "check", "store", "done"]
    draft = workbench.db.drafts.get_draft(result.draft_id)
    assert draft.kind == f"copy:{key}"
    stored = workbench.version(result.draft_id)
    assert stored.content == result.markdown and stored.stage == "copy"
    assert stored.meta["sections"] == [s.model_dump() for s in result.sections]


@pytest.mark.parametrize("key", KEYS)
def test_every_framework_from_a_given_text(workbench: Workbench, key: str) -> None:
    result = workbench.copy(framework=key, text=TEXT, offer=OFFER, format="landing")
    assert_well_formed(result, key, TEXT)
    assert result.citations == [] and result.warnings == []
    assert workbench.version(result.draft_id).meta["request"]["framework"] == key


def test_a_stored_draft_is_material_without_its_references_or_labels(workbench) -> None:
    space = workbench.db.workspaces.get_or_create("default")
    draft, _ = workbench.db.drafts.create_draft(
        space.id,
        kind="article",
        title="Acme",
        topic="Acme",
        content=TEXT + "\n## References\n\n[1] Reference list entries are never copy.\n",
    )
    first = workbench.copy(framework="psp", draft_id=draft.id, offer=OFFER, cta="Book a demo")
    assert_well_formed(first, "psp", TEXT, cta="Book a demo")
    assert first.sections[-1].text.endswith("Book a demo.")  # PSP closes with the CTA
    assert "Reference list" not in first.markdown
    again = workbench.copy(framework="pas", draft_id=first.draft_id)
    assert not any(s.text.startswith(("Problem:", "Solution:")) for s in again.sections)
    with pytest.raises(NotFoundError, match="there is no draft 9999"):
        workbench.copy(framework="pas", draft_id=9999)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"framework": "SWOT", "text": TEXT}, "use one of AIDA, PAS, BAB, FAB, 4Ps, PSP"),
        ({"framework": "aida", "text": "  \n "}, "the text is empty"),
        ({"framework": "aida", "text": TEXT, "topic": "x"}, "exactly one of text, draft_id"),
        ({"framework": "aida"}, "exactly one of text, draft_id or topic"),
        ({"framework": "aida", "text": TEXT, "format": "poster"}, "format"),
        ({"framework": "aida", "text": TEXT, "persona": "Nobody"}, "unknown persona 'Nobody'"),
        ({"framework": "aida", "topic": "tea", "workspace": "empty"}, "has no sources on 'tea'"),
    ],
)
def test_bad_requests_fail_before_anything_is_stored(workbench, fields, message) -> None:
    before = len(workbench.drafts()) + len(workbench.drafts(workspace="empty"))
    with pytest.raises(ValidationError, match=message):
        workbench.copy(**fields)
    assert len(workbench.drafts()) + len(workbench.drafts(workspace="empty")) == before


def test_a_persona_banned_word_never_appears(workbench: Workbench) -> None:
    free = workbench.copy(framework="psp", text=TEXT, offer=OFFER)
    assert "struggle" in free.sections[0].text and "survey" in free.sections[-1].text
    workbench.save_persona(name="Careful", banned_words=("struggle", "survey", "Acme"))
    result = workbench.copy(
        framework="psp", text=TEXT, offer=OFFER, cta="Try Acme free", persona="Careful"
    )
    assert all(s.text for s in result.sections)
    stored = workbench.version(result.draft_id)
    draft = workbench.db.drafts.get_draft(result.draft_id)
    everything = " ".join(
        [
            result.model_dump_json(),
            stored.content,
            json.dumps(stored.meta),
            draft.title,
            draft.topic,
        ]
    ).lower()
    for banned in ("struggle", "survey", "acme"):
        assert banned not in everything


# -- through a chat model -----------------------------------------------------------------------


@pytest.fixture
def chat(tmp_path: Path, fake_openai) -> Iterator[Workbench]:
    with openai_workbench(tmp_path, fake_openai) as opened:
        yield opened


def test_a_well_formed_answer_becomes_the_sections(chat: Workbench, fake_openai) -> None:
    fake_openai.reply(
        "Problem: Your week is planned in five places.\n"
        "Agitate: Every missed deadline costs hours of rework.\n"
        "Solution: Acme Planner puts it on one shared board."
    )
    result = chat.copy(framework="PAS", text=TEXT, offer=OFFER, cta="Start free")
    prompt = fake_openai.requests[0].json["messages"][-1]["content"]
    assert "PAS framework (Problem, Agitate, Solution)" in prompt
    assert "Problem: <text>\nAgitate: <text>\nSolution: <text>" in prompt
    assert "Missed deadlines cost hours of rework" in prompt
    assert [(s.label, s.text) for s in result.sections] == [
        ("Problem", "Your week is planned in five places."),
        ("Agitate", "Every missed deadline costs hours of rework."),
        ("Solution", "Acme Planner puts it on one shared board."),
    ]
    assert result.warnings == [] and result.provider == "openai"
    cta = next(c for c in result.checks if c.name == "call to action")
    assert not cta.ok  # the model left the call to action out, and the check says so
    assert chat.version(result.draft_id).content == result.markdown


def test_a_malformed_answer_is_repaired_not_stored(chat: Workbench, fake_openai) -> None:
    long_solution = " ".join(
        f"Acme Planner fixes problem number {n} for your team." for n in range(1, 12)
    )
    fake_openai.reply(
        "Sure! Here is punchy copy for you.\n\n"
        "**Problem:** Plans live in five places [4].\n"
        "Headline: Plan smarter\n"
        f"Solution: {long_solution}\n"
        "Problem: Another problem nobody asked for."
    )
    result = chat.copy(framework="pas", text=TEXT, offer=OFFER, format="ad")
    limit = resolve_framework("pas").limits("ad").section_chars
    texts = {s.label: s.text for s in result.sections}
    assert texts["Problem"] == "Plans live in five places."  # the citation marker is gone
    assert texts["Agitate"] == "Missed deadlines cost hours of rework and frustrate customers."
    assert texts["Solution"].startswith("Acme Planner fixes problem number 1 for your team.")
    assert len(texts["Solution"]) <= limit and texts["Solution"].endswith(".")
    assert all(check.ok for check in result.checks)
    assert "the copy had no Agitate section; wrote it from the material offline" in (
        result.warnings
    )
    assert any("cut the Solution section" in w for w in result.warnings)
    assert any("outside the copy's sections" in w for w in result.warnings)
    stored = chat.version(result.draft_id).content
    for garbage in ("Sure!", "Headline", "Plan smarter", "nobody asked", "[4]"):
        assert garbage not in stored


def test_a_model_using_a_banned_word_loses_that_sentence(chat: Workbench, fake_openai) -> None:
    chat.save_persona(name="Plain", banned_words=("synergy",))
    fake_openai.reply(
        "Problem: Teams lose Mondays to planning. Our synergy fixes it.\n"
        "Solution: Acme Planner puts the plan on one board.\n"
        "Proof: Synergy is proven."
    )
    result = chat.copy(framework="psp", text=TEXT, offer=OFFER, persona="Plain")
    assert "synergy" not in result.model_dump_json().lower()
    texts = {s.label: s.text for s in result.sections}
    assert texts["Problem"] == "Teams lose Mondays to planning."
    assert "82% of our customers" in texts["Proof"]  # refilled from the material
    assert any("banned words" in w for w in result.warnings)
    assert (
        '<banned untrusted="true">\nsynergy\n</banned>'
        in (fake_openai.requests[0].json["messages"][-1]["content"])
    )
