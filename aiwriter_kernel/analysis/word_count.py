"""The one word count of a draft, shown by every report, header, chart and front end.

The rule is what a reader counts as the article's length:

* only the body text counts: headings (and the title), the References section, citation
  markers such as "[3]", list and quote markers, HTML tags and other Markdown syntax do not;
* a word is a whitespace-separated run holding at least one letter or digit, as a word
  processor counts it: "well-known", "don't", "2024" and "42%" are one word each, a lone
  dash or bullet is none.

Readability formulas (textstat) count words the same way, so the report's reading time and
its scores agree with this number. The SEO audit and the key-phrase density still divide by
all the visible text (headings included: search engines read them); they keep that
denominator to themselves and never show it as "words".
"""

from __future__ import annotations

import re

from aiwriter_kernel.analysis.markup import drop_citations, looks_like_html, outline_html, prose

WORD_CHUNK = re.compile(r"\w")


def word_count(markdown: str) -> int:
    """Words of the body text of ``markdown`` (or plain text, or HTML) by the rule above."""
    if looks_like_html(markdown):
        return _html_word_count(markdown)
    return count_words(prose(markdown).text)


def _html_word_count(html: str) -> int:
    """An HTML page's visible text less its headings; scripts and styles are not text."""
    page = outline_html(html)
    visible = sum(count_words(drop_citations(text)) for text in page.texts)
    return max(0, visible - sum(count_words(text) for _, text in page.headings))


def count_words(plain: str) -> int:
    """Words of text that is already plain prose (a sentence, a paragraph)."""
    return sum(1 for chunk in plain.split() if WORD_CHUNK.search(chunk))
