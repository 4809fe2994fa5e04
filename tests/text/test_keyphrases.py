"""Key phrases name things: several-word noun phrases, no generic words, titles counted."""

from __future__ import annotations

import itertools
import time

from aiwriter_kernel.text.keyphrases import PHRASE_STOP_WORDS, extract_keyphrases

ARTICLE = """Vector databases store embeddings so that similar documents are found quickly.
A vector database still needs an approximate nearest neighbour index: the approximate
nearest neighbour index trades recall for speed, despite what vendors say. Product
quantization compresses the embeddings, and product quantization keeps memory low.
Experts say the nearest neighbour index is the part that matters. The vector database
answers in milliseconds, and despite the hype it is still a database.
"""

GENERIC = {"still", "says", "say", "despite", "part", "matters", "found", "quickly"}


def phrases(text: str, **options) -> list[str]:
    return [k.phrase for k in extract_keyphrases([text], **options)]


def test_multi_word_phrases_come_first() -> None:
    found = phrases(ARTICLE, top=5)
    assert " " in found[0]
    assert sum(" " in phrase for phrase in found) >= 4
    assert "product quantization" in found


def test_no_generic_single_words_or_stop_word_edges() -> None:
    found = phrases(ARTICLE, top=15)
    assert not GENERIC.intersection(found)
    for phrase in found:
        words = phrase.lower().split()
        assert words[0] not in PHRASE_STOP_WORDS and words[-1] not in PHRASE_STOP_WORDS
        assert not words[-1].endswith("ly"), phrase  # adverbs end no noun phrase


def test_no_phrase_crosses_punctuation_or_repeats_a_word() -> None:
    text = "UDDI registry, UDDI registry. Grid computing: grid computing; UDDI registry UDDI."
    for phrase in phrases(text, top=10):
        words = phrase.lower().split()
        assert len(set(words)) == len(words), phrase
        assert "registry grid" not in phrase.lower()


def test_the_title_counts_as_text() -> None:
    body = (
        "The approach keeps a small cache in every client. Clients fetch pages from one "
        "another before they ask the server, which lowers the latency of a commit."
    )
    without = phrases(body, top=5)
    titled = phrases(body, top=5, headings=["Cooperative caching for object stores"])
    assert "cooperative caching" not in " ".join(without)
    assert titled[0] in {"cooperative caching", "object stores"}
    assert "cooperative caching" in titled


def test_acronyms_keep_their_capitals_shouted_headings_do_not() -> None:
    text = "SCALABLE UDDI REGISTRY\n\nA scalable UDDI registry joins the DHT. " * 3
    found = phrases(text, top=5)
    assert "scalable UDDI registry" in found
    assert not any(phrase.isupper() and " " in phrase for phrase in found)


def test_the_same_input_gives_the_same_ranking() -> None:
    first = extract_keyphrases([ARTICLE], top=10)
    assert extract_keyphrases([ARTICLE], top=10) == first
    assert all(a.score >= b.score for a, b in itertools.pairwise(first))


def test_a_single_string_is_one_document() -> None:
    assert phrases(ARTICLE, top=5) == [k.phrase for k in extract_keyphrases(ARTICLE, top=5)]


def test_empty_and_wordless_input_give_nothing() -> None:
    assert extract_keyphrases([""]) == []
    assert extract_keyphrases(["... 123 !!! --- 4.5"]) == []
    assert extract_keyphrases([]) == []


def test_large_input_is_bounded() -> None:
    """Half a megabyte of varied prose: the list is still ``top`` long and comes back in
    linear time (a generous bound, for a loaded machine; the speed figure is a benchmark)."""
    words = [f"term{i % 997}x" for i in range(60_000)]
    text = ". ".join(" ".join(words[i : i + 12]) for i in range(0, len(words), 12))
    text += " " + ARTICLE * 200
    started = time.perf_counter()
    found = extract_keyphrases([text], top=10)
    assert len(found) == 10
    assert time.perf_counter() - started < 60
