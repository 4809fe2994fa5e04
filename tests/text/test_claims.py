"""The one claim rule (aiwriter_kernel.text.claims): what the fact checker checks and what
citation coverage asks to be cited are the same sentences."""

from __future__ import annotations

import pytest

from aiwriter_kernel.analysis.citations import citation_report
from aiwriter_kernel.text.claims import checkable_features, claim_features, skip_reason


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Is the lighthouse older than 1900?", "question"),
        ("Use the 212 steps on the left.", "imperative"),
        ("Never climb the tower after 1962 rules.", "imperative"),
        ("I think the tower is the tallest in Europe.", "opinion"),
        ("In my opinion the 1889 design is elegant.", "opinion"),
        ("Hello and welcome to Harrow Point.", "greeting"),
        ("Thanks for reading about Selkie Island.", "greeting"),
        ("Harrow Point Lighthouse", "fragment"),
        ("The view is calm and pleasant.", "nothing checkable"),
        ("42 42 42 42.", None),
        ("Thanks to the new lamp, ships kept off the reef.", None),
        ("The lighthouse was built in 1889.", None),
    ],
)
def test_why_a_sentence_is_not_a_claim(sentence: str, reason: str | None) -> None:
    assert skip_reason(sentence) == reason


def test_what_makes_a_sentence_checkable() -> None:
    assert checkable_features("The tower was finished in March 1889.") == ["number", "date"]
    assert checkable_features("The tower was designed by Agnes Moberg.") == ["name"]
    assert checkable_features("It is the tallest tower on the coast.") == ["comparison"]
    assert checkable_features("Fog horns reduce collisions on the reef.") == ["cause"]
    assert checkable_features("The keepers were kind and patient.") == []


def test_an_acronym_is_a_name_even_first_and_arguably_is_an_opinion() -> None:
    assert checkable_features("NASA launched the probe.") == ["name", "factual verb"]
    assert skip_reason("Arguably the tower is the tallest one.") == "opinion"
    assert checkable_features("A 2019 survey found that readers skim.") == [
        "number",
        "date",
        "factual verb",
    ]


SENTENCES = [
    "The lighthouse was built in 1889.",
    "Use the 212 steps on the left.",
    "The view is calm and pleasant.",
    "It is the tallest tower on the coast.",
    "Researchers found that short lines help.",
    "I think the tower is the tallest in Europe.",
    "Is the lighthouse older than 1900?",
    "Fog horns reduce collisions on the reef.",
]


def test_citation_coverage_and_fact_checking_agree_on_what_a_claim_is() -> None:
    draft = "# Lighthouses\n\n" + " ".join(SENTENCES) + "\n"
    analysed = {s.text.strip(): s.claim for s in citation_report(draft, valid_labels=()).sentences}
    for sentence in SENTENCES:
        is_claim = skip_reason(sentence) is None
        assert analysed[sentence] is is_claim, sentence
        assert bool(claim_features(sentence)) is is_claim, sentence
