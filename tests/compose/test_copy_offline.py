"""Copy in a framework without a model: each section from the material's own sentences of
the right kind, each sentence once, within the format's limits; and the prompt a model gets."""

from __future__ import annotations

import pydantic
import pytest

from aiwriter_kernel.compose.composer import OfflineComposer
from aiwriter_kernel.compose.copywriting import compose_copy
from aiwriter_kernel.copywriting import COPY_FORMATS, frameworks, resolve_framework
from aiwriter_kernel.llm.tasks import CopyTask, SourcePassage, Voice
from aiwriter_kernel.llm.templates import render_task
from aiwriter_kernel.text.sentences import split_sentences

OFFER = "Acme Planner"
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
MATERIAL = {" ".join(s.split()) for s in split_sentences(TEXT) if not s.startswith("#")}


def sections(answer: str) -> list[tuple[str, str]]:
    """``Label: text`` lines as (label, text) pairs."""
    pairs = []
    for line in answer.splitlines():
        label, _, text = line.partition(":")
        pairs.append((label, text.strip()))
    return pairs


def copy(framework: str, **fields) -> dict[str, str]:
    task = CopyTask(framework=framework, text=fields.pop("text", TEXT), **fields)
    return dict(sections(OfflineComposer().run(task)))


def test_each_section_gets_the_kind_of_sentence_it_asks_for() -> None:
    psp = copy("problem-solution-proof", offer=OFFER)
    assert psp["Problem"] == "Most teams struggle to plan their week without a shared view."
    assert OFFER in psp["Solution"]
    assert "82% of our customers" in psp["Proof"]

    pas = copy("PAS", offer=OFFER)
    assert pas["Agitate"] == "Missed deadlines cost hours of rework and frustrate customers."

    fab = copy("fab", offer=OFFER)
    assert fab["Features"].startswith("Acme Planner includes shared boards")
    assert fab["Advantages"].startswith("It is faster than a spreadsheet")
    assert fab["Benefits"].startswith("You save time every Monday")

    four = copy("4ps", offer=OFFER, cta="Book a demo")
    assert four["Picture"].startswith("Imagine starting each week")
    assert "82%" in four["Proof"]
    assert four["Push"] == "Book a demo."


@pytest.mark.parametrize("copy_format", COPY_FORMATS)
@pytest.mark.parametrize("key", [framework.key for framework in frameworks()])
def test_every_framework_and_format_keeps_its_shape_and_limits(key: str, copy_format: str) -> None:
    task = CopyTask(framework=key, format=copy_format, text=TEXT, offer=OFFER)
    answer = compose_copy(task)
    assert answer == compose_copy(task)  # deterministic
    framework = resolve_framework(key)
    limits = framework.limits(copy_format)
    pairs = sections(answer)
    assert [label for label, _ in pairs] == list(framework.labels)
    used: list[str] = []
    for section, (_, text) in zip(framework.sections, pairs, strict=True):
        assert text and len(text) <= limits.section_chars
        if section.role != "action":
            found = split_sentences(text)
            assert len(found) <= limits.sentences
            assert set(found) <= MATERIAL  # extractive: nothing invented
            used.extend(found)
    assert len(used) == len(set(used))  # no sentence used twice
    assert sum(len(text) for _, text in pairs) <= limits.total_chars


def test_the_call_to_action_is_the_given_one_or_built_from_the_offer() -> None:
    assert copy("aida", cta="  join the beta today ")["Action"] == "Join the beta today."
    assert copy("aida", offer=OFFER)["Action"] == "Try Acme Planner today."
    reply = "Reply to this email with your questions about the plan."
    without = copy("aida", text=f"Acme Planner puts the whole team on one calendar. {reply}")
    assert without["Action"] == reply  # the material's own call to action, kept for it
    assert copy("aida", text="Acme Planner puts the whole team on one calendar.")["Action"] == (
        "Get started today."
    )


def test_a_framework_without_an_action_section_ends_with_the_call_to_action() -> None:
    bab = copy("bab", offer=OFFER, cta="Start your free trial", format="ad")
    assert bab["Bridge"].endswith("Start your free trial.")
    limit = resolve_framework("bab").limits("ad").section_chars
    assert len(bab["Bridge"]) <= limit


def test_a_tighter_max_chars_shrinks_every_section() -> None:
    task = CopyTask(framework="aida", format="email", text=TEXT, offer=OFFER, max_chars=200)
    pairs = sections(compose_copy(task))
    assert all(len(text) <= 50 for _, text in pairs)
    assert sum(len(text) for _, text in pairs) <= 200


def test_banned_words_never_reach_the_copy() -> None:
    voice = Voice(persona="Plain", banned_words=("survey", "struggle", "demo"))
    task = CopyTask(
        framework="psp", text=TEXT, offer=OFFER, cta="Book a demo", voice=voice, format="email"
    )
    answer = compose_copy(task)
    assert "survey" not in answer.lower() and "struggle" not in answer.lower()
    assert "demo" not in answer.lower()  # the banned call to action is left out
    assert dict(sections(answer))["Proof"]  # another proof-like sentence stands in


def test_material_without_whole_sentences_leaves_sections_empty() -> None:
    answer = compose_copy(CopyTask(framework="pas", text="fast\nsimple\ncheap"))
    assert answer.splitlines() == ["Problem:", "Agitate:", "Solution:"]


def test_sources_are_material_too() -> None:
    source = SourcePassage(
        label=3,
        title="Notes",
        origin="notes.md",
        text="Writers waste hours formatting citations by hand [2]. The tool formats them.",
    )
    problem = copy("psp", text="", sources=(source,))["Problem"]
    assert problem == "Writers waste hours formatting citations by hand."


def test_framework_names_aliases_and_bad_tasks() -> None:
    assert resolve_framework("Problem Solution Proof").key == "psp"
    assert resolve_framework("4 Ps").key == "4ps"
    assert resolve_framework("before_after_bridge").key == "bab"
    with pytest.raises(ValueError, match="use one of AIDA, PAS, BAB, FAB, 4Ps, PSP"):
        resolve_framework("SWOT")
    with pytest.raises(pydantic.ValidationError, match="unknown copy framework 'swot'"):
        CopyTask(framework="swot", text=TEXT)
    with pytest.raises(pydantic.ValidationError, match="copy needs material"):
        CopyTask(framework="aida", text="   ")
    with pytest.raises(pydantic.ValidationError, match="format"):
        CopyTask(framework="aida", text=TEXT, format="billboard")


# -- the prompt a chat model gets --------------------------------------------------------------


def test_the_prompt_names_every_section_its_purpose_and_the_answer_shape() -> None:
    task = CopyTask(
        framework="4ps",
        format="landing",
        text=TEXT,
        offer=OFFER,
        cta="Book a demo",
        keyword="weekly plan",
        voice=Voice(persona="Plain Pam", banned_words=("synergy",)),
    )
    rendered = render_task(task)
    assert rendered.template == "copy" and rendered.template_version == "2"
    prompt = rendered.messages[-1].content
    assert "4Ps framework (Promise, Picture, Proof, Push)" in prompt
    for section in task.framework.sections:
        assert f"- {section.label}: {section.purpose}." in prompt
        assert f"\n{section.label}: <text>" in prompt
    limits = task.framework.limits("landing")
    assert f"at most {limits.section_chars} characters" in prompt
    assert f"at most {limits.total_chars} characters" in prompt
    assert (
        'The Push section uses this call to action:\n<cta untrusted="true">\nBook a demo' in prompt
    )
    assert 'this phrase at least once:\n<keywords untrusted="true">\nweekly plan\n' in prompt
    assert '<text untrusted="true">' in prompt and "Missed deadlines cost hours" in prompt
    assert '<banned untrusted="true">\nsynergy\n</banned>' in prompt


def test_the_prompt_quotes_sources_without_asking_for_citations() -> None:
    source = SourcePassage(label=1, title="Notes", origin="n.md", text="Tea grows on hills.")
    prompt = render_task(CopyTask(framework="pas", sources=(source,), cta="Buy")).messages[-1]
    assert '<source id="1" title="Notes" origin="n.md" untrusted="true">' in prompt.content
    assert "write no citation numbers" in prompt.content
    assert "<text untrusted" not in prompt.content  # no empty text block
    assert (
        'End the Solution section with this call to action:\n<cta untrusted="true">\nBuy\n'
        in prompt.content
    )
    assert "persona" not in prompt.content
