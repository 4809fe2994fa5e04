"""A pool of citable source sentences and maximal-marginal-relevance selection over it.

Every sentence the composer writes comes from here, so each carries the label of the
source it was taken from, and no sentence is ever used twice in one text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from aiwriter_kernel.llm.tasks import SourcePassage
from aiwriter_kernel.text.banned import find_banned
from aiwriter_kernel.text.sentences import split_sentences, strip_markdown
from aiwriter_kernel.text.words import TermWeights, cosine, terms, words

MIN_WORDS, MAX_WORDS = 6, 60
# Spaces before a marker are matched from the first of them only: tried from each, a long
# run without a marker after it took time quadratic in its length.
CITATION = re.compile(r"(?<!\s)\s*\[\d+(?:\s*,\s*\d+)*\]")
CODE_LIKE = re.compile(r"[{}=<>$\\]|::|\(\)|^\W")


@dataclass(frozen=True)
class Sentence:
    """One source sentence, where it came from, and its term vector."""

    text: str
    label: int
    position: int
    vector: dict[str, float] = field(compare=False, hash=False)

    @property
    def word_count(self) -> int:
        return len(self.text.split())


def is_prose(sentence: str) -> bool:
    """Keep sentences a reader would accept in an article: whole, not code, not a fragment."""
    count = len(words(sentence))
    return (
        MIN_WORDS <= count <= MAX_WORDS
        and sentence[-1] in ".!?"
        and sentence[0].isupper()
        and not CODE_LIKE.search(sentence)
    )


class EvidencePool:
    """All usable sentences of a set of sources, with TF-IDF weights over them; sentences
    using a ``banned`` word (a persona's) are never in the pool."""

    def __init__(self, sources: Sequence[SourcePassage], banned: Iterable[str] = ()) -> None:
        banned = tuple(banned)
        raw: list[tuple[str, int]] = []
        for source in sources:
            for sentence in split_sentences(strip_markdown(source.text)):
                sentence = CITATION.sub("", sentence).strip()
                if is_prose(sentence) and not find_banned(sentence, banned):
                    raw.append((sentence, source.label))
        self.weights = TermWeights(terms(text) for text, _ in raw)
        seen: set[str] = set()
        self.sentences: list[Sentence] = []
        for position, (text, label) in enumerate(raw):
            key = " ".join(words(text))
            if key in seen:
                continue
            seen.add(key)
            self.sentences.append(Sentence(text, label, position, self.weights.vector(terms(text))))

    def query_vector(self, query: str) -> dict[str, float]:
        return self.weights.vector(terms(query))

    def centroid(self) -> dict[str, float]:
        """The pool's 'average' sentence: what the sources are mostly about."""
        total: dict[str, float] = {}
        for sentence in self.sentences:
            for term, value in sentence.vector.items():
                total[term] = total.get(term, 0.0) + value
        norm = sum(value * value for value in total.values()) ** 0.5 or 1.0
        return {term: value / norm for term, value in total.items()}

    def select(
        self,
        query: dict[str, float],
        *,
        word_budget: int,
        exclude: Iterable[str] = (),
        min_relevance: float = 0.0,
        diversity: float = 0.3,
        max_sentences: int = 40,
    ) -> list[Sentence]:
        """Maximal marginal relevance: relevant to ``query``, unlike what is already chosen."""
        excluded = {" ".join(words(text)) for text in exclude}
        candidates = [
            sentence
            for sentence in self.sentences
            if " ".join(words(sentence.text)) not in excluded
            and cosine(query, sentence.vector) > min_relevance
        ]
        relevance = {id(sentence): cosine(query, sentence.vector) for sentence in candidates}
        chosen: list[Sentence] = []
        used_words = 0
        while candidates and used_words < word_budget and len(chosen) < max_sentences:
            best = max(candidates, key=lambda s: self._mmr(s, relevance, chosen, diversity))
            candidates.remove(best)
            if chosen and max(cosine(best.vector, c.vector) for c in chosen) > 0.8:
                continue  # a near-duplicate of what is already said
            chosen.append(best)
            used_words += best.word_count
        return chosen

    @staticmethod
    def _mmr(
        sentence: Sentence, relevance: dict[int, float], chosen: list[Sentence], diversity: float
    ) -> tuple[float, int]:
        redundancy = max((cosine(sentence.vector, c.vector) for c in chosen), default=0.0)
        score = (1 - diversity) * relevance[id(sentence)] - diversity * redundancy
        return score, -sentence.position  # ties: the earlier sentence, for determinism


def cite(sentence: Sentence) -> str:
    """The sentence with its citation placed before the final punctuation: '... [2].'"""
    text = sentence.text
    return f"{text[:-1].rstrip()} [{sentence.label}]{text[-1]}"
