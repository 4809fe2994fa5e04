"""Words, stop words and term vectors for lexical similarity."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

WORD = re.compile(r"[A-Za-z][A-Za-z0-9'\u2019-]*[A-Za-z0-9]|[A-Za-z]")

STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    either else even ever every few for from further get gets got had has have having he her
    here hers herself him himself his how however i if in into is it its itself just let
    like may me might more most much must my myself neither no nor not now of off often on
    once one only or other others our ours ourselves out over own per rather same shall she
    should since so some such than that the their theirs them themselves then there these
    they this those though through thus to too under until up upon us use used uses using
    very via was we well were what when where whether which while who whom whose why will
    with within without would yet you your yours yourself yourselves new many way ways make
    makes made first two three see also e.g i.e etc""".split()  # noqa: SIM905
)


def words(text: str) -> list[str]:
    """Lower-cased words of ``text``."""
    return [word.lower().replace("\u2019", "'") for word in WORD.findall(text)]


def content_words(text: str) -> list[str]:
    """Words that carry meaning: no stop words, no single letters."""
    return [word for word in words(text) if word not in STOP_WORDS and len(word) > 1]


def stem(word: str) -> str:
    """A light suffix stripper so 'writers' matches 'writer' and 'indexing' matches 'index'."""
    if word.endswith("ing") and len(word) > 6 and word[-4] == word[-5]:
        return word[:-4]  # "writting" style doubling: "planning" -> "plan"
    for suffix in ("ies", "ing", "ers", "ed", "es", "er", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "ies":
                return word[: -len(suffix)] + "y"
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    """Stemmed content words: the unit of lexical similarity."""
    return [stem(word) for word in content_words(text)]


class TermWeights:
    """Inverse document frequencies over a set of texts, and TF-IDF vectors from them."""

    def __init__(self, documents: Iterable[Sequence[str]]) -> None:
        frequency: Counter[str] = Counter()
        count = 0
        for document in documents:
            frequency.update(set(document))
            count += 1
        self.count = max(count, 1)
        self.idf = {
            term: math.log((1 + self.count) / (1 + df)) + 1.0 for term, df in frequency.items()
        }

    def vector(self, document_terms: Sequence[str]) -> dict[str, float]:
        """A unit-length TF-IDF vector (unknown terms weigh as if seen once)."""
        counts = Counter(document_terms)
        default = math.log(1 + self.count) + 1.0
        raw = {term: (1 + math.log(n)) * self.idf.get(term, default) for term, n in counts.items()}
        norm = math.sqrt(sum(value * value for value in raw.values())) or 1.0
        return {term: value / norm for term, value in raw.items()}


def cosine(left: dict[str, float], right: dict[str, float]) -> float:
    """Cosine of two unit vectors stored as dicts."""
    if len(left) > len(right):
        left, right = right, left
    return sum(value * right.get(term, 0.0) for term, value in left.items())
