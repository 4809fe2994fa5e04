"""Every front end goes through the Workbench: none reaches the store, the model gateway or
the knowledge base behind it.

The CLI, the API, the Streamlit app, the widgets and the notebooks' code cells are read as
syntax trees (nothing is imported or run). A module may not touch an attribute named ``db``,
``llm`` or ``kb`` of anything, nor import ``aiwriter_kernel.store``: what a front end needs is
a Workbench method (``wb.users``, ``wb.usage``, ``wb.stream_prompt``...) and record types
come from ``aiwriter_kernel.records``.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FRONT_ENDS = ("aiwriter_kernel/cli", "apps", "widgets", "notebooks")
HIDDEN_ATTRIBUTES = frozenset({"db", "llm", "kb"})
STORE = "aiwriter_kernel.store"
# file (relative to the repository) -> why it may break a rule. Keep it empty: a front end
# that needs something new gets a Workbench method instead.
ALLOWED: dict[str, str] = {}


def violations(source: str) -> list[str]:
    """Each place in ``source`` that goes around the Workbench, as ``line: what``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in HIDDEN_ATTRIBUTES:
            found.append(f"{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            if any(_is_store(name) for name in [node.module, *names]):
                found.append(f"{node.lineno}: from {node.module} import")
        elif isinstance(node, ast.Import):
            found.extend(
                f"{node.lineno}: import {alias.name}"
                for alias in node.names
                if _is_store(alias.name)
            )
    return found


def _is_store(module: str) -> bool:
    return module == STORE or module.startswith(STORE + ".")


def code_cells(notebook: Path) -> str:
    """A notebook's code cells as one module (IPython magics and shell lines left out)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    lines = "\n".join(sources).splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))


def front_end_sources() -> list[tuple[str, str]]:
    """(path, Python source) of every front-end module and notebook."""
    found = []
    for folder in FRONT_ENDS:
        for path in sorted((REPO / folder).rglob("*")):
            if ".ipynb_checkpoints" in path.parts:
                continue
            if path.suffix == ".py":
                found.append((path, path.read_text(encoding="utf-8")))
            elif path.suffix == ".ipynb":
                found.append((path, code_cells(path)))
    return [(str(path.relative_to(REPO)), source) for path, source in found]


SOURCES = front_end_sources()


def test_every_front_end_is_checked() -> None:
    checked = {path.split("/")[0] for path, _ in SOURCES}
    assert checked == {"aiwriter_kernel", "apps", "widgets", "notebooks"}
    assert any(path.endswith(".ipynb") for path, _ in SOURCES)
    assert "aiwriter_kernel/cli/main.py" in dict(SOURCES)


@pytest.mark.parametrize(("path", "source"), SOURCES, ids=[path for path, _ in SOURCES])
def test_a_front_end_goes_through_the_workbench(path: str, source: str) -> None:
    if path in ALLOWED:
        pytest.skip(ALLOWED[path])
    assert violations(source) == [], f"{path} goes around the Workbench"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("wb.db.accounts.list_users()", ["1: .db"]),
        ("stream = workbench.llm.stream('hi')", ["1: .llm"]),
        ("x = 1\nhits = self.wb.kb.search('q')", ["2: .kb"]),
        (
            "from aiwriter_kernel.store.records import UserRecord",
            ["1: from aiwriter_kernel.store.records import"],
        ),
        ("from aiwriter_kernel.store import Database", ["1: from aiwriter_kernel.store import"]),
        ("from aiwriter_kernel import store", ["1: from aiwriter_kernel import"]),
        ("import aiwriter_kernel.store.tables as t", ["1: import aiwriter_kernel.store.tables"]),
    ],
)
def test_each_rule_catches_what_it_is_for(source: str, expected: list[str]) -> None:
    assert violations(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "from aiwriter_kernel.records import UserRecord",
        "from aiwriter_kernel.storage import Files",  # another module whose name starts alike
        "users = wb.users.list()",
        "database = settings.database_url",
        "from aiwriter_kernel.llm.messages import GenerationParams",  # a module path, no .llm
    ],
)
def test_what_goes_through_the_workbench_passes(source: str) -> None:
    assert violations(source) == []


def test_notebook_magics_do_not_stop_the_check(tmp_path: Path) -> None:
    notebook = tmp_path / "magic.ipynb"
    cells = [
        {"cell_type": "code", "source": ["%pip install x\n", "!ls\n", "wb.db.jobs\n"]},
        {"cell_type": "markdown", "source": ["wb.db is described here, not run"]},
    ]
    notebook.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    assert violations(code_cells(notebook)) == ["1: .db"]
