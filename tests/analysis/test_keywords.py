"""Key phrases with their density, and the keyword gap against the sources."""

from __future__ import annotations

import pytest

from aiwriter_kernel.analysis.keywords import keyword_report
from aiwriter_kernel.errors import ValidationError

DRAFT = """# Vector indexes

A vector index stores embeddings so that similar documents are found quickly. Every vector
index trades recall for speed. An approximate vector index answers in milliseconds [1].

## Choosing one

Pick the vector index whose recall your readers can live with.
"""
SOURCES = [
    "Product quantization compresses embeddings. Product quantization keeps memory low, and "
    "product quantization works well with a vector index.",
    "Graph indexes such as HNSW use product quantization to save memory. HNSW graphs are fast.",
]


def test_top_phrases_with_density() -> None:
    report = keyword_report(DRAFT)
    assert report.word_count == 37  # the one word count: the body, not the two headings
    top = report.keywords[0]
    assert top.phrase == "vector index"
    assert top.count == 5  # four in the body, one in the heading "Vector indexes"
    # densities divide by all the text read: 37 body words and 4 heading words
    assert top.density == pytest.approx(100 * 5 * 2 / 41, abs=1e-3)
    assert all(k.density > 0 for k in report.keywords)
    assert report.gap == []


def test_keyword_gap_lists_source_phrases_the_draft_never_uses() -> None:
    report = keyword_report(DRAFT, sources=SOURCES)
    gap = {g.phrase: g.source_count for g in report.gap}
    assert gap["product quantization"] == 2
    assert "hnsw" in {phrase.lower() for phrase in gap}
    # "vector index" is in the sources too, but the draft mentions it: no gap
    assert not any("vector index" in phrase for phrase in gap)
    # stemmed comparison: "embeddings" in the draft covers "embeddings" in the sources
    assert "embeddings" not in gap


def test_top_limits_the_list() -> None:
    assert len(keyword_report(DRAFT, top=3).keywords) == 3


def test_empty_text_is_rejected() -> None:
    with pytest.raises(ValidationError, match="text is empty"):
        keyword_report("# Heading only\n")


def test_the_title_counts_as_text() -> None:
    body = "Clients fetch pages from one another before they ask the server. " * 3
    plain = keyword_report(body, top=5)
    titled = keyword_report(body, top=5, title="Cooperative caching for object stores")
    assert not any("cooperative" in k.phrase for k in plain.keywords)
    assert "cooperative caching" in {k.phrase for k in titled.keywords}
    # the title is read (it dilutes the densities) but is not body text: one word count
    assert titled.word_count == plain.word_count
    plain_top, titled_top = (
        next(k for k in r.keywords if k.phrase == "clients fetch pages") for r in (plain, titled)
    )
    assert titled_top.density < plain_top.density


def test_source_headings_feed_the_keyword_gap() -> None:
    source = "# Product quantization\n\nIt compresses embeddings and keeps memory low.\n"
    gap = {g.phrase for g in keyword_report(DRAFT, sources=[source]).gap}
    assert "product quantization" in gap
