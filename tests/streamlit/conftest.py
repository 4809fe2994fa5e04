"""Homes and helpers for the Streamlit app's tests.

Pages run in-process through ``streamlit.testing.v1.AppTest``; the app opens its workbench
from ``AIWRITER_HOME`` like it would in production, so each test points that variable at a
home of its own, and the cached workbenches are closed and forgotten after each test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def _forget_cached_workbenches() -> Iterator[None]:
    """Each test's app opens its own home; close the workbenches it cached."""
    yield
    st.cache_resource.clear()
