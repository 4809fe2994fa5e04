"""CSV cells that a spreadsheet shows as text, never runs as a formula.

Excel, LibreOffice and Google Sheets read a cell starting with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return before one) as a formula, so a topic such as
``=HYPERLINK("http://x","y")`` in a CSV we write could run in a colleague's spreadsheet
("CSV injection"). Following OWASP, such a text cell gets a leading single quote, which
spreadsheets take as "this is text". Every CSV writer of the project passes its cells here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula;
    numbers stay numbers (a negative number is no formula, and must stay summable)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """``safe_cell`` of each value, for ``csv.writer``."""
    return [safe_cell(value) for value in values]


def safe_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """``safe_cell`` of each value, for ``csv.DictWriter``."""
    return {key: safe_cell(value) for key, value in record.items()}
