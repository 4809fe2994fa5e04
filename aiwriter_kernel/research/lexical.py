"""BM25 keyword search over a workspace's chunks, with bm25s (sparse, numpy).

Dense vectors miss exact names, codes and rare terms; BM25 finds them. Documents and queries
are tokenised by the same ``aiwriter_kernel.text.search_terms.search_terms`` (Snowball stems,
hyphenated words split and joined, numbers kept, stop words out), so "Writers indexing" finds
"writer index" and "boundary layer" finds "boundary-layer".

The index lives in memory and is rebuilt from the relational store when a workspace changes:
``LexicalCache`` keys it by (workspace_id, revision), where the caller's revision string
changes whenever the workspace's chunks do (e.g. chunk count plus latest update time). Each
index records the tokenizer version it was built with (``SEARCH_TERMS_VERSION``); the cache
rebuilds one built with another version instead of looking new query terms up in it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aiwriter_kernel.research.hybrid import passes, unix_seconds
from aiwriter_kernel.research.models import SearchFilters
from aiwriter_kernel.text.search_terms import SEARCH_TERMS_VERSION, search_terms, tokens, word_terms

if TYPE_CHECKING:
    import numpy as np


def tokenize(text: str) -> list[str]:
    """The BM25 terms of ``text``: ``text.search_terms.search_terms``."""
    return search_terms(text)


class _Vocabulary:
    """Maps tokens to term ids while indexing, remembering each token's answer.

    A corpus has far fewer distinct tokens than token occurrences, so caching the stop-word
    test, the hyphen splitting and the stemming per token makes tokenising 100,000 chunks take
    seconds, not minutes.
    """

    def __init__(self) -> None:
        self.term_ids: dict[str, int] = {}
        self._token_ids: dict[str, tuple[int, ...]] = {}

    def document(self, text: str) -> list[int]:
        ids: list[int] = []
        for token in tokens(text):
            term_ids = self._token_ids.get(token)
            if term_ids is None:
                term_ids = self._token_ids[token] = self._lookup(token)
            ids.extend(term_ids)
        return ids

    def _lookup(self, token: str) -> tuple[int, ...]:
        return tuple(
            self.term_ids.setdefault(term, len(self.term_ids)) for term in word_terms(token)
        )


class LexicalIndex:
    """A BM25 index of chunk texts, searched by query words.

    Optionally keeps each chunk's metadata (``vector_store.chunk_metadata``) so searches can
    apply ``SearchFilters`` the same way Chroma does on the dense side.
    """

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._metadatas: list[Mapping[str, Any]] | None = None
        self._columns: _FilterColumns | None = None
        self._term_ids: dict[str, int] = {}
        self._bm25: Any = None  # bm25s.BM25, or None when no chunk has a term
        self.tokenizer_version = SEARCH_TERMS_VERSION

    @classmethod
    def from_texts(
        cls,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[Mapping[str, Any]] | None = None,
    ) -> LexicalIndex:
        index = cls()
        index.build(ids, texts, metadatas)
        return index

    def __len__(self) -> int:
        return len(self._ids)

    def build(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        """(Re)build the index over these chunks, replacing whatever it held."""
        import bm25s

        if len(ids) != len(texts) or (metadatas is not None and len(metadatas) != len(ids)):
            raise ValueError("ids, texts and metadatas must have the same length")
        vocabulary = _Vocabulary()
        corpus = [vocabulary.document(text) for text in texts]
        bm25 = None
        if vocabulary.term_ids:
            bm25 = bm25s.BM25()
            # create_empty_token=False: bm25s would otherwise add "" to our vocabulary dict.
            bm25.index((corpus, vocabulary.term_ids), create_empty_token=False, show_progress=False)
        self._ids = list(ids)
        self._metadatas = None if metadatas is None else list(metadatas)
        self._columns = None if metadatas is None else _FilterColumns(self._metadatas)
        self._term_ids = vocabulary.term_ids
        self._bm25 = bm25
        self.tokenizer_version = SEARCH_TERMS_VERSION

    @property
    def current(self) -> bool:
        """Whether this index tokenised its chunks as queries are tokenised now."""
        return self.tokenizer_version == SEARCH_TERMS_VERSION

    def search(
        self, query: str, k: int, *, filters: SearchFilters | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` best chunks for ``query`` as (chunk_id, BM25 score), best first.

        Only chunks sharing at least one term with the query are returned, so there may be
        fewer than ``k``. With ``filters``, chunks failing them are skipped (needs metadatas).
        """
        if filters is not None and self._metadatas is None:
            raise ValueError("this index was built without metadatas, so it cannot filter")
        scores = self._scores(query)
        if not self.current:
            raise ValueError("this index was built by another tokenizer version: rebuild it")
        if scores is None or k <= 0:
            return []
        if filters is None:
            ranked = _ranked(scores, scores > 0, min(k, len(self._ids)))
        else:
            assert self._columns is not None
            ranked = _ranked(scores, (scores > 0) & self._columns.may_pass(filters), None)
        hits: list[tuple[str, float]] = []
        for position in ranked:
            if filters is not None and not passes(filters, self._metadatas[position]):  # type: ignore[index]
                continue
            hits.append((self._ids[position], float(scores[position])))
            if len(hits) == k:
                break
        return hits

    def _scores(self, query: str) -> np.ndarray | None:
        """Each chunk's BM25 score for the query, or None if no query term is indexed."""
        if self._bm25 is None:
            return None
        wanted = {self._term_ids.get(term) for term in tokenize(query)} - {None}
        if not wanted:
            return None
        return self._bm25.get_scores_from_ids(sorted(wanted))


class _FilterColumns:
    """Source ids and dates as arrays, to rule out most chunks at once before ``passes``.

    Only a pre-filter: ``passes`` still decides for every chunk left, so a chunk this lets
    through wrongly costs a little time, never a wrong hit. A missing value becomes -1 or NaN,
    which no source filter or date comparison accepts, as in ``passes``.
    """

    def __init__(self, metadatas: Sequence[Mapping[str, Any]]) -> None:
        import numpy as np

        self.source_ids = np.array([m.get("source_id", -1) for m in metadatas], dtype=np.int64)
        self.added_at = np.array([m.get("added_at", np.nan) for m in metadatas], dtype=np.float64)

    def may_pass(self, filters: SearchFilters) -> np.ndarray:
        import numpy as np

        mask = np.ones(len(self.source_ids), dtype=bool)
        if filters.source_ids is not None:
            mask &= np.isin(self.source_ids, np.array(filters.source_ids, dtype=np.int64))
        if filters.added_after is not None:
            mask &= self.added_at >= unix_seconds(filters.added_after)
        if filters.added_before is not None:
            mask &= self.added_at < unix_seconds(filters.added_before)
        return mask


def _ranked(scores: np.ndarray, wanted: np.ndarray, limit: int | None) -> np.ndarray:
    """Positions where ``wanted``, best score first (ties by position); at most ``limit``."""
    import numpy as np

    positions = np.flatnonzero(wanted)
    if limit is not None and len(positions) > limit:
        top = np.argpartition(-scores[positions], limit - 1)[:limit]
        positions = positions[top]
    order = np.lexsort((positions, -scores[positions]))
    return positions[order]


BuildIndex = Callable[[], LexicalIndex]


class LexicalCache:
    """Built indexes by workspace, each valid for one revision; the least recently used go.

    A workspace's index is rebuilt only when the caller's revision string changes or it was
    built by another tokenizer version (``LexicalIndex.current``). Builds of
    one workspace are serialised (two searches never build the same index twice); different
    workspaces build independently.
    """

    def __init__(self, max_workspaces: int = 8) -> None:
        self._max = max_workspaces
        self._entries: OrderedDict[int, tuple[str, LexicalIndex]] = OrderedDict()
        self._build_locks: dict[int, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, workspace_id: int, revision: str, build: BuildIndex) -> LexicalIndex:
        """The index for this revision of the workspace, from ``build()`` if not cached."""
        cached = self._cached(workspace_id, revision)
        if cached is not None:
            return cached
        with self._build_lock(workspace_id):
            cached = self._cached(workspace_id, revision)
            if cached is not None:
                return cached
            index = build()
            with self._lock:
                self._entries[workspace_id] = (revision, index)
                self._entries.move_to_end(workspace_id)
                while len(self._entries) > self._max:
                    self._entries.popitem(last=False)
            return index

    def invalidate(self, workspace_id: int | None = None) -> None:
        """Forget one workspace's index, or all of them."""
        with self._lock:
            if workspace_id is None:
                self._entries.clear()
            else:
                self._entries.pop(workspace_id, None)

    def _cached(self, workspace_id: int, revision: str) -> LexicalIndex | None:
        with self._lock:
            entry = self._entries.get(workspace_id)
            if entry is None or entry[0] != revision or not entry[1].current:
                return None
            self._entries.move_to_end(workspace_id)
            return entry[1]

    def _build_lock(self, workspace_id: int) -> threading.Lock:
        with self._lock:
            return self._build_locks.setdefault(workspace_id, threading.Lock())


_DEFAULT_CACHE = LexicalCache()


def cached_index(workspace_id: int, revision: str, build: BuildIndex) -> LexicalIndex:
    """The process-wide cached index of a workspace at a revision (see ``LexicalCache``)."""
    return _DEFAULT_CACHE.get(workspace_id, revision, build)
