"""The SEO audit on hand-worked pages: which checks pass, the score, Markdown = HTML."""

from __future__ import annotations

import pytest

from aiwriter_kernel.analysis.seo import WEIGHTS, seo_audit
from aiwriter_kernel.analysis.word_count import word_count
from aiwriter_kernel.errors import ValidationError

KEYWORD = "sourdough starter"
META = (
    "Learn how to feed a sourdough starter: how much flour and water to add, how often to "
    "feed it, and the signs that tell you it is healthy and ready."
)  # 146 characters

# 156 body words (the one word count), 170 with the headings; "sourdough starter" twice (H1,
# first paragraph): the density divides by all the words read, 2 x 2 / 170 = 2.35 %.
# Fails: no external link, and fridge.png has no alt text.
ARTICLE_MD = """# How to Feed a Sourdough Starter

A sourdough starter is a living mix of flour and water that wild yeast and bacteria keep
active. Feed it on a steady schedule and it will raise a good loaf every week.

![A jar of bubbly starter on a kitchen counter](jar.jpg)

## Daily feeding

Discard about half of the jar, then add equal weights of fresh flour and lukewarm water.
Stir well, scrape down the sides, cover loosely and leave it somewhere warm. Our
[bread basics guide](/guides/bread-basics) explains how to weigh both parts with a cheap
kitchen scale, and why volume cups give such uneven results from one day to the next.

### Signs of health

Plenty of bubbles, a pleasant sour smell and a rise that doubles the volume within eight
hours all mean the culture is healthy. A grey liquid on top only means it is hungry.

## Storage between bakes

Keep the jar in the fridge when you bake once a week or less, and feed it the day before
you need it. A well kept culture can live for many years.

![](fridge.png)
"""

ARTICLE_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"></head><body>
<h1>How to Feed a Sourdough Starter</h1>
<p>A sourdough starter is a living mix of flour and water that wild yeast and bacteria keep
active. Feed it on a steady schedule and it will raise a good loaf every week.</p>
<p><img src="jar.jpg" alt="A jar of bubbly starter on a kitchen counter"></p>
<h2>Daily feeding</h2>
<p>Discard about half of the jar, then add equal weights of fresh flour and lukewarm water.
Stir well, scrape down the sides, cover loosely and leave it somewhere warm. Our
<a href="/guides/bread-basics">bread basics guide</a> explains how to weigh both parts with a
cheap kitchen scale, and why volume cups give such uneven results from one day to the next.</p>
<h3>Signs of health</h3>
<p>Plenty of bubbles, a pleasant sour smell and a rise that doubles the volume within eight
hours all mean the culture is healthy. A grey liquid on top only means it is hungry.</p>
<h2>Storage between bakes</h2>
<p>Keep the jar in the fridge when you bake once a week or less, and feed it the day before
you need it. A well kept culture can live for many years.</p>
<p><img src="fridge.png"></p>
</body></html>
"""

EXPECTED_FAILED = {"external_link", "image_alt_text"}


def _audit(page: str, **overrides: object):
    arguments = {
        "keyword": KEYWORD,
        "slug": "/blog/feed-sourdough-starter",
        "meta_description": META,
        "target_words": 180,
    }
    arguments.update(overrides)
    return seo_audit(page, **arguments)  # type: ignore[arg-type]


def test_weights_sum_to_100() -> None:
    assert sum(WEIGHTS.values()) == 100


def test_hand_worked_markdown_article() -> None:
    audit = _audit(ARTICLE_MD)
    failed = {check.id for check in audit.checks if not check.passed}
    assert failed == EXPECTED_FAILED
    assert audit.score == 100 - WEIGHTS["external_link"] - WEIGHTS["image_alt_text"] == 90
    assert audit.format == "markdown"
    assert audit.title == "How to Feed a Sourdough Starter"
    assert audit.slug == "feed-sourdough-starter"
    assert audit.word_count == 156 == word_count(ARTICLE_MD)
    assert audit.keyword_count == 2
    assert audit.keyword_density == pytest.approx(100 * 2 * 2 / 170, abs=1e-3)
    assert not audit.keyword_stuffing
    assert audit.warnings == []
    for check in audit.checks:
        assert bool(check.fix) is not check.passed  # a fix sentence exactly when failed
    assert "fridge.png" in next(c for c in audit.checks if c.id == "image_alt_text").detail
    assert [c.id for c in audit.failed()] == ["external_link", "image_alt_text"]


def test_html_version_gives_the_same_audit() -> None:
    markdown, html = _audit(ARTICLE_MD), _audit(ARTICLE_HTML)
    assert html.format == "html"
    assert [(c.id, c.passed) for c in html.checks] == [(c.id, c.passed) for c in markdown.checks]
    assert html.score == markdown.score == 90
    assert html.word_count == markdown.word_count
    assert html.keyword_count == markdown.keyword_count
    assert html.warnings == []


def test_html_title_and_meta_come_from_the_head() -> None:
    page = ARTICLE_HTML.replace(
        '<meta charset="utf-8">',
        f'<title>Sourdough starter care</title><meta name="description" content="{META}">',
    )
    audit = seo_audit(page, keyword=KEYWORD)
    assert audit.title == "Sourdough starter care"
    assert audit.slug == "sourdough-starter-care"
    checks = {c.id: c.passed for c in audit.checks}
    assert checks["keyword_in_meta_description"] and checks["meta_description_length"]


def test_external_link_and_site_host() -> None:
    page = ARTICLE_MD.replace("(/guides/bread-basics)", "(https://bakery.example/guides/x)")
    checks = {c.id: c.passed for c in _audit(page).checks}
    assert checks["external_link"] and not checks["internal_link"]
    checks = {c.id: c.passed for c in _audit(page, site_host="https://bakery.example").checks}
    assert checks["internal_link"] and not checks["external_link"]


def test_missing_inputs_fail_with_fixes() -> None:
    audit = seo_audit(ARTICLE_MD, keyword=KEYWORD)
    checks = {c.id: c for c in audit.checks}
    assert not checks["keyword_in_meta_description"].passed
    assert "120-160" in checks["meta_description_length"].fix
    assert audit.slug == "how-to-feed-a-sourdough-starter"  # from the H1
    assert checks["keyword_in_slug"].passed
    assert not checks["content_length"].passed  # 156 < 300 without a target
    assert "144 words" in checks["content_length"].fix
    assert checks["content_length"].detail == "The page has 156 words."


def test_stuffed_text_is_flagged() -> None:
    body = " ".join(["Sourdough starter tips: feed the sourdough starter daily."] * 10)
    audit = seo_audit(f"# Sourdough starter\n\n{body}\n", keyword=KEYWORD)
    density = next(c for c in audit.checks if c.id == "keyword_density")
    assert audit.keyword_stuffing and not density.passed
    assert audit.keyword_density > 3
    assert "stuffing" in density.detail and "at most" in density.fix
    assert any("stuffing" in warning for warning in audit.warnings)


def test_low_density_fails_with_how_many_more() -> None:
    page = "# Sourdough starter\n\n" + "Flour and water make bread dough. " * 90  # 542 words
    density = next(c for c in seo_audit(page, keyword=KEYWORD).checks if c.id == "keyword_density")
    assert not density.passed
    assert "appears once: 0.37 %" in density.detail
    # 0.5 % of 542 words is 1.4 two-word occurrences, so 2 are needed: 1 more.
    assert "about 1 more time" in density.fix


def test_skipped_heading_level_is_flagged() -> None:
    page = "# Sourdough starter\n\nIntro text.\n\n### Jumped straight to three\n\nMore.\n"
    check = next(c for c in seo_audit(page, keyword=KEYWORD).checks if c.id == "heading_hierarchy")
    assert not check.passed
    assert "H1 -> H3" in check.detail and "Jumped straight" in check.detail
    html = "<h1>Sourdough starter</h1><p>Intro.</p><h3>Jumped</h3><p>More.</p>"
    check = next(c for c in seo_audit(html, keyword=KEYWORD).checks if c.id == "heading_hierarchy")
    assert not check.passed


def test_two_h1_fail() -> None:
    page = "# Sourdough starter\n\nText here.\n\n# Another top heading\n\nMore.\n"
    check = next(c for c in seo_audit(page, keyword=KEYWORD).checks if c.id == "single_h1")
    assert not check.passed and "other 1" in check.fix


def test_missing_alt_text_is_flagged_in_markdown_and_html() -> None:
    for page in (
        '# Sourdough starter\n\nSee ![](a.png) and <img src="b.png"> here.\n',
        '<h1>Sourdough starter</h1><p>See <img src="a.png" alt=""><img src="b.png"></p>',
    ):
        check = next(c for c in seo_audit(page, keyword=KEYWORD).checks if c.id == "image_alt_text")
        assert not check.passed
        assert "2 of 2" in check.detail and "a.png" in check.detail and "b.png" in check.detail


def test_broken_html_gives_warnings_not_exceptions() -> None:
    page = (
        "<h1>Sourdough starter<p>Feed the <b>sourdough starter</p> daily."
        '<img src=x.png><a href="https://x.example">x</span></div>'
    )
    audit = seo_audit(page, keyword=KEYWORD)
    assert audit.format == "html"
    assert audit.warnings
    assert any("<h1>" in warning for warning in audit.warnings)
    assert any("mismatch" in warning or "Unexpected" in warning for warning in audit.warnings)
    assert {c.id: c.passed for c in audit.checks}["external_link"]


@pytest.mark.parametrize(
    "page",
    [
        "# Sourdough starter\n\nSee [the guide](/guide and ![img](a.png and [unclosed.\n",
        "# Sourdough starter\n\n```python\nprint('never closed')\n\nMore text [[ ]\n",
        "<<<>>> sourdough starter <p <h1 <a href=",
        "<?xml version='1.0' encoding='utf-8'?><p>sourdough starter</p>",
    ],
)
def test_broken_markup_is_best_effort(page: str) -> None:
    audit = seo_audit(page, keyword=KEYWORD)
    assert 0 <= audit.score <= 100
    assert isinstance(audit.warnings, list)


def test_broken_markdown_warns() -> None:
    audit = seo_audit(
        "# Sourdough starter\n\nSee [the guide](/guide and more.\n\n```\ncode\n", keyword=KEYWORD
    )
    assert any("Broken link" in warning for warning in audit.warnings)
    assert any("code fence" in warning for warning in audit.warnings)


def test_keyword_longer_than_text_is_rejected() -> None:
    with pytest.raises(ValidationError, match="longer than the text"):
        seo_audit("Short text.", keyword="a much longer keyword phrase than the text")


@pytest.mark.parametrize("keyword", ["", "   ", "!!"])
def test_empty_keyword_is_rejected(keyword: str) -> None:
    with pytest.raises(ValidationError, match="keyword is empty"):
        seo_audit(ARTICLE_MD, keyword=keyword)
