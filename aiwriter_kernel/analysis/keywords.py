"""Key phrases of a draft with their density, and the keyword gap: phrases central to the
sources that the draft never mentions, which are the topics a reader may miss."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.analysis.markup import prose
from aiwriter_kernel.analysis.word_count import count_words
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.text.keyphrases import extract_keyphrases
from aiwriter_kernel.text.words import stem, terms, words


class KeywordDensity(BaseModel):
    """A key phrase of the draft: how often it occurs and what share of the words it takes."""

    model_config = ConfigDict(frozen=True)

    phrase: str
    score: float
    count: int
    density: float  # percent: count x words in the phrase / words in the draft x 100


class KeywordGap(BaseModel):
    """A key phrase of the sources that the draft never uses."""

    model_config = ConfigDict(frozen=True)

    phrase: str
    score: float
    source_count: int  # how many sources use it


class KeywordReport(BaseModel):
    """The draft's key phrases, best first, and the sources' phrases it misses."""

    model_config = ConfigDict(frozen=True)

    word_count: int  # the one word count (analysis.word_count): body text only
    keywords: list[KeywordDensity]
    gap: list[KeywordGap]


def keyword_report(
    text: str, *, sources: Sequence[str] = (), top: int = 15, title: str | None = None
) -> KeywordReport:
    """Key phrases of ``text`` (Markdown or plain) and, given ``sources``, the keyword gap.

    The title and headings are text too: the words a reader sees first, so they count in
    the phrases, their occurrences and the densities (the word count shown is the body's,
    by analysis.word_count's rule). A source phrase counts as mentioned
    when its stemmed words occur in a row among the draft's stemmed content words, so
    "vector indexes" is found in "a vector index" but not in "index the vector".
    """
    if top < 1:
        raise ValidationError("top must be at least 1")
    draft = prose(text)
    if not words(draft.text):
        raise ValidationError("text is empty")
    headings = [*([title] if title and title.strip() else []), *draft.headings]
    # densities divide by all the text read, headings included; the count shown is the body's
    total = len(words(draft.text)) + sum(len(words(heading)) for heading in headings)
    keyphrases = extract_keyphrases([draft.text], top=top, headings=headings)
    keywords = [
        KeywordDensity(
            phrase=k.phrase,
            score=round(k.score, 4),
            count=k.count,
            density=round(100.0 * k.count * len(k.phrase.split()) / total, 3),
        )
        for k in keyphrases
    ]
    read = "\n\n".join([*headings, draft.text])
    return KeywordReport(
        word_count=count_words(draft.text), keywords=keywords, gap=_gap(read, sources, top)
    )


def _gap(draft: str, sources: Sequence[str], top: int) -> list[KeywordGap]:
    """Phrases central to the sources (their headings count) that ``draft`` never uses."""
    parts = [prose(source) for source in sources if source.strip()]
    texts = [part.text for part in parts]
    if not texts:
        return []
    headings = [heading for part in parts for heading in part.headings]
    draft_terms = " ".join(terms(draft))
    source_terms = [f" {' '.join(terms(text))} " for text in texts]
    gap = []
    for phrase in extract_keyphrases(texts, top=top, headings=headings):
        key = " ".join(stem(word) for word in words(phrase.phrase))
        if key and f" {key} " not in f" {draft_terms} ":
            used_by = sum(1 for text in source_terms if f" {key} " in text)
            gap.append(KeywordGap(phrase=phrase.phrase, score=round(phrase.score, 4),
                                  source_count=used_by))  # fmt: skip
    return gap
