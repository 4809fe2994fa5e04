"""Chunking: exact offsets on any text, sentence and paragraph boundaries, overlap, speed."""

from __future__ import annotations

import itertools
import random

import pytest

from aiwriter_kernel.research.chunking import chunk_text
from aiwriter_kernel.research.models import TextChunk

SENTENCES = [
    "Composting turns kitchen scraps into soil.",
    "Dr. Smith measured the heap at approx. 60 degrees, e.g. in the centre.",
    "Why does it smell?",
    "Too much green material!",
    "The heap needs air, water and time, so turn it every week.",
    "Worms (and bacteria) do most of the work.",
    "“Keep it moist,” the guide says.",
    "A hot heap is ready in three months; a cold one can take a year.",
]
FRAGMENTS = [
    *SENTENCES,
    "e.g.",
    "Mr.",
    "J.",
    "3.14",
    "word",
    "lowercase after. stop",
    "# Heading",
    "## Sub heading",
    "- list item",
    "1. numbered",
    "> quote",
    "```",
    "| a | b |",
    "日本語の文。次の文！",  # noqa: RUF001 - fullwidth marks are the point
    "…",
    "x" * 150,
    "https://example.org/" + "p" * 400,
    "",
]
SEPARATORS = [" ", " ", " ", "  ", "\n", "\n\n", "\r\n", "\r\n\r\n", "\t", "\n \n", ""]


def random_text(rng: random.Random) -> str:
    return "".join(
        rng.choice(FRAGMENTS) + rng.choice(SEPARATORS) for _ in range(rng.randint(0, 300))
    )


def check_invariants(text: str, chunks: list[TextChunk], max_chars: int) -> None:
    """The contract every caller relies on, whatever the text."""
    covered = bytearray(len(text))
    for ordinal, chunk in enumerate(chunks):
        assert chunk.ordinal == ordinal
        assert chunk.text == text[chunk.start : chunk.end]
        assert chunk.text.strip() == chunk.text != ""
        assert len(chunk.text) <= max_chars
        if ordinal:
            previous = chunks[ordinal - 1]
            assert chunk.start > previous.start
            assert chunk.end > previous.end
        covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
    uncovered = [char for char, seen in zip(text, covered, strict=True) if not seen]
    assert all(char.isspace() for char in uncovered)


def prose(paragraphs: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    return "\n\n".join(
        " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 7))) for _ in range(paragraphs)
    )


# --- the contract on random texts ---------------------------------------------------------------


def test_random_texts_keep_every_invariant() -> None:
    rng = random.Random(20240601)
    for _ in range(1500):
        text = random_text(rng)
        max_chars = rng.choice([100, 137, 300, 1200])
        overlap = rng.randrange(0, (max_chars + 1) // 2)
        check_invariants(
            text, chunk_text(text, max_chars=max_chars, overlap_chars=overlap), max_chars
        )


def test_empty_and_whitespace_text_give_no_chunks() -> None:
    assert chunk_text("") == []
    assert chunk_text(" \n\n\t \r\n") == []


def test_short_text_is_one_chunk_without_outer_whitespace() -> None:
    text = "\n\n  One sentence. Two sentences.  \n"
    [chunk] = chunk_text(text)
    assert (chunk.start, chunk.end, chunk.text) == (4, 32, "One sentence. Two sentences.")


@pytest.mark.parametrize(
    ("max_chars", "overlap_chars"), [(99, 0), (0, 0), (1200, -1), (1200, 600), (200, 150)]
)
def test_arguments_are_validated(max_chars: int, overlap_chars: int) -> None:
    with pytest.raises(ValueError):
        chunk_text("Some text.", max_chars=max_chars, overlap_chars=overlap_chars)


# --- boundaries -------------------------------------------------------------------------------


def test_chunks_start_and_end_on_sentence_boundaries() -> None:
    text = prose(60)
    chunks = chunk_text(text, max_chars=400, overlap_chars=100)
    assert len(chunks) > 10
    for chunk in chunks:
        assert any(chunk.text.startswith(sentence) for sentence in SENTENCES)
        assert any(chunk.text.endswith(sentence) for sentence in SENTENCES)


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    sentence = "Dr. J. Smith met Mr. Jones at approx. noon, e.g. on Mondays. "
    text = sentence * 40
    for chunk in chunk_text(text, max_chars=150, overlap_chars=0):
        assert chunk.text.endswith("on Mondays.")


def test_paragraph_breaks_are_preferred() -> None:
    paragraph = "Short sentence number one. Another short one here. And a third to close."
    text = "\n\n".join([paragraph] * 30)
    chunks = chunk_text(text, max_chars=300, overlap_chars=0)
    for chunk in chunks:
        assert chunk.text.startswith("Short sentence number one.")
        assert chunk.text.endswith("And a third to close.")


def test_a_chunk_never_ends_on_a_heading_and_sections_start_chunks() -> None:
    section = "## Section\n\n" + " ".join(SENTENCES[:4])
    text = "# Guide\n\n" + "\n\n".join([section] * 20)
    chunks = chunk_text(text, max_chars=250, overlap_chars=0)
    for chunk in chunks:
        assert not chunk.text.splitlines()[-1].startswith("#")
        assert chunk.text.startswith("#")


def test_list_items_are_boundaries() -> None:
    items = "\n".join(f"- item number {index} without a full stop" for index in range(40))
    for chunk in chunk_text(items, max_chars=120, overlap_chars=0):
        assert chunk.text.startswith("- item number")
        assert chunk.text.endswith("without a full stop")


def test_overlap_is_whole_sentences_from_the_previous_chunk() -> None:
    text = " ".join(f"Sentence number {index} is here." for index in range(200))
    chunks = chunk_text(text, max_chars=300, overlap_chars=80)
    for previous, chunk in itertools.pairwise(chunks):
        shared = previous.end - chunk.start
        assert 0 < shared <= 80
        assert chunk.text.startswith("Sentence number")
        assert previous.text.endswith(text[chunk.start : previous.end])


def test_no_overlap_when_overlap_is_zero() -> None:
    chunks = chunk_text(prose(40), max_chars=300, overlap_chars=0)
    for previous, chunk in itertools.pairwise(chunks):
        assert chunk.start > previous.end


def test_a_long_sentence_is_cut_at_whitespace_not_inside_words() -> None:
    words = [f"word{index}" for index in range(600)]
    text = " ".join(words)  # one sentence of ~5,800 characters
    chunks = chunk_text(text, max_chars=200, overlap_chars=50)
    check_invariants(text, chunks, 200)
    for chunk in chunks:
        assert all(piece in words for piece in chunk.text.split())
        assert chunk.start == 0 or text[chunk.start - 1] == " "
        assert chunk.end == len(text) or text[chunk.end] == " "


def test_a_run_without_whitespace_is_hard_cut() -> None:
    text = "Intro sentence. " + "x" * 450 + " Outro sentence."
    chunks = chunk_text(text, max_chars=100, overlap_chars=0)
    check_invariants(text, chunks, 100)
    assert [chunk.text for chunk in chunks[1:5]] == ["x" * 100] * 4
    assert chunks[5].text == "x" * 50 + " Outro sentence."


def test_cjk_sentences_split_without_spaces() -> None:
    text = "これは文です。" * 60
    chunks = chunk_text(text, max_chars=100, overlap_chars=0)
    assert len(chunks) > 1
    assert all(chunk.text.endswith("。") for chunk in chunks)


# --- speed --------------------------------------------------------------------------------------


def test_twenty_thousand_chunks_worth_of_text_is_chunked_whole() -> None:
    """Scale, not speed (ingest speed is benchmarks/ingest_throughput.py)."""
    block = prose(200, seed=1)
    text = "\n\n".join([block] * (24_000_000 // len(block)))  # ~24 MB
    chunks = chunk_text(text)
    assert len(chunks) >= 20_000
    assert chunks[-1].end == len(text)
    assert all(text[c.start : c.end] == c.text for c in chunks[::997])


@pytest.mark.timeout(60)
@pytest.mark.parametrize("stops", ["!" * 400_000, "." * 400_000, "?!" * 200_000])
def test_a_long_run_of_stops_is_cut_in_linear_time(stops: str) -> None:
    """Such a run was matched again from each of its characters: minutes at this length."""
    chunks = chunk_text(stops)
    assert "".join(chunk.text for chunk in chunks) == stops  # no overlap inside a run
    assert all(len(chunk.text) <= 1200 for chunk in chunks)
