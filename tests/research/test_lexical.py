"""BM25 keyword search: tokenising, ranking, filters and the per-revision cache."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime

import pytest

from aiwriter_kernel.research.hybrid import passes
from aiwriter_kernel.research.lexical import LexicalCache, LexicalIndex, tokenize
from aiwriter_kernel.research.models import SearchFilters
from aiwriter_kernel.text.search_terms import SEARCH_TERMS_VERSION, search_terms

DOCS = {
    "garden": "Composting kitchen scraps turns them into rich soil for the garden.",
    "markets": "Stock markets fell sharply as investors worried about interest rates.",
    "writers": "Writers revise their drafts many times before publishing.",
    "zettel": "The Zettelkasten method links small notes into a web of ideas.",
    "soil": "Healthy soil holds water and feeds plants through the dry season.",
}


@pytest.fixture
def index() -> LexicalIndex:
    return LexicalIndex.from_texts(list(DOCS), list(DOCS.values()))


def test_tokenize_is_the_search_terms_tokenizer() -> None:
    curly = "Writers\u2019 indexing \u2014 it\u2019s the WRITER's index, e.g. X-rays!"
    samples = [*DOCS.values(), curly, ""]
    for sample in samples:
        assert tokenize(sample) == search_terms(sample)


def test_tokenize_drops_stop_words_and_stems() -> None:
    assert tokenize("The writers are indexing notes") == ["writer", "index", "note"]


def test_the_document_with_the_exact_rare_term_ranks_first(index: LexicalIndex) -> None:
    hits = index.search("zettelkasten", 3)
    assert [chunk_id for chunk_id, _ in hits] == ["zettel"]
    assert hits[0][1] > 0


def test_ranking_prefers_more_matching_terms(index: LexicalIndex) -> None:
    hits = index.search("compost soil garden", 5)
    assert [chunk_id for chunk_id, _ in hits] == ["garden", "soil"]
    assert hits[0][1] > hits[1][1]


def test_query_and_documents_are_stemmed_alike(index: LexicalIndex) -> None:
    assert index.search("writer draft", 1)[0][0] == "writers"


def test_k_is_capped_and_non_matching_chunks_are_left_out(index: LexicalIndex) -> None:
    assert len(index.search("soil", 100)) == 2
    assert index.search("soil", 0) == []
    assert index.search("soil", 1) == [index.search("soil", 2)[0]]


def test_queries_without_known_terms_find_nothing(index: LexicalIndex) -> None:
    assert index.search("the and of", 5) == []
    assert index.search("quasar", 5) == []
    assert index.search("", 5) == []


def test_an_empty_corpus_finds_nothing() -> None:
    assert LexicalIndex.from_texts([], []).search("anything", 5) == []
    assert LexicalIndex.from_texts(["a"], ["the of and"]).search("the", 5) == []
    assert len(LexicalIndex()) == 0


def test_rebuilding_replaces_the_corpus(index: LexicalIndex) -> None:
    index.build(["new"], ["Quasars are distant galaxies."])
    assert index.search("quasar", 5)[0][0] == "new"
    assert index.search("soil", 5) == []
    assert len(index) == 1


def test_ties_are_ordered_by_position() -> None:
    index = LexicalIndex.from_texts(["b", "a", "c"], ["apple pie", "apple pie", "banana"])
    assert [chunk_id for chunk_id, _ in index.search("apple", 5)] == ["b", "a"]


def test_filters_skip_chunks_and_still_fill_k() -> None:
    ids = [f"c{i}" for i in range(20)]
    texts = ["soil " * (20 - i) + "filler words" for i in range(20)]
    metadatas = [{"source_id": i % 2, "added_at": float(i)} for i in range(20)]
    index = LexicalIndex.from_texts(ids, texts, metadatas)
    hits = index.search("soil", 3, filters=SearchFilters(source_ids=(1,)))
    assert [chunk_id for chunk_id, _ in hits] == ["c1", "c3", "c5"]
    assert index.search("soil", 3, filters=SearchFilters(source_ids=(7,))) == []


def test_filtered_search_agrees_with_passes() -> None:
    rng = random.Random(3)
    words = ["soil", "compost", "worm", "garden", "water"]
    ids, texts, metadatas = [], [], []
    for n in range(300):
        ids.append(f"c{n}")
        texts.append(" ".join(rng.choices(words, k=rng.randint(1, 6))))
        metadata: dict = {"source_id": rng.randint(1, 6), "added_at": float(rng.randint(0, 99))}
        if rng.random() < 0.1:
            del metadata["added_at"]  # a chunk without a date passes no date filter
        if tags := rng.sample(["a", "b", "c"], rng.randint(0, 2)):
            metadata["tags"] = tags
        metadatas.append(metadata)
    index = LexicalIndex.from_texts(ids, texts, metadatas)
    everything = dict(index.search("soil compost", len(ids)))
    by_id = dict(zip(ids, metadatas, strict=True))
    cases = [
        SearchFilters(source_ids=(2, 5)),
        SearchFilters(source_ids=()),
        SearchFilters(added_after=datetime.fromtimestamp(50, tz=UTC)),
        SearchFilters(added_before=datetime.fromtimestamp(20, tz=UTC), tags=("a",)),
        SearchFilters(source_ids=(1,), tags=("b", "c")),
    ]
    for filters in cases:
        expected = [i for i in everything if passes(filters, by_id[i])]
        hits = index.search("soil compost", len(ids), filters=filters)
        assert [chunk_id for chunk_id, _ in hits] == expected, filters


def test_filters_need_metadatas(index: LexicalIndex) -> None:
    with pytest.raises(ValueError, match="without metadatas"):
        index.search("soil", 3, filters=SearchFilters(source_ids=(1,)))


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        LexicalIndex.from_texts(["a"], ["x", "y"])


class CountingBuilder:
    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self.builds = 0

    def __call__(self) -> LexicalIndex:
        self.builds += 1
        return LexicalIndex.from_texts(list(self.texts), list(self.texts.values()))


def test_cache_builds_once_per_revision() -> None:
    cache = LexicalCache()
    build = CountingBuilder(dict(DOCS))
    first = cache.get(1, "5:100", build)
    assert cache.get(1, "5:100", build) is first
    assert build.builds == 1

    build.texts["quasar"] = "Quasars are distant galaxies."
    assert cache.get(1, "5:100", build).search("quasar", 1) == []  # same revision: stale is ok
    rebuilt = cache.get(1, "6:200", build)
    assert build.builds == 2
    assert rebuilt.search("quasar", 1)[0][0] == "quasar"


def test_an_index_built_by_another_tokenizer_version_is_rebuilt_not_searched() -> None:
    cache = LexicalCache()
    build = CountingBuilder(dict(DOCS))
    old = cache.get(1, "5:100", build)
    old.tokenizer_version = "words-terms-0"  # as an index built before search_terms
    with pytest.raises(ValueError, match="tokenizer version"):
        old.search("soil", 1)  # never matched against terms it was not built with

    rebuilt = cache.get(1, "5:100", build)  # same revision, yet rebuilt
    assert build.builds == 2 and rebuilt is not old
    assert rebuilt.tokenizer_version == SEARCH_TERMS_VERSION
    assert rebuilt.search("watering", 1)[0][0] == "soil"


def test_cache_keeps_workspaces_apart_and_evicts_the_least_recent() -> None:
    cache = LexicalCache(max_workspaces=2)
    one, two, three = (CountingBuilder({f"w{n}": "soil"}) for n in (1, 2, 3))
    assert cache.get(1, "r", one).search("soil", 1)[0][0] == "w1"
    assert cache.get(2, "r", two).search("soil", 1)[0][0] == "w2"
    cache.get(1, "r", one)  # workspace 1 is now the most recent
    cache.get(3, "r", three)  # evicts workspace 2
    cache.get(1, "r", one)
    cache.get(2, "r", two)
    assert (one.builds, two.builds, three.builds) == (1, 2, 1)
    cache.invalidate(1)
    cache.get(1, "r", one)
    assert one.builds == 2


def test_concurrent_searches_build_an_index_once() -> None:
    cache = LexicalCache()
    build = CountingBuilder(dict(DOCS))

    def slow_build() -> LexicalIndex:
        time.sleep(0.2)
        return build()

    threads = [threading.Thread(target=cache.get, args=(1, "r", slow_build)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert build.builds == 1


@pytest.mark.slow
def test_a_hundred_thousand_chunks_index_and_rank_correctly() -> None:
    """Scale, not speed (speed is benchmarks/query_latency.py): at 100k chunks a chunk holding
    a rare term still ranks first for it."""
    rng = random.Random(0)
    vocabulary = [f"term{n}" for n in range(20_000)] + ["the", "of", "and", "writers", "notes"]
    texts = [" ".join(rng.choices(vocabulary, k=100)) for _ in range(100_000)]
    texts[54_321] += " zymurgy"
    index = LexicalIndex.from_texts([f"c{i}" for i in range(len(texts))], texts)
    assert index.search("zymurgy", 10)[0][0] == "c54321"
    for _ in range(20):
        assert len(index.search(" ".join(rng.choices(vocabulary, k=5)), 10)) == 10
