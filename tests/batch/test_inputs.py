"""Topics CSV parsing: file-level errors stop the run, row-level errors fail only their row."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiwriter_kernel.batch.inputs import read_topics
from aiwriter_kernel.errors import ValidationError


def _csv(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "topics.csv"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_rows_get_their_fields_and_default_keys(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "topic,keywords,words,format,audience\n"
        "  Readable   headlines ,readability; headlines ;,300,how-to,editors\n"
        "Short paragraphs,,,,\n",
    )
    topics = read_topics(path)
    first, second = topics.rows
    assert (first.row_key, first.line, first.topic) == ("2", 2, "Readable headlines")
    assert first.params == {
        "keywords": ["readability", "headlines"],
        "words": 300,
        "format": "how-to",
        "audience": "editors",
    }
    assert (second.row_key, second.params, second.error) == ("3", {"keywords": []}, None)


def test_the_digest_follows_the_content(tmp_path: Path) -> None:
    one = read_topics(_csv(tmp_path, "topic\nA\n")).digest
    assert read_topics(_csv(tmp_path, "topic\nA\n")).digest == one
    assert read_topics(_csv(tmp_path, "topic\nB\n")).digest != one


def test_a_missing_topic_column_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"no 'topic' column.*'title'"):
        read_topics(_csv(tmp_path, "id,title\n1,Readable headlines\n"))


def test_non_utf8_bytes_are_located(tmp_path: Path) -> None:
    content = b"topic\nReadable headlines\nCaf\xe9 culture\n"
    with pytest.raises(ValidationError, match=r"not UTF-8: byte 0xe9 at offset 28 \(line 3\)"):
        read_topics(_csv(tmp_path, content))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"  \n\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV file"),
        ('topic\n"unclosed quote, here\n', "not valid CSV"),
        ("topic,colour\nA,red\n", "unknown column"),
    ],
)
def test_unusable_files_are_rejected(tmp_path: Path, content: str | bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        read_topics(_csv(tmp_path, content))


def test_bad_rows_fail_alone(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "id,topic,words,format\n"
        "a,Readable headlines,,\n"
        "b,   ,,\n"
        "a,Another topic,,\n"
        "c,Too long,lots,\n"
        "d,Too short,20,\n"
        "e,Odd format,,poem\n"
        "f,Fine,600,faq\n",
    )
    rows = {row.row_key: row for row in read_topics(path).rows}
    assert rows["a"].error is None
    assert rows["b"].error == "the topic is empty"
    assert rows["a@line4"].error == "duplicate id 'a' (first used on line 2)"
    assert "words must be a whole number" in rows["c"].error
    assert "'20'" in rows["d"].error
    assert "unknown format 'poem'" in rows["e"].error
    assert rows["f"].error is None and rows["f"].params["words"] == 600


def test_blank_lines_are_ignored_and_lines_counted(tmp_path: Path) -> None:
    rows = read_topics(_csv(tmp_path, 'topic\n\nFirst\n\n"Multi\nline"\nLast\n')).rows
    assert [(r.row_key, r.topic) for r in rows] == [
        ("3", "First"),
        ("5", "Multi line"),
        ("7", "Last"),
    ]


def test_a_file_with_more_rows_than_the_limit_is_refused_with_its_count(tmp_path: Path) -> None:
    path = _csv(tmp_path, "topic\n" + "".join(f"Topic {n}\n\n" for n in range(5)))
    with pytest.raises(ValidationError) as caught:
        read_topics(path, max_rows=3)
    assert str(caught.value) == (
        f"{path} has 5 rows, more than the 3 a batch may have (AIWRITER_MAX_BATCH_ROWS); "
        "split it into smaller files"
    )
    at_the_limit = read_topics(path, max_rows=5).rows  # blank lines are not rows
    assert [row.topic for row in at_the_limit] == [f"Topic {n}" for n in range(5)]
