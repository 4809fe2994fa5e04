"""The article planner's evidence: retrieved chunks, their stored vectors, and the citable
sentences in them, each knowing where in its source it stands and under which heading.

Where a sentence stands matters twice: sources tend to say the basic things first, so a
sentence's relative position is evidence of where it belongs in the article; and a
source's own heading may name the section its sentences end up in.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from aiwriter_kernel.compose.sentence_pool import CITATION, is_prose
from aiwriter_kernel.research.models import SearchHit
from aiwriter_kernel.text.sentences import split_sentences, strip_markdown
from aiwriter_kernel.text.words import words

if TYPE_CHECKING:
    import numpy as np

# The rest of the line; _heading_text cuts closing hashes (a lazy group before them took
# time quadratic in a heading's run of spaces).
HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.+)$", re.MULTILINE)
BLOCK_BREAK = re.compile(r"\n[ \t]*\n")


class EvidenceLibrary(Protocol):
    """What the planner needs of a knowledge base, and nothing more."""

    def search(self, query: str, k: int) -> list[SearchHit]:
        """The best chunks for ``query`` (hybrid search)."""
        ...

    def vectors_of(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these chunks."""
        ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for short texts (the topic and its aspects), same model as chunks."""
        ...

    def source_text(self, source_id: int) -> str:
        """A source's whole text, which chunk offsets point into."""
        ...


@dataclass(frozen=True)
class EvidenceSentence:
    """A citable sentence of a retrieved chunk."""

    text: str
    source_id: int
    chunk_id: str
    position: float  # 0 = the start of its source, 1 = the end
    heading: str | None  # the source heading it stands under
    paragraph: int = 0  # which paragraph of its source

    @property
    def word_count(self) -> int:
        return len(words(self.text))


def _heading_text(raw: str) -> str:
    """A heading line's text after its hashes, without closing hashes and spaces."""
    return (raw.rstrip(" \t#") or raw[:1]).strip()


@dataclass(frozen=True)
class SourceLayout:
    """Where a source's headings and paragraphs start, to place its sentences."""

    length: int
    headings: tuple[tuple[int, str], ...]
    paragraphs: tuple[int, ...]

    @classmethod
    def of(cls, source_text: str) -> SourceLayout:
        headings = tuple(
            (m.start(), _heading_text(m.group(1))) for m in HEADING.finditer(source_text)
        )
        starts = [0] + [match.end() for match in BLOCK_BREAK.finditer(source_text)]
        return cls(max(len(source_text), 1), headings, tuple(starts))

    def heading_at(self, offset: int) -> str | None:
        """The last heading at or before ``offset``."""
        current = None
        for start, heading in self.headings:
            if start > offset:
                break
            current = heading
        return current

    def paragraph_at(self, offset: int) -> int:
        """The number of the paragraph ``offset`` falls in."""
        return max(bisect_right(self.paragraphs, offset) - 1, 0)


def chunk_sentences(hit: SearchHit, layout: SourceLayout) -> list[EvidenceSentence]:
    """The prose sentences of one chunk, block by block, with position, paragraph and
    heading in their source."""
    found: list[EvidenceSentence] = []
    cursor = 0
    for block in BLOCK_BREAK.split(hit.text):
        at = hit.text.find(block, cursor)
        cursor = max(at, cursor) + len(block)
        offset = hit.start + max(at, 0)
        if not block.strip() or HEADING.fullmatch(block.strip()):
            continue
        heading = layout.heading_at(offset)
        for sentence in split_sentences(strip_markdown(block)):
            at_sentence = offset
            offset += len(sentence) + 1  # near enough: keeps sentences in their order
            sentence = CITATION.sub("", sentence).strip()
            if sentence and is_prose(sentence):
                found.append(
                    EvidenceSentence(
                        sentence,
                        hit.source_id,
                        hit.chunk_id,
                        min(at_sentence / layout.length, 1.0),
                        heading,
                        layout.paragraph_at(at_sentence),
                    )
                )
    return found
