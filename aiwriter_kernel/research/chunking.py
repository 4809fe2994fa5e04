"""Cut a document's text into overlapping, sentence-aligned chunks to embed and cite.

Sentence boundaries come from one regular-expression pass over the text itself, so every
offset is exact. ``text.sentences.split_sentence_spans`` is not used: it collapses
whitespace and then searches for words again, which can drift on repeated words, and it
ignores line-level structure (list items, headings) that makes good chunk boundaries.

Packing is greedy and linear: a chunk takes whole sentences while they fit, then ends at the
last paragraph break if that leaves it at least half full, else at the last sentence end.
The next chunk starts with the previous chunk's last sentences, up to ``overlap_chars``, so a
fact split across the boundary is still whole in one of them.
"""

from __future__ import annotations

import re

from aiwriter_kernel.research.models import TextChunk
from aiwriter_kernel.text.sentences import ABBREVIATIONS

MIN_MAX_CHARS = 100
PARAGRAPH_FILL = 0.5  # end at a paragraph break only if the chunk is at least this full

# How good a place the end of a unit is to end a chunk.
MID = 0  # inside a sentence too long for one chunk, or right after a heading
SENTENCE = 1
PARAGRAPH = 2

# The leading lookahead lets the regex engine skip ahead to candidate characters: 2x faster.
# A run of stops is matched only from its first ("!!!!" without a space after it would
# otherwise be scanned again from each of its characters: quadratic).
BOUNDARY = re.compile(
    r"(?=[.!?\u2026\u3002\uff01\uff1f\n])"
    r"(?:(?<![.!?\u2026])"  # sentence end, then space:
    r"(?P<stop>[.!?\u2026]+[\"'\u201d\u2019)\]]*)(?P<gap>\s+)"
    r"|(?P<cjk>[\u3002\uff01\uff1f]+)"  # CJK full stops need no space after them
    r"|\n[ \t\r]*\n"  # a blank line
    r"|\n(?=[ \t]{0,3}(?:#{1,6}[ \t]|[-*+][ \t]|\d{1,9}[.)][ \t]|>|```|~~~|\|)))"  # a block starts
)
MARKDOWN_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t][^\n]*")  # a whole heading line: "## Methods"
OPENERS = "\"'\u201c\u2018([\u00bf\u00a1*_"
ABBREVIATION_WINDOW = max(map(len, ABBREVIATIONS)) + 2  # room for an opening bracket
WHITESPACE = (" ", "\n", "\t", "\r", "\f", "\v")


def chunk_text(text: str, *, max_chars: int = 1200, overlap_chars: int = 200) -> list[TextChunk]:
    """Chunks of at most ``max_chars`` with ``chunk.text == text[chunk.start:chunk.end]``.

    Chunks end on sentence boundaries, preferably paragraph ones; a word is cut only inside
    a run of over ``max_chars`` characters without whitespace. Consecutive chunks share up
    to ``overlap_chars`` of whole sentences. Whitespace-only text gives no chunks.
    """
    _check_arguments(max_chars, overlap_chars)
    starts, ends, scores = _units(text, max_chars)
    chunks: list[TextChunk] = []
    first = new = 0  # first unit of the chunk, first unit not in the previous chunk
    while new < len(starts):
        last = _last_unit(starts, ends, scores, first, new, max_chars)
        start, end = starts[first], ends[last]
        chunks.append(TextChunk(ordinal=len(chunks), start=start, end=end, text=text[start:end]))
        new = last + 1
        first = _overlap_start(starts, ends, first, last, max_chars, overlap_chars)
    return chunks


def _check_arguments(max_chars: int, overlap_chars: int) -> None:
    if max_chars < MIN_MAX_CHARS:
        raise ValueError(f"max_chars must be at least {MIN_MAX_CHARS}, got {max_chars}")
    if not 0 <= overlap_chars < max_chars / 2:
        raise ValueError(
            f"overlap_chars must be at least 0 and under half of max_chars ({max_chars}), "
            f"got {overlap_chars}"
        )


# --- units: sentences, list items and headings, with exact offsets ----------------------------


def _units(text: str, max_chars: int) -> tuple[list[int], list[int], list[int]]:
    """Parallel lists of unit starts, ends and end scores; no unit is over ``max_chars``.

    Units never start or end with whitespace, and only whitespace lies between them.
    """
    starts: list[int] = []
    ends: list[int] = []
    scores: list[int] = []
    for cut_start, cut_end, score in _segments(text):
        segment = text[cut_start:cut_end]
        stripped = segment.strip()
        if not stripped:
            continue
        start = cut_start + len(segment) - len(segment.lstrip())
        end = start + len(stripped)
        if end - start <= max_chars:
            starts.append(start)
            ends.append(end)
            scores.append(score)
            continue
        for piece_start, piece_end in _split_long(text, start, end, max_chars):
            starts.append(piece_start)
            ends.append(piece_end)
            scores.append(MID)
        scores[-1] = score
    return starts, ends, scores


def _segments(text: str) -> list[tuple[int, int, int]]:
    """(start, end, score) of the stretches between boundaries, whitespace not yet trimmed.

    A heading line is a segment of its own, scored so that no chunk ends right after it,
    and the segment before it is scored as a paragraph end, so chunks start at sections.
    """
    segments: list[tuple[int, int, int]] = []
    position = _take_heading(text, 0, segments, 0)
    for match in BOUNDARY.finditer(text):
        if match.start() < position:
            continue  # inside a heading line already taken whole
        cut, score = _cut(text, match)
        if score is None:
            continue
        segments.append((position, cut, score))
        position = cut
        if text[match.end() - 1] == "\n":
            position = _take_heading(text, match.end(), segments, position)
    segments.append((position, len(text), PARAGRAPH))
    return segments


def _cut(text: str, match: re.Match[str]) -> tuple[int, int | None]:
    """Where a boundary match ends the current segment, and how good an end it is."""
    kind = match.lastgroup
    if kind == "gap":
        return match.end("stop"), _sentence_score(text, match)
    if kind == "cjk":
        return match.end(), SENTENCE
    blank = match.end() - match.start() > 1  # a blank line, not a lone newline
    return match.start(), PARAGRAPH if blank else SENTENCE


def _take_heading(text: str, at: int, segments: list[tuple[int, int, int]], position: int) -> int:
    """Record a heading line starting at ``at``, if any; return where the next segment starts."""
    heading = MARKDOWN_HEADING.match(text, at)
    if heading is None:
        return position
    if segments:
        start, end, _ = segments[-1]
        segments[-1] = (start, end, PARAGRAPH)
    segments.append((position, heading.end(), MID))
    return heading.end()


def _sentence_score(text: str, match: re.Match[str]) -> int | None:
    """PARAGRAPH or SENTENCE if the punctuation in ``match`` ends a sentence, else None."""
    if match.group("gap").count("\n") >= 2:
        return PARAGRAPH  # a blank line ends a sentence whatever precedes it
    after = match.end()
    if after < len(text) and text[after] in OPENERS:
        after += 1
    if after < len(text) and text[after].islower():
        return None  # "e.g. this", "... and then": not a new sentence
    if match.group("stop") == "." and _is_abbreviation(text, match.start()):
        return None
    return SENTENCE


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the word before the full stop at ``dot`` is an abbreviation or an initial."""
    tail = text[max(0, dot - ABBREVIATION_WINDOW) : dot]
    words = tail.split()
    if not words or (len(words[-1]) == len(tail) and dot > len(tail)):
        return False  # no word, or a word longer than any abbreviation
    word = words[-1].lstrip(OPENERS).lower()
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without leading and trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Pieces of at most ``max_chars`` cut at the last whitespace that fits, or hard-cut if
    a run of non-whitespace is longer than ``max_chars`` (a URL, base64, a table row)."""
    pieces: list[tuple[int, int]] = []
    while end - start > max_chars:
        window = text[start : start + max_chars + 1]
        cut = max(window.rfind(space) for space in WHITESPACE)
        if cut <= 0:
            pieces.append((start, start + max_chars))
            start += max_chars
        else:
            pieces.append(_trim(text, start, start + cut))
            start = _trim(text, start + cut, end)[0]
    pieces.append((start, end))
    return pieces


# --- packing units into chunks -----------------------------------------------------------------


def _last_unit(
    starts: list[int], ends: list[int], scores: list[int], first: int, new: int, max_chars: int
) -> int:
    """The unit to end the chunk starting at unit ``first`` with; it includes unit ``new``."""
    limit = starts[first] + max_chars
    fits = new
    while fits + 1 < len(starts) and ends[fits + 1] <= limit:
        fits += 1
    half_full = starts[first] + int(max_chars * PARAGRAPH_FILL)
    for wanted in (PARAGRAPH, SENTENCE):
        for last in range(fits, new - 1, -1):
            if wanted == PARAGRAPH and ends[last] < half_full:
                break
            if scores[last] >= wanted:
                return last
    return fits


def _overlap_start(
    starts: list[int],
    ends: list[int],
    first: int,
    last: int,
    max_chars: int,
    overlap_chars: int,
) -> int:
    """The first unit of the next chunk: whole units from the end of this one, as many as fit
    in ``overlap_chars`` while leaving room for the next new unit."""
    new = last + 1
    if new >= len(starts):
        return new
    start = new
    while (
        start - 1 > first
        and ends[last] - starts[start - 1] <= overlap_chars
        and ends[new] - starts[start - 1] <= max_chars
    ):
        start -= 1
    return start
