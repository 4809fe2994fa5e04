"""Long runs of spaces in a product bullet, before a citation or in a source heading are read
in linear time (issue 14): patterns tried from each space of a run took quadratic time."""

from __future__ import annotations

import pytest

from aiwriter_kernel.channels.product import bullet_of
from aiwriter_kernel.compose.evidence import SourceLayout
from aiwriter_kernel.compose.sentence_pool import CITATION

GAP = " " * 400_000


@pytest.mark.timeout(60)
def test_a_feature_and_its_benefit_are_split_after_a_long_gap() -> None:
    bullet = bullet_of(f"Fast{GAP}- saves an hour")
    assert (bullet.feature, bullet.benefit) == ("Fast", "saves an hour")
    plain = bullet_of(f"Fast{GAP}start")
    assert (plain.feature, plain.benefit) == ("", f"Fast{GAP}start")


@pytest.mark.timeout(60)
def test_citations_after_a_long_gap_are_dropped() -> None:
    assert CITATION.sub("", f"Bread{GAP}rises{GAP}[1, 2].{GAP}x") == f"Bread{GAP}rises.{GAP}x"


@pytest.mark.timeout(60)
def test_source_headings_with_a_long_gap_are_found_in_linear_time() -> None:
    text = f"# Bread{GAP}rises ##{GAP}\n\nText.\n\n## Rye\n"
    layout = SourceLayout.of(text)
    assert layout.headings == ((0, f"Bread{GAP}rises"), (text.index("## Rye"), "Rye"))
