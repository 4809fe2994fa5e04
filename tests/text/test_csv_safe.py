"""A text cell a spreadsheet would run as a formula gets a leading quote; nothing else changes."""

from __future__ import annotations

import pytest
from support import FORMULA_CELLS

from aiwriter_kernel.text.csv_safe import safe_cell, safe_record, safe_row


@pytest.mark.parametrize("text", FORMULA_CELLS)
def test_a_formula_becomes_text(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["Bread", "", " =not first", "a-b", "'quoted", "2+3", -3, 0.5, 812, None]
)
def test_other_cells_are_unchanged(value: object) -> None:
    assert safe_cell(value) == value
    assert type(safe_cell(value)) is type(value)  # a negative number stays a number


def test_rows_and_records_are_made_safe_cell_by_cell() -> None:
    assert safe_row(["=1", -3, "x"]) == ["'=1", -3, "x"]
    assert safe_record({"topic": "@me", "words": -3}) == {"topic": "'@me", "words": -3}
