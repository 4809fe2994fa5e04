"""Group the on-topic evidence into sections, one subject each.

The unit is a paragraph of a source: writers give a paragraph one idea, so it is the
smallest piece that has a subject. Three signals: the paragraph's own embedding (what it
means; the planner embeds each, see ``plan._Paragraphs``), its own words weighed by
TF-IDF (what tells it apart from a paragraph of similar meaning), and
its place (a document treats a subject in one stretch, so neighbouring paragraphs of one
source belong together unless their content says otherwise, the idea behind TextTiling).
Average-linkage clustering over the combined similarity uses all three; the number of
sections, unless the writer fixed it, is the one whose grouping separates best
(silhouette). When the topic names its aspects, each paragraph goes to the aspect it
matches best instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aiwriter_kernel.text.words import cosine

if TYPE_CHECKING:
    import numpy as np

MEANING_WEIGHT = 0.5  # the rest is the paragraphs' own words
NEIGHBOUR_PULL = 0.1  # added to the similarity of consecutive paragraphs of one source


def similarity(
    vectors: np.ndarray,
    term_vectors: Sequence[dict[str, float]],
    places: Sequence[tuple[int, int]],
) -> np.ndarray:
    """Pairwise similarity of paragraphs: meaning and words blended, neighbours pulled
    together. ``vectors`` are unit rows; ``places`` are (source id, paragraph number)."""
    import numpy as np

    size = len(places)
    words = np.array(
        [[cosine(term_vectors[i], term_vectors[j]) for j in range(size)] for i in range(size)]
    )
    combined = MEANING_WEIGHT * (vectors @ vectors.T) + (1 - MEANING_WEIGHT) * words
    for i, (source_i, paragraph_i) in enumerate(places):
        for j, (source_j, paragraph_j) in enumerate(places):
            if source_i == source_j and abs(paragraph_i - paragraph_j) == 1:
                combined[i, j] += NEIGHBOUR_PULL
    return combined


def cluster(similar: np.ndarray, count: int | None, most: int) -> list[int]:
    """A group number for each paragraph: ``count`` groups, or (None) the number from 2 to
    ``most`` whose grouping has the best silhouette. Deterministic for the same input."""
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    size = len(similar)
    if size <= 2 or (count is not None and count <= 1) or most <= 1:
        return [0] * size
    distance = np.clip(1.0 - (similar + similar.T) / 2, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    if count is not None:
        return _renumbered(fcluster(tree, t=min(count, size), criterion="maxclust").tolist())
    best: tuple[float, list[int]] = (-2.0, [0] * size)
    for candidate in range(2, min(most, size - 1) + 1):
        labels = fcluster(tree, t=candidate, criterion="maxclust").tolist()
        score = _silhouette(distance, labels)
        if score > best[0] + 1e-9:
            best = (score, labels)
    return _renumbered(best[1])


def _silhouette(distance: np.ndarray, labels: list[int]) -> float:
    """Mean silhouette of a grouping (how much nearer each paragraph is to its own group
    than to the next one); -1 when there is only one group."""
    from sklearn.metrics import silhouette_score

    if len(set(labels)) < 2:
        return -1.0
    return float(silhouette_score(distance, labels, metric="precomputed"))


def assign_to_aspects(
    vectors: np.ndarray,
    aspects: np.ndarray,
    term_vectors: Sequence[dict[str, float]],
    aspect_terms: Sequence[dict[str, float]],
) -> list[int]:
    """The aspect each paragraph matches best, by meaning and words blended as in
    ``similarity`` (``aspects``: unit rows; ``aspect_terms``: their TF-IDF vectors)."""
    import numpy as np

    if len(vectors) == 0:
        return []
    words = np.array([[cosine(t, a) for a in aspect_terms] for t in term_vectors])
    combined = MEANING_WEIGHT * (vectors @ aspects.T) + (1 - MEANING_WEIGHT) * words
    return [int(index) for index in combined.argmax(axis=1)]


def merge_small(
    labels: list[int], similar: np.ndarray, sizes: Sequence[int], least: int
) -> list[int]:
    """Groups whose evidence has fewer than ``least`` words join the group they are most
    similar to on average: a section of one stray sentence is not a section."""
    labels = list(labels)
    while len(set(labels)) > 1:
        totals: dict[int, int] = {}
        for label, words in zip(labels, sizes, strict=True):
            totals[label] = totals.get(label, 0) + words
        smallest = min(totals, key=lambda label: (totals[label], label))
        if totals[smallest] >= least:
            break
        nearest = max(
            (label for label in totals if label != smallest),
            key=lambda other, current=labels: _affinity(similar, current, smallest, other),
        )
        labels = [nearest if label == smallest else label for label in labels]
    return _renumbered(labels)


def _affinity(similar: np.ndarray, labels: list[int], group: int, other: int) -> float:
    """The mean similarity between the paragraphs of two groups."""
    members = [i for i, label in enumerate(labels) if label == group]
    others = [j for j, label in enumerate(labels) if label == other]
    return float(similar[members][:, others].mean())


def _renumbered(labels: Sequence[int]) -> list[int]:
    """Labels as 0, 1, 2... in order of first appearance."""
    mapping: dict[int, int] = {}
    return [mapping.setdefault(int(label), len(mapping)) for label in labels]
