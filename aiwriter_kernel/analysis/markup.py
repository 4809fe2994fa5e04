"""Shared text preparation for the analyses: Markdown or HTML in, plain prose or a document
outline out.

Two views of a document are needed. Readability, key phrases, originality and citations want
*prose*: body paragraphs without headings, citation markers or the References section, so
that headings never count as sentences and "[3]" never counts as a word. The SEO audit wants
an *outline*: headings with levels, links, images and the first paragraph. Both are
best-effort: broken markup gives warnings, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from aiwriter_kernel.text.sentences import split_sentences, strip_markdown

if TYPE_CHECKING:
    from lxml.etree import _Element
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# Every pattern here must run in time linear in the text, whatever it holds (see
# aiwriter_kernel.text.sentences): a run of spaces is matched only from its first character
# (the look-behinds), a tag or link stops at the next opening bracket.

# A citation marker: [1], [1, 2], [1; 3] or a range [2-4] (hyphen or en dash).
CITATION = re.compile(r"\[(\d+(?:\s*[,;\-\u2013]\s*\d+)*)\]")
CITATION_WITH_SPACE = re.compile(r"(?<![ \t])[ \t]*" + CITATION.pattern)
MAX_RANGE = 50  # a "range" longer than this is a typo, not a citation of 51 sources

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
ATX_OPENING = re.compile(r"\s{0,3}(#{1,6})")
SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
THEMATIC_BREAK = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
REFERENCE_TITLES = frozenset(
    {"references", "sources", "bibliography", "works cited", "citations", "notes and references"}
)
HTML_TAG = re.compile(r"<[^<>\n]+>")
HTML_DOCUMENT = re.compile(
    r"<\s*(?:!doctype|html|head|body|article|section|main|div|p|h[1-6]|ul|ol|table)\b", re.I
)
MARKDOWN_HEADING_LINE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]", re.M)
MARKDOWN_LINK = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*+\)")
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
BLOCK_TAGS = (*HEADING_TAGS, "p", "div", "li", "ul", "ol", "section", "article", "main",
              "header", "footer", "nav", "aside", "blockquote", "table", "tr", "td", "th",
              "br", "hr", "figure", "figcaption", "dd", "dt", "img")  # fmt: skip
# Elements whose end tag HTML requires; an unclosed one swallows the rest of the page.
MUST_CLOSE = ("a", *HEADING_TAGS, "div", "section", "article", "span", "strong", "em", "b",
              "i", "ul", "ol", "table", "title", "blockquote")  # fmt: skip
MAX_WARNINGS = 20


def citation_labels(inside: str) -> list[int]:
    """Labels named inside one marker's brackets: '1, 3' -> [1, 3]; '2-4' -> [2, 3, 4]."""
    labels: list[int] = []
    for part in re.split(r"\s*[,;]\s*", inside.strip()):
        bounds = re.split(r"\s*[\-\u2013]\s*", part)
        if len(bounds) == 2 and bounds[0] and bounds[1]:
            low, high = int(bounds[0]), int(bounds[1])
            if low <= high <= low + MAX_RANGE:
                labels.extend(range(low, high + 1))
                continue
        labels.extend(int(bound) for bound in bounds if bound)
    return labels


def drop_citations(text: str) -> str:
    """The text without citation markers (and the space before them)."""
    return CITATION_WITH_SPACE.sub("", text)


def _heading_level(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading line ("## Text ##"), else None. Its closing hashes
    are cut with ``rstrip``: a lazy regex for them tried every end of the line in turn, in
    time cubic in the length of a line of spaces."""
    match = ATX_OPENING.match(line)
    if not match:
        return None
    rest = line[match.end() :]
    text = rest.rstrip(" \t").rstrip("#").rstrip(" \t")
    if text and rest[0] not in " \t":
        return None  # "#hashtag", or seven hashes
    return len(match.group(1)), text.strip()


def split_references(markdown: str) -> tuple[str, list[str], bool]:
    """(body, reference lines, whether a References section exists).

    The section starts at a heading named References (or Sources, Bibliography...) and runs
    to the next heading of the same or a higher level, so an appendix after it stays body.
    """
    body: list[str] = []
    references: list[str] = []
    section_level = 0  # 0: not inside the References section
    found = False
    in_fence = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _heading_level(line)
        if heading and section_level and heading[0] <= section_level:
            section_level = 0
        if heading and heading[1].rstrip(":").lower() in REFERENCE_TITLES:
            section_level, found = heading[0], True
            continue
        (references if section_level else body).append(line)
    return "\n".join(body), [line for line in references if line.strip()], found


def pull_headings(markdown: str) -> tuple[str, list[str]]:
    """(the Markdown with heading lines blanked, the heading texts).

    Headings are titles, not sentences: readability and citation checks must not see them.
    Setext headings (a line underlined with === or ---) count too; so do thematic breaks,
    which are dropped.
    """
    lines = markdown.splitlines()
    headings: list[str] = []
    kept: list[str] = []
    in_fence = False
    for line in lines:
        if FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            kept.append(line)
            continue
        heading = _heading_level(line)
        previous = kept[-1] if kept else ""
        if heading:
            headings.append(heading[1])
            kept.extend(["", ""])
        elif (
            SETEXT_UNDERLINE.match(line)
            and previous.strip()
            and not LIST_ITEM.match(previous)
            and not _heading_level(previous)
        ):
            headings.append(previous.strip())
            kept[-1] = ""
            kept.append("")
        elif THEMATIC_BREAK.match(line):
            kept.append("")
        else:
            kept.append(line)
    return "\n".join(kept), headings


def _drop_block_markers(markdown: str) -> str:
    """Drop quote and list markers, with a blank line before each list item so that items
    never merge into one sentence. Done here rather than by ``strip_markdown``, whose
    patterns let ``\\s`` match newlines and so swallow the blank line before a list."""
    markdown = re.sub(r"(?m)^(?:[ \t]{0,3}>[ \t]?)+", "", markdown)
    return re.sub(r"(?m)^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", "\n", markdown)


@dataclass(frozen=True)
class Prose:
    """Plain body text (paragraphs separated by blank lines) and the headings taken out."""

    text: str
    headings: list[str]


def prose(markdown: str, *, keep_citations: bool = False) -> Prose:
    """Body prose of a Markdown (or plain-text) draft: no headings, no References section,
    no list markers, no HTML tags, and no citation markers unless ``keep_citations``."""
    body, _, _ = split_references(markdown)
    body, headings = pull_headings(body)
    body = _drop_block_markers(body)
    body = HTML_TAG.sub(" ", body)
    if not keep_citations:
        body = drop_citations(body)
    text = strip_markdown(body)
    # Join the lines of each paragraph: a soft line break is not a phrase boundary.
    text = re.sub(r"(?<![ \t])[ \t]*(?<!\n)\n(?!\n)[ \t]*", " ", text)
    # Dots standing alone ("... And", ".]]") are not words, and split_sentences fails on them.
    text = re.sub(r"(?<!\S)\.+[\"')\]]*(?!\S)", "", text)
    return Prose(text=text, headings=headings)


def prose_sentences(text: str) -> list[str]:
    """``split_sentences``, made safe for any input: it raises IndexError on a fragment made
    of dots alone; then tokens without a letter or digit are dropped and it runs again."""
    try:
        return split_sentences(text)
    except IndexError:
        return split_sentences(re.sub(r"(?<![^\s])[^\w\s]+(?![^\s])", "", text))


def looks_like_html(text: str) -> bool:
    """HTML when structural tags appear and no Markdown heading or link syntax does: Markdown
    may embed HTML blocks, and markdown-it reads those itself."""
    return bool(HTML_DOCUMENT.search(text)) and not (
        MARKDOWN_HEADING_LINE.search(text) or MARKDOWN_LINK.search(text)
    )


# ---------------------------------------------------------------- outline (for the SEO audit)


@dataclass
class PageParts:
    """The parts of a page an SEO audit looks at, whatever the markup it came from."""

    headings: list[tuple[int, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    images: list[tuple[str, str]] = field(default_factory=list)  # (src, alt)
    texts: list[str] = field(default_factory=list)  # every visible block, for word counts
    title: str | None = None  # an HTML <title>
    meta_description: str | None = None  # an HTML <meta name="description">
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        """Record a warning once; a page full of the same mistake needs one line, not fifty."""
        if message not in self.warnings and len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)

    def merge(self, other: PageParts) -> None:
        self.headings += other.headings
        self.paragraphs += other.paragraphs
        self.links += other.links
        self.images += other.images
        self.texts += other.texts
        for message in other.warnings:
            self.warn(message)


def outline(markup: str) -> tuple[PageParts, Literal["markdown", "html"]]:
    """(outline, "html" or "markdown") of a page given as Markdown or HTML."""
    if looks_like_html(markup):
        return outline_html(markup), "html"
    return outline_markdown(markup), "markdown"


def _squash(text: str) -> str:
    return " ".join(text.split())


def _snippet(text: str, limit: int = 40) -> str:
    text = _squash(text)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


# --- HTML


def outline_html(html: str, *, whole_page: bool = True) -> PageParts:
    """PageParts of an HTML page or fragment through lxml's forgiving parser.

    ``whole_page=False`` is for an HTML block inside Markdown: its tags may legitimately
    close in a later block, so the parser's complaints about tag balance are not repeated.
    """
    from lxml import etree

    found = PageParts()
    parser = etree.HTMLParser(recover=True, remove_comments=True)
    try:
        root = etree.fromstring(html, parser)
    except ValueError:  # a str with an XML encoding declaration: lxml wants bytes then
        root = etree.fromstring(html.encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        found.warn(f"The HTML could not be parsed: {error}")
        return found
    if whole_page:
        for entry in parser.error_log:
            found.warn(f"HTML problem at line {entry.line}, column {entry.column}: {entry.message}")
        _warn_unclosed_tags(html, found)
    if root is None:
        if whole_page:
            found.warn("The HTML has no content.")
        return found
    # Code is not prose: Markdown code blocks do not count either.
    etree.strip_elements(root, "script", "style", "noscript", "template", "pre", with_tail=False)
    _read_head(root, found)
    body = root.find("body")
    _read_body(root if body is None else body, found)
    return found


def _warn_unclosed_tags(html: str, found: PageParts) -> None:
    """libxml2 closes tags left open at the end silently; say so, it changes the page."""
    for tag in MUST_CLOSE:
        opened = len(re.findall(rf"<{tag}(?:\s[^<>]*)?>", html, re.I))
        closed = len(re.findall(rf"</{tag}\s*>", html, re.I))
        if opened > closed:
            found.warn(f"{opened - closed} <{tag}> tag(s) are never closed.")


def _read_head(root: _Element, found: PageParts) -> None:
    title = root.find(".//head/title")
    if title is not None and _squash(title.text or ""):
        found.title = _squash(title.text or "")
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() == "description" and meta.get("content"):
            found.meta_description = _squash(meta.get("content", ""))
            break


def _read_body(body: _Element, found: PageParts) -> None:
    _separate_blocks(body)
    for element in body.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in HEADING_TAGS:
            found.headings.append((int(tag[1]), _text_of(element)))
        elif tag == "p" or (tag == "li" and element.find(".//p") is None):
            text = _text_of(element)
            if text:
                found.paragraphs.append(text)
        elif tag == "a" and element.get("href") is not None:
            found.links.append(element.get("href", "").strip())
        elif tag == "img":
            found.images.append((element.get("src", ""), _squash(element.get("alt") or "")))
    text = _text_of(body)
    found.texts = [text] if text else []  # the whole visible text, headings included


def _separate_blocks(root: _Element) -> None:
    """End every block element with a line break, so "<p>a</p><p>b</p>" reads "a b" while
    "<b>un</b>done" still reads "undone"."""
    for element in root.iter(*BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")


def _text_of(element: _Element) -> str:
    return _squash("".join(element.itertext()))


# --- Markdown


@lru_cache(maxsize=1)
def _markdown_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def outline_markdown(markdown: str) -> PageParts:
    """PageParts of a Markdown page through markdown-it (CommonMark), which never fails: text it
    cannot read as syntax stays text, and stray syntax left in that text becomes a warning."""
    found = PageParts()
    tokens = _markdown_parser().parse(markdown)
    for index, token in enumerate(tokens):
        inline = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.type == "heading_open" and inline is not None:
            text = _inline_text(inline, found)
            found.headings.append((int(token.tag[1]), text))
            found.texts.append(text)
        elif token.type == "paragraph_open" and inline is not None:
            text = _inline_text(inline, found)
            if text:
                found.paragraphs.append(text)
                found.texts.append(text)
        elif token.type == "html_block":
            found.merge(outline_html(token.content, whole_page=False))
    _warn_unclosed_fence(markdown, found)
    return found


def _inline_text(inline: Token, found: PageParts) -> str:
    """Visible text of an inline token; links and images found on the way go into ``found``."""
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
            if child.type == "text":
                _warn_stray_syntax(child.content, found)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "link_open":
            href = str(child.attrs.get("href", "")).strip()
            found.links.append(href)
            if not href:
                found.warn("A link has an empty URL.")
        elif child.type == "image":
            found.images.append((str(child.attrs.get("src", "")), _squash(child.content)))
        elif child.type == "html_inline":
            _read_inline_html(child.content, found)
    return _squash("".join(parts))


ATTRIBUTE = re.compile(r"""(?<![\w-])([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def _attributes(tag: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in
            ATTRIBUTE.finditer(tag)}  # fmt: skip


def _read_inline_html(tag: str, found: PageParts) -> None:
    """Images and links written as raw HTML inside Markdown (<img ...>, <a href=...>)."""
    name = re.match(r"<\s*([a-zA-Z][\w-]*)", tag)
    if not name:
        return
    attributes = _attributes(tag)
    if name.group(1).lower() == "img":
        found.images.append((attributes.get("src", ""), _squash(attributes.get("alt", ""))))
    elif name.group(1).lower() == "a" and "href" in attributes:
        found.links.append(attributes["href"].strip())


def _warn_stray_syntax(text: str, found: PageParts) -> None:
    """Link or image syntax that markdown-it left as text is almost always a typo."""
    if "](" in text or "![" in text:
        found.warn(f"Broken link or image syntax near '{_snippet(text)}'.")
        return
    bare = CITATION.sub("", text)
    if bare.count("[") != bare.count("]"):
        found.warn(f"Unmatched square bracket near '{_snippet(text)}'.")


def _warn_unclosed_fence(markdown: str, found: PageParts) -> None:
    fences = sum(1 for line in markdown.splitlines() if FENCE.match(line))
    if fences % 2:
        found.warn("A code fence (```) is never closed: the rest of the page reads as code.")
