"""On-page SEO audit of a draft for one focus keyword: a fixed list of checks, each with a
weight and, when it fails, one concrete sentence saying how to fix it.

The score is the weighted share of passed checks (``WEIGHTS`` sum to 100, so the score is
the sum of the passed checks' weights). Markdown and HTML give the same result for the same
page; broken markup gives a best-effort audit with ``warnings``, never an exception.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.analysis.markup import PageParts, outline
from aiwriter_kernel.analysis.word_count import word_count
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.text.counts import counted
from aiwriter_kernel.text.slugs import APOSTROPHES, slugify
from aiwriter_kernel.text.words import words

# The weight of each check; they sum to 100. Placement of the keyword in the title and the
# page structure matter most; the rest are hygiene.
WEIGHTS: dict[str, int] = {
    "keyword_in_title": 15,
    "keyword_in_h1": 10,
    "keyword_in_first_paragraph": 10,
    "keyword_in_slug": 5,
    "keyword_in_meta_description": 5,
    "meta_description_length": 5,
    "title_length": 5,
    "keyword_density": 10,
    "single_h1": 10,
    "heading_hierarchy": 5,
    "internal_link": 5,
    "external_link": 5,
    "image_alt_text": 5,
    "content_length": 5,
}
TITLE_MAX_CHARS = 60
META_MIN_CHARS, META_MAX_CHARS = 120, 160
DENSITY_MIN, DENSITY_MAX, DENSITY_STUFFING = 0.5, 2.5, 3.0  # percent
LENGTH_TOLERANCE = 0.2
MIN_WORDS_WITHOUT_TARGET = 300


class SeoCheck(BaseModel):
    """One check: what it looks at, whether it passed, and how to fix it when it did not."""

    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    passed: bool
    weight: int
    detail: str
    fix: str


class SeoAudit(BaseModel):
    """The audit of one page for one keyword."""

    model_config = ConfigDict(frozen=True)

    keyword: str
    score: int
    checks: list[SeoCheck]
    format: Literal["markdown", "html"]
    title: str | None
    slug: str | None
    word_count: int
    keyword_count: int
    keyword_density: float
    keyword_stuffing: bool
    warnings: list[str]

    def failed(self) -> list[SeoCheck]:
        """The failed checks, heaviest first: the order in which to fix them."""
        return sorted((c for c in self.checks if not c.passed), key=lambda c: -c.weight)


@dataclass(frozen=True)
class _Page:
    """Everything the checks need, computed once."""

    keyword: str
    keyword_tokens: list[str]
    outline: PageParts
    format: Literal["markdown", "html"]
    title: str | None
    meta_description: str | None
    slug: str | None
    tokens: list[str]  # all the visible text, headings included: the density's denominator
    word_count: int  # the one word count (analysis.word_count): body text only
    keyword_count: int
    density: float
    target_words: int | None
    site_host: str | None


def seo_audit(
    markdown_or_html: str,
    *,
    keyword: str,
    title: str | None = None,
    meta_description: str | None = None,
    slug: str | None = None,
    target_words: int | None = None,
    site_host: str | None = None,
) -> SeoAudit:
    """Audit a Markdown or HTML page for ``keyword``.

    The title is ``title``, else the HTML <title>, else the H1; the meta description is
    ``meta_description``, else the HTML <meta name="description">; the slug is ``slug``,
    else the title slugified. ``site_host`` (e.g. "example.com") makes absolute links to that
    host count as internal; without it only relative links are internal.
    """
    page = _page(
        markdown_or_html,
        keyword=keyword,
        title=title,
        meta=meta_description,
        slug=slug,
        target_words=target_words,
        site_host=site_host,
    )
    checks = [check(page) for check in CHECKS]
    warnings = list(page.outline.warnings)
    stuffing = page.density > DENSITY_STUFFING
    if stuffing:
        warnings.append(
            f"Keyword stuffing: '{keyword}' makes up {page.density:.1f} % of the words "
            f"(above {DENSITY_STUFFING:g} %)."
        )
    return SeoAudit(
        keyword=page.keyword,
        score=sum(c.weight for c in checks if c.passed),
        checks=checks,
        format=page.format,
        title=page.title,
        slug=page.slug,
        word_count=page.word_count,
        keyword_count=page.keyword_count,
        keyword_density=round(page.density, 3),
        keyword_stuffing=stuffing,
        warnings=warnings,
    )


def _page(
    markup: str,
    *,
    keyword: str,
    title: str | None,
    meta: str | None,
    slug: str | None,
    target_words: int | None,
    site_host: str | None,
) -> _Page:
    keyword = " ".join(keyword.split())
    keyword_tokens = tokens(keyword)
    if not keyword_tokens:
        raise ValidationError("keyword is empty: give the phrase the page should rank for")
    if target_words is not None and target_words < 1:
        raise ValidationError("target_words must be a positive number of words")
    found, kind = outline(markup)
    text_tokens = tokens(" ".join(found.texts))
    if len(keyword_tokens) > len(text_tokens):
        raise ValidationError(
            f"keyword '{keyword}' ({len(keyword_tokens)} words) is longer than the text "
            f"({len(text_tokens)} words)"
        )
    count = count_phrase(text_tokens, keyword_tokens)
    title = _clean(title) or found.title or _first_h1(found)
    slug = url_slug(slug or "") or url_slug(title or "")
    return _Page(
        keyword=keyword,
        keyword_tokens=keyword_tokens,
        outline=found,
        format=kind,
        title=title,
        meta_description=_clean(meta) or found.meta_description,
        slug=slug or None,
        tokens=text_tokens,
        word_count=word_count(markup),
        keyword_count=count,
        density=100.0 * count * len(keyword_tokens) / len(text_tokens),
        target_words=target_words,
        site_host=_host(site_host) if site_host else None,
    )


def _clean(text: str | None) -> str | None:
    return " ".join(text.split()) if text and text.strip() else None


def _first_h1(found: PageParts) -> str | None:
    return next((text for level, text in found.headings if level == 1 and text), None)


def _host(site: str) -> str:
    site = site.strip().lower()
    return urlsplit(site if "//" in site else f"//{site}").hostname or site


def tokens(text: str) -> list[str]:
    """Lower-cased words without the possessive 's, so "Python's" matches "python"."""
    return [word.removesuffix("'s") for word in words(text)]


def count_phrase(haystack: Sequence[str], phrase: Sequence[str]) -> int:
    """Non-overlapping occurrences of the word sequence ``phrase`` in ``haystack``."""
    count, index, size = 0, 0, len(phrase)
    first = phrase[0]
    while index <= len(haystack) - size:
        if haystack[index] == first and list(haystack[index : index + size]) == list(phrase):
            count += 1
            index += size
        else:
            index += 1
    return count


def contains(text: str | None, phrase: Sequence[str]) -> bool:
    return bool(text) and count_phrase(tokens(text or ""), phrase) > 0


def url_slug(text: str) -> str:
    """'Python's Best Tips!' -> 'pythons-best-tips' (an URL path keeps its last segment)."""
    text = text.strip().rstrip("/")
    if "/" in text:
        text = text.rsplit("/", 1)[-1]
    return slugify(APOSTROPHES.sub("", text))


# ------------------------------------------------------------------------------- the checks


def _check(check_id: str, label: str, passed: bool, detail: str, fix: str) -> SeoCheck:
    return SeoCheck(
        id=check_id,
        label=label,
        passed=passed,
        weight=WEIGHTS[check_id],
        detail=detail,
        fix="" if passed else fix,
    )


def _keyword_in_title(page: _Page) -> SeoCheck:
    passed = contains(page.title, page.keyword_tokens)
    detail = f"Title: '{page.title}'." if page.title else "The page has no title and no H1."
    return _check(
        "keyword_in_title",
        "Keyword in the title",
        passed,
        detail,
        f"Rewrite the title so it contains '{page.keyword}', ideally near the start.",
    )


def _keyword_in_h1(page: _Page) -> SeoCheck:
    h1s = [text for level, text in page.outline.headings if level == 1]
    passed = any(contains(text, page.keyword_tokens) for text in h1s)
    detail = f"H1: '{h1s[0]}'." if h1s else "The page has no H1."
    return _check(
        "keyword_in_h1",
        "Keyword in the H1",
        passed,
        detail,
        f"Put '{page.keyword}' in the H1 heading.",
    )


def _keyword_in_first_paragraph(page: _Page) -> SeoCheck:
    first = next((p for p in page.outline.paragraphs if words(p)), None)
    passed = contains(first, page.keyword_tokens)
    detail = f"First paragraph: '{_short(first)}'." if first else "The page has no paragraph."
    return _check(
        "keyword_in_first_paragraph",
        "Keyword in the first paragraph",
        passed,
        detail,
        f"Mention '{page.keyword}' in the first paragraph, within its first two sentences.",
    )


def _keyword_in_slug(page: _Page) -> SeoCheck:
    wanted = url_slug(page.keyword)
    passed = bool(page.slug) and f"-{wanted}-" in f"-{page.slug}-"
    detail = f"Slug: '{page.slug}'." if page.slug else "No slug given and no title to make one."
    return _check(
        "keyword_in_slug",
        "Keyword in the URL slug",
        passed,
        detail,
        f"Use a short slug containing the keyword, such as '{wanted}'.",
    )


def _keyword_in_meta(page: _Page) -> SeoCheck:
    meta = page.meta_description
    passed = contains(meta, page.keyword_tokens)
    detail = f"Meta description: '{_short(meta)}'." if meta else "No meta description given."
    return _check(
        "keyword_in_meta_description",
        "Keyword in the meta description",
        passed,
        detail,
        f"Write a meta description that includes '{page.keyword}'.",
    )


def _meta_length(page: _Page) -> SeoCheck:
    length = len(page.meta_description or "")
    passed = META_MIN_CHARS <= length <= META_MAX_CHARS
    if not page.meta_description:
        fix = f"Add a meta description of {META_MIN_CHARS}-{META_MAX_CHARS} characters."
    elif length < META_MIN_CHARS:
        fix = f"Lengthen the meta description by {META_MIN_CHARS - length} characters or more."
    else:
        fix = f"Shorten the meta description by {length - META_MAX_CHARS} characters or more."
    return _check(
        "meta_description_length",
        f"Meta description of {META_MIN_CHARS}-{META_MAX_CHARS} characters",
        passed,
        f"The meta description has {length} characters.",
        fix,
    )


def _title_length(page: _Page) -> SeoCheck:
    length = len(page.title or "")
    passed = 0 < length <= TITLE_MAX_CHARS
    fix = (
        f"Shorten the title by {length - TITLE_MAX_CHARS} characters so search results show "
        "it whole."
        if page.title
        else f"Give the page a title of at most {TITLE_MAX_CHARS} characters."
    )
    return _check(
        "title_length",
        f"Title of at most {TITLE_MAX_CHARS} characters",
        passed,
        f"The title has {length} characters.",
        fix,
    )


def times(count: int) -> str:
    """ "once", "twice" or "N times": the plural a reader expects."""
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def _keyword_density(page: _Page) -> SeoCheck:
    density = page.density
    passed = DENSITY_MIN <= density <= DENSITY_MAX
    detail = (
        f"'{page.keyword}' appears {times(page.keyword_count)}: {density:.2f} % of the "
        "page's words, headings included."
    )
    if density > DENSITY_STUFFING:
        detail += " That is keyword stuffing, which search engines penalise."
    words_each = len(page.keyword_tokens)
    if density < DENSITY_MIN:
        needed = _occurrences_for(DENSITY_MIN, len(page.tokens), words_each)
        fix = f"Use '{page.keyword}' about {counted(needed - page.keyword_count, 'more time')}."
    else:
        allowed = max(1, int(DENSITY_MAX * len(page.tokens) / (100 * words_each)))
        fix = (
            f"Use '{page.keyword}' at most {allowed} times; replace the rest with synonyms "
            "or pronouns."
        )
    return _check(
        "keyword_density",
        f"Keyword density of {DENSITY_MIN:g}-{DENSITY_MAX:g} %",
        passed,
        detail,
        fix,
    )


def _occurrences_for(density: float, total: int, words_each: int) -> int:
    needed = density * total / (100 * words_each)
    return max(1, int(needed) + (0 if needed == int(needed) else 1))


def _single_h1(page: _Page) -> SeoCheck:
    count = sum(1 for level, _ in page.outline.headings if level == 1)
    fix = (
        "Add one H1 heading with the page's title."
        if count == 0
        else f"Keep one H1 and turn the other {count - 1} into H2 headings."
    )
    detail = f"The page has {counted(count, 'H1 heading')}."
    return _check("single_h1", "Exactly one H1", count == 1, detail, fix)


def _heading_hierarchy(page: _Page) -> SeoCheck:
    skips: list[str] = []
    headings = page.outline.headings
    for (before, _), (level, text) in pairwise(headings):
        if level > before + 1:
            skips.append(f"H{before} -> H{level} at '{_short(text)}'")
    detail = "Skipped levels: " + "; ".join(skips) + "." if skips else "No heading level skipped."
    first = skips[0] if skips else ""
    fix = f"Do not skip heading levels ({first}): use the next level down, one at a time."
    return _check("heading_hierarchy", "Heading levels without skips", not skips, detail, fix)


def _links(page: _Page) -> tuple[list[str], list[str]]:
    internal, external = [], []
    for href in page.outline.links:
        parts = urlsplit(href)
        if parts.hostname and parts.scheme in ("http", "https", ""):
            same_site = parts.hostname.lower() == page.site_host
            (internal if same_site else external).append(href)
        elif not parts.scheme and (parts.path or parts.query):
            internal.append(href)  # relative: "/guide", "../faq", "page?x=1"; not "#top"
    return internal, external


def _internal_link(page: _Page) -> SeoCheck:
    internal, _ = _links(page)
    return _check(
        "internal_link",
        "At least one internal link",
        bool(internal),
        f"{counted(len(internal), 'internal link')}.",
        "Link to at least one related page of your own site with a relative URL.",
    )


def _external_link(page: _Page) -> SeoCheck:
    _, external = _links(page)
    return _check(
        "external_link",
        "At least one external link",
        bool(external),
        f"{counted(len(external), 'external link')}.",
        "Link to at least one authoritative source on another site (https://...).",
    )


def _image_alt_text(page: _Page) -> SeoCheck:
    images = page.outline.images
    missing = [src or "(no src)" for src, alt in images if not alt]
    detail = (
        f"{len(missing)} of {counted(len(images), 'image')} lack alt text: "
        f"{', '.join(missing[:5])}."
        if missing
        else f"{_every_image(len(images))} alt text."
    )
    return _check(
        "image_alt_text",
        "Every image has alt text",
        not missing,
        detail,
        'Describe each image in its alt text (![what it shows](file.png) or alt="...").',
    )


def _content_length(page: _Page) -> SeoCheck:
    count = page.word_count
    if page.target_words:
        low = page.target_words * (1 - LENGTH_TOLERANCE)
        high = page.target_words * (1 + LENGTH_TOLERANCE)
        passed = low <= count <= high
        label = f"Length within {LENGTH_TOLERANCE:.0%} of {page.target_words} words"
        fix = (
            f"Add about {int(low - count) + 1} words: the target is {page.target_words}."
            if count < low
            else f"Cut about {count - int(high)} words: the target is {page.target_words}."
        )
    else:
        passed = count >= MIN_WORDS_WITHOUT_TARGET
        label = f"At least {MIN_WORDS_WITHOUT_TARGET} words"
        fix = f"Add about {MIN_WORDS_WITHOUT_TARGET - count} words of substance."
    return _check("content_length", label, passed, f"The page has {counted(count, 'word')}.", fix)


def _short(text: str | None, limit: int = 60) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


CHECKS: tuple[Callable[[_Page], SeoCheck], ...] = (
    _keyword_in_title,
    _keyword_in_h1,
    _keyword_in_first_paragraph,
    _keyword_in_slug,
    _keyword_in_meta,
    _meta_length,
    _title_length,
    _keyword_density,
    _single_h1,
    _heading_hierarchy,
    _internal_link,
    _external_link,
    _image_alt_text,
    _content_length,
)


def _every_image(count: int) -> str:
    """The subject of "… alt text" when no image lacks it: a page may have none."""
    return {0: "The page has no images, so none lacks", 1: "The image has"}.get(
        count, f"All {count:,} images have"
    )
