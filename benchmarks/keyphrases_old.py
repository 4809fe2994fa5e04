"""The key-phrase extractor as it was before issue 15, kept for benchmarks/keyphrase_quality.py.

Statistical key-phrase extraction (YAKE-like, no model): candidate phrases are runs of
content words between stop words and punctuation; they score by how often and how early
they occur, how specific their words are across documents, and whether headings use them.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from aiwriter_kernel.text.keyphrases import Keyphrase
from aiwriter_kernel.text.words import STOP_WORDS, TermWeights, stem, terms

PHRASE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"\u201c\u201d<>|/\\\n\u2014\u2013]+|\s-\s")
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'-]*[A-Za-z0-9]|[A-Za-z]")
MAX_WORDS = 3


def _candidates(text: str) -> list[tuple[str, tuple[str, ...], float]]:
    """(surface form, stemmed key, relative position) for each candidate phrase."""
    found = []
    length = max(len(text), 1)
    for match in PHRASE_BREAK.split(text):
        run: list[str] = []
        offset = text.find(match) / length if match else 0.0
        for token in [*TOKEN.findall(match), ""]:
            lowered = token.lower()
            if token and lowered not in STOP_WORDS and len(lowered) > 1 and not lowered.isdigit():
                run.append(token)
                continue
            for size in range(1, MAX_WORDS + 1):
                for start in range(0, len(run) - size + 1):
                    words = run[start : start + size]
                    key = tuple(stem(word.lower()) for word in words)
                    found.append((" ".join(words), key, offset))
            run = []
    return found


def extract_keyphrases(
    documents: Sequence[str], *, top: int = 20, headings: Sequence[str] = ()
) -> list[Keyphrase]:
    """The ``top`` key phrases of ``documents`` (one or many texts), best first."""
    weights = TermWeights(terms(document) for document in documents)
    heading_terms = {term for heading in headings for term in terms(heading)}
    counts: Counter[tuple[str, ...]] = Counter()
    first_seen: dict[tuple[str, ...], float] = {}
    surfaces: defaultdict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for document in documents:
        for surface, key, position in _candidates(document):
            counts[key] += 1
            first_seen[key] = min(first_seen.get(key, 1.0), position)
            surfaces[key][surface.lower() if not surface.isupper() else surface] += 1
    scored = []
    for key, count in counts.items():
        specificity = sum(weights.idf.get(term, 1.0) for term in key) / len(key)
        frequency = math.log(1 + count)
        position = 1.0 + 0.5 * (1.0 - first_seen[key])
        in_headings = 1.5 if heading_terms.intersection(key) else 1.0
        length_bonus = 1.0 + 0.35 * (len(key) - 1) if count > 1 else 0.6
        score = frequency * specificity * position * in_headings * length_bonus
        scored.append(
            Keyphrase(phrase=surfaces[key].most_common(1)[0][0], score=score, count=count)
        )
    scored.sort(key=lambda item: (-item.score, item.phrase))
    return _without_overlaps(scored, top)


def _stems(phrase: str) -> set[str]:
    return {stem(word) for word in phrase.lower().split()}


def _without_overlaps(ranked: list[Keyphrase], top: int) -> list[Keyphrase]:
    """Drop a phrase when a better one already contains it, or it contains a better one
    that it adds nothing to (so 'python' and 'python language' do not both appear)."""
    kept: list[Keyphrase] = []
    for candidate in ranked:
        words = _stems(candidate.phrase)
        if any(words <= _stems(other.phrase) for other in kept):
            continue
        kept.append(candidate)
        if len(kept) == top:
            break
    return kept
