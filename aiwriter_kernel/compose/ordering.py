"""In what order sections, and the sentences inside them, should be read.

With no model, order comes from two kinds of evidence. Where a sentence stands in its
source: writers put what a thing is before how it works and caveats last, so the
average relative position of a section's sentences across sources is a consensus of the
sources' own orders. And what the sentences say: definitions and origins open an
article ("is a", "history"), risks, limits and verdicts close it (the arc).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from statistics import fmean, pstdev
from typing import Protocol, TypeVar

from aiwriter_kernel.compose.evidence import EvidenceSentence

OPENING = re.compile(
    r"\b(?:(?:is|are)\s+(?:a|an|the)|refers?\s+to|known\s+as|defined\s+as|definition|"
    r"history|origins?|originated|began|invented|discovered|ancient|centur(?:y|ies)|"
    r"overview|basics?)\b",
    re.IGNORECASE,
)
CLOSING = re.compile(
    r"\b(?:however|risks?|limits?|limitations?|challenges?|drawbacks?|disadvantages?|"
    r"downsides?|future|outlook|avoid|mistakes?|pitfalls?|problems?|concerns?|cautions?|"
    r"warnings?|side\s+effects?|debate|criticism|conclusion|verdict|overall|in\s+short|"
    r"ultimately|trade-?offs?)\b",
    re.IGNORECASE,
)
# The sources' average position weighs 1; cue words and generality move a section by
# about half and a tenth of that (set on the benchmark corpora, see RESULTS.md).
ARC_WEIGHT = 0.5
GENERAL_WEIGHT = 0.1


class HasText(Protocol):
    text: str


S = TypeVar("S", bound=HasText)


def arc(sentences: Sequence[EvidenceSentence]) -> float:
    """-1 (reads like an opening) .. +1 (reads like a closing), from cue words."""
    if not sentences:
        return 0.0
    score = sum(
        len(CLOSING.findall(s.text)) - len(OPENING.findall(s.text)) for s in sentences
    ) / len(sentences)
    return max(-1.0, min(1.0, score))


def reading_key(sentences: Sequence[EvidenceSentence]) -> float:
    """Smaller reads earlier: the sources' average position, moved by the arc."""
    if not sentences:
        return 1.0
    return fmean(s.position for s in sentences) + ARC_WEIGHT * arc(sentences)


def section_key(
    sentences: Sequence[EvidenceSentence], relevance: Sequence[float], every: Sequence[float]
) -> float:
    """Smaller reads earlier: ``reading_key``, and the section that matches the topic best
    (what the topic is) earlier. ``relevance``: the topic similarity of the section's
    paragraphs; ``every``: of all paragraphs, to put it on a common scale."""
    if not sentences:
        return 1.0
    spread = pstdev(every) or 1.0
    general = (fmean(relevance) - fmean(every)) / spread if relevance else 0.0
    place = fmean(s.position for s in sentences)
    return place + ARC_WEIGHT * arc(sentences) - GENERAL_WEIGHT * general


def in_reading_order(sentences: Sequence[EvidenceSentence]) -> list[EvidenceSentence]:
    """A section's sentences: those of one source together and in the source's order,
    sources ordered by where their part of the section stands (see ``reading_key``)."""
    by_source: dict[int, list[EvidenceSentence]] = {}
    for sentence in sentences:
        by_source.setdefault(sentence.source_id, []).append(sentence)
    groups = [sorted(group, key=lambda s: s.position) for group in by_source.values()]
    groups.sort(key=lambda group: (reading_key(group), group[0].source_id))
    return [sentence for group in groups for sentence in group]


def opening(sentences: Sequence[S], words: int) -> list[S]:
    """The first sentences of a section in reading order, as many as fit in ``words``
    (at least one): the lead. Sources say what a thing is before anything else, so the
    start of the first section is the article's natural opening (the "lead" baseline of
    summarisation), and a run keeps each sentence with the one it leans on."""
    lead: list[S] = []
    count = 0
    for sentence in sentences:
        count += len(sentence.text.split())
        if lead and count > words:
            break
        lead.append(sentence)
    return lead
