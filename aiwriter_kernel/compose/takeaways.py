"""A closing takeaway per section: the section's most central sentence not yet used,
cited like every other sentence of the article."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiwriter_kernel.compose.sentence_pool import EvidencePool, cite
from aiwriter_kernel.llm.tasks import SourcePassage
from aiwriter_kernel.text.sentences import leans_on_previous

TAKEAWAY_MAX_WORDS = 35


def takeaway(
    passages: Sequence[SourcePassage], used: Iterable[str], banned: Iterable[str] = ()
) -> str | None:
    """The cited takeaway of one section's evidence, or None when nothing is left."""
    pool = EvidencePool(passages, banned=banned)
    candidates = pool.select(pool.centroid(), word_budget=10_000, exclude=used, max_sentences=8)
    for sentence in candidates:
        if sentence.word_count <= TAKEAWAY_MAX_WORDS and not leans_on_previous(sentence.text):
            return cite(sentence)
    return None
