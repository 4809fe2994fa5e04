from __future__ import annotations

from aiwriter_kernel.text.counts import counted


def test_one_is_singular_everything_else_plural() -> None:
    assert counted(1, "row") == "1 row"
    assert counted(0, "row") == "0 rows"
    assert counted(2, "row") == "2 rows"
    assert counted(1200, "word") == "1,200 words"


def test_irregular_plural() -> None:
    assert counted(1, "entry", "entries") == "1 entry"
    assert counted(3, "entry", "entries") == "3 entries"
