"""The article pipeline in a persona's voice: the voice reaches every task, and no banned
word reaches the article, its stored versions or its analysis, offline and with a model."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai_server import openai_workbench

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.text.banned import find_banned

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
TOPIC = "How to write readable web content"
BANNED = ("writing",)  # in the demo article and in its reference title, not in the topic
REFERENCE = re.compile(r"^\[(\d+)\] (.+) — (.+)$")


@pytest.fixture(scope="module")
def workbench(tmp_path_factory) -> Iterator[Workbench]:
    with Workbench.open(home=tmp_path_factory.mktemp("home")) as opened:
        opened.ingest(CORPUS)
        opened.save_persona(name="No Writing", tone="calm", banned_words=BANNED)
        yield opened


def split(markdown: str) -> tuple[str, list[tuple[str, str]]]:
    """(the article before its References, each reference's (title, origin))."""
    body, _, references = markdown.partition("\n## References\n")
    found = [REFERENCE.match(line) for line in references.strip().splitlines() if line]
    return body, [(match[2], match[3]) for match in found if match]


@pytest.fixture(scope="module")
def pair(workbench):
    """The same article without and with the persona."""
    plain = workbench.write(TOPIC, keywords=("readability",))
    voiced = workbench.write(TOPIC, keywords=("readability",), persona="No Writing")
    return plain, voiced


def test_the_banned_word_is_in_the_article_without_the_persona(pair) -> None:
    plain, _ = pair
    body, references = split(plain.markdown)
    assert find_banned(body, BANNED) == ["writing"]
    assert any(find_banned(title, BANNED) for title, _ in references)


def test_with_the_persona_the_banned_word_is_gone_everywhere(pair, workbench) -> None:
    _, voiced = pair
    body, references = split(voiced.markdown)
    assert find_banned(body, BANNED) == []
    assert find_banned(voiced.title, BANNED) == []
    assert all(find_banned(heading, BANNED) == [] for heading in re.findall(r"^#.*$", body, re.M))
    assert references and all(find_banned(title, BANNED) == [] for title, _ in references)
    for version in workbench.versions(voiced.draft_id):  # the outline and the draft
        stored_body, stored_refs = split(version.content)
        assert find_banned(stored_body, BANNED) == []
        assert all(find_banned(title, BANNED) == [] for title, _ in stored_refs)
        assert find_banned(" ".join(version.meta.get("sections", {}).values()), BANNED) == []
    assert workbench.version(voiced.draft_id).content == voiced.markdown
    assert all(find_banned(warning, BANNED) == [] for warning in voiced.warnings)
    assert any("banned" in warning for warning in voiced.warnings)


def test_the_article_is_still_a_cited_article(pair, workbench) -> None:
    plain, voiced = pair
    body, references = split(voiced.markdown)
    assert len(re.findall(r"^## ", body, flags=re.M)) >= 2
    assert [c.label for c in voiced.citations] == list(range(1, len(references) + 1))
    for (_, origin), citation in zip(references, voiced.citations, strict=True):
        assert origin == citation.origin  # addresses are never cut: citations still lead home
    report = workbench.analyze(voiced.markdown, draft=voiced, persona="No Writing")
    assert report.citations is not None and report.citations.invalid_citations == []
    assert report.voice is not None and report.voice.banned_words == []
    assert next(c for c in report.voice.checks if c.id == "banned_words").passed
    before = workbench.analyze(plain.markdown, persona="No Writing")
    assert before.voice is not None and before.voice.banned_words[0].word == "writing"
    assert before.voice.score < report.voice.score


def test_a_redraft_keeps_the_persona(pair, workbench) -> None:
    _, voiced = pair
    planned = workbench.versions(voiced.draft_id)[0]
    assert planned.meta["request"]["persona"] == "No Writing"
    edited = voiced.outline.model_copy(deep=True)
    edited.sections[-1].heading = "Writing that works"  # a heading with the banned word
    edited.sections[0].points.append("why writing matters")
    again = workbench.draft(voiced.draft_id, outline=edited)
    body, _ = split(again.markdown)
    assert find_banned(body, BANNED) == []
    assert all(find_banned(s.heading, BANNED) == [] for s in again.outline.sections)
    assert all(find_banned(p, BANNED) == [] for s in again.outline.sections for p in s.points)
    assert workbench.version(voiced.draft_id).meta["persona"] == "No Writing"


def test_an_unknown_persona_fails_before_anything_is_stored(workbench) -> None:
    before = len(workbench.drafts())
    with pytest.raises(ValidationError, match=r"unknown persona 'Ghost'.*No Writing"):
        workbench.write(TOPIC, persona="Ghost")
    assert len(workbench.drafts()) == before


def test_an_unknown_persona_fails_before_any_search(tmp_path: Path) -> None:
    """An empty knowledge base would fail the search; the persona is checked first."""
    with Workbench.open(home=tmp_path) as empty, pytest.raises(ValidationError, match="Ghost"):
        empty.write("Anything at all", persona="Ghost")


# -- with a chat model: the voice is in every prompt, and its banned words are removed ------

OUTLINE = """# Newsletters Without Synergy
## Subject Lines
- keep them short [1]
- synergy in every subject [1]
## Synergy Everywhere
- a single button [1]
## Cadence
- a predictable day [1]
"""


@pytest.fixture
def chat_workbench(tmp_path: Path, fake_openai) -> Iterator[Workbench]:
    with openai_workbench(tmp_path, fake_openai) as opened:
        opened.ingest(CORPUS / "email-newsletters.md")
        opened.save_persona(
            name="Calm",
            audience="busy founders",
            tone="calm",
            tone_words=("plain",),
            banned_words=("synergy",),
        )
        yield opened


def test_a_model_gets_the_voice_and_its_banned_words_are_dropped(
    chat_workbench, fake_openai
) -> None:
    fake_openai.reply(
        OUTLINE,
        "Newsletters reach people who asked for them [1]. Synergy makes them great [1].",
        "Short subject lines display fully on phones [1]. Add SYNERGY to each one [1].",
        "Send on a predictable day [1].",
    )
    result = chat_workbench.write("Email newsletters", target_words=400, sections=3, persona="Calm")
    prompts = [r.json["messages"][-1]["content"] for r in fake_openai.requests]
    # the outline, the introduction, two sections and the meta description
    assert len(prompts) == 5 and "meta description" in prompts[4].lower()
    assert all("persona: Calm\naudience: busy founders" in p for p in prompts)
    assert all('<banned untrusted="true">\nsynergy\n</banned>' in p for p in prompts)
    assert '<audience untrusted="true">\nbusy founders\n</audience>' in prompts[0]
    assert '<tone untrusted="true">\ncalm\n</tone>' in prompts[0]
    assert (
        '<tone untrusted="true">\ncalm\n</tone>' in prompts[2]
    )  # the persona's tone, as the request gave none
    assert find_banned(result.markdown, ("synergy",)) == []
    assert [s.heading for s in result.outline.sections] == ["Subject Lines", "Cadence"]
    assert result.outline.sections[0].points == ["keep them short"]
    assert result.title == "Email newsletters"  # the topic replaces a title with a banned word
    assert "Newsletters reach people who asked for them [1]." in result.markdown
    assert "Short subject lines display fully on phones [1]." in result.markdown
    stored = chat_workbench.db.drafts.list_versions(result.draft_id)
    assert all(find_banned(v.content, ("synergy",)) == [] for v in stored)
    assert sum("banned word" in w for w in result.warnings) >= 2


def test_a_source_title_loses_the_banned_word_but_keeps_its_address(
    chat_workbench, fake_openai
) -> None:
    chat_workbench.save_persona(name="No People", banned_words=("people",))
    fake_openai.reply(
        OUTLINE.replace("Synergy", "Send").replace("synergy", "send"),
        "Newsletters reach readers who asked for them [1].",
        "Short subject lines display fully on phones [1].",
        "Give each email one call to action [1].",
        "Send on a predictable day [1].",
    )
    result = chat_workbench.write(
        "Email newsletters", target_words=400, sections=3, persona="No People"
    )
    _, references = split(result.markdown)
    source = str(CORPUS / "email-newsletters.md")
    assert references == [("Email newsletters that open", source)]
    assert find_banned(result.markdown, ("people",)) == []
    assert result.citations[0].origin == source
    assert any("reference [1]" in warning for warning in result.warnings)
