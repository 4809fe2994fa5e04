"""Sources of a workspace's knowledge base and their chunks.

A source and its chunks change together: re-ingesting a document replaces all its chunks
in one transaction, so readers never see a source with half of its old and half of its
new chunks, and a failure leaves the previous version fully in place.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Literal

from sqlalchemy import delete, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aiwriter_kernel.errors import NotFoundError, StoreError, ValidationError
from aiwriter_kernel.store.records import ChunkRecord, NewChunk, NewSource, SourceRecord
from aiwriter_kernel.store.session import Repository
from aiwriter_kernel.store.tables import Chunk, Source, Workspace, utcnow

UpsertOutcome = Literal["added", "unchanged", "replaced"]
ID_BATCH = 500  # ids per IN (...) query, well under every backend's parameter limit


class SourcesRepository(Repository):
    """Store, read and delete sources with their chunks."""

    def upsert_source_with_chunks(
        self,
        workspace_id: int,
        *,
        title: str,
        origin: str,
        content_hash: str,
        mime_type: str,
        size_bytes: int,
        text: str,
        tags: Sequence[str] = (),
        chunks: Sequence[NewChunk],
        vectors_pending: bool = False,
    ) -> tuple[SourceRecord, UpsertOutcome]:
        """Add the source at ``origin``, or replace it and its chunks if its content changed.

        "unchanged" (same origin, same ``content_hash``) writes nothing at all.
        ``vectors_pending`` marks a source whose vectors are written after this commit, until
        ``mark_vectors_stored``; a source whose vectors were written first passes False.
        """
        source = NewSource(
            title=title,
            origin=origin,
            content_hash=content_hash,
            mime_type=mime_type,
            size_bytes=size_bytes,
            text=text,
            tags=tuple(tags),
            chunks=tuple(chunks),
            vectors_pending=vectors_pending,
        )
        return self.upsert_sources(workspace_id, [source])[0]

    def upsert_sources(
        self, workspace_id: int, sources: Sequence[NewSource]
    ) -> list[tuple[SourceRecord, UpsertOutcome]]:
        """Add or replace several sources in ONE transaction: all of them land, or none.

        Bulk ingest stores a group of small files this way, paying one commit instead of one
        per file; when the group fails it retries the sources one call each, so that only
        the faulty one fails. Outcomes are as for ``upsert_source_with_chunks``, in order.
        """
        for source in sources:
            _check_chunks(source.chunks, len(source.text))
        origins = [source.origin for source in sources]
        if len(set(origins)) != len(origins):
            raise ValidationError("each origin may appear only once in a group of sources")
        try:
            with self._session() as session:
                if session.get(Workspace, workspace_id) is None:
                    raise NotFoundError(f"workspace {workspace_id} does not exist")
                return [_upsert_one(session, workspace_id, source) for source in sources]
        except IntegrityError as error:
            reason = str(error.orig).splitlines()[0]
            what = f"source {origins[0]!r}" if len(origins) == 1 else f"{len(origins)} sources"
            raise StoreError(f"could not store {what}; nothing was changed: {reason}") from error

    def get_source(self, source_id: int) -> SourceRecord | None:
        with self._session() as session:
            source = session.get(Source, source_id)
            return None if source is None else SourceRecord.model_validate(source)

    def find_source(self, workspace_id: int, origin: str) -> SourceRecord | None:
        """The source stored for ``origin`` in the workspace, so ingest can skip unchanged
        files before paying for chunking and embedding."""
        with self._session() as session:
            source = _source_at(session, workspace_id, origin)
            return None if source is None else SourceRecord.model_validate(source)

    def revision(self, workspace_id: int) -> str:
        """A string that changes whenever the workspace's chunks do (cheap: one query), so
        in-memory indexes know when to rebuild."""
        query = select(func.count(Source.id), func.max(Source.updated_at), func.max(Source.id))
        with self._session() as session:
            count, updated, last_id = session.execute(
                query.where(Source.workspace_id == workspace_id)
            ).one()
        return f"{count}:{last_id}:{updated}"

    def get_source_text(self, source_id: int) -> str:
        """The full extracted text, which chunk offsets point into."""
        with self._session() as session:
            text = session.scalar(select(Source.text).where(Source.id == source_id))
        if text is None:
            raise NotFoundError(f"source {source_id} does not exist")
        return text

    def list_sources(self, workspace_id: int) -> list[SourceRecord]:
        query = select(Source).where(Source.workspace_id == workspace_id).order_by(Source.id)
        with self._session() as session:
            return [SourceRecord.model_validate(source) for source in session.scalars(query)]

    def get_chunks(self, source_id: int) -> list[ChunkRecord]:
        """The source's chunks in document order."""
        query = select(Chunk).where(Chunk.source_id == source_id).order_by(Chunk.ordinal)
        with self._session() as session:
            return [ChunkRecord.model_validate(chunk) for chunk in session.scalars(query)]

    def get_chunks_by_ids(self, ids: Iterable[str]) -> list[ChunkRecord]:
        """These chunks, in the order asked (e.g. by relevance); unknown ids are skipped."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, ChunkRecord] = {}
        with self._session() as session:
            for start in range(0, len(wanted), ID_BATCH):
                batch = wanted[start : start + ID_BATCH]
                for chunk in session.scalars(select(Chunk).where(Chunk.id.in_(batch))):
                    found[chunk.id] = ChunkRecord.model_validate(chunk)
        return [found[chunk_id] for chunk_id in wanted if chunk_id in found]

    def iter_chunks(self, workspace_id: int, *, batch_size: int = 500) -> Iterator[ChunkRecord]:
        """Every chunk of the workspace, by source then ordinal, read a batch at a time.

        Each batch is its own short query (keyset pagination), so a slow consumer such as an
        embedding loop never holds a transaction open.
        """
        after = (-1, -1)
        while True:
            query = (
                select(Chunk)
                .join(Source, Chunk.source_id == Source.id)
                .where(Source.workspace_id == workspace_id)
                .where(tuple_(Chunk.source_id, Chunk.ordinal) > tuple_(*after))
                .order_by(Chunk.source_id, Chunk.ordinal)
                .limit(batch_size)
            )
            with self._session() as session:
                batch = [ChunkRecord.model_validate(chunk) for chunk in session.scalars(query)]
            yield from batch
            if len(batch) < batch_size:
                return
            after = (batch[-1].source_id, batch[-1].ordinal)

    def count_chunks(self, workspace_id: int) -> int:
        query = (
            select(func.count(Chunk.id))
            .join(Source, Chunk.source_id == Source.id)
            .where(Source.workspace_id == workspace_id)
        )
        with self._session() as session:
            return session.scalar(query) or 0

    def mark_vectors_stored(self, source_ids: Iterable[int]) -> None:
        """Clear the sources' pending mark: their vectors are all in the vector store now."""
        ids = list(source_ids)
        with self._session() as session:
            for start in range(0, len(ids), ID_BATCH):
                batch = ids[start : start + ID_BATCH]
                session.execute(
                    update(Source).where(Source.id.in_(batch)).values(vectors_pending=False)
                )

    def pending_sources(self) -> list[SourceRecord]:
        """Sources of every workspace whose vectors are not known to be stored: an ingest was
        interrupted (or is still running in another process). One indexed query."""
        query = select(Source).where(Source.vectors_pending.is_(True)).order_by(Source.id)
        with self._session() as session:
            return [SourceRecord.model_validate(source) for source in session.scalars(query)]

    def source_chunk_ids(self, source_id: int) -> list[str]:
        """The ids of the source's chunks (not their texts), in document order."""
        query = select(Chunk.id).where(Chunk.source_id == source_id).order_by(Chunk.ordinal)
        with self._session() as session:
            return list(session.scalars(query))

    def workspace_chunk_ids(self, workspace_id: int) -> set[str]:
        """The ids of every chunk of the workspace, to compare with the vector store's."""
        query = (
            select(Chunk.id)
            .join(Source, Chunk.source_id == Source.id)
            .where(Source.workspace_id == workspace_id)
        )
        with self._session() as session:
            return set(session.scalars(query))

    def stored_chunk_counts(self) -> dict[int, int]:
        """Chunks per workspace of the sources whose vectors are stored (pending ones are left
        out, since their vectors may legitimately still be on the way)."""
        query = (
            select(Source.workspace_id, func.count(Chunk.id))
            .join(Chunk, Chunk.source_id == Source.id)
            .where(Source.vectors_pending.is_(False))
            .group_by(Source.workspace_id)
        )
        with self._session() as session:
            return {workspace: count for workspace, count in session.execute(query).all()}

    def delete_source(self, source_id: int) -> None:
        """Delete the source; the database deletes its chunks (ON DELETE CASCADE)."""
        with self._session() as session:
            result = session.execute(delete(Source).where(Source.id == source_id))
            if result.rowcount == 0:
                raise NotFoundError(f"source {source_id} does not exist")

    def delete_sources(self, source_ids: Iterable[int]) -> None:
        """Delete these sources and their chunks in one transaction; unknown ids are ignored.
        Undoes a group of new sources whose vectors could not be stored."""
        ids = list(source_ids)
        with self._session() as session:
            for start in range(0, len(ids), ID_BATCH):
                session.execute(delete(Source).where(Source.id.in_(ids[start : start + ID_BATCH])))


def _check_chunks(chunks: Sequence[NewChunk], text_length: int) -> None:
    """Refuse chunk lists the database would reject half-way, or that point outside the text."""
    if len({chunk.id for chunk in chunks}) != len(chunks):
        raise ValidationError("chunk ids must be unique within a source")
    if len({chunk.ordinal for chunk in chunks}) != len(chunks):
        raise ValidationError("chunk ordinals must be unique within a source")
    for chunk in chunks:
        if chunk.end_offset > text_length:
            raise ValidationError(
                f"chunk {chunk.ordinal} ends at offset {chunk.end_offset}, "
                f"past the end of the text ({text_length} characters)"
            )


def _upsert_one(
    session: Session, workspace_id: int, new: NewSource
) -> tuple[SourceRecord, UpsertOutcome]:
    """Insert or replace one source with its chunks inside the caller's transaction."""
    source = _source_at(session, workspace_id, new.origin)
    if source is not None and source.content_hash == new.content_hash:
        return SourceRecord.model_validate(source), "unchanged"
    fields = new.model_dump(exclude={"origin", "chunks"})
    fields["tags"] = list(new.tags)
    if source is None:
        source = Source(workspace_id=workspace_id, origin=new.origin, **fields)
        session.add(source)
        outcome: UpsertOutcome = "added"
    else:
        _replace_fields(source, fields)
        session.execute(delete(Chunk).where(Chunk.source_id == source.id))
        outcome = "replaced"
    session.flush()
    _insert_chunks(session, source.id, new.chunks)
    return SourceRecord.model_validate(source), outcome


def _source_at(session: Session, workspace_id: int, origin: str) -> Source | None:
    query = select(Source).where(Source.workspace_id == workspace_id, Source.origin == origin)
    return session.scalars(query).one_or_none()


def _replace_fields(source: Source, fields: dict[str, object]) -> None:
    for name, value in fields.items():
        setattr(source, name, value)
    source.updated_at = utcnow()


def _insert_chunks(session: Session, source_id: int, chunks: Sequence[NewChunk]) -> None:
    if chunks:
        rows = [{"source_id": source_id, **chunk.model_dump()} for chunk in chunks]
        session.execute(insert(Chunk), rows)
