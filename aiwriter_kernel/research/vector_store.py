"""Chunk vectors in Chroma: one cosine collection per workspace, embedded by our own model.

The relational store is the source of truth for chunk texts; Chroma holds only each chunk's
vector and the few metadata fields that searches filter on (``chunk_metadata``), under the
chunk's id. Texts are not copied into Chroma: that would double the storage and make Chroma
maintain a full-text index that nothing here uses (lexical search is ``lexical.LexicalIndex``).

Chroma persists a collection's embedding function by name and config, and its default one
downloads an ONNX model, which must never happen offline. So every collection is created and
opened with ``AIWriterEmbeddingFunction``, registered with Chroma under
``EMBEDDING_FUNCTION_NAME``; its config holds only the model's stable name, so reopening a
collection in a fresh process builds it without loading or fetching anything. The model name
is also checked on open: vectors from another model would silently give nonsense results.

A local store is shared with other processes (the CLI, a notebook, the API), but a Chroma
client never rereads its in-memory index from disk: another process's vectors would stay
invisible to it. So each ``VectorStore`` opens a Chroma System of its own and, before each
call, compares a cheap marker of the store's files (``store_marker``) with the one it saw
after its own last write; when something else changed them, it reopens the store.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiwriter_kernel.config import Settings
from aiwriter_kernel.errors import AIWriterError, ConfigError, ValidationError, VectorStoreError
from aiwriter_kernel.research.chroma_import import import_chromadb
from aiwriter_kernel.research.embeddings import Embedder, EmbeddingModelError
from aiwriter_kernel.research.hybrid import unix_seconds

if TYPE_CHECKING:
    import numpy as np
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.config import System

EMBEDDING_FUNCTION_NAME = "aiwriter_sentence_transformer"
COLLECTION_PREFIX = "ws_"
MAX_BATCH = 5000  # records per Chroma call; the local client accepts up to ~5,461
ID_PAGE = 10_000  # ids per page when listing a collection
DATABASE_FILE = "chroma.sqlite3"  # what a local Chroma folder holds besides index segments

Metadata = dict[str, Any]
Marker = tuple[object, ...]
log = logging.getLogger(__name__)
_open_lock = threading.Lock()  # Chroma's registry of Systems is process-wide


def collection_name(workspace_id: int) -> str:
    """The Chroma collection that holds one workspace's vectors."""
    return f"{COLLECTION_PREFIX}{workspace_id}"


def chunk_metadata(
    source_id: int, ordinal: int, added_at: datetime | float, tags: Sequence[str] = ()
) -> Metadata:
    """The metadata stored with a chunk's vector: just what ``SearchFilters`` filter on.

    ``added_at`` is Unix seconds (a naive datetime counts as UTC). ``tags`` is a list because
    Chroma 1.5 filters lists with ``$contains``; Chroma refuses empty lists, so an untagged
    chunk has no ``tags`` key at all (and then no tag filter matches it, as it should).
    """
    if isinstance(added_at, datetime):
        added_at = unix_seconds(added_at)
    metadata: Metadata = {
        "source_id": int(source_id),
        "ordinal": int(ordinal),
        "added_at": float(added_at),
    }
    if tags:
        metadata["tags"] = sorted(set(tags))
    return metadata


def parse_chroma_url(url: str) -> tuple[str, int, bool]:
    """``http(s)://host[:port]`` as the (host, port, ssl) that ``chromadb.HttpClient`` takes.

    A missing port means the scheme's own (80 or 443), as in any URL.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"chroma_url must look like http://host:8000, not {url!r}")
    if parts.path not in ("", "/") or parts.query:
        raise ConfigError(f"chroma_url must not have a path or query: {url!r}")
    ssl = parts.scheme == "https"
    try:
        port = parts.port or (443 if ssl else 80)
    except ValueError as error:
        raise ConfigError(f"chroma_url has an invalid port: {url!r}") from error
    return parts.hostname, port, ssl


@functools.cache
def embedding_function_class() -> type:
    """Define and register the Chroma embedding function class, once, on first use.

    It lives in a function so that importing this module does not import chromadb; the
    registration must happen before Chroma deserialises a collection's config, which
    ``VectorStore`` guarantees by calling this before it opens any client.
    """
    import_chromadb()
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
    from chromadb.utils.embedding_functions import register_embedding_function

    @register_embedding_function
    class AIWriterEmbeddingFunction(EmbeddingFunction[Documents]):
        """Chroma's view of an ``Embedder``; the model loads on the first call, not before."""

        def __init__(self, model: str | None = None, embedder: Embedder | None = None) -> None:
            self._model = embedder.model_name if embedder is not None else model
            self._embedder = embedder

        @property
        def embedder(self) -> Embedder:
            if self._embedder is None:
                self._embedder = Embedder(self._model)
            return self._embedder

        def __call__(self, input: Documents) -> Embeddings:
            return list(self.embedder.encode(list(input)))

        @staticmethod
        def name() -> str:
            return EMBEDDING_FUNCTION_NAME

        def get_config(self) -> dict[str, Any]:
            return {"model": self._model}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> AIWriterEmbeddingFunction:
            return AIWriterEmbeddingFunction(model=config.get("model"))

        def default_space(self) -> Space:
            return "cosine"

        def supported_spaces(self) -> list[Space]:
            return ["cosine", "ip", "l2"]

    AIWriterEmbeddingFunction.__qualname__ = AIWriterEmbeddingFunction.__name__
    return AIWriterEmbeddingFunction


def make_embedding_function(embedder: Embedder) -> Any:
    """An ``AIWriterEmbeddingFunction`` over ``embedder`` (sharing its loaded model)."""
    return embedding_function_class()(embedder=embedder)


def make_client(settings: Settings) -> tuple[ClientAPI, System | None]:
    """A Chroma client for the settings, with the System it runs on when that is ours to stop:
    a server when ``chroma_url`` is set, else the local folder (created if missing)."""
    chromadb = import_chromadb()
    from chromadb.config import Settings as ChromaSettings

    embedding_function_class()  # registered before any collection config is read
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_url:
            host, port, ssl = parse_chroma_url(settings.chroma_url)
            client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
            return client, None
        settings.chroma_path.mkdir(parents=True, exist_ok=True)
        return _open_local(settings.chroma_path, chroma_settings)
    except ConfigError:
        raise
    except Exception as error:  # connection refused, unreadable directory, version mismatch...
        raise store_error("open", error, settings) from error


def _open_local(path: Path, chroma_settings: Any) -> tuple[ClientAPI, System]:
    """A client on a new Chroma System for the folder, not the one Chroma shares per folder
    within a process: only a new System reads the index that other processes wrote."""
    from chromadb.api import ServerAPI
    from chromadb.api.client import Client
    from chromadb.config import System
    from chromadb.telemetry.product import ProductTelemetryClient

    chroma_settings.is_persistent = True
    chroma_settings.persist_directory = str(path)
    with _open_lock:
        system = System(chroma_settings)
        try:
            system.instance(ProductTelemetryClient)
            system.instance(ServerAPI)
            system.start()
            return Client.from_system(system), system
        except Exception:
            with contextlib.suppress(Exception):  # half started on a broken file
                system.stop()
            raise


def store_marker(folder: Path) -> Marker:
    """Something that changes whenever any process writes to the local store in ``folder``:
    the database file's identity, size and modification time, and SQLite's own change counter
    (header bytes 24-27, bumped by every commit in rollback-journal mode, so two writes within
    one clock tick still differ), plus the write-ahead log's, if any. Two ``stat`` calls and a
    4-byte read: cheap enough for every search."""
    database = folder / DATABASE_FILE
    marker: list[object] = []
    for path in (database, database.with_name(DATABASE_FILE + "-wal")):
        try:
            status = path.stat()
        except OSError:
            marker.append(None)
            continue
        marker.append((status.st_ino, status.st_size, status.st_mtime_ns))
    try:
        with database.open("rb") as handle:
            handle.seek(24)
            marker.append(handle.read(4))
    except OSError:
        marker.append(None)
    return tuple(marker)


def store_error(action: str, error: Exception, settings: Settings) -> VectorStoreError:
    """``error`` as a ``VectorStoreError`` whose message names no server path: it reaches API
    callers. The full error, path and all, goes to the log for whoever runs the server."""
    log.warning("vector store: cannot %s: %s", action, error)
    text = str(error).strip() or type(error).__name__
    # The store's folder first: it lies inside the home.
    for path, label in ((settings.chroma_path, "<vector store>"), (settings.home, "<home>")):
        for shown in {str(path), str(path.resolve())}:
            text = text.replace(shown, label)
    return VectorStoreError(f"cannot {action} the vector store: {text}")


class VectorStore:
    """Upsert, delete and query chunk vectors, one Chroma collection per workspace.

    Thread-safe: one lock serialises the Chroma calls, so that reopening a local store (and
    stopping the old System) never pulls it from under a call in another thread. Chroma's
    own calls take milliseconds; a long upsert delays searches of this process meanwhile.
    Chroma failures come out as ``VectorStoreError``.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        client: ClientAPI | None = None,
    ) -> None:
        self._settings = settings or Settings()
        self._embedder = embedder
        self._client = client
        self._system: System | None = None
        # Only a local store that this object opens itself can be looked at on disk and reopened.
        self._local = client is None and not self._settings.chroma_url
        self._marker: Marker | None = None
        self._collections: dict[int, Collection] = {}
        self._lock = threading.RLock()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder(
                self._settings.embedding_model, runtime=self._settings.embedding_runtime
            )
        return self._embedder

    @property
    def client(self) -> ClientAPI:
        with self._lock:
            self._follow_other_writers()
            if self._client is None:
                self._client, self._system = make_client(self._settings)
                self._remember_files()  # opening writes to the database file
            return self._client

    def exists(self) -> bool:
        """Whether the store is there: always for a server; for a local folder, whether it holds
        Chroma's database (reads never create it, so a deleted folder is noticed)."""
        if not self._local:
            return True
        return (self._settings.chroma_path / DATABASE_FILE).is_file()

    def close(self) -> None:
        """Stop the Chroma System this store opened; the next call opens it again."""
        with self._lock:
            self._forget_client()

    def _forget_client(self) -> None:
        self._collections.clear()
        if self._system is not None:
            with contextlib.suppress(Exception):  # a broken store may fail to stop; drop it
                self._system.stop()
            self._system = None
            self._client = None

    def _follow_other_writers(self) -> None:
        """Reopen a local store whose files changed since this object last wrote to them (or
        that was deleted): another process wrote, and Chroma would not see it otherwise."""
        if not self._local:
            return
        marker = store_marker(self._settings.chroma_path)
        if marker != self._marker:
            self._forget_client()
            self._marker = marker

    def _remember_files(self) -> None:
        """After this object's own write: its files changed, but its index is current."""
        if self._local:
            self._marker = store_marker(self._settings.chroma_path)

    @contextlib.contextmanager
    def _using(self, action: str) -> Iterator[None]:
        """Hold the lock around one call and turn Chroma's failures into ``VectorStoreError``."""
        with self._lock:
            try:
                yield
            except AIWriterError:
                raise
            except Exception as error:  # Chroma raises its own, and plain ones, for bad files
                raise store_error(action, error, self._settings) from error

    def collection(self, workspace_id: int, *, create: bool = True) -> Collection | None:
        """The workspace's collection, created if ``create``; None if absent and not created
        (and always None when reading a local store whose folder is gone)."""
        with self._lock:
            self._follow_other_writers()
            if not create and not self.exists():
                return None
            cached = self._collections.get(workspace_id)
            if cached is not None:
                return cached
            opened = self._open(workspace_id, create=create)
            if opened is not None:
                self._collections[workspace_id] = opened
                if create:
                    self._remember_files()
            return opened

    def _open(self, workspace_id: int, *, create: bool) -> Collection | None:
        import_chromadb()
        from chromadb.errors import NotFoundError as ChromaNotFound

        name = collection_name(workspace_id)
        function = make_embedding_function(self.embedder)
        try:
            if create:
                opened = self.client.get_or_create_collection(
                    name,
                    configuration={"hnsw": {"space": "cosine"}},
                    embedding_function=function,
                )
            else:
                opened = self.client.get_collection(name, embedding_function=function)
        except ChromaNotFound:
            return None
        except ValueError as error:  # Chroma's "embedding function conflict"
            raise EmbeddingModelError(
                f"workspace {workspace_id}'s vectors were not made by aiwriter's embedder "
                f"({error}); delete and re-index the workspace"
            ) from error
        self._check_model(workspace_id, opened)
        return opened

    def _check_model(self, workspace_id: int, opened: Collection) -> None:
        """Refuse to mix vectors of two models: their similarities would mean nothing."""
        persisted = opened.configuration_json.get("embedding_function") or {}
        stored = (persisted.get("config") or {}).get("model")
        if persisted.get("name") != EMBEDDING_FUNCTION_NAME or stored != self.embedder.model_name:
            raise EmbeddingModelError(
                f"workspace {workspace_id} was indexed with embedding model {stored!r} but the "
                f"configured one is {self.embedder.model_name!r}: re-index the workspace, or set "
                "AIWRITER_EMBEDDING_MODEL back"
            )

    def upsert(
        self,
        workspace_id: int,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[Mapping[str, Any]],
        embeddings: np.ndarray | Sequence[Sequence[float]] | None = None,
    ) -> None:
        """Add or replace chunks' vectors, a batch at a time.

        Pass ``embeddings`` when they were already computed, so the model runs once per chunk;
        otherwise ``texts`` are embedded here.
        """
        import numpy as np

        if not (len(ids) == len(texts) == len(metadatas)):
            raise ValidationError("ids, texts and metadatas must have the same length")
        if embeddings is not None and len(embeddings) != len(ids):
            raise ValidationError("embeddings must have one row per id")
        if not ids:
            return
        with self._using("write to"):
            target = self.collection(workspace_id)
            assert target is not None
            for start in range(0, len(ids), MAX_BATCH):
                end = start + MAX_BATCH
                if embeddings is None:
                    vectors = self.embedder.encode(texts[start:end])
                else:
                    vectors = np.asarray(embeddings[start:end], dtype=np.float32)
                target.upsert(
                    ids=list(ids[start:end]),
                    embeddings=vectors,
                    metadatas=[dict(metadata) for metadata in metadatas[start:end]],
                )
            self._remember_files()

    def delete(self, workspace_id: int, ids: Sequence[str]) -> None:
        """Remove these chunks' vectors; unknown ids are ignored."""
        with self._using("write to"):
            target = self.collection(workspace_id, create=False)
            if target is None or not ids:
                return
            for start in range(0, len(ids), MAX_BATCH):
                target.delete(ids=list(ids[start : start + MAX_BATCH]))
            self._remember_files()

    def delete_workspace(self, workspace_id: int) -> None:
        """Drop the workspace's whole collection (nothing happens if it does not exist)."""
        import_chromadb()
        from chromadb.errors import NotFoundError as ChromaNotFound

        with self._using("write to"):
            self._collections.pop(workspace_id, None)
            if not self.exists():
                return
            with contextlib.suppress(ChromaNotFound):
                self.client.delete_collection(collection_name(workspace_id))
            self._remember_files()

    def query(
        self,
        workspace_id: int,
        query_embedding: np.ndarray | Sequence[float],
        k: int,
        where: Mapping[str, Any] | None = None,
    ) -> list[tuple[str, float]]:
        """The ``k`` nearest chunks as (chunk_id, cosine similarity), most similar first."""
        import numpy as np

        with self._using("search"):
            target = self.collection(workspace_id, create=False)
            if target is None or k <= 0:
                return []
            vector = np.asarray(query_embedding, dtype=np.float32).reshape(-1)
            result = target.query(
                query_embeddings=[vector],
                n_results=k,
                where=dict(where) if where else None,
                include=["distances"],
            )
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        return [(chunk_id, 1.0 - float(d)) for chunk_id, d in zip(ids, distances, strict=True)]

    def has_collection(self, workspace_id: int) -> bool:
        """Whether the workspace has a collection at all (a read: nothing is created)."""
        with self._using("read"):
            return self.collection(workspace_id, create=False) is not None

    def count(self, workspace_id: int) -> int:
        with self._using("read"):
            target = self.collection(workspace_id, create=False)
            return 0 if target is None else target.count()

    def vectors(self, workspace_id: int) -> dict[str, np.ndarray]:
        """Every chunk's stored vector by chunk id, read-only (e.g. to cluster the topics)."""
        import numpy as np

        found: dict[str, np.ndarray] = {}
        with self._using("read"):
            target = self.collection(workspace_id, create=False)
            if target is None:
                return {}
            while True:
                page = target.get(limit=ID_PAGE, offset=len(found), include=["embeddings"])
                rows = page["embeddings"] if page["embeddings"] is not None else []
                for chunk_id, row in zip(page["ids"], rows, strict=True):
                    found[chunk_id] = np.asarray(row, dtype=np.float32)
                if len(page["ids"]) < ID_PAGE:
                    return found

    def vectors_of(self, workspace_id: int, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these chunks by id (unknown ids are absent): the article
        planner groups its evidence with them instead of encoding the texts again."""
        import numpy as np

        found: dict[str, np.ndarray] = {}
        with self._using("read"):
            target = self.collection(workspace_id, create=False)
            if target is None or not ids:
                return {}
            for start in range(0, len(ids), MAX_BATCH):
                page = target.get(ids=list(ids[start : start + MAX_BATCH]), include=["embeddings"])
                rows = page["embeddings"] if page["embeddings"] is not None else []
                for chunk_id, row in zip(page["ids"], rows, strict=True):
                    found[chunk_id] = np.asarray(row, dtype=np.float32)
        return found

    def missing(self, workspace_id: int, ids: Sequence[str]) -> list[str]:
        """Those of ``ids`` that have no vector here (one cheap lookup per batch of ids)."""
        present: set[str] = set()
        with self._using("read"):
            target = self.collection(workspace_id, create=False)
            if target is None:
                return list(ids)
            for start in range(0, len(ids), MAX_BATCH):
                present.update(
                    target.get(ids=list(ids[start : start + MAX_BATCH]), include=[])["ids"]
                )
        return [chunk_id for chunk_id in ids if chunk_id not in present]

    def ids(self, workspace_id: int) -> list[str]:
        """Every chunk id in the workspace's collection (e.g. to reconcile with the database)."""
        found: list[str] = []
        with self._using("read"):
            target = self.collection(workspace_id, create=False)
            if target is None:
                return []
            while True:
                page = target.get(limit=ID_PAGE, offset=len(found), include=[])["ids"]
                found.extend(page)
                if len(page) < ID_PAGE:
                    return found

    def check(self, expected: Mapping[int, int]) -> list[str]:
        """What makes the store unfit to serve, given how many vectors each workspace should
        have at least (``expected``: workspace id to chunk count); empty when it is fit.

        Never raises, never creates anything, and names no server path: readiness probes
        show these lines to whoever asks. A missing store is only a problem when vectors are
        expected; a first ingest creates it.
        """
        wanted = {workspace: count for workspace, count in expected.items() if count > 0}
        if not self.exists():
            return ["the vector store is missing"] if wanted else []
        problems = []
        try:
            with self._using("open"):
                self.client.heartbeat()
            for workspace, count in sorted(wanted.items()):
                stored = self.count(workspace)
                if stored < count:
                    problems.append(
                        f"workspace {workspace} has {count} chunks but {stored} vectors"
                    )
        except AIWriterError as error:
            problems.append(str(error))
        return problems
