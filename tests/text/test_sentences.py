"""Sentence splitting keeps every character of a sentence, closing quotes and brackets too."""

from __future__ import annotations

import re

import pytest

from aiwriter_kernel.text.sentences import (
    find_headings,
    heading_text,
    leans_on_previous,
    split_sentence_spans,
    split_sentences,
    strip_markdown,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'The firm said "we stop commercial operations." Then it closed.',
            ['The firm said "we stop commercial operations."', "Then it closed."],
        ),
        (
            "It ended (see fig. 2). Next came a new plan [1].",
            ["It ended (see fig. 2).", "Next came a new plan [1]."],
        ),
        ("\u201cQuoted.\u201d Fine.", ["\u201cQuoted.\u201d", "Fine."]),
        ("She asked 'why?' Nobody knew.", ["She asked 'why?'", "Nobody knew."]),
        ("Use e.g. short words. Keep it up!", ["Use e.g. short words.", "Keep it up!"]),
    ],
)
def test_sentences_keep_their_closing_quotes_and_brackets(text, expected) -> None:
    assert split_sentences(text) == expected


def test_spans_point_at_the_whole_sentence() -> None:
    text = 'Alpha said "done." (Beta agreed.) Gamma left.'
    assert [text[a:b] for a, b in split_sentence_spans(text)] == split_sentences(text)


@pytest.mark.parametrize(
    ("sentence", "leans"),
    [
        ("This makes it harder.", True),
        ("However, most readers skim.", True),
        ("For example, a list helps.", True),
        ('"These" tools are old.', True),
        ("Thistle grows in fields.", False),
        ("Readers skim headings first.", False),
    ],
)
def test_sentences_that_point_back_are_recognised(sentence, leans) -> None:
    assert leans_on_previous(sentence) is leans


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        (
            '**Bold**, *it*, __b__ and _i_ with [a link](https://x.org "t") ![img](a.png) end.',
            "Bold, it, b and i with a link end.",
        ),
        ("See [Foo](https://en.wikipedia.org/wiki/Foo_(bar)) now.", "See Foo now."),
        ("a [b](u) [c] (d) [e [f](g)", "a b [c] (d) [e f"),
        ("# Title\n\nText with `code`.\n\n- one\n- two", "Title\n\nText with code.\n\none\ntwo"),
        ("2 * 3 * 4 and a_b_c", "2 * 3 * 4 and abc"),
    ],
)
def test_markdown_becomes_plain_text(markdown: str, plain: str) -> None:
    assert strip_markdown(markdown) == plain


# Texts on which a backtracking pattern scans on from every character: the Markdown patterns
# took time quadratic in their length (minutes at this size), the heading pattern cubic.
HALF = 200_000
UNCLOSED = {
    "nested brackets": "[" * HALF + "]" * HALF,
    "open images": "![" * HALF,
    "open link targets": "[a](" * (HALF // 2),
    "open parentheses": "(" * 2 * HALF,
    "unclosed stars": "*a " * (HALF // 2),
    "unclosed underscores": "_x " * (HALF // 2),
    "open citations": "[1," * (HALF // 2),
    "hashes": "#" * 2 * HALF,
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", UNCLOSED.values(), ids=UNCLOSED.keys())
def test_unclosed_markup_is_left_as_it_is_in_linear_time(text: str) -> None:
    assert strip_markdown(text) == text.strip()
    assert split_sentences(text) == [text.strip()]


@pytest.mark.timeout(60)
def test_closed_markup_is_stripped_in_linear_time() -> None:
    text = "x [y](z) *a* _b_ **c** ![i](j.png) " * 12_000  # 420,000 characters
    assert strip_markdown(text) == ("x y a b c " * 12_000).strip()


@pytest.mark.parametrize(
    ("raw", "text"),
    [("Title", "Title"), ("Title ##  ", "Title"), ("C#", "C"), ("A # b #", "A # b"), ("##", "#")],
)
def test_closing_hashes_are_cut_from_a_heading(raw: str, text: str) -> None:
    assert heading_text(raw) == text


@pytest.mark.timeout(60)
def test_headings_with_a_long_gap_are_found_in_linear_time() -> None:
    """The pipelines' heading patterns took seconds for a 1,500-character line like these."""
    gap = " " * 200_000
    text = f"# Bread{gap}rises\n\nBody.\n\n## Rye{gap}##{gap}\n"
    pattern = re.compile(r"^\s{0,3}#{1,3}\s+(.+)$", re.MULTILINE)
    assert find_headings(pattern, text) == [f"Bread{gap}rises", "Rye"]
