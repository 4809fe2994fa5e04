"""Originality: shared n-grams and verbatim runs between a draft and its sources."""

from __future__ import annotations

import random

import pytest

from aiwriter_kernel.analysis.originality import originality_report
from aiwriter_kernel.errors import ValidationError

SOURCE = (
    "Sourdough bread rises because wild yeast and lactic acid bacteria ferment the sugars in "
    "flour, releasing carbon dioxide that is trapped by the gluten network of the dough while "
    "acids give the crumb its tang. Bakers keep a starter alive for years by feeding it flour "
    "and water on a regular schedule and discarding part of it before every feeding."
)
# The 20 words "wild yeast and lactic ... by the gluten" copied from SOURCE, with Markdown
# and a citation marker in the middle that must not break the match.
COPIED_RUN = (
    "wild yeast and lactic acid bacteria ferment the sugars in flour, releasing carbon "
    "dioxide that is trapped by the gluten"
)
DRAFT = (
    "# Why sourdough rises\n\n"
    "A loaf of sourdough needs no packet of yeast. It grows as **wild yeast and lactic "
    "acid bacteria** ferment the sugars in flour [1], releasing carbon dioxide that is trapped "
    "by the gluten strands of the loaf as it proofs overnight."
)
PARAPHRASE = (
    "Sourdough gets its lift from a culture of natural yeasts and bacteria. As they digest "
    "the flour's sugars they give off gas, and the stretchy gluten holds that gas in, while "
    "the acids they make add a sour note. A starter can be kept going for years if it is fed "
    "regularly and some of it is thrown away first."
)


def test_copied_run_is_flagged_and_reported() -> None:
    report = originality_report(DRAFT, {"bread-science": SOURCE, "other": "Unrelated words."})
    assert report.flagged
    assert report.runs, "the copied run is reported"
    run = report.runs[0]
    assert run.source == "bread-science"
    assert run.words == 20
    assert " ".join(run.text.lower().replace(",", "").split()) == " ".join(
        COPIED_RUN.lower().replace(",", "").split()
    )
    assert "**" not in run.text and "[1]" not in run.text
    shares = {overlap.source: overlap.share for overlap in report.sources}
    assert shares["other"] == 0.0
    assert shares["bread-science"] == report.overall_share > 0.3
    assert any("of the draft's word sequences" in reason for reason in report.reasons)


def test_long_run_alone_flags_a_long_draft() -> None:
    """A 24-word copy (2 x min_overlap_words) flags even when it is a small share."""
    own = " ".join(f"original{i} words about baking" for i in range(60))
    copied = " ".join(SOURCE.split()[:24])
    report = originality_report(f"{own} {copied} {own}", {"s": SOURCE})
    assert report.overall_share < 0.3
    assert report.flagged
    assert report.runs[0].words == 24
    assert any("copied verbatim" in reason for reason in report.reasons)


def test_paraphrase_is_not_flagged() -> None:
    report = originality_report(PARAPHRASE, {"bread-science": SOURCE})
    assert not report.flagged
    assert report.runs == []
    assert report.overall_share == 0.0


def test_short_common_runs_are_not_reported() -> None:
    draft = "Everyone agrees that it is trapped by the gluten network of the dough in the end."
    report = originality_report(draft, {"s": SOURCE})
    assert report.sources[0].shared_ngrams > 0  # 9 shared words make 2 shared 8-grams
    assert report.runs == []  # but 9 < 12 words is no run worth reporting


def test_same_passage_in_two_sources_is_reported_once() -> None:
    report = originality_report(DRAFT, {"a": SOURCE, "b": SOURCE + " Extra words."})
    assert len(report.runs) == 1


def test_draft_shorter_than_n() -> None:
    report = originality_report("Too short to matter.", {"s": SOURCE})
    assert report.draft_ngrams == 0 and report.overall_share == 0.0 and not report.flagged


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"n": 1}, "at least 2"), ({"flag_ratio": 1.5}, "between 0 and 1"),
     ({"min_overlap_words": 5}, "at least n")],
)  # fmt: skip
def test_bad_parameters(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        originality_report(DRAFT, {"s": SOURCE}, **kwargs)  # type: ignore[arg-type]


def test_empty_draft_is_rejected() -> None:
    with pytest.raises(ValidationError, match="draft is empty"):
        originality_report("  [1] ", {"s": SOURCE})


def test_finds_the_copied_run_in_a_long_draft_with_ten_sources() -> None:
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(400)]
    sources = {f"s{i}": " ".join(rng.choices(vocabulary, k=800)) for i in range(10)}
    draft = " ".join(rng.choices(vocabulary, k=1900)) + " " + sources["s3"][:600]
    report = originality_report(draft, sources)
    assert report.runs and report.runs[0].source == "s3"
