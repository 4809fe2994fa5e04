"""Heading lines are recognised alike wherever prose is cleaned of them."""

from __future__ import annotations

from aiwriter_kernel.text.headings import HEADING_LINE, without_headings


def test_atx_headings_of_any_level_are_dropped_and_nothing_else() -> None:
    text = "# Title\nProse.\n   ### Indented\n    #### code, not a heading\n#hashtag\n###### Six"
    assert without_headings(text) == ["Prose.", "    #### code, not a heading", "#hashtag"]
    assert not HEADING_LINE.match("####### seven is not a heading")
