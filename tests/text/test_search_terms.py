"""The keyword-search tokenizer: stems, hyphens, numbers, stop words, index/query agreement."""

from __future__ import annotations

from aiwriter_kernel.research.lexical import LexicalIndex
from aiwriter_kernel.text.search_terms import search_terms


def test_inflections_of_a_word_share_one_term() -> None:
    assert search_terms("running") == search_terms("runs") == search_terms("run")
    assert search_terms("Studies") == search_terms("study")


def test_a_hyphenated_word_gives_its_parts_and_the_whole() -> None:
    assert search_terms("boundary-layer") == ["boundari", "layer", "boundarylay"]
    # the joined form is what someone typing it without the hyphen gets
    assert search_terms("boundarylayer") == ["boundarylay"]


def test_stop_word_parts_drop_but_the_whole_keeps_them() -> None:
    assert search_terms("state-of-the-art") == ["state", "art", "stateoftheart"]


def test_numbers_and_codes_are_kept() -> None:
    assert search_terms("In 1990 the F-16 flew at Mach 2.5") == [
        "1990",
        "f",
        "16",
        "f16",
        "flew",
        "mach",
        "2.5",
    ]


def test_stop_words_and_case_are_ignored() -> None:
    assert search_terms("What are THE effects of it?") == ["effect"]
    assert search_terms("the of and") == []
    assert search_terms("") == []


def test_curly_and_straight_apostrophes_agree() -> None:
    assert search_terms("O\u2019Brien\u2019s notes") == search_terms("O'Brien's notes")
    assert search_terms("O'Brien's notes") == ["obrien", "note"]


def test_the_index_and_the_query_tokenise_alike() -> None:
    index = LexicalIndex.from_texts(
        ["wing", "engine", "year"],
        [
            "Runners measured the boundary-layer over a swept wing.",
            "Jet engines and their noise.",
            "Results from the 1957 tests.",
        ],
    )
    assert [hit for hit, _ in index.search("running boundary layers", 3)] == ["wing"]
    assert [hit for hit, _ in index.search("boundarylayer", 3)] == ["wing"]
    assert [hit for hit, _ in index.search("engine", 3)] == ["engine"]
    assert [hit for hit, _ in index.search("1957", 3)] == ["year"]
    assert index.search("the of what", 3) == []
