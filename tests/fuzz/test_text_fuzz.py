"""Property fuzzing of the text functions that every request and every ingest reaches.

Hypothesis generates text from two pools: any Unicode (lone surrogates included, as a JSON
``"\\udfff"`` gives one) and a small alphabet of the characters the patterns key on
(brackets, parentheses, emphasis, headings, fences, list markers), where quadratic patterns
and off-by-one offsets live. Each function must return its documented shape, never raise
anything but its own clear error, and keep the invariants callers rely on (chunk offsets
exact, sentences losing no words, CSV cells never formulas, URLs without secrets).

The run is bounded by construction: inputs are at most a few thousand characters and each
property tries a fixed number of examples, so CI time does not depend on luck. A pattern
that turned quadratic again would still finish here; the linear-time guarantees are pinned
by the size-bounded tests in tests/api/test_hostile_input.py.
"""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiwriter_kernel.analysis.markup import outline, prose
from aiwriter_kernel.analysis.report import analyze
from aiwriter_kernel.errors import AIWriterError
from aiwriter_kernel.pipelines.outline_parser import OutlineParseError, parse_outline
from aiwriter_kernel.redaction import redact_url
from aiwriter_kernel.research.chunking import chunk_text
from aiwriter_kernel.text.csv_safe import FORMULA_STARTS, safe_row
from aiwriter_kernel.text.keyphrases import extract_keyphrases
from aiwriter_kernel.text.sentences import split_sentence_spans, split_sentences

PATTERN_CHARACTERS = "[]()!*_#`~<>-+=|\\\"'.?:;/ \n\t\r1a"
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)

hostile_text = st.text(alphabet=st.sampled_from(PATTERN_CHARACTERS), max_size=3000)
any_text = st.text(alphabet=st.one_of(st.characters(), SURROGATES), max_size=1500)
fuzzed_text = st.one_of(hostile_text, any_text)

FUZZ = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@FUZZ
@given(text=fuzzed_text)
def test_sentences_keep_every_word_in_order(text: str) -> None:
    sentences = split_sentences(text)
    assert all(isinstance(s, str) and s.strip() for s in sentences)
    assert " ".join(sentences).split() == text.split()


@FUZZ
@given(text=fuzzed_text)
def test_sentence_spans_lie_inside_the_text_in_order(text: str) -> None:
    cursor = 0
    for start, end in split_sentence_spans(text):
        assert cursor <= start < end <= len(text)
        cursor = end


@FUZZ
@given(text=fuzzed_text, max_chars=st.integers(min_value=200, max_value=1500))
def test_chunks_are_exact_slices_that_cover_the_text(text: str, max_chars: int) -> None:
    chunks = chunk_text(text, max_chars=max_chars, overlap_chars=max_chars // 6)
    assert [chunk.ordinal for chunk in chunks] == list(range(len(chunks)))
    covered = [False] * len(text)
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        for index in range(chunk.start, chunk.end):
            covered[index] = True
    assert all(covered[i] for i, char in enumerate(text) if not char.isspace())


@FUZZ
@given(text=fuzzed_text)
def test_analysis_answers_or_refuses_clearly(text: str) -> None:
    try:
        report = analyze(text, keyword="content")
    except AIWriterError as error:
        assert str(error).strip()
        return
    assert report.readability.word_count >= 0


@FUZZ
@given(text=fuzzed_text)
def test_markup_readers_never_fail(text: str) -> None:
    found, kind = outline(text)
    assert kind in ("markdown", "html")
    assert isinstance(prose(text).text, str)
    assert found is not None


@FUZZ
@given(text=fuzzed_text)
def test_key_phrases_are_bounded_and_come_from_the_text(text: str) -> None:
    phrases = extract_keyphrases(text, top=10)
    assert len(phrases) <= 10
    lowered = text.casefold()
    for phrase in phrases:
        assert phrase.phrase.strip()
        assert all(word.casefold() in lowered for word in phrase.phrase.split())


@FUZZ
@given(text=fuzzed_text, labels=st.sets(st.integers(min_value=1, max_value=9), max_size=5))
def test_outline_parser_keeps_only_known_labels(text: str, labels: set[int]) -> None:
    try:
        parsed = parse_outline(text, fallback_title="Fallback", valid_labels=labels)
    except OutlineParseError as error:
        assert str(error).strip()
        return
    assert parsed.title.strip()
    for section in parsed.sections:
        assert set(section.source_labels) <= labels


@FUZZ
@given(cells=st.lists(st.one_of(fuzzed_text, st.integers(), st.floats(allow_nan=False))))
def test_csv_cells_read_back_as_text_never_formulas(cells: list) -> None:
    cells = [c for c in cells if not isinstance(c, str) or "\x00" not in c]
    buffer = io.StringIO()
    csv.writer(buffer).writerow(safe_row(cells))
    try:
        row = next(csv.reader(io.StringIO(buffer.getvalue())))
    except StopIteration:  # a row of nothing but one empty cell writes no line
        assert cells in ([], [""])
        return
    for written, original in zip(row, cells, strict=True):
        if isinstance(original, str):
            assert not written.startswith(FORMULA_STARTS)
            quoted = written != original
            assert written == ("'" + original if quoted else original)


secret = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789", min_size=8)


@FUZZ
@given(
    password=secret,
    token=secret,
    host=st.from_regex(r"[a-z]{1,12}(\.[a-z]{2,6}){0,2}", fullmatch=True),
    path=st.from_regex(r"(/[a-z0-9]{0,8}){0,3}", fullmatch=True),
    scheme=st.sampled_from(["http", "https"]),
)
def test_redacted_urls_never_carry_their_secrets(
    password: str, token: str, host: str, path: str, scheme: str
) -> None:
    url = f"{scheme}://user:{password}@{host}:8080{path}?token={token}&x=1"
    redacted = redact_url(url)
    assert password not in redacted
    assert token not in redacted
    assert host in redacted


@pytest.mark.parametrize("text", ["[" * 20_000 + "]" * 20_000, "![" * 10_000 + "](" * 10_000])
def test_the_probe_strings_are_split_without_losing_words(text: str) -> None:
    """The bracket strings of the outside probe, at its size: answered, words intact."""
    assert " ".join(split_sentences(text)).split() == text.split()
