"""The research layer's typed boundaries: documents in, chunks, hits and reports out."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class LoadedDocument(BaseModel):
    """A source turned into plain text, ready to chunk. ``origin`` is a path or URL."""

    model_config = ConfigDict(frozen=True)

    origin: str
    title: str
    text: str
    mime_type: str
    size_bytes: int = Field(ge=0)


class TextChunk(BaseModel):
    """A span of a document's text; ``text == document.text[start:end]``."""

    model_config = ConfigDict(frozen=True)

    ordinal: int = Field(ge=0)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class SearchFilters(BaseModel):
    """Narrow a search to some sources, a date range or tags."""

    model_config = ConfigDict(frozen=True)

    source_ids: tuple[int, ...] | None = None
    added_after: datetime | None = None
    added_before: datetime | None = None
    tags: tuple[str, ...] | None = None  # a hit's source must carry every tag


class SearchHit(BaseModel):
    """One piece of evidence, with everything needed to cite it and jump to it."""

    model_config = ConfigDict(frozen=True)

    chunk_id: str
    source_id: int
    source_title: str
    origin: str
    ordinal: int
    start: int
    end: int
    text: str
    score: float
    citation: str  # e.g. "Home composting — notes/compost.md, chars 120-980"
    dense_rank: int | None = None
    lexical_rank: int | None = None


IngestStatus = Literal["added", "unchanged", "replaced", "failed", "skipped"]


class IngestItem(BaseModel):
    """What happened to one source."""

    origin: str
    status: IngestStatus
    source_id: int | None = None
    title: str | None = None
    chunks: int = 0
    error: str | None = None


class IngestReport(BaseModel):
    """Per-source outcome of one ingest call; a failure never stops the others."""

    items: list[IngestItem] = Field(default_factory=list)

    def count(self, status: IngestStatus) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def ok(self) -> bool:
        return all(item.status != "failed" for item in self.items)


class ReindexedWorkspace(BaseModel):
    """One workspace whose vectors ``reindex`` rebuilt: whose it is and how many chunks."""

    workspace: str
    owner: str | None = None  # the user's name; None for the home's operator
    chunks: int = Field(ge=0)


class IngestProgress(BaseModel):
    """Where an ingest stands, counted in chunks: embedding them is the work, and one file
    may hold one chunk or a thousand. Sent after each stored group of chunks and after each
    source that needed no embedding (unchanged, failed).

    ``chunks_total`` counts the chunks of the sources read so far, so it grows while files
    are still being read (``sources_done < sources_total``); ``items`` are the sources
    finished by this step.
    """

    chunks_done: int = Field(ge=0)
    chunks_total: int = Field(ge=0)
    sources_done: int = Field(ge=0)
    sources_total: int = Field(ge=0)
    items: list[IngestItem] = Field(default_factory=list)
