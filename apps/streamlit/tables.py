"""Table columns sized for what they hold, so a short column never pushes a long one (or a
date) off the table's edge."""

from __future__ import annotations

from typing import Any, Literal

import streamlit as st

Width = Literal["small", "medium", "large"]


def sized_columns(widths: dict[str, Width]) -> dict[str, Any]:
    """``st.dataframe``'s column_config giving each named column its width."""
    return {name: st.column_config.Column(name, width=width) for name, width in widths.items()}
