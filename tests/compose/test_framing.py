"""The sentences the writer adds itself: a title with the keyword, an opening that says
what the article covers, and the format's ending; none of them a claim."""

from __future__ import annotations

from aiwriter_kernel.analysis.citations import citation_report
from aiwriter_kernel.compose.framing import article_title, coverage_sentence, ending


def test_the_title_carries_the_keyword_within_sixty_characters() -> None:
    assert article_title("How to write readable web content", "readability") == (
        "Readability: How to Write Readable Web Content"
    )
    assert article_title("Readability basics", "readability") == "Readability Basics"
    long = article_title("A very long topic about many different things at the same time", "seo")
    assert "seo" in long.lower() and len(long) <= 60


def test_the_opening_names_the_sections_without_repeating_shared_words() -> None:
    sentence = coverage_sentence(["How Tea Is Grown", "How Tea Is Brewed"], None, "article")
    assert sentence == "Read on for how tea is grown and brewed."
    assert "readability" in coverage_sentence(["Short Words", "Formulas"], "readability", "article")
    # one section is the whole article: no list of one part, only the keyword if any
    assert coverage_sentence(["Active Voice"], None, "article") == ""
    assert coverage_sentence(["Active Voice"], "voice", "faq") == "Read on for a guide to voice."
    assert coverage_sentence(["Step 1: Find It", "Step 2: Fix It"], None, "how-to") == (
        "Follow 2 steps: Find It and Fix It."
    )


def test_framing_sentences_are_not_claims() -> None:
    opening = coverage_sentence(
        ["Sentence Length", "Reading Level", "SEO Basics"], "SEO", "article"
    )
    report = citation_report(f"# T\n\n{opening}\n", valid_labels=[])
    assert report.uncited_claims == []


def test_each_format_ends_its_own_way() -> None:
    headings = ["Step 1: Find the Leak", "Step 2: Patch the Tube"]
    assert ending("how-to", headings, [None, None]) == "1. Find the Leak\n2. Patch the Tube"
    takeaways = ["A patch needs a clean surface [1].", None]
    assert ending("article", headings, takeaways) == "- A patch needs a clean surface [1]."
    faq = ending("faq", ["Why patch?", "When replace?"], takeaways)
    assert faq == "**Why patch?** A patch needs a clean surface [1]."
    assert ending("article", headings, [None, None]) == ""
