"""Bulk ingest: sources read one at a time, their chunks embedded and stored in groups.

The model is fastest on large batches, and every write has a fixed cost (a database commit,
a Chroma write). Stored file by file, 1,500 short files (2,689 chunks) took 709 s where
encoding the same chunks in batches took 120 s. So an ``IngestRun`` reads, hashes and chunks
sources in order and gathers their chunks ACROSS files until a group holds about
``GROUP_CHUNKS``; the group is embedded in one call and stored with one transaction and one
Chroma write for its new sources (and the same again for its changed ones).

Each source stays atomic, as when it was stored alone (``GroupWriter``):
- new sources: rows committed together, marked ``vectors_pending`` (their vectors need
  their ids), then their vectors in one write, then the marks cleared together. A killed
  process leaves pending sources, which ``KnowledgeBase.repair_pending`` (run when a
  workbench opens), ``reindex`` or ingesting them again completes; an exception deletes the
  group's rows again.
- changed sources: new vectors first, then the rows swapped in one transaction, then the
  old vectors dropped; if the swap fails the new vectors go and the old versions stay whole.
- a group that fails for any reason but a broken vector store is stored again one source at
  a time, so the faulty source alone fails and the others land.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiwriter_kernel.errors import AIWriterError, VectorStoreError
from aiwriter_kernel.research.chunking import chunk_text
from aiwriter_kernel.research.models import IngestItem, IngestProgress, LoadedDocument
from aiwriter_kernel.store.records import ChunkRecord, NewChunk, NewSource, SourceRecord

if TYPE_CHECKING:
    import numpy as np

    from aiwriter_kernel.research.knowledge_base import KnowledgeBase
    from aiwriter_kernel.research.vector_store import VectorStore
    from aiwriter_kernel.store import Database

GROUP_CHUNKS = 256  # chunks embedded and stored together
# Texts per model batch within a group. The model pads each batch to its longest text and
# sorts a call's texts by length, so small batches of a sorted group waste little: for the
# 2,121 chunks of 1,500 Cranfield abstracts, padded tokens over real ones are 1.025 when all
# are encoded in one call (batches of 64), 1.218 in groups of 256 with batches of 64, and
# 1.054 with batches of 16; on a CPU, 16 texts per batch keep the matrices large enough.
MODEL_BATCH = 16
Progress = Callable[[IngestProgress], None]
Loader = Callable[[], LoadedDocument]


def chunk_id(workspace_id: int, origin: str, content_hash: str, ordinal: int) -> str:
    """Stable ids: the same text of the same source always gets the same chunk ids."""
    key = f"{workspace_id}\0{origin}\0{content_hash}\0{ordinal}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass
class Prepared:
    """A source read and chunked, waiting in its group for its vectors."""

    slot: int  # its place in the report
    workspace_id: int
    document: LoadedDocument
    digest: str
    tags: tuple[str, ...]
    existing: SourceRecord | None  # the stored version it replaces, if any
    chunks: list[NewChunk]
    vectors: np.ndarray | None = None

    def new_source(self, *, pending: bool) -> NewSource:
        document = self.document
        return NewSource(
            title=document.title,
            origin=document.origin,
            content_hash=self.digest,
            mime_type=document.mime_type,
            size_bytes=document.size_bytes,
            text=document.text,
            tags=self.tags,
            chunks=tuple(self.chunks),
            vectors_pending=pending,
        )

    def item(self, source: SourceRecord, status) -> IngestItem:
        return IngestItem(
            origin=self.document.origin,
            status=status,
            source_id=source.id,
            title=source.title,
            chunks=len(self.chunks),
        )

    def failed(self, error: Exception) -> IngestItem:
        return IngestItem(origin=self.document.origin, status="failed", error=str(error))


def prepare(
    slot: int,
    workspace_id: int,
    document: LoadedDocument,
    tags: tuple[str, ...],
    existing: SourceRecord | None,
    digest: str,
    *,
    max_chars: int,
    overlap_chars: int,
) -> Prepared:
    """Chunk a loaded document, with the stable ids its chunks and vectors will share."""
    pieces = chunk_text(document.text, max_chars=max_chars, overlap_chars=overlap_chars)
    chunks = [
        NewChunk(
            id=chunk_id(workspace_id, document.origin, digest, piece.ordinal),
            ordinal=piece.ordinal,
            text=piece.text,
            start_offset=piece.start,
            end_offset=piece.end,
        )
        for piece in pieces
    ]
    return Prepared(slot, workspace_id, document, digest, tags, existing, chunks)


class GroupWriter:
    """Store groups of embedded sources: one transaction and one Chroma write per group, each
    source still all-or-nothing (see the module's docstring)."""

    def __init__(self, database: Database, vectors: VectorStore) -> None:
        self.db = database
        self.vectors = vectors

    def store(self, group: Sequence[Prepared]) -> list[IngestItem]:
        """Store the group (vectors computed); an item per source, in the group's order."""
        changed = [p for p in group if p.existing is not None]
        added = [p for p in group if p.existing is None]
        done = {**self._all_or_one_by_one(changed, self.replace)}
        done.update(self._all_or_one_by_one(added, self.add))
        return [done[p.slot] for p in group]

    def _all_or_one_by_one(
        self, group: list[Prepared], write: Callable[[list[Prepared]], list[IngestItem]]
    ) -> dict[int, IngestItem]:
        """``write`` the group at once; if that fails, again source by source, so that only
        the source at fault fails. A broken vector store fails them all: it is raised."""
        if not group:
            return {}
        try:
            return dict(zip((p.slot for p in group), write(group), strict=True))
        except VectorStoreError:
            raise
        except AIWriterError as error:
            if len(group) == 1:
                return {group[0].slot: group[0].failed(error)}
        found: dict[int, IngestItem] = {}
        for prepared in group:
            found.update(self._all_or_one_by_one([prepared], write))
        return found

    def add(self, group: list[Prepared]) -> list[IngestItem]:
        """New sources: rows first, marked pending (to learn their ids), then vectors, then
        the marks cleared. An exception undoes it all; a killed process leaves the marks."""
        workspace_id = group[0].workspace_id
        stored = self.db.sources.upsert_sources(
            workspace_id, [p.new_source(pending=True) for p in group]
        )
        sources = [source for source, _ in stored]
        try:
            self.write_vectors(workspace_id, sources, group)
            self.db.sources.mark_vectors_stored([source.id for source in sources])
        except BaseException:
            self.db.sources.delete_sources([source.id for source in sources])
            with contextlib.suppress(AIWriterError):  # an orphan vector is harmless
                self.vectors.delete(workspace_id, _chunk_ids(group))
            raise
        return [p.item(source, status) for p, (source, status) in zip(group, stored, strict=True)]

    def replace(self, group: list[Prepared]) -> list[IngestItem]:
        """Changed sources: new vectors first, then the rows swapped in one transaction, then
        the old vectors dropped; if the swap fails the new vectors go, the old versions stay."""
        workspace_id = group[0].workspace_id
        old_ids = {i for p in group for i in self.db.sources.source_chunk_ids(p.existing.id)}
        self.write_vectors(workspace_id, [p.existing for p in group], group, tags_from_group=True)
        try:
            stored = self.db.sources.upsert_sources(
                workspace_id, [p.new_source(pending=False) for p in group]
            )
        except BaseException:
            self.vectors.delete(workspace_id, _chunk_ids(group))
            raise
        stale = sorted(old_ids - set(_chunk_ids(group)))
        if stale:
            self.vectors.delete(workspace_id, stale)
        return [p.item(source, status) for p, (source, status) in zip(group, stored, strict=True)]

    def write_vectors(
        self,
        workspace_id: int,
        sources: Sequence[SourceRecord],
        group: Sequence[Prepared],
        *,
        tags_from_group: bool = False,
    ) -> None:
        """One Chroma write for the group's vectors, each with its source's metadata."""
        import numpy as np

        from aiwriter_kernel.research.vector_store import chunk_metadata

        ids, texts, metadatas = [], [], []
        for source, prepared in zip(sources, group, strict=True):
            tags = prepared.tags if tags_from_group else source.tags
            for chunk in prepared.chunks:
                ids.append(chunk.id)
                texts.append(chunk.text)
                metadatas.append(chunk_metadata(source.id, chunk.ordinal, source.added_at, tags))
        vectors = np.concatenate([p.vectors for p in group]) if ids else None
        self.vectors.upsert(workspace_id, ids, texts, metadatas, embeddings=vectors)

    def restore_vectors(self, sources: Sequence[SourceRecord], group_chunks: int) -> int:
        """Embed stored sources' chunks again, a group at a time, store their vectors and
        clear their pending marks; returns how many chunks that was. Killed midway, the
        sources not yet done stay pending and the next repair does them."""
        total = 0
        for batch in _groups_of_chunks(self.db, sources, group_chunks):
            total += self._restore_group(batch)
        return total

    def _restore_group(self, batch: list[tuple[SourceRecord, list[ChunkRecord]]]) -> int:
        from aiwriter_kernel.research.vector_store import chunk_metadata

        texts = [chunk.text for _, chunks in batch for chunk in chunks]
        vectors = iter(self.vectors.embedder.encode(texts, batch_size=MODEL_BATCH))
        by_workspace: dict[int, tuple[list, list, list, list]] = {}
        for source, chunks in batch:
            ids, chunk_texts, metadatas, rows = by_workspace.setdefault(
                source.workspace_id, ([], [], [], [])
            )
            for chunk in chunks:
                ids.append(chunk.id)
                chunk_texts.append(chunk.text)
                metadatas.append(
                    chunk_metadata(source.id, chunk.ordinal, source.added_at, source.tags)
                )
                rows.append(next(vectors))
        for workspace_id, (ids, chunk_texts, metadatas, rows) in by_workspace.items():
            self.vectors.upsert(workspace_id, ids, chunk_texts, metadatas, embeddings=rows)
        self.db.sources.mark_vectors_stored([source.id for source, _ in batch])
        return len(texts)


def _chunk_ids(group: Sequence[Prepared]) -> list[str]:
    return [chunk.id for prepared in group for chunk in prepared.chunks]


def _groups_of_chunks(
    database: Database, sources: Sequence[SourceRecord], group_chunks: int
) -> Iterator[list[tuple[SourceRecord, list[ChunkRecord]]]]:
    """Stored sources with their chunks, gathered until a group holds ``group_chunks``."""
    batch: list[tuple[SourceRecord, list[ChunkRecord]]] = []
    count = 0
    for source in sources:
        chunks = database.sources.get_chunks(source.id)
        batch.append((source, chunks))
        count += len(chunks)
        if count >= group_chunks:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


class IngestRun:
    """One ingest call: sources read in order, chunks grouped across them, groups stored.

    The report keeps the sources' order whatever group each was stored in.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        workspace_id: int,
        tags: tuple[str, ...],
        progress: Progress | None = None,
        *,
        group_chunks: int = GROUP_CHUNKS,
    ) -> None:
        self.kb = kb
        self.workspace_id = workspace_id
        self.tags = tags
        self.group_chunks = max(1, group_chunks)
        self._progress = progress
        self._writer = GroupWriter(kb.db, kb.vectors)
        self._group: list[Prepared] = []
        self._items: dict[int, IngestItem] = {}
        self._chunks_done = 0
        self._chunks_total = 0
        self._sources_total = 0

    def run(self, sources: Sequence[tuple[str, Loader]]) -> list[IngestItem]:
        """Ingest ``(origin, load)`` pairs; an item per source, in their order."""
        self._sources_total = len(sources)
        for slot, (origin, load) in enumerate(sources):
            step = self._read(slot, origin, load)
            if isinstance(step, IngestItem):
                self._finish([(slot, step)], chunks=step.chunks if step.status == "added" else 0)
                continue
            self._group.append(step)
            if sum(len(p.chunks) for p in self._group) >= self.group_chunks:
                self._flush()
        self._flush()
        return [self._items[slot] for slot in sorted(self._items)]

    def _read(self, slot: int, origin: str, load: Loader) -> Prepared | IngestItem:
        """Load, hash and chunk one source, or say why it needs no embedding (unchanged) or
        cannot be ingested (failed)."""
        try:
            document = load()
            if any(p.document.origin == document.origin for p in self._group):
                self._flush()  # the same source twice in one call: the first must be stored
            return self._plan(slot, document)
        except VectorStoreError:
            raise  # the server's store is broken: every source would fail alike
        except AIWriterError as error:
            return IngestItem(origin=origin, status="failed", error=str(error))

    def _plan(self, slot: int, document: LoadedDocument) -> Prepared | IngestItem:
        digest = hashlib.sha256(document.text.encode()).hexdigest()
        existing = self.kb.db.sources.find_source(self.workspace_id, document.origin)
        if existing is not None and existing.content_hash == digest:
            return self._unchanged(document, existing)
        settings = self.kb.settings
        prepared = prepare(
            slot,
            self.workspace_id,
            document,
            self.tags,
            existing,
            digest,
            max_chars=settings.chunk_chars,
            overlap_chars=settings.chunk_overlap,
        )
        self._chunks_total += len(prepared.chunks)
        return prepared

    def _unchanged(self, document: LoadedDocument, existing: SourceRecord) -> IngestItem:
        """The same text again: "unchanged", unless its vectors were missing (an interrupted
        ingest, a lost store): then they are stored now and it is "added", wholly.

        An unchanged source reports the chunks it already holds, not the none written now:
        "0 chunks" would read as an empty source."""
        complete = self.kb.vectors_complete(existing)
        if complete:
            chunks = len(self.kb.db.sources.source_chunk_ids(existing.id))
        else:
            chunks = self._writer.restore_vectors([existing], self.group_chunks)
            self._chunks_total += chunks
        return IngestItem(
            origin=document.origin,
            status="unchanged" if complete else "added",
            source_id=existing.id,
            title=existing.title,
            chunks=chunks,
        )

    def _flush(self) -> None:
        """Embed the gathered group in one call and store it."""
        group, self._group = self._group, []
        if not group:
            return
        try:
            texts = [chunk.text for prepared in group for chunk in prepared.chunks]
            vectors = self.kb.vectors.embedder.encode(texts, batch_size=MODEL_BATCH)
        except VectorStoreError:
            raise
        except AIWriterError as error:  # the model cannot load: each source says why
            self._finish([(p.slot, p.failed(error)) for p in group], chunks=0)
            return
        start = 0
        for prepared in group:
            prepared.vectors = vectors[start : start + len(prepared.chunks)]
            start += len(prepared.chunks)
        items = self._writer.store(group)
        self._finish([(p.slot, item) for p, item in zip(group, items, strict=True)], chunks=start)

    def _finish(self, done: list[tuple[int, IngestItem]], *, chunks: int) -> None:
        self._items.update(done)
        self._chunks_done += chunks
        if self._progress is not None:
            self._progress(
                IngestProgress(
                    chunks_done=self._chunks_done,
                    chunks_total=self._chunks_total,
                    sources_done=len(self._items),
                    sources_total=self._sources_total,
                    items=[item for _, item in done],
                )
            )
