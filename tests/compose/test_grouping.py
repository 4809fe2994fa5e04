"""Grouping paragraphs into sections: by meaning, words and place, deterministically."""

from __future__ import annotations

import numpy as np

from aiwriter_kernel.compose.grouping import assign_to_aspects, cluster, merge_small, similarity
from aiwriter_kernel.text.words import TermWeights, terms

TEXTS = [
    "Tea bushes grow on hillsides in acidic soil with steady rain.",
    "Growers prune the bushes low and pick the young shoots.",
    "Water just off the boil suits black tea; steep it three minutes.",
    "Green tea wants cooler water and a shorter steep to avoid bitterness.",
    "Hillside gardens with rain and acidic soil grow the finest bushes.",
    "A longer steep in hot water makes any tea bitter and astringent.",
]
# Made-up unit vectors: 0, 1 and 4 point one way (growing), 2, 3 and 5 another (brewing).
DIRECTIONS = np.array([[1, 0.1], [0.9, 0.2], [0.1, 1], [0.2, 0.9], [1, 0.15], [0.15, 1]])


def _inputs():
    vectors = DIRECTIONS / np.linalg.norm(DIRECTIONS, axis=1, keepdims=True)
    weights = TermWeights(terms(text) for text in TEXTS)
    term_vectors = [weights.vector(terms(text)) for text in TEXTS]
    places = [(1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (3, 0)]
    return vectors, term_vectors, places, weights


def test_paragraphs_about_one_subject_end_up_together() -> None:
    vectors, term_vectors, places, _ = _inputs()
    similar = similarity(vectors, term_vectors, places)
    for count in (2, None):  # fixed, or chosen by silhouette
        labels = cluster(similar, count, most=4)
        assert labels[0] == labels[1] == labels[4]
        assert labels[2] == labels[3] == labels[5]
        assert labels[0] != labels[2]
    assert cluster(similar, None, most=4) == cluster(similar, None, most=4)


def test_neighbouring_paragraphs_of_a_source_are_pulled_together() -> None:
    vectors, term_vectors, places, _ = _inputs()
    apart = similarity(vectors, term_vectors, [(n, 0) for n in range(6)])
    together = similarity(vectors, term_vectors, places)
    assert together[0, 1] > apart[0, 1]
    assert together[0, 4] == apart[0, 4]


def test_paragraphs_go_to_the_aspect_they_are_about() -> None:
    vectors, term_vectors, _, weights = _inputs()
    aspects = np.array([[1.0, 0.0], [0.0, 1.0]])
    queries = [weights.vector(terms("how tea is grown")), weights.vector(terms("brewing tea"))]
    assert assign_to_aspects(vectors, aspects, term_vectors, queries) == [0, 0, 1, 1, 0, 1]


def test_a_group_too_small_to_be_a_section_joins_its_nearest() -> None:
    vectors, term_vectors, places, _ = _inputs()
    similar = similarity(vectors, term_vectors, places)
    merged = merge_small([0, 0, 1, 1, 0, 2], similar, [30, 30, 30, 30, 30, 5], least=20)
    assert merged == [0, 0, 1, 1, 0, 1]
