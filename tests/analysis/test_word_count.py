"""The one word count: what a reader counts as the article's length, and every report of a
draft showing that same number."""

from __future__ import annotations

from aiwriter_kernel.analysis import analyze, keyword_report, readability_report, seo_audit
from aiwriter_kernel.analysis.word_count import word_count

DRAFT = """# Cold brew at home

Cold brew is well-known for its low acidity [1]. Steep 100 g of coffee for 12 hours [2].

## How to steep it

- Use a coarse grind.
- Don't stir it too much [1, 2].

> Filter it **twice**, then chill.

## References

1. Smith, *Coffee science*, 2021. https://example.org/coffee
2. Jones, Brewing notes, 2020.
"""
# Body words: "Cold brew is well-known for its low acidity." (8) "Steep 100 g of coffee for 12
# hours." (8) "Use a coarse grind." (4) "Don't stir it too much." (5) "Filter it twice, then
# chill." (5) = 30; headings, markers, list/quote/emphasis syntax and references are not words.
BODY_WORDS = 30


def test_the_rule_counts_body_words_only() -> None:
    assert word_count(DRAFT) == BODY_WORDS


def test_headings_references_and_markers_add_nothing() -> None:
    bare = DRAFT.split("## References")[0].replace(" [1]", "").replace(" [1, 2]", "")
    bare = bare.replace(" [2]", "").replace("# Cold brew at home\n", "")
    assert word_count(bare) == word_count(DRAFT)
    assert word_count(DRAFT + "\n3. Another reference with many words in it.\n") == BODY_WORDS


def test_html_counts_the_same_body_text() -> None:
    html = (
        "<html><head><title>t</title><script>var a = 1;</script></head><body>"
        "<h1>Cold brew at home</h1><p>Cold brew is well-known for its low acidity.</p>"
        "<p>Steep 100 g of coffee for 12 hours.</p></body></html>"
    )
    assert word_count(html) == 16


def test_every_report_of_a_draft_shows_the_one_count() -> None:
    report = analyze(DRAFT, keyword="cold brew")
    assert report.word_count == BODY_WORDS
    assert report.readability.word_count == BODY_WORDS
    assert report.keywords.word_count == BODY_WORDS
    assert report.seo is not None and report.seo.word_count == BODY_WORDS
    assert readability_report(DRAFT).word_count == keyword_report(DRAFT).word_count
    assert seo_audit(DRAFT, keyword="cold brew").word_count == BODY_WORDS
