"""The knowledge base: sources in (files, folders, URLs), cited evidence out.

The relational store is the record of truth (sources, chunk texts and offsets); Chroma
holds one vector per chunk under the same id, so either side can be rebuilt from the
other (``reindex``). Ingest (``research.ingest``) embeds chunks across files in groups and
is careful about order so that a failure never leaves a source half-written: a new source's
rows are committed marked ``vectors_pending`` and the mark is cleared once its vectors are
stored; if the process dies in between (``kill -9``, a full disk), the mark stays, and
``repair_pending`` (run when a workbench opens), ``reindex`` or ingesting the same file
again stores the missing vectors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from aiwriter_kernel.config import Settings
from aiwriter_kernel.errors import (
    NotFoundError,
    ValidationError,
    VectorStoreError,
)
from aiwriter_kernel.research.hybrid import FUSION
from aiwriter_kernel.research.ingest import (
    GROUP_CHUNKS,
    GroupWriter,
    IngestRun,
    Progress,
)
from aiwriter_kernel.research.models import (
    IngestItem,
    IngestReport,
    LoadedDocument,
    SearchFilters,
    SearchHit,
)
from aiwriter_kernel.store import Database
from aiwriter_kernel.store.records import ChunkRecord, SourceRecord, WorkspaceRecord

if TYPE_CHECKING:
    import numpy as np

SearchMode = Literal["hybrid", "dense", "lexical"]
MAX_K = 100
MAX_POOL = 2000  # the deepest a side is read when per_source leaves too few distinct sources


@dataclass(frozen=True)
class WorkspaceVectors:
    """How one workspace's chunks in the database and vectors in the store line up."""

    workspace_id: int
    chunks: int
    missing: int  # chunks without a vector: dense search cannot find them
    orphans: int  # vectors without a chunk: harmless, left by an interrupted replace


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def citation_label(source: SourceRecord, chunk: ChunkRecord) -> str:
    """How a hit is cited to a reader: title, where it lives, and which characters."""
    return f"{source.title} — {source.origin}, chars {chunk.start_offset}-{chunk.end_offset}"


class KnowledgeBase:
    """Ingest and search one home's sources, workspace by workspace."""

    def __init__(self, settings: Settings, database: Database) -> None:
        from aiwriter_kernel.research.lexical import LexicalCache

        self.settings = settings
        self.db = database
        self.group_chunks = GROUP_CHUNKS  # chunks embedded and stored together by ingest
        self._vectors = None
        self._lexical = LexicalCache()

    @property
    def vectors(self):
        """The Chroma store, opened on first use (it imports chromadb)."""
        if self._vectors is None:
            from aiwriter_kernel.research.vector_store import VectorStore

            self._vectors = VectorStore(self.settings)
        return self._vectors

    # -- ingest ----------------------------------------------------------------------------

    def ingest(
        self,
        targets: Sequence[str | Path],
        *,
        workspace: str = "default",
        owner_id: int | None = None,
        tags: Sequence[str] = (),
        progress: Progress | None = None,
    ) -> IngestReport:
        """Add files, folders (recursively) and URLs; one item per source in the report.

        A source that fails gets its own error and the others carry on; an unchanged file
        (same content hash) is skipped without re-embedding. Chunks are embedded and stored
        in groups across files; ``progress`` hears about each group (in chunks).
        """
        if not targets:
            raise ValidationError("nothing to ingest: give at least one path or URL")
        workspace_id = self.db.workspaces.get_or_create(workspace, owner_id).id
        report = IngestReport()
        sources = list(self._expand(targets, report))
        run = IngestRun(self, workspace_id, tuple(tags), progress, group_chunks=self.group_chunks)
        report.items.extend(run.run(sources))
        return report

    def ingest_bytes(
        self,
        data: bytes,
        *,
        filename: str,
        content_type: str | None = None,
        workspace: str = "default",
        owner_id: int | None = None,
        tags: Sequence[str] = (),
    ) -> IngestReport:
        """Add an uploaded file's bytes; its origin is ``upload:<filename>``, so uploading
        the same name again replaces that source (or leaves it, if unchanged)."""
        import mimetypes

        from aiwriter_kernel.research.loaders import load_bytes

        name = Path(filename or "").name.strip()
        if not name:
            raise ValidationError("an uploaded file needs a file name")
        origin = f"upload:{name}"
        if content_type in (None, "", "application/octet-stream"):
            content_type = mimetypes.guess_type(name)[0]
        workspace_id = self.db.workspaces.get_or_create(workspace, owner_id).id
        limit = self.settings.max_ingest_bytes

        def load() -> LoadedDocument:
            return load_bytes(data, origin=origin, content_type=content_type, max_bytes=limit)

        run = IngestRun(self, workspace_id, tuple(tags), group_chunks=self.group_chunks)
        return IngestReport(items=run.run([(origin, load)]))

    def sources(self, *, workspace: str = "default", owner_id: int | None = None):
        """The workspace's sources (without their text), as stored."""
        space = self.db.workspaces.find(workspace, owner_id)
        return [] if space is None else self.db.sources.list_sources(space.id)

    def delete_source(self, source_id: int, *, owner_id: int | None = None) -> None:
        """Remove a source, its chunks and its vectors; another owner's source is "missing"."""
        source = self.db.sources.get_source(source_id)
        space = None if source is None else self.db.workspaces.get(source.workspace_id)
        if source is None or space is None or (owner_id is not None and space.owner_id != owner_id):
            raise NotFoundError(f"there is no source {source_id}")
        chunk_ids = [chunk.id for chunk in self.db.sources.get_chunks(source_id)]
        self.db.sources.delete_source(source_id)
        if chunk_ids:
            self.vectors.delete(source.workspace_id, chunk_ids)

    def _expand(
        self, targets: Sequence[str | Path], report: IngestReport
    ) -> Iterator[tuple[str, Callable[[], LoadedDocument]]]:
        from aiwriter_kernel.research.loaders import iter_source_files, load_path

        limit = self.settings.max_ingest_bytes
        for target in targets:
            text = str(target)
            if is_url(text):
                yield text, lambda url=text: self._load_url(url)
                continue
            path = Path(text).expanduser()
            if path.is_dir():
                files = list(iter_source_files(path))
                if not files:
                    report.items.append(
                        IngestItem(
                            origin=str(path.absolute()),
                            status="skipped",
                            error="the folder holds no supported files",
                        )
                    )
                for file in files:
                    file = file.absolute()  # the origin must not depend on the working dir
                    yield str(file), lambda f=file: load_path(f, max_bytes=limit)
            else:
                path = path.absolute()
                yield str(path), lambda p=path: load_path(p, max_bytes=limit)

    def _load_url(self, url: str) -> LoadedDocument:
        from aiwriter_kernel.research.loaders import load_bytes
        from aiwriter_kernel.research.web.fetcher import FetchPolicy, SafeFetcher

        policy = FetchPolicy(
            allow_hosts=self.settings.fetch_allow_hosts, max_bytes=self.settings.max_ingest_bytes
        )
        with SafeFetcher(policy) as fetcher:
            page = fetcher.fetch(url)
        return load_bytes(
            page.content,
            origin=page.url,
            content_type=page.content_type,
            max_bytes=self.settings.max_ingest_bytes,
        )

    def vectors_complete(self, source: SourceRecord) -> bool:
        """Whether every chunk of the stored source has its vector, so that re-ingesting the
        same text can say "unchanged": not while it is pending, nor when vectors went missing."""
        if source.vectors_pending:
            return False
        chunk_ids = self.db.sources.source_chunk_ids(source.id)
        return not self.vectors.missing(source.workspace_id, chunk_ids)

    def repair_pending(self) -> int:
        """Store the vectors of every source left pending by an interrupted ingest, a group
        of chunks at a time; returns how many sources were repaired. Cheap when there are
        none (one indexed query).

        A source still being ingested by another process is pending too: storing its vectors
        here as well is redundant but harmless (same ids, same vectors).
        """
        pending = self.db.sources.pending_sources()
        if pending:
            GroupWriter(self.db, self.vectors).restore_vectors(pending, self.group_chunks)
        return len(pending)

    # -- search ----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        workspace: str = "default",
        owner_id: int | None = None,
        filters: SearchFilters | None = None,
        mode: SearchMode = "hybrid",
        diversify: bool = False,
        per_source: int = 0,
    ) -> list[SearchHit]:
        """The ``k`` best chunks for ``query``: dense and BM25 rankings fused by reciprocal
        rank, at most ``per_source`` chunks of any one source (0: no limit), optionally
        diversified by maximal marginal relevance.

        The source limit applies after fusion; when it leaves fewer than ``k`` chunks, both
        sides are read deeper, so a top-k shows k different sources whenever k exist.
        """
        if not query.strip():
            raise ValidationError("the search query is empty")
        if not 1 <= k <= MAX_K:
            raise ValidationError(f"k must be between 1 and {MAX_K}, not {k}")
        if mode not in ("hybrid", "dense", "lexical"):
            raise ValidationError(f"unknown search mode {mode!r}: use hybrid, dense or lexical")
        if per_source < 0:
            raise ValidationError(f"per_source must be 0 (no limit) or more, not {per_source}")
        space = self.db.workspaces.find(workspace, owner_id)
        if space is None:
            return []  # nothing was ever added there
        wanted = 3 * k if diversify else k  # MMR picks k among more candidates
        if mode != "lexical":
            self.vectors.embedder.start_loading()  # a new process: loads while BM25 ranks
        query_vector = functools.cache(lambda: self.vectors.embedder.encode([query])[0])
        pool = max(FUSION.depth, 2 * wanted)
        while True:
            rankings = self._rankings(space.id, query, mode, query_vector, pool, filters)
            chunks, scores = self._fused(rankings, per_source, wanted)
            exhausted = all(len(ranking) < pool for ranking in rankings.values())
            if len(chunks) >= wanted or exhausted or pool >= MAX_POOL:
                break
            pool = min(4 * pool, MAX_POOL)
        if diversify:
            chunks = self._diversify(query, chunks, k)
        return self._hits(chunks[:k], scores, rankings)

    def _rankings(self, workspace_id: int, query: str, mode, query_vector, pool: int, filters):
        """Each side's chunk ids that ``mode`` uses, best first, at most ``pool`` each. The
        lexical side ranks first, so a new process's embedding model loads meanwhile; the
        query is embedded once (``query_vector`` caches it) however deep the pool goes."""
        lexical = None
        if mode in ("hybrid", "lexical"):
            lexical = self._lexical_ranking(workspace_id, query, pool, filters)
        rankings: dict[str, list[str]] = {}
        if mode in ("hybrid", "dense"):
            rankings["dense"] = self._dense(workspace_id, query_vector, pool, filters)
        if lexical is not None:
            rankings["lexical"] = lexical
        return rankings

    def _fused(self, rankings: dict[str, list[str]], per_source: int, wanted: int):
        """The fused chunks, at most ``per_source`` per source and ``wanted`` in all, and
        every fused chunk's score."""
        from aiwriter_kernel.research.hybrid import cap_per_source, fuse

        fused = fuse(rankings, FUSION)
        chunks = self.db.sources.get_chunks_by_ids([chunk for chunk, _ in fused])
        kept = cap_per_source(chunks, lambda chunk: chunk.source_id, per_source, wanted)
        return kept, dict(fused)

    def _dense(self, workspace_id: int, query_vector, pool: int, filters) -> list[str]:
        from aiwriter_kernel.research.hybrid import filters_to_where

        self.vectors.collection(workspace_id, create=False)  # opened while the model loads
        vector = query_vector()
        found = self.vectors.query(workspace_id, vector, pool, where=filters_to_where(filters))
        if not found:
            self._require_vectors(workspace_id)
        return [chunk for chunk, _ in found]

    def _require_vectors(self, workspace_id: int) -> None:
        """Refuse to answer "nothing found" when the workspace's vectors are gone (the folder
        deleted, the collection dropped) although its chunks are stored: that is a broken
        store, which ``aiwriter kb reindex`` rebuilds, not an empty result."""
        if self.vectors.has_collection(workspace_id):
            return
        if self.db.sources.stored_chunk_counts().get(workspace_id, 0) > 0:
            raise VectorStoreError(
                "the vector store has lost this workspace's vectors: `aiwriter kb reindex` "
                "rebuilds them"
            )

    def _lexical_ranking(self, workspace_id: int, query: str, pool: int, filters) -> list[str]:
        revision = self.db.sources.revision(workspace_id)
        index = self._lexical.get(workspace_id, revision, lambda: self._build_lexical(workspace_id))
        return [chunk for chunk, _ in index.search(query, pool, filters=filters)]

    def _build_lexical(self, workspace_id: int):
        from aiwriter_kernel.research.lexical import LexicalIndex
        from aiwriter_kernel.research.vector_store import chunk_metadata

        sources = {source.id: source for source in self.db.sources.list_sources(workspace_id)}
        ids, texts, metadatas = [], [], []
        for chunk in self.db.sources.iter_chunks(workspace_id, batch_size=5000):
            source = sources.get(chunk.source_id)
            if source is None:
                continue  # added after the listing; the next revision picks it up
            ids.append(chunk.id)
            texts.append(chunk.text)
            metadatas.append(chunk_metadata(source.id, chunk.ordinal, source.added_at, source.tags))
        return LexicalIndex.from_texts(ids, texts, metadatas)

    def _diversify(self, query: str, chunks: list[ChunkRecord], k: int) -> list[ChunkRecord]:
        from aiwriter_kernel.research.hybrid import mmr

        if len(chunks) <= 1:
            return chunks
        candidates = chunks[: max(3 * k, k)]
        encoded = self.vectors.embedder.encode([query, *[c.text for c in candidates]])
        order = mmr(encoded[0], encoded[1:], [c.id for c in candidates], k)
        by_id = {chunk.id: chunk for chunk in candidates}
        return [by_id[chunk] for chunk in order]

    def _hits(
        self, chunks: list[ChunkRecord], scores: dict[str, float], rankings: dict[str, list[str]]
    ) -> list[SearchHit]:
        positions = {
            name: {chunk: rank for rank, chunk in enumerate(ids, 1)}
            for name, ids in rankings.items()
        }
        sources: dict[int, SourceRecord] = {}
        hits = []
        for chunk in chunks:
            if chunk.source_id not in sources:
                sources[chunk.source_id] = self.db.sources.get_source(chunk.source_id)
            source = sources[chunk.source_id]
            hits.append(
                SearchHit(
                    chunk_id=chunk.id,
                    source_id=source.id,
                    source_title=source.title,
                    origin=source.origin,
                    ordinal=chunk.ordinal,
                    start=chunk.start_offset,
                    end=chunk.end_offset,
                    text=chunk.text,
                    score=scores.get(chunk.id, 0.0),
                    citation=citation_label(source, chunk),
                    dense_rank=positions.get("dense", {}).get(chunk.id),
                    lexical_rank=positions.get("lexical", {}).get(chunk.id),
                )
            )
        return hits

    def chunk_vectors(
        self, *, workspace: str = "default", owner_id: int | None = None
    ) -> list[tuple[ChunkRecord, np.ndarray]]:
        """Every chunk of the workspace with its stored vector, in document order; read-only,
        for whole-collection analyses such as clustering topics (chunks without a vector,
        e.g. mid-reindex, are left out)."""
        space = self.db.workspaces.find(workspace, owner_id)
        if space is None:
            return []
        workspace_id = space.id
        vectors = self.vectors.vectors(workspace_id)
        return [
            (chunk, vectors[chunk.id])
            for chunk in self.db.sources.iter_chunks(workspace_id, batch_size=5000)
            if chunk.id in vectors
        ]

    def vectors_of(
        self, chunk_ids: Sequence[str], *, workspace: str = "default", owner_id: int | None = None
    ) -> dict[str, np.ndarray]:
        """The stored vectors of some chunks of the workspace, by chunk id (read-only)."""
        space = self.db.workspaces.find(workspace, owner_id)
        if space is None:
            return {}
        return self.vectors.vectors_of(space.id, chunk_ids)

    def source_text(self, source_id: int) -> str:
        """A source's whole extracted text (chunk offsets point into it)."""
        return self.db.sources.get_source_text(source_id)

    # -- rebuild ---------------------------------------------------------------------------

    def reindex(
        self, *, workspace: str = "default", owner_id: int | None = None, batch_size: int = 256
    ) -> int:
        """Rebuild the workspace's vectors from the relational chunks; returns the count.

        For a changed embedding model, a lost Chroma directory, or a move to a Chroma server.
        A workspace that does not exist is a ``NotFoundError``: rebuilding reads the stored
        chunks, and reading never creates a workspace.
        """
        space = self.existing_workspace(workspace, owner_id)
        return self.reindex_workspace(space.id, batch_size=batch_size)

    def existing_workspace(self, workspace: str, owner_id: int | None) -> WorkspaceRecord:
        """The workspace if it exists, else ``NotFoundError``: for maintenance that must not
        create what it was asked to repair."""
        space = self.db.workspaces.find(workspace, owner_id)
        if space is None:
            whose = "" if owner_id is None else f" of user {owner_id}"
            raise NotFoundError(f"there is no workspace {workspace!r}{whose}")
        return space

    def reindex_workspace(self, workspace_id: int, *, batch_size: int = 256) -> int:
        """Rebuild the vectors of the workspace with this id (any owner's); returns the count
        of chunks embedded, and marks its sources' vectors stored (repairing pending ones)."""
        from aiwriter_kernel.research.vector_store import chunk_metadata

        sources = {s.id: s for s in self.db.sources.list_sources(workspace_id)}
        self.vectors.delete_workspace(workspace_id)
        batch: list[ChunkRecord] = []
        total = 0
        for chunk in self.db.sources.iter_chunks(workspace_id, batch_size=batch_size):
            batch.append(chunk)
            if len(batch) == batch_size:
                total += self._reindex_batch(workspace_id, batch, sources, chunk_metadata)
                batch = []
        if batch:
            total += self._reindex_batch(workspace_id, batch, sources, chunk_metadata)
        self.db.sources.mark_vectors_stored(sources)
        return total

    def _reindex_batch(self, workspace_id, batch, sources, chunk_metadata) -> int:
        metadatas = [
            chunk_metadata(
                c.source_id, c.ordinal, sources[c.source_id].added_at, sources[c.source_id].tags
            )
            for c in batch
        ]
        texts = [c.text for c in batch]
        self.vectors.upsert(
            workspace_id,
            [c.id for c in batch],
            texts,
            metadatas,
            embeddings=self.vectors.embedder.encode(texts),
        )
        return len(batch)

    # -- consistency -----------------------------------------------------------------------

    def check_vectors(self) -> list[str]:
        """Why the vector store cannot serve (missing, unreadable, fewer vectors than stored
        chunks), in lines without server paths; empty when it can. Sources still pending are
        not counted: their vectors may be on the way."""
        return self.vectors.check(self.db.sources.stored_chunk_counts())

    def audit_vectors(self) -> list[WorkspaceVectors]:
        """Chunk ids in the database against vector ids in the store, workspace by workspace
        (every owner's): what ``aiwriter doctor`` reports. Reads every id: for diagnosis, not
        for each request."""
        audits = []
        for space in self.db.workspaces.list():
            chunk_ids = self.db.sources.workspace_chunk_ids(space.id)
            vector_ids = set(self.vectors.ids(space.id))
            audits.append(
                WorkspaceVectors(
                    workspace_id=space.id,
                    chunks=len(chunk_ids),
                    missing=len(chunk_ids - vector_ids),
                    orphans=len(vector_ids - chunk_ids),
                )
            )
        return audits

    def close(self) -> None:
        """Release the vector store's files (the database is the workbench's to close)."""
        if self._vectors is not None:
            self._vectors.close()
