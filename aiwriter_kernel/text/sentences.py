"""Split prose into sentences and clean Markdown out of them.

A regex splitter with an abbreviation list is enough for the extractive composer and the
readability figures, and it keeps import time and results independent of any model.
"""

from __future__ import annotations

import re

ABBREVIATIONS = {
    "e.g",
    "i.e",
    "etc",
    "vs",
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "inc",
    "ltd",
    "jr",
    "sr",
    "st",
    "no",
    "fig",
    "al",
    "approx",
    "cf",
    "ca",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
}
# A sentence ends at . ! or ?, with any closing quotes or brackets that follow (they
# belong to it), before white space and a capital, digit or opening quote/bracket.
BOUNDARY = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])")
# Every pattern below must match in linear time, whatever the text: a search that fails
# starts again at the next character, so a pattern whose failed attempt scans to the end of
# the text (``\[[^\]]*`` on "[[[[...") costs time quadratic in its length. Hence bracket
# text stops at the next bracket, link targets at an unbalanced parenthesis, and emphasis at
# the next marker of its own kind: consecutive attempts then scan disjoint stretches.
LINK_TARGET = r"\((?:[^()]|\([^()]*\))*+\)"  # one level of parentheses: wiki/Foo_(bar)
MARKDOWN_NOISE = [
    (re.compile(r"`{3}.*?`{3}", re.DOTALL), " "),  # fenced code
    (re.compile(r"!\[[^\[\]]*\]" + LINK_TARGET), " "),  # images
    (re.compile(r"\[([^\[\]]+)\]" + LINK_TARGET), r"\1"),  # links keep their text
    (re.compile(r"`([^`]*)`"), r"\1"),
    # Bold or italic text: it ends at the first marker like its opening one.
    (re.compile(r"(\*\*|__|\*|_)(\S(?:(?!\1).)*?(?!\1)\S|\S)\1"), r"\2"),
    (re.compile(r"^[ \t]{0,3}#{1,6}\s+(.*)$", re.MULTILINE), r"\n\1\n"),  # headings stand alone
    (re.compile(r"^[ \t]{0,3}(>|[-*+]|\d+[.)])\s+", re.MULTILINE), ""),
    (re.compile(r"[ \t]+"), " "),
    (re.compile(r"\n\s*\n\s*"), "\n\n"),
]


# Openers that point back at something said before: a sentence starting with one does not
# stand on its own (as a paragraph's first sentence, a description, a quote).
LEANING_OPENERS = re.compile(
    r"^[\"'(\u201c]*(?:this|these|that|those|it|its|they|their|them|such|he|she|his|her|"
    r"however|but|and|or|so|then|also|finally|therefore|thus|hence|instead|otherwise|"
    r"moreover|furthermore|meanwhile|still|yet|besides|likewise|similarly|consequently|"
    r"another|both|for\s+(?:example|instance)|in\s+addition|on\s+the\s+other\s+hand|"
    r"as\s+a\s+result|in\s+contrast|by\s+contrast|even\s+so)\b",
    re.IGNORECASE,
)


def leans_on_previous(sentence: str) -> bool:
    """Whether ``sentence`` opens with a word that refers back ("This...", "However...")."""
    return bool(LEANING_OPENERS.match(sentence.strip()))


def heading_text(raw: str) -> str:
    """What follows an ATX heading's opening hashes, without its closing hashes and spaces
    ("Title ##" -> "Title"). Cut with ``rstrip``: patterns ending ``(.+?)\\s*#*\\s*$``
    retried their tail at every character, in time cubic in the length of a line of
    spaces (seconds for a 1,500-character heading)."""
    text = raw.rstrip().rstrip("#").rstrip()
    return text or raw[:1]


def find_headings(pattern: re.Pattern[str], text: str) -> list[str]:
    """``heading_text`` of each match of ``pattern``, whose one group runs to the line end."""
    return [heading_text(raw) for raw in pattern.findall(text)]


def strip_markdown(text: str) -> str:
    """Markdown to plain prose; headings and paragraphs stay separated by blank lines."""
    for pattern, replacement in MARKDOWN_NOISE:
        text = pattern.sub(replacement, text)
    return text.strip()


def _ends_with_abbreviation(fragment: str) -> bool:
    parts = fragment.rstrip(".").rsplit(maxsplit=1)
    last = parts[-1].lower() if parts else ""
    return last in ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def _pieces(block: str) -> list[str]:
    """``block`` cut after each sentence-ending mark and its closing quotes/brackets, so
    nothing of the text is lost (abbreviations are joined back by the caller)."""
    pieces, start = [], 0
    for match in BOUNDARY.finditer(block):
        pieces.append(block[start : match.end()])
        start = match.end()
    pieces.append(block[start:])
    return [piece for piece in pieces if piece.strip()]


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` in order; paragraph breaks always end a sentence."""
    sentences: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        block = " ".join(block.split())
        if not block:
            continue
        pending = ""
        for piece in _pieces(block):
            pending = f"{pending} {piece.strip()}" if pending else piece.strip()
            if not _ends_with_abbreviation(pending):
                sentences.append(pending)
                pending = ""
        if pending:
            sentences.append(pending)
    return sentences


def split_sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each sentence in ``text``, for chunking and citing."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for sentence in split_sentences(text):
        first_word = sentence.split(maxsplit=1)[0]
        start = text.find(first_word, cursor)
        if start < 0:
            continue
        last_word = sentence.rsplit(maxsplit=1)[-1]
        end = text.find(last_word, start + len(sentence) - len(last_word) - 1)
        end = (end + len(last_word)) if end >= 0 else start + len(sentence)
        spans.append((start, end))
        cursor = end
    return spans
