"""Where the notebooks are, shared by the notebook tests; ``strip_outputs`` imported by path
because ``notebooks/`` is a folder of documents, not a package."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "artifacts" / "notebooks"


def numbered_notebooks() -> list[Path]:
    """The tutorial notebooks a new user walks through: notebooks/0*.ipynb."""
    return sorted(NOTEBOOKS.glob("0*.ipynb"))


def load_strip_outputs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("strip_outputs", NOTEBOOKS / "strip_outputs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
