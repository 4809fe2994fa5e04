"""Read a topics CSV into batch rows.

File-level problems (no ``topic`` column, not UTF-8, empty, not CSV, more rows than the
``max_batch_rows`` setting allows) stop the run with one ``ValidationError`` before
anything is registered. Row-level problems (an empty topic, a repeated id, a bad
``words``) only fail that row: the row is still registered, with its reason, so the
report lists it and the other rows go on.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.pipelines.article_models import ARTICLE_FORMATS

REQUIRED_COLUMN = "topic"
OPTIONAL_COLUMNS = ("id", "format", "keywords", "audience", "tone", "words", "persona")
MIN_WORDS, MAX_WORDS = 150, 6000  # the bounds ArticleRequest accepts
MAX_KEY_LENGTH = 200
MAX_ROWS_SETTING = "AIWRITER_MAX_BATCH_ROWS"  # named in the too-many-rows message


class TopicRow(BaseModel):
    """One data row: its key, where it came from, the article fields, or why it is unusable."""

    model_config = ConfigDict(frozen=True)

    row_key: str
    line: int
    topic: str
    params: dict[str, Any]
    error: str | None = None


class TopicsFile(BaseModel):
    """A parsed topics file; ``digest`` names its content so a re-run finds the same run."""

    model_config = ConfigDict(frozen=True)

    path: str
    digest: str
    rows: list[TopicRow]


def read_topics(path: str | Path, *, max_rows: int | None = None) -> TopicsFile:
    """Parse ``path``; a ``ValidationError`` for a file that cannot be used at all,
    including one with more than ``max_rows`` data rows (None: no limit)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValidationError(f"cannot read topics file {path}: {error.strerror}") from None
    return parse_topics(data, str(path), max_rows=max_rows)


def parse_topics(data: bytes, path: str, *, max_rows: int | None = None) -> TopicsFile:
    """Parse the bytes of a topics CSV; ``path`` names it in messages (an upload's own
    name, so it can be checked before anything is written)."""
    text = _decode(data, path)
    rows = _parse(text, path, max_rows)
    return TopicsFile(path=path, digest=hashlib.sha256(data).hexdigest(), rows=rows)


def _decode(data: bytes, path: str) -> str:
    if not data.strip():
        raise ValidationError(f"{path} is empty: it needs a header line with a 'topic' column")
    if b"\x00" in data:
        raise ValidationError(f"{path} is not a CSV file (it contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        raise ValidationError(
            f"{path} is not UTF-8: byte 0x{byte:02x} at offset {error.start} (line {line}); "
            "save it as UTF-8"
        ) from None


def _parse(text: str, path: str, max_rows: int | None) -> list[TopicRow]:
    """The data rows; past ``max_rows`` they are only counted, for the message."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = _header(next(reader, []), path)
        rows: list[TopicRow] = []
        seen: dict[str, int] = {}
        count = 0
        start = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                count += 1
                if max_rows is None or count <= max_rows:
                    rows.append(_row(header, cells, start, seen))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ValidationError(f"{path} is not valid CSV: line {reader.line_num}: {error}") from None
    if max_rows is not None and count > max_rows:
        raise ValidationError(
            f"{path} has {count:,} rows, more than the {max_rows:,} a batch may have "
            f"({MAX_ROWS_SETTING}); split it into smaller files"
        )
    return rows


def _header(cells: list[str], path: str) -> list[str]:
    header = [cell.strip().lower() for cell in cells]
    if REQUIRED_COLUMN not in header:
        found = ", ".join(repr(c) for c in header if c) or "nothing"
        raise ValidationError(f"{path} has no 'topic' column (its header has {found})")
    unknown = [c for c in header if c not in (REQUIRED_COLUMN, *OPTIONAL_COLUMNS)]
    if unknown:
        known = ", ".join((REQUIRED_COLUMN, *OPTIONAL_COLUMNS))
        raise ValidationError(
            f"{path}: unknown column(s) {', '.join(map(repr, unknown))}; the columns are {known}"
        )
    if len(set(header)) != len(header):
        raise ValidationError(f"{path}: a column name appears twice in the header")
    return header


def _row(header: list[str], cells: list[str], line: int, seen: dict[str, int]) -> TopicRow:
    values = {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(header)}
    key = values.get("id") or str(line)
    topic = " ".join(values[REQUIRED_COLUMN].split())
    error = _row_error(values, header, cells, key)
    if key in seen:
        error = error or f"duplicate id {key!r} (first used on line {seen[key]})"
        key = f"{key}@line{line}"  # keys are unique per run; this one stays traceable
    else:
        seen[key] = line
    params = _params(values) if error is None else {}
    return TopicRow(row_key=key, line=line, topic=topic, params=params, error=error)


def _row_error(values: dict[str, str], header: list[str], cells: list[str], key: str) -> str | None:
    if len(cells) > len(header):
        return f"the row has {len(cells)} fields but the header has {len(header)}"
    if len(key) > MAX_KEY_LENGTH - 20:
        return f"the id is longer than {MAX_KEY_LENGTH - 20} characters"
    if not values[REQUIRED_COLUMN].strip():
        return "the topic is empty"
    words = values.get("words", "")
    if words and not (words.isdigit() and MIN_WORDS <= int(words) <= MAX_WORDS):
        return f"words must be a whole number from {MIN_WORDS} to {MAX_WORDS}, not {words!r}"
    article_format = values.get("format", "")
    if article_format and article_format not in ARTICLE_FORMATS:
        return f"unknown format {article_format!r}: use one of {', '.join(ARTICLE_FORMATS)}"
    return None


def _params(values: dict[str, str]) -> dict[str, Any]:
    """The article fields the template takes; absent cells are left to its defaults."""
    keywords = [k.strip() for k in values.get("keywords", "").split(";") if k.strip()]
    params: dict[str, Any] = {"keywords": keywords}
    for name in ("format", "audience", "tone", "persona"):
        if values.get(name):
            params[name] = values[name]
    if values.get("words"):
        params["words"] = int(values["words"])
    return params
