"""A heading for each planned section: a descriptive phrase of two to six words.

In order of preference: the aspect the topic named ("How Tea Is Grown"); the source's own
heading, when most of the section's evidence really stands under it; otherwise the
phrase that distinguishes this section's evidence from the other sections' (a class-based
TF-IDF over key phrases: frequent here, rare elsewhere).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from aiwriter_kernel.compose.evidence import EvidenceSentence
from aiwriter_kernel.text.keyphrases import extract_keyphrases
from aiwriter_kernel.text.titles import title_case
from aiwriter_kernel.text.words import content_words, terms

MIN_WORDS, MAX_WORDS = 2, 6
HEADING_SHARE = 0.6  # of a section's sentences standing under one source heading
GENERIC = {
    "introduction",
    "overview",
    "conclusion",
    "summary",
    "background",
    "notes",
    "references",
    "sources",
    "further reading",
    "key takeaways",
}


def fits(heading: str) -> bool:
    """Two to six words, and not a heading that names no subject."""
    return MIN_WORDS <= len(heading.split()) <= MAX_WORDS and heading.lower() not in GENERIC


def section_heading(
    sentences: Sequence[EvidenceSentence],
    others: Sequence[Sequence[EvidenceSentence]],
    aspect: str | None,
    taken: set[str],
) -> str:
    """The heading for one section; ``taken`` holds headings already used (lower case)."""
    for candidate in (
        _aspect_heading(aspect),
        _source_heading(sentences),
        *_distinctive_phrases(sentences, others),
    ):
        if candidate and fits(candidate) and candidate.lower() not in taken:
            return candidate
    return _fallback(sentences, taken)


def _aspect_heading(aspect: str | None) -> str | None:
    return title_case(aspect.strip(" :")) if aspect else None


def _source_heading(sentences: Sequence[EvidenceSentence]) -> str | None:
    """The source heading most of the sentences stand under, if most do."""
    counts = Counter(" ".join(s.heading.split()) for s in sentences if s.heading)
    if not counts:
        return None
    heading, count = counts.most_common(1)[0]
    return title_case(heading) if count >= HEADING_SHARE * len(sentences) else None


def _distinctive_phrases(
    sentences: Sequence[EvidenceSentence], others: Sequence[Sequence[EvidenceSentence]]
) -> list[str]:
    """Key phrases of the section, best first by how much more this section uses them
    than the others do; phrases of several words first (they name a subject)."""
    text = " ".join(s.text for s in sentences)
    elsewhere = Counter(
        term for group in others for sentence in group for term in terms(sentence.text)
    )
    here = Counter(terms(text))
    found = extract_keyphrases([text], top=15)

    def distinctiveness(phrase: str) -> float:
        keys = terms(phrase) or [""]
        return sum(here[k] / (1 + elsewhere[k]) for k in keys) / len(keys)

    ranked = sorted(found, key=lambda k: (-distinctiveness(k.phrase) * k.score, k.phrase))
    several = [title_case(k.phrase) for k in ranked if len(k.phrase.split()) >= MIN_WORDS]
    single = [k.phrase for k in ranked if len(k.phrase.split()) == 1]
    pairs = [title_case(f"{a} and {b}") for a, b in pairwise(single)]
    return [*several, *pairs[:1]]


def _fallback(sentences: Sequence[EvidenceSentence], taken: set[str]) -> str:
    """When nothing fits: the commonest content words of the section, still 2-6 words."""
    text = " ".join(s.text for s in sentences)
    common = [w for w, _ in Counter(content_words(text)).most_common(4)]
    for size in (3, 2):
        first, second = " ".join(common[: size - 1]), " ".join(common[size - 1 : size])
        candidate = title_case(f"{first} and {second}")
        if len(common) >= size and fits(candidate) and candidate.lower() not in taken:
            return candidate
    return f"Part {len(taken) + 1} Details"
