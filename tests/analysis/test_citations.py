"""Citation coverage on a hand-made draft whose claims and citations are known."""

from __future__ import annotations

from aiwriter_kernel.analysis.citations import citation_report

# Sentences, in order, with what the heuristic must decide:
#  1 claim, cites [1]     (number)
#  2 claim, cites [2, 3]  (proper noun "Spotify", not the sentence's first word)
#  3 not a claim           (opinion: "I think")
#  4 not a claim           (question)
#  5 not a claim           (imperative: "Consider")
#  6 claim, uncited        (factual verb "found")
#  7 claim, cites [9]      (proper noun "Facebook"), 9 is not a valid label
#  8 not a claim, cites [3] after its full stop (no number, name or factual verb)
#  9 claim, uncited        (acronym "HNSW" as list item)
# 10 not a claim           (list item without any claim marker)
DRAFT = """# Vector search in practice

In 2021, the median index held 40 million vectors [1]. The music service Spotify serves its
playlists from an approximate index [2, 3]. I think this is the most exciting part of the field.

## Why it matters

Why does recall matter so much? Consider the cost of a missed result. A later study found
that recall drops sharply past a certain index size. The original library came from
Facebook [9]. It is simple to set up. [3]

- HNSW graphs trade memory for speed
- plain lists are easy to read and to change

## References

[1] Vector databases in numbers — example.org/numbers
[2] How Spotify recommends - engineering.example.com
[4] A source nobody cites — example.net
"""


def test_hand_made_draft() -> None:
    report = citation_report(DRAFT, valid_labels=[1, 2, 3, 4])
    assert [s.claim for s in report.sentences] == [
        True, True, False, False, False, True, True, False, True, False,
    ]  # fmt: skip
    assert [s.labels for s in report.sentences] == [
        [1], [2, 3], [], [], [], [], [9], [3], [], [],
    ]  # fmt: skip
    assert report.claim_count == 5
    assert report.cited_claim_count == 3
    assert report.coverage == 0.6
    assert report.uncited_claims == [
        "A later study found that recall drops sharply past a certain index size.",
        "HNSW graphs trade memory for speed",
    ]
    assert report.cited_labels == [1, 2, 3, 9]
    assert report.invalid_citations == [9]
    assert report.errors == ["[9] is cited but no source has that label."]
    assert not report.ok
    assert report.unused_sources == [4]


def test_references_section() -> None:
    report = citation_report(DRAFT, valid_labels=[1, 2, 3, 4])
    assert report.has_references_section
    assert [(r.label, r.title, r.origin) for r in report.references] == [
        (1, "Vector databases in numbers", "example.org/numbers"),
        (2, "How Spotify recommends", "engineering.example.com"),
        (4, "A source nobody cites", "example.net"),
    ]
    assert report.missing_references == [3, 9]
    assert any("[3], [9]" in warning for warning in report.warnings)
    # headings and reference lines are never sentences
    assert not any("References" in s.text or "example.org" in s.text for s in report.sentences)


def test_fully_cited_draft_is_ok() -> None:
    draft = "Python 3.12 came out in 2023 [1].\n\n## References\n\n[1] Python — python.org\n"
    report = citation_report(draft, valid_labels=[1])
    assert report.coverage == 1.0 and report.ok and report.warnings == []
    assert report.unused_sources == [] and report.missing_references == []


def test_no_claims_means_full_coverage_and_no_section_is_a_warning() -> None:
    report = citation_report("Is this a question? Try it yourself.", valid_labels=[1])
    assert report.claim_count == 0 and report.coverage == 1.0
    report = citation_report("Python was released in 1991 [1].", valid_labels=[1])
    assert not report.has_references_section
    assert report.warnings == ["The draft cites sources but has no References section."]


def test_citation_ranges_and_lists() -> None:
    report = citation_report("Rust 1.0 shipped in 2015 [1-3; 5].", valid_labels=[1, 2, 3, 4, 5])
    assert report.sentences[0].labels == [1, 2, 3, 5]
    assert report.unused_sources == [4]
