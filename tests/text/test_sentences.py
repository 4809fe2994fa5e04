"""Sentence splitting keeps every character of a sentence, closing quotes and brackets too."""

from __future__ import annotations

import pytest

from aiwriter_kernel.text.sentences import leans_on_previous, split_sentence_spans, split_sentences


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
