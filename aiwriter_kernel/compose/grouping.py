"""Group the on-topic evidence into sections, one subject each, with the stored vectors.

Two signals, both principled for text: chunks about the same subject have similar
embeddings, and a document treats a subject in one stretch, so neighbouring chunks of one
source belong together unless their content says otherwise (the idea behind TextTiling).
Average-linkage clustering over cosine distance, with neighbours pulled closer, uses
both. When the topic names its aspects, each chunk goes to the aspect it matches best.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# How much closer two neighbouring chunks of one source are than their vectors say.
NEIGHBOUR_PULL = 0.12


def cluster_chunks(vectors: np.ndarray, places: Sequence[tuple[int, int]], count: int) -> list[int]:
    """A group number (0..count-1) for each chunk; ``vectors`` are unit rows, ``places``
    each chunk's (source id, ordinal). Deterministic for the same input."""
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    size = len(vectors)
    if size == 0:
        return []
    if count <= 1 or size == 1:
        return [0] * size
    distance = 1.0 - np.clip(vectors @ vectors.T, -1.0, 1.0)
    for i, (source_i, ordinal_i) in enumerate(places):
        for j, (source_j, ordinal_j) in enumerate(places):
            if source_i == source_j and abs(ordinal_i - ordinal_j) == 1:
                distance[i, j] -= NEIGHBOUR_PULL
    distance = np.clip((distance + distance.T) / 2, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    labels = fcluster(tree, t=min(count, size), criterion="maxclust")
    return _renumbered([int(label) for label in labels])


def assign_to_aspects(vectors: np.ndarray, aspects: np.ndarray) -> list[int]:
    """The aspect (row of ``aspects``) each chunk matches best."""
    if len(vectors) == 0:
        return []
    return [int(index) for index in (vectors @ aspects.T).argmax(axis=1)]


def merge_small(
    labels: list[int], vectors: np.ndarray, sizes: Sequence[int], least: int
) -> list[int]:
    """Groups whose evidence has fewer than ``least`` words join the group whose centroid
    is nearest: a section of one stray sentence is not a section."""
    import numpy as np

    labels = list(labels)
    while len(set(labels)) > 1:
        totals: dict[int, int] = {}
        for label, words in zip(labels, sizes, strict=True):
            totals[label] = totals.get(label, 0) + words
        smallest = min(totals, key=lambda label: (totals[label], label))
        if totals[smallest] >= least:
            break
        centroids = {
            label: vectors[[i for i, x in enumerate(labels) if x == label]].mean(axis=0)
            for label in totals
        }
        own = centroids.pop(smallest)
        nearest = max(centroids, key=lambda label: (float(np.dot(own, centroids[label])), -label))
        labels = [nearest if label == smallest else label for label in labels]
    return _renumbered(labels)


def _renumbered(labels: list[int]) -> list[int]:
    """Labels as 0, 1, 2... in order of first appearance."""
    mapping: dict[int, int] = {}
    return [mapping.setdefault(label, len(mapping)) for label in labels]
