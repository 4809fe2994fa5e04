"""A heading for each planned section: a descriptive phrase of two to six words.

In order of preference: the aspect the topic named ("How Tea Is Grown"); the source's own
heading, when most of the section's evidence really stands under it; otherwise the best
of the source headings its evidence stands under and the phrases that distinguish its
evidence from the other sections' (a class-based TF-IDF over key phrases: frequent here,
rare elsewhere). "Best" is measured with the embedding model: the heading closest in
meaning to the section's evidence and not as close to another section's, so a heading
names what the section is about rather than a word pair that happens to be frequent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING

from aiwriter_kernel.compose.evidence import EvidenceSentence
from aiwriter_kernel.compose.grounding import unit_rows
from aiwriter_kernel.text.keyphrases import extract_keyphrases
from aiwriter_kernel.text.titles import title_case
from aiwriter_kernel.text.words import content_words, terms

if TYPE_CHECKING:
    import numpy as np

MIN_WORDS, MAX_WORDS = 2, 6
CANDIDATES = 6  # headings weighed per section, each embedded once
RIVAL_WEIGHT = 0.5  # how much naming another section as well counts against a heading
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


def heading_candidates(
    sentences: Sequence[EvidenceSentence],
    others: Sequence[Sequence[EvidenceSentence]],
    aspect: str | None,
    taken: Collection[str] = (),
) -> list[str]:
    """The headings a section could have, in order of preference: the aspect it was made
    for (then the only one); the source heading most of its evidence stands under (then
    also the only one: an author's own name for the passage); otherwise every source
    heading its evidence stands under and its most distinctive key phrases. None is in
    ``taken`` (lower case: the article's title and the headings already given), so a
    source's title never names a section of an article with the same title."""
    named = _aspect_heading(aspect) or _source_heading(sentences)
    if named and fits(named) and named.lower() not in taken:
        return [named]
    found = [*_source_headings(sentences), *_distinctive_phrases(sentences, others)]
    kept: list[str] = []
    for candidate in found:
        seen = {k.lower() for k in kept} | set(taken)
        if fits(candidate) and candidate.lower() not in seen:
            kept.append(candidate)
    return kept[:CANDIDATES]


def choose_heading(
    candidates: Sequence[str],
    index: int,
    centroids: np.ndarray,
    encode: Callable[[Sequence[str]], np.ndarray],
    taken: set[str],
) -> str | None:
    """The candidate that best names section ``index`` and not the others: cosine to its
    own centroid less half the best cosine to another section's (``centroids``: unit
    rows, one a section). ``taken`` holds headings already used (lower case)."""
    free = [c for c in candidates if c.lower() not in taken]
    if len(free) <= 1:
        return free[0] if free else None
    similarity = unit_rows(encode(free)) @ centroids.T
    own = similarity[:, index]
    rest = [i for i in range(centroids.shape[0]) if i != index]
    rival = similarity[:, rest].max(axis=1) if rest else own * 0
    scores = own - RIVAL_WEIGHT * rival
    return free[max(range(len(free)), key=lambda i: (float(scores[i]), -i))]


def _aspect_heading(aspect: str | None) -> str | None:
    return title_case(aspect.strip(" :")) if aspect else None


def _source_heading(sentences: Sequence[EvidenceSentence]) -> str | None:
    """The source heading most of the sentences stand under, if most do."""
    counts = Counter(" ".join(s.heading.split()) for s in sentences if s.heading)
    if not counts:
        return None
    heading, count = counts.most_common(1)[0]
    return title_case(heading) if count >= HEADING_SHARE * len(sentences) else None


def _source_headings(sentences: Sequence[EvidenceSentence]) -> list[str]:
    """Every source heading the sentences stand under, the most used first."""
    counts = Counter(" ".join(s.heading.split()) for s in sentences if s.heading)
    return [title_case(heading) for heading, _ in counts.most_common()]


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
    # Two single words joined ("Headline and Briefly") name no subject: only phrases.
    return [title_case(k.phrase) for k in ranked if len(k.phrase.split()) >= MIN_WORDS]


def fallback_heading(sentences: Sequence[EvidenceSentence], taken: set[str]) -> str:
    """When nothing fits: the commonest content words of the section, still 2-6 words."""
    text = " ".join(s.text for s in sentences)
    common = [w for w, _ in Counter(content_words(text)).most_common(4)]
    for size in (3, 2):
        first, second = " ".join(common[: size - 1]), " ".join(common[size - 1 : size])
        candidate = title_case(f"{first} and {second}")
        if len(common) >= size and fits(candidate) and candidate.lower() not in taken:
            return candidate
    return f"Part {len(taken) + 1} Details"
