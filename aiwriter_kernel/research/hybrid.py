"""Pure pieces of hybrid search: rank fusion, diversification and filters.

Dense (Chroma) and lexical (BM25) scores live on different scales, so they are fused by rank
(reciprocal rank fusion), not by score. Filters are applied by Chroma on the dense side
(``filters_to_where``) and by ``passes`` on the lexical side, over the same metadata shape
(``vector_store.chunk_metadata``), so both sides agree on what a filter means:

- ``source_ids``: the chunk's source is one of them (an empty tuple matches nothing);
- ``added_after`` / ``added_before``: a half-open range, after <= added_at < before
  (naive datetimes count as UTC);
- ``tags``: the chunk carries every one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from aiwriter_kernel.research.models import SearchFilters

if TYPE_CHECKING:
    import numpy as np

# Never a database id: how "no source at all" is said to Chroma, which refuses "$in": [].
NO_SOURCE = -1

Item = TypeVar("Item")


@dataclass(frozen=True)
class Fusion:
    """How hybrid search fuses the dense and lexical rankings (weighted RRF).

    ``depth`` is how many chunks each side contributes at least (more when k is large);
    ``lexical_weight`` is the lexical list's share, the dense list getting the rest.
    """

    rrf_k: int = 60
    lexical_weight: float = 0.5
    depth: int = 40

    def __str__(self) -> str:
        return f"rrf_k={self.rrf_k} lexical_weight={self.lexical_weight} depth={self.depth}"


# Chosen by 5-fold cross-validation on Cranfield (benchmarks/retrieval_quality.py; figures in
# benchmarks/RESULTS.md), kept to what the folds agreed on rather than the single best cell:
# every fold picked a small k (5-20, not the textbook 60: the top ranks of either side are
# worth trusting), a lexical share around one half (0.4-0.6, so equal weights, no side
# favoured on a collection we have not seen) and a pool of 80 or more per side.
FUSION = Fusion(rrf_k=10, lexical_weight=0.5, depth=80)


def fuse(rankings: Mapping[str, Sequence[str]], fusion: Fusion = FUSION) -> list[tuple[str, float]]:
    """The "dense" and/or "lexical" rankings fused as ``fusion`` says, best first."""
    weights = {"dense": 1.0 - fusion.lexical_weight, "lexical": fusion.lexical_weight}
    return reciprocal_rank_fusion(
        list(rankings.values()),
        fusion.rrf_k,
        [weights[name] for name in rankings],
    )


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Fuse ranked id lists: each id scores the sum of w / (k + rank) over lists, rank from 1.

    ``k`` damps the weight of the very top ranks (60 is the value of Cormack et al., 2009);
    ``weights`` (one per list, default all 1) let one list count more than another.
    An id repeated within one list counts once, at its best rank. Ties keep the order in which
    ids were first seen, so the result is deterministic.
    """
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("give one weight per ranking")
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        seen: set[str] = set()
        for rank, item in enumerate(ranking, start=1):
            if item in seen:
                continue
            seen.add(item)
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: pair[1], reverse=True)


def cap_per_source(
    items: Sequence[Item], source_of: Callable[[Item], Hashable], per_source: int, limit: int
) -> list[Item]:
    """The first ``limit`` items in order, keeping at most ``per_source`` of any one source.

    Applied after fusion, so a document with many matching chunks cannot fill a top-k that
    other documents also answer; each kept item is still the exact chunk that ranked.
    ``per_source=0`` means no cap.
    """
    if per_source < 0:
        raise ValueError("per_source must be 0 (no cap) or more")
    kept: list[Item] = []
    counts: dict[Hashable, int] = {}
    for item in items:
        if len(kept) >= limit:
            break
        source = source_of(item)
        if per_source and counts.get(source, 0) >= per_source:
            continue
        counts[source] = counts.get(source, 0) + 1
        kept.append(item)
    return kept


def mmr(
    query_vec: np.ndarray | Sequence[float],
    candidate_vecs: np.ndarray | Sequence[Sequence[float]],
    ids: Sequence[str],
    k: int,
    lambda_: float = 0.7,
) -> list[str]:
    """Maximal marginal relevance: pick ``k`` ids that are relevant yet not redundant.

    Each step takes the candidate maximising
    ``lambda_ * sim(query, c) - (1 - lambda_) * max(sim(c, s) for s already picked)``,
    with cosine similarity. ``lambda_ = 1`` is plain relevance order; lower values favour
    variety, so several near-identical chunks do not crowd out other evidence.
    """
    import numpy as np

    if len(ids) == 0 or k <= 0:
        return []
    vectors = _unit_rows(np.asarray(candidate_vecs, dtype=np.float64))
    if vectors.shape[0] != len(ids):
        raise ValueError("candidate_vecs must have one row per id")
    query = _unit_rows(np.asarray(query_vec, dtype=np.float64).reshape(1, -1))[0]
    relevance = vectors @ query
    pairwise = vectors @ vectors.T
    redundancy = np.full(len(ids), -np.inf)  # max similarity to anything picked so far
    available = np.ones(len(ids), dtype=bool)
    picked: list[int] = []
    for _ in range(min(k, len(ids))):
        penalty = np.where(np.isfinite(redundancy), redundancy, 0.0)
        score = lambda_ * relevance - (1.0 - lambda_) * penalty
        score[~available] = -np.inf
        best = int(np.argmax(score))
        picked.append(best)
        available[best] = False
        redundancy = np.maximum(redundancy, pairwise[best])
    return [ids[index] for index in picked]


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    import numpy as np

    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def unix_seconds(moment: datetime) -> float:
    """Seconds since the epoch; a naive datetime counts as UTC, as the database's times are."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def filters_to_where(filters: SearchFilters | None) -> dict[str, Any] | None:
    """The Chroma ``where`` clause for ``filters``, or None when nothing is filtered."""
    if filters is None:
        return None
    clauses: list[dict[str, Any]] = []
    if filters.source_ids is not None:
        sources = [int(source) for source in filters.source_ids] or [NO_SOURCE]
        clauses.append({"source_id": {"$in": sources}})
    if filters.added_after is not None:
        clauses.append({"added_at": {"$gte": unix_seconds(filters.added_after)}})
    if filters.added_before is not None:
        clauses.append({"added_at": {"$lt": unix_seconds(filters.added_before)}})
    for tag in filters.tags or ():
        clauses.append({"tags": {"$contains": tag}})
    if not clauses:
        return None
    # Chroma wants $and to hold at least two clauses.
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def passes(filters: SearchFilters | None, metadata: Mapping[str, Any]) -> bool:
    """Whether a chunk with this metadata meets ``filters``: ``filters_to_where`` in Python."""
    if filters is None:
        return True
    if filters.source_ids is not None and metadata.get("source_id") not in filters.source_ids:
        return False
    added_at = metadata.get("added_at")
    if filters.added_after is not None and (
        added_at is None or added_at < unix_seconds(filters.added_after)
    ):
        return False
    if filters.added_before is not None and (
        added_at is None or added_at >= unix_seconds(filters.added_before)
    ):
        return False
    tags = metadata.get("tags") or ()
    return all(tag in tags for tag in filters.tags or ())
