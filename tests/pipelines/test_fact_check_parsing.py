"""Reading a model's fact-check JSON: what is accepted, repaired or refused, and the
request's own validation. No knowledge base needed."""

from __future__ import annotations

import json

import pytest

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.llm.tasks import SourcePassage
from aiwriter_kernel.pipelines.fact_check import (
    FactCheckParseError,
    FactCheckRequest,
    parse_claims,
    parse_verdict,
    redact,
)

PASSAGES = (
    SourcePassage(
        label=3,
        title="Harrow Point Lighthouse",
        origin="kb/harrow-point.md",
        chunk_id="abc",
        text="The lighthouse was built\nin 1889 to warn ships. It is made of granite.",
    ),
)


def verdict_json(**fields: object) -> str:
    return json.dumps({"verdict": "supported", "label": 3, "reason": "same", **fields})


def test_claims_in_a_code_fence_are_read_cleaned_and_capped() -> None:
    claims = ["The tower is  42 m tall.", "", "The tower is 42 m tall.", "B."]
    answer = f"```json\n{json.dumps({'claims': claims})}\n```"
    assert parse_claims(answer, 10) == ["The tower is 42 m tall.", "B."]
    assert parse_claims(answer, 1) == ["The tower is 42 m tall."]
    assert parse_claims('Here you go: {"claims": []} Hope it helps!', 5) == []


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("No claims here, sorry.", "no JSON object"),
        ('{"claims": ["a", "b",]}', "not valid JSON"),
        ('{"claims": "The tower is tall."}', "not a list of strings"),
        ('{"claims": [1, 2]}', "not a list of strings"),
    ],
)
def test_malformed_claim_lists_are_refused(answer: str, message: str) -> None:
    with pytest.raises(FactCheckParseError, match=message):
        parse_claims(answer, 10)


def test_a_verdict_quote_is_returned_as_the_passage_writes_it() -> None:
    parsed = parse_verdict(
        verdict_json(quote="The lighthouse was built in 1889 to warn ships."), PASSAGES
    )
    assert parsed.verdict == "supported"
    assert parsed.passage == PASSAGES[0]
    assert parsed.quote == "The lighthouse was built\nin 1889 to warn ships."
    assert parsed.quote in PASSAGES[0].text


def test_no_evidence_needs_no_label_or_quote() -> None:
    parsed = parse_verdict(
        json.dumps({"verdict": "no_evidence", "label": None, "quote": None, "reason": "nothing"}),
        PASSAGES,
    )
    assert (parsed.verdict, parsed.passage, parsed.quote, parsed.reason) == (
        "no_evidence",
        None,
        None,
        "nothing",
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (verdict_json(verdict="probably", quote="It is made of granite."), "not one of"),
        (verdict_json(label=7, quote="It is made of granite."), "source 7"),
        (verdict_json(label=True, quote="It is made of granite."), "source True"),
        (verdict_json(quote="It is made of basalt."), "does not occur in source \\[3\\]"),
        (verdict_json(quote=None), "does not occur"),
        (verdict_json(quote="granite."), "does not occur"),  # too short to decide anything
    ],
)
def test_bad_verdicts_are_refused(answer: str, message: str) -> None:
    with pytest.raises(FactCheckParseError, match=message):
        parse_verdict(answer, PASSAGES)


def test_a_quote_with_a_banned_word_is_refused() -> None:
    answer = verdict_json(quote="It is made of granite.")
    assert parse_verdict(answer, PASSAGES).quote == "It is made of granite."
    with pytest.raises(FactCheckParseError, match="banned word"):
        parse_verdict(answer, PASSAGES, banned=("Granite",))


def test_redact_replaces_whole_words_and_phrases_only() -> None:
    text = "Our Synergy and synergystic cross  platform plan."
    assert redact(text, ("synergy", "cross platform")) == (
        "Our [redacted] and synergystic [redacted] plan."
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "exactly one of text or draft_id"),
        ({"text": "The tower is tall.", "draft_id": 1}, "exactly one of text or draft_id"),
        ({"text": "   \n"}, "the text is empty"),
        ({"text": "The tower is 42 m tall.", "k": 0}, "k:"),
    ],
)
def test_bad_requests_are_one_line_validation_errors(tmp_path, fields: dict, message: str) -> None:
    with Workbench.open(home=tmp_path) as workbench, pytest.raises(ValidationError, match=message):
        workbench.fact_check(**fields)
    assert FactCheckRequest(text="The tower is 42 m tall.").k == 5
