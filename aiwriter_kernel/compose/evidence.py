"""The article planner's evidence: retrieved chunks, their stored vectors, and the citable
sentences in them, each knowing where in its source it stands and under which heading.

Where a sentence stands matters twice: sources tend to say the basic things first, so a
sentence's relative position is evidence of where it belongs in the article; and a
source's own heading may name the section its sentences end up in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from aiwriter_kernel.llm.offline.evidence import CITATION, is_prose
from aiwriter_kernel.research.models import SearchHit
from aiwriter_kernel.text.sentences import split_sentences, strip_markdown
from aiwriter_kernel.text.words import words

if TYPE_CHECKING:
    import numpy as np

HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
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

    @property
    def word_count(self) -> int:
        return len(words(self.text))


def headings_before(source_text: str) -> list[tuple[int, str]]:
    """(offset, heading) of every Markdown heading of a source, in order."""
    return [(match.start(), match.group(1).strip()) for match in HEADING.finditer(source_text)]


def heading_at(headings: list[tuple[int, str]], offset: int) -> str | None:
    """The last heading at or before ``offset``."""
    current = None
    for start, heading in headings:
        if start > offset:
            break
        current = heading
    return current


def chunk_sentences(hit: SearchHit, source_text: str) -> list[EvidenceSentence]:
    """The prose sentences of one chunk, block by block, with position and heading."""
    headings = headings_before(source_text)
    length = max(len(source_text), 1)
    found: list[EvidenceSentence] = []
    cursor = 0
    for block in BLOCK_BREAK.split(hit.text):
        at = hit.text.find(block, cursor)
        cursor = max(at, cursor) + len(block)
        offset = hit.start + max(at, 0)
        if not block.strip() or HEADING.fullmatch(block.strip()):
            continue
        heading = heading_at(headings, offset)
        for sentence in split_sentences(strip_markdown(block)):
            at_sentence = offset
            offset += len(sentence) + 1  # near enough: keeps sentences in their order
            sentence = CITATION.sub("", sentence).strip()
            if sentence and is_prose(sentence):
                position = min(at_sentence / length, 1.0)
                found.append(
                    EvidenceSentence(sentence, hit.source_id, hit.chunk_id, position, heading)
                )
    return found
