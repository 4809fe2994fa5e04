"""The offline fact checker on hand-made sentences: which sentences are claims, and what a
set of sources says about each (supported, contradicted, no evidence, and why)."""

from __future__ import annotations

import json

from aiwriter_kernel.compose.composer import OfflineComposer
from aiwriter_kernel.compose.fact_check import (
    evidence_sentences,
    extract_claims,
    judge,
    quantities,
)
from aiwriter_kernel.llm import templates
from aiwriter_kernel.llm.tasks import ClaimsTask, SourcePassage, VerdictTask, Voice

LIGHTHOUSE = SourcePassage(
    label=1,
    title="Harrow Point Lighthouse",
    origin="kb/harrow-point.md",
    chunk_id="c1",
    text=(
        "# Harrow Point Lighthouse\n\n"
        "The lighthouse was built in 1889 to warn ships away from the Gannet Reef. It was\n"
        "designed by the architect Agnes Moberg.\n\n"
        "## The tower\n"
        "The tower is 42 metres tall and is built of local grey granite. A spiral staircase "
        "of 212 steps leads to the lantern room.\n\n"
        "- The station has not had a resident keeper since 1962."
    ),
)
ISLAND = SourcePassage(
    label=2,
    title="Selkie Island",
    origin="kb/selkie-island.md",
    chunk_id="c2",
    text="A ferry from Port Ellery crosses to Selkie Island twice a day.",
)
SOURCES = (LIGHTHOUSE, ISLAND)


# -- claims ----------------------------------------------------------------------------------


def test_only_declarative_checkable_sentences_are_claims() -> None:
    text = """# Visiting Harrow Point

Hello everyone! The lighthouse was built in 1889 [1]. Is it open on Sundays?
Visit the lantern room before sunset. I think the view is the loveliest in the north.
The walk is pleasant and quiet. Agnes Moberg designed the tower.
Granite is stronger than sandstone. Salt spray wears the stone because it holds moisture.
The lighthouse was built in 1889.

## References

[1] Harrow Point Lighthouse — kb/harrow-point.md
"""
    assert extract_claims(text) == [
        "The lighthouse was built in 1889.",
        "Agnes Moberg designed the tower.",
        "Granite is stronger than sandstone.",
        "Salt spray wears the stone because it holds moisture.",
    ]


def test_list_items_are_claims_of_their_own_and_the_count_is_capped() -> None:
    text = "- The tower is 42 metres tall.\n- It has 212 steps.\n- The lamp dates from 1931."
    assert extract_claims(text) == [
        "The tower is 42 metres tall.",
        "It has 212 steps.",
        "The lamp dates from 1931.",
    ]
    assert extract_claims(text, max_claims=2) == extract_claims(text)[:2]


def test_figures_keep_their_units_and_years_are_years() -> None:
    found = quantities("Built in 1889, the 42.5 metres tower has 1,200 stones, three bells.")
    assert [(q.value, q.unit, q.shown) for q in found] == [
        (1889.0, "year", "1889"),
        (42.5, "metre", "42.5 metres"),
        (1200.0, "stone", "1,200 stones"),
        (3.0, "bell", "three bells"),
    ]
    assert [(q.value, q.unit) for q in quantities("Ferries sail twice a day.")] == [(2, "time")]
    assert [(q.value, q.unit) for q in quantities("Visits rose 40% in 2023.")] == [
        (40.0, "percent"),
        (2023.0, "year"),
    ]


# -- evidence and verdicts -------------------------------------------------------------------


def test_evidence_sentences_are_verbatim_and_leave_headings_out() -> None:
    sentences = evidence_sentences(LIGHTHOUSE.text)
    assert all(sentence in LIGHTHOUSE.text for sentence in sentences)
    assert "It was\ndesigned by the architect Agnes Moberg." in sentences  # as written
    assert "The station has not had a resident keeper since 1962." in sentences  # no "- "
    assert not any(s.startswith("#") or "The tower\n" in s for s in sentences)


def test_a_claim_the_sources_state_is_supported_with_its_quote() -> None:
    verdict = judge("The Harrow Point Lighthouse was built in 1889.", SOURCES)
    assert verdict.verdict == "supported"
    assert verdict.label == 1
    assert (
        verdict.quote == "The lighthouse was built in 1889 to warn ships away from the Gannet Reef."
    )
    assert "1889" in verdict.reason


def test_a_changed_year_or_figure_is_contradicted_and_says_which() -> None:
    year = judge("The lighthouse was built in 1920.", SOURCES)
    assert (year.verdict, year.label) == ("contradicted", 1)
    assert year.reason == "evidence [1] says 1889, the claim says 1920"
    assert year.quote is not None and year.quote in LIGHTHOUSE.text
    height = judge("The tower is 50 metres tall.", SOURCES)
    assert height.verdict == "contradicted"
    assert height.reason == "evidence [1] says 42 metres, the claim says 50 metres"
    ferry = judge("The ferry crosses to Selkie Island three times a day.", SOURCES)
    assert (ferry.verdict, ferry.label) == ("contradicted", 2)
    assert "twice" in ferry.reason and "three times" in ferry.reason


def test_a_negation_on_one_side_only_is_contradicted() -> None:
    denied = judge("The tower is not built of granite.", SOURCES)
    assert denied.verdict == "contradicted"
    assert "'not'" in denied.reason
    asserted = judge("The station has had a resident keeper since 1962.", SOURCES)
    assert asserted.verdict == "contradicted"
    assert asserted.quote == "The station has not had a resident keeper since 1962."


def test_a_fact_the_sources_do_not_hold_has_no_evidence() -> None:
    absent = judge("The lighthouse gift shop opened in 2005.", SOURCES)
    assert absent.verdict == "no_evidence"
    assert absent.label is None and absent.quote is None
    assert "key terms" in absent.reason
    unstated = judge("The lantern room has 212 steps and 8 windows.", SOURCES)
    assert unstated.verdict == "no_evidence"
    assert "does not state 8 windows" in unstated.reason
    assert judge("The tower is 42 metres tall.", ()).verdict == "no_evidence"


def test_banned_words_keep_a_sentence_out_of_the_evidence() -> None:
    plain = judge("The tower is 42 metres tall.", SOURCES)
    assert plain.verdict == "supported" and "granite" in (plain.quote or "")
    banned = judge("The tower is 42 metres tall.", SOURCES, banned=("granite",))
    assert "granite" not in (banned.quote or "") + banned.reason


def test_the_judge_is_deterministic() -> None:
    claim = "The lighthouse was built in 1920."
    assert judge(claim, SOURCES) == judge(claim, tuple(reversed(SOURCES)))


# -- the composer answers in the JSON the prompts ask for ------------------------------------


def test_the_composer_answers_both_tasks_in_json() -> None:
    composer = OfflineComposer()
    claims = json.loads(composer.run(ClaimsTask(text="Hi! The tower is 42 metres tall.")))
    assert claims == {"claims": ["The tower is 42 metres tall."]}
    verdict = json.loads(
        composer.run(VerdictTask(claim="The tower is 50 metres tall.", sources=SOURCES))
    )
    assert verdict["verdict"] == "contradicted" and verdict["label"] == 1
    assert verdict["quote"] in LIGHTHOUSE.text and "42 metres" in verdict["reason"]


def test_the_prompts_ask_for_strict_json_and_carry_the_voice() -> None:
    voice = Voice(persona="Plain Pam", banned_words=("synergy",))
    claims = templates.render_task(ClaimsTask(text="The tower is 42 metres tall.", voice=voice))
    verdict = templates.render_task(
        VerdictTask(claim="The tower is 42 metres tall.", sources=SOURCES, voice=voice)
    )
    assert (claims.template_version, verdict.template_version) == ("2", "2")
    claims_prompt, verdict_prompt = claims.messages[-1].content, verdict.messages[-1].content
    assert '{"claims": [' in claims_prompt and "untrusted" in claims_prompt
    assert '{"verdict": "supported", "label": 1, "quote":' in verdict_prompt
    assert '<source id="2" title="Selkie Island"' in verdict_prompt
    for prompt in (claims_prompt, verdict_prompt):
        assert "persona: Plain Pam" in prompt and "synergy" in prompt
