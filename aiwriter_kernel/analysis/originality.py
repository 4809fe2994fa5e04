"""How much of a draft is copied from its sources: shared word n-grams and the longest
verbatim runs.

Both texts are reduced to lower-cased words (Markdown, citation markers and punctuation do
not count), so "Vector indexes, [2] like HNSW" and "vector indexes like HNSW" match. Each
source's n-grams go in a hash set, so the share costs one lookup per draft position; runs
grow from a shared n-gram by extending the match word by word. Time stays linear in the
total length except on texts that repeat themselves, where ``MAX_SEEDS`` bounds it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.analysis.markup import prose
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.text.words import WORD

MAX_SEEDS = 8  # source positions tried per shared n-gram when extending a run
MAX_RUNS = 10  # longest runs reported


class SourceOverlap(BaseModel):
    """Share of the draft's n-grams that also occur in one source."""

    model_config = ConfigDict(frozen=True)

    source: str
    shared_ngrams: int
    share: float


class OverlapRun(BaseModel):
    """A run of words the draft shares verbatim with a source, as written in the draft."""

    model_config = ConfigDict(frozen=True)

    source: str
    words: int
    text: str
    draft_word: int  # index of the run's first word among the draft's words
    source_word: int  # index of the run's first word among the source's words


class OriginalityReport(BaseModel):
    """Overlap of a draft with its sources, and whether a person should look at it."""

    model_config = ConfigDict(frozen=True)

    n: int
    draft_ngrams: int
    overall_share: float
    sources: list[SourceOverlap]
    runs: list[OverlapRun]
    flagged: bool
    reasons: list[str]


@dataclass(frozen=True)
class _Tokens:
    """Normalised words of a text and where each one is in the prose it came from."""

    words: list[str]
    spans: list[tuple[int, int]]
    text: str


def _tokens(markdown: str) -> _Tokens:
    text = prose(markdown).text
    matches = list(WORD.finditer(text))
    return _Tokens(
        words=[m.group().lower().replace("\u2019", "'") for m in matches],
        spans=[m.span() for m in matches],
        text=text,
    )


def _ngrams(tokens: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def originality_report(
    draft: str,
    sources: Mapping[str, str],
    *,
    n: int = 8,
    flag_ratio: float = 0.3,
    min_overlap_words: int = 12,
) -> OriginalityReport:
    """Overlap of ``draft`` with each source (name -> text) and overall.

    ``flagged`` when more than ``flag_ratio`` of the draft's n-grams occur in some source, or
    when one verbatim run reaches ``2 * min_overlap_words`` words. Runs shorter than
    ``min_overlap_words`` are common phrasing and not reported.
    """
    _validate(n, flag_ratio, min_overlap_words)
    mine = _tokens(draft)
    if not mine.words:
        raise ValidationError("draft is empty")
    grams = _ngrams(mine.words, n)
    covered = [False] * len(grams)
    overlaps: list[SourceOverlap] = []
    runs: list[OverlapRun] = []
    for name, text in sources.items():
        theirs = _tokens(text).words
        index = _index(theirs, n)
        shared = 0
        for position, gram in enumerate(grams):
            if gram in index:
                shared += 1
                covered[position] = True
        share = shared / len(grams) if grams else 0.0
        overlaps.append(SourceOverlap(source=name, shared_ngrams=shared, share=round(share, 4)))
        if shared:
            runs += _runs(name, mine, theirs, grams, index, min_overlap_words)
    overall = sum(covered) / len(grams) if grams else 0.0
    runs = _longest_distinct(runs)
    reasons = _reasons(overall, runs, flag_ratio, min_overlap_words)
    return OriginalityReport(
        n=n,
        draft_ngrams=len(grams),
        overall_share=round(overall, 4),
        sources=overlaps,
        runs=runs,
        flagged=bool(reasons),
        reasons=reasons,
    )


def _validate(n: int, flag_ratio: float, min_overlap_words: int) -> None:
    if n < 2:
        raise ValidationError("n must be at least 2 words")
    if not 0.0 <= flag_ratio <= 1.0:
        raise ValidationError("flag_ratio must be between 0 and 1")
    if min_overlap_words < n:
        raise ValidationError(
            f"min_overlap_words ({min_overlap_words}) must be at least n ({n}): "
            "runs are found from shared n-grams"
        )


def _index(tokens: list[str], n: int) -> dict[tuple[str, ...], list[int]]:
    """n-gram -> its first ``MAX_SEEDS`` positions in ``tokens``."""
    index: dict[tuple[str, ...], list[int]] = {}
    for position, gram in enumerate(_ngrams(tokens, n)):
        seen = index.setdefault(gram, [])
        if len(seen) < MAX_SEEDS:
            seen.append(position)
    return index


def _runs(
    source: str,
    mine: _Tokens,
    theirs: list[str],
    grams: list[tuple[str, ...]],
    index: dict[tuple[str, ...], list[int]],
    min_words: int,
) -> list[OverlapRun]:
    """Maximal shared runs of at least ``min_words`` words, scanning the draft left to right
    and jumping past each run found, so every draft word is extended from at most once."""
    found: list[OverlapRun] = []
    position = 0
    draft = mine.words
    while position < len(grams):
        seeds = index.get(grams[position])
        if not seeds:
            position += 1
            continue
        length, start = max((_match_length(draft, position, theirs, s), s) for s in seeds)
        if length >= min_words:
            first, last = mine.spans[position][0], mine.spans[position + length - 1][1]
            text = re.sub(r"\s+", " ", mine.text[first:last])
            found.append(OverlapRun(source=source, words=length, text=text,
                                    draft_word=position, source_word=start))  # fmt: skip
        position += max(1, length - len(grams[position]) + 1)
    return found


def _match_length(draft: list[str], at: int, source: list[str], start: int) -> int:
    length = 0
    while (
        at + length < len(draft)
        and start + length < len(source)
        and draft[at + length] == source[start + length]
    ):
        length += 1
    return length


def _longest_distinct(runs: list[OverlapRun]) -> list[OverlapRun]:
    """Longest runs first, dropping one whose draft words a longer run already covers (the
    same passage found in two sources is reported once, under the source sharing more)."""
    kept: list[OverlapRun] = []
    for run in sorted(runs, key=lambda r: (-r.words, r.draft_word, r.source)):
        end = run.draft_word + run.words
        if any(k.draft_word <= run.draft_word and end <= k.draft_word + k.words for k in kept):
            continue
        kept.append(run)
        if len(kept) == MAX_RUNS:
            break
    return kept


def _reasons(
    overall: float, runs: list[OverlapRun], flag_ratio: float, min_words: int
) -> list[str]:
    reasons = []
    if overall > flag_ratio:
        reasons.append(
            f"{overall:.0%} of the draft's word sequences occur in the sources "
            f"(more than {flag_ratio:.0%})."
        )
    long_runs = [run for run in runs if run.words >= 2 * min_words]
    if long_runs:
        reasons.append(
            f"{len(long_runs)} passage(s) of {2 * min_words}+ words are copied verbatim, "
            f"the longest {long_runs[0].words} words from '{long_runs[0].source}'."
        )
    return reasons
