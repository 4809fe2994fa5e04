"""Rank fusion, MMR and filters, on examples small enough to work out by hand."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from aiwriter_kernel.research.hybrid import (
    NO_SOURCE,
    Fusion,
    filters_to_where,
    fuse,
    mmr,
    passes,
    reciprocal_rank_fusion,
)
from aiwriter_kernel.research.models import SearchFilters

JAN_1 = datetime(2025, 1, 1, tzinfo=UTC)
FEB_1 = datetime(2025, 2, 1, tzinfo=UTC)


def test_rrf_sums_reciprocal_ranks() -> None:
    # k=1: a = 1/2; b = 1/3 + 1/2 = 5/6; c = 1/4 + 1/3 = 7/12; d = 1/4.
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]], k=1)
    assert [item for item, _ in fused] == ["b", "c", "a", "d"]
    expected = {"a": 1 / 2, "b": 5 / 6, "c": 7 / 12, "d": 1 / 4}
    for item, score in fused:
        assert score == pytest.approx(expected[item])


def test_rrf_default_k_is_60() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "b"], ["b"]]))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)


def test_rrf_counts_a_repeated_id_once_at_its_best_rank() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "b", "a"]], k=1))
    assert fused == pytest.approx({"a": 1 / 2, "b": 1 / 3})


def test_rrf_breaks_ties_by_first_appearance() -> None:
    # x and y both score 1/2 + 1/3.
    fused = reciprocal_rank_fusion([["x", "y"], ["y", "x"]], k=1)
    assert [item for item, _ in fused] == ["x", "y"]
    assert fused[0][1] == pytest.approx(fused[1][1])


def test_rrf_of_nothing_is_empty() -> None:
    assert reciprocal_rank_fusion([]) == []
    assert reciprocal_rank_fusion([[], []]) == []


def _at(degrees: float) -> list[float]:
    """A unit vector in the plane, ``degrees`` from the x axis."""
    return [math.cos(math.radians(degrees)), math.sin(math.radians(degrees))]


def test_mmr_prefers_a_different_candidate_over_a_near_duplicate() -> None:
    # Query at 0°. a at 10° and a2 at 15° are near-duplicates (cos 5° = .996); b at -40°.
    # Relevance: a .985, a2 .966, b .766. With lambda .5, after a:
    #   a2: .5 * .966 - .5 * .996 = -.015    b: .5 * .766 - .5 * cos 50° (.643) = +.062
    query = _at(0)
    vectors = [_at(10), _at(15), _at(-40)]
    ids = ["a", "a2", "b"]
    assert mmr(query, vectors, ids, k=3, lambda_=0.5) == ["a", "b", "a2"]
    assert mmr(query, vectors, ids, k=3, lambda_=1.0) == ["a", "a2", "b"]


def test_mmr_normalises_vectors_and_caps_k() -> None:
    query = np.array([2.0, 0.0])
    vectors = np.array([[0.0, 3.0], [5.0, 0.0]])
    assert mmr(query, vectors, ["up", "along"], k=10) == ["along", "up"]


def test_mmr_of_nothing_is_empty() -> None:
    assert mmr([1.0, 0.0], np.zeros((0, 2)), [], k=3) == []
    assert mmr([1.0, 0.0], [[1.0, 0.0]], ["a"], k=0) == []


def test_mmr_refuses_mismatched_ids() -> None:
    with pytest.raises(ValueError, match="one row per id"):
        mmr([1.0, 0.0], [[1.0, 0.0]], ["a", "b"], k=1)


def test_no_filters_means_no_where() -> None:
    assert filters_to_where(None) is None
    assert filters_to_where(SearchFilters()) is None
    assert filters_to_where(SearchFilters(tags=())) is None


def test_a_single_filter_is_a_bare_clause() -> None:
    # Chroma refuses an $and of fewer than two clauses.
    assert filters_to_where(SearchFilters(source_ids=(3, 5))) == {"source_id": {"$in": [3, 5]}}
    assert filters_to_where(SearchFilters(tags=("a",))) == {"tags": {"$contains": "a"}}


def test_several_filters_are_anded() -> None:
    where = filters_to_where(
        SearchFilters(source_ids=(1,), added_after=JAN_1, added_before=FEB_1, tags=("a", "b"))
    )
    assert where == {
        "$and": [
            {"source_id": {"$in": [1]}},
            {"added_at": {"$gte": JAN_1.timestamp()}},
            {"added_at": {"$lt": FEB_1.timestamp()}},
            {"tags": {"$contains": "a"}},
            {"tags": {"$contains": "b"}},
        ]
    }


def test_no_sources_matches_nothing() -> None:
    filters = SearchFilters(source_ids=())
    assert filters_to_where(filters) == {"source_id": {"$in": [NO_SOURCE]}}
    assert not passes(filters, {"source_id": 1, "added_at": 0.0})


def test_naive_datetimes_count_as_utc() -> None:
    naive = SearchFilters(added_after=datetime(2025, 1, 1))
    assert filters_to_where(naive) == {"added_at": {"$gte": JAN_1.timestamp()}}
    plus_two = timezone(timedelta(hours=2))
    aware = SearchFilters(added_after=datetime(2025, 1, 1, 2, tzinfo=plus_two))
    assert filters_to_where(aware) == {"added_at": {"$gte": JAN_1.timestamp()}}


def test_passes_uses_a_half_open_date_range() -> None:
    filters = SearchFilters(added_after=JAN_1, added_before=FEB_1)
    assert passes(filters, {"added_at": JAN_1.timestamp()})
    assert passes(filters, {"added_at": FEB_1.timestamp() - 1})
    assert not passes(filters, {"added_at": FEB_1.timestamp()})
    assert not passes(filters, {"added_at": JAN_1.timestamp() - 1})
    assert not passes(filters, {})


def test_passes_needs_every_tag() -> None:
    filters = SearchFilters(tags=("a", "b"))
    assert passes(filters, {"tags": ["a", "b", "c"]})
    assert not passes(filters, {"tags": ["a"]})
    assert not passes(filters, {})  # an untagged chunk has no "tags" key


def test_passes_by_source() -> None:
    filters = SearchFilters(source_ids=(1, 2))
    assert passes(filters, {"source_id": 2})
    assert not passes(filters, {"source_id": 3})
    assert passes(None, {})


def test_weights_let_one_ranking_count_more() -> None:
    rankings = [["dense-top", "shared"], ["lexical-top", "shared"]]
    equal = [item for item, _ in reciprocal_rank_fusion(rankings, k=1)]
    assert equal[0] == "shared"  # on both lists: 1/3 + 1/3 beats 1/2
    leaning = reciprocal_rank_fusion(rankings, k=1, weights=[0.2, 0.8])
    assert leaning[0][0] == "lexical-top"
    with pytest.raises(ValueError, match="one weight per ranking"):
        reciprocal_rank_fusion(rankings, weights=[1.0])


def test_fuse_weighs_the_sides_by_name() -> None:
    rankings = {"lexical": ["a", "b"], "dense": ["b", "a"]}
    assert [item for item, _ in fuse(rankings, Fusion(rrf_k=1, lexical_weight=0.9))] == ["a", "b"]
    assert [item for item, _ in fuse(rankings, Fusion(rrf_k=1, lexical_weight=0.1))] == ["b", "a"]
