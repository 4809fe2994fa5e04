"""Is the knowledge base about the topic at all, and which retrieved passages are?

Search always returns *something*; an honest writer first measures how well the best
evidence matches the topic (dense cosine similarity of the topic and its aspects to the
retrieved chunks' stored vectors and to their paragraphs' own) and refuses, or warns,
when it does not. The thresholds are for
the packaged all-MiniLM-L6-v2 and were calibrated on the demo corpus and the benchmark
corpora (``benchmarks/article_quality.py``; figures in ``benchmarks/RESULTS.md``).

A passage is on the topic when it matches the topic or one of its aspects nearly as well
as the best does, when it stands in the same document as such a passage and matches at
least loosely, or when it matches the core of the on-topic evidence (a topic's history
or caveats often share few words with its title, but much with the rest of what is
written about it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.text.words import terms

if TYPE_CHECKING:
    import numpy as np

# The best chunk must match the topic at least this well for the topic to count as covered
# (on the calibration corpora: every article's own title 0.51 or more, unrelated topics
# 0.38 or less).
COVERED_AT = 0.42
# A chunk is about the topic when it matches it (or an aspect) this well and nearly as
# well as the best chunk does ...
ON_TOPIC_AT = 0.30
NEAR_BEST = 0.15
# ... or when it is this similar to the centroid of those, and not far off the topic.
CORE_AT = 0.70
LOOSE_AT = 0.25
# Meaning alone confuses near neighbours ("cold brew coffee" is close to a guide to
# brewing tea): at least this share of the topic's own content words must occur in the
# best chunks too.
WORDS_FOUND_AT = 0.5
WORDS_FROM_BEST = 10
PREFIX = 4
# A short topic ("active voice") embeds vaguely, and a chunk that covers it in one of its
# paragraphs matches it weakly as a whole, so its best cosine can stay under COVERED_AT
# where a source plainly treats it. Such a topic still counts as covered when a chunk that
# matches it at least LOOSE_AT names it: its content words in order, nothing between them
# but stop words ("one clear call to action" names "clear calls to action"). Two
# independent signals, meaning and wording, then agree on the same passage.
# An aspect (a listed part of the topic) is covered when its best chunk reaches this.
ASPECT_COVERED_AT = 0.35


class Coverage(BaseModel):
    """How well the knowledge base covers the topic: the best match, the share of the
    topic's own words that the best chunks use, and the verdict."""

    model_config = ConfigDict(frozen=True)

    score: float
    threshold: float = COVERED_AT
    words_found: float = 1.0
    aspects: dict[str, float] = {}
    aspect_words: dict[str, float] = {}  # the share of each aspect's own words found
    named: bool = False  # a chunk matching at least LOOSE_AT names the topic

    @property
    def covered(self) -> bool:
        if self.named and self.score >= LOOSE_AT:
            return True
        return self.score >= self.threshold and self.words_found >= WORDS_FOUND_AT

    def explained(self) -> str:
        """The measurement in words, for the refusal or the warning."""
        return (
            f"best match {self.score:.2f}, needs {self.threshold:.2f}; "
            f"{self.words_found:.0%} of the topic's words found, needs {WORDS_FOUND_AT:.0%}"
        )

    def uncovered_aspects(self) -> list[str]:
        return [
            name
            for name, score in self.aspects.items()
            if score < ASPECT_COVERED_AT or self.aspect_words.get(name, 1.0) < WORDS_FOUND_AT
        ]


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1, so dot products are cosines."""
    import numpy as np

    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def words_found(topic: str, texts: Sequence[str]) -> float:
    """The share of the topic's content words that occur in ``texts``, compared by their
    first letters (so "grown" finds "grows" and "brewed" finds "brewing", which a suffix
    stripper misses)."""
    wanted = {term[:PREFIX] for term in terms(topic)}
    if not wanted:
        return 1.0
    present = {term[:PREFIX] for text in texts for term in terms(text)}
    return len(wanted & present) / len(wanted)


def names_topic(topic: str, texts: Sequence[str]) -> bool:
    """Whether one of ``texts`` names a topic of two or more content words: those words
    (compared as in :func:`words_found`) one after another among its content words."""
    wanted = [term[:PREFIX] for term in terms(topic)]
    if len(wanted) < 2:
        return False
    for text in texts:
        have = [term[:PREFIX] for term in terms(text)]
        if any(have[i : i + len(wanted)] == wanted for i in range(len(have) - len(wanted) + 1)):
            return True
    return False


def _best_texts(texts: Sequence[str], similarity: np.ndarray, least: float) -> list[str]:
    """The texts of the best-matching chunks, only those that match at least ``least``:
    a word found in an unrelated chunk says nothing about coverage."""
    best = similarity.argsort()[::-1][:WORDS_FROM_BEST]
    return [texts[i] for i in best if similarity[i] >= least]


def measure_coverage(
    chunks: np.ndarray,
    texts: Sequence[str],
    topic: tuple[str, np.ndarray],
    aspects: np.ndarray,
    names: tuple[str, ...],
) -> Coverage:
    """The topic's best match among ``chunks`` (unit rows, ``texts`` theirs), its words
    found in the best of them, and each aspect's best match."""
    if len(chunks) == 0:
        return Coverage(score=0.0, words_found=0.0, aspects=dict.fromkeys(names, 0.0))
    topic_text, topic_vector = topic
    similarity = chunks @ topic_vector
    best_texts = _best_texts(texts, similarity, ON_TOPIC_AT)
    best = float(similarity.max())
    per_aspect, aspect_words = {}, {}
    for name, vector in zip(names, aspects, strict=True):
        matches = chunks @ vector
        per_aspect[name] = float(matches.max())
        near = _best_texts(texts, matches, ASPECT_COVERED_AT)
        aspect_words[name] = round(words_found(name, near), 4)
    # A listed topic ("tea: grown, processed, brewed") is covered when its parts are.
    if per_aspect:
        best = max(best, sorted(per_aspect.values())[len(per_aspect) // 2])
    return Coverage(
        score=round(best, 4),
        words_found=round(words_found(topic_text, best_texts), 4),
        aspects={k: round(v, 4) for k, v in per_aspect.items()},
        aspect_words=aspect_words,
        named=names_topic(topic_text, _best_texts(texts, similarity, LOOSE_AT)),
    )


def on_topic(chunks: np.ndarray, queries: np.ndarray, sources: Sequence[int]) -> np.ndarray:
    """A boolean mask over ``chunks`` (unit rows of passages; ``sources`` the source id
    of each): which are about the topic (``queries``: unit rows of the topic and its
    aspects)."""
    import numpy as np

    if len(chunks) == 0:
        return np.zeros(0, dtype=bool)
    relevance = (chunks @ queries.T).max(axis=1)
    direct = (relevance >= ON_TOPIC_AT) & (relevance >= relevance.max() - NEAR_BEST)
    # A document whose best part is about the topic is about it throughout: its other
    # retrieved passages stay unless they are far off.
    about = {source for source, chosen in zip(sources, direct, strict=True) if chosen}
    same_document = np.array([source in about for source in sources]) & (relevance >= LOOSE_AT)
    if direct.sum() < 2:
        return direct | same_document
    # The core is the direct matches alone: padding it with the next best passages (as
    # the chunk-level version did) let a passage on brand voice into an article on
    # active voice; on the benchmark corpora, off-topic sentences 8% with padding, 0%
    # without, at the same grouping and order on the structured set.
    core = unit_rows(chunks[direct].mean(axis=0, keepdims=True))[0]
    related = (chunks @ core >= CORE_AT) & (relevance >= LOOSE_AT)
    return direct | related | same_document
