"""Streamlit runs a page as ``__main__``, so a worker process Python spawns meanwhile (a
batch row's pool, a job) imports that page as ``__mp_main__`` before doing its work. The
page must then define itself and draw nothing: drawing in a bare process crashed the
worker ("its worker process died") and failed the batch."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from aiwriter_apps.streamlit import session

APP = Path(__file__).resolve().parents[2] / "apps" / "streamlit"
PAGES = [APP / "Home.py", *sorted((APP / "pages").glob("*.py"))]


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_a_page_imported_by_a_spawned_worker_draws_nothing(
    page: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_drawing(*_args, **_kwargs):
        raise AssertionError(f"{page.name} started drawing when imported as __mp_main__")

    monkeypatch.setattr(session, "page_header", no_drawing)
    namespace = runpy.run_path(str(page), run_name="__mp_main__")
    assert callable(namespace["main"])  # defined, not run
