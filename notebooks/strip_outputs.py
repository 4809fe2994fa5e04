"""Strip outputs, execution counts and run metadata from notebooks before committing them.

Notebooks are stored without outputs: diffs stay readable, and nothing generated (tables of
someone's data, widget state, local paths, timings) lands in git. Run it after working in a
notebook, or let ``--check`` tell you (and CI) which notebooks still need it:

    python notebooks/strip_outputs.py            # strip every notebook under notebooks/
    python notebooks/strip_outputs.py a.ipynb    # strip the given notebooks or folders
    python notebooks/strip_outputs.py --check    # change nothing; exit 1 if any needs it
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import nbformat
from nbformat import NotebookNode

NOTEBOOKS = Path(__file__).resolve().parent
# Written by Jupyter, papermill or nbclient when a notebook runs; meaningless in the repo.
RUN_CELL_METADATA = ("execution", "ExecuteTime", "papermill")
RUN_NOTEBOOK_METADATA = ("widgets", "papermill")


def problems(notebook: NotebookNode) -> list[str]:
    """What would have to be stripped from ``notebook``; empty when it is clean."""
    metadata = notebook.metadata
    found = [f"notebook metadata {key!r}" for key in RUN_NOTEBOOK_METADATA if key in metadata]
    for number, cell in enumerate(notebook.cells, 1):
        if cell.cell_type == "code":
            if cell.get("outputs"):
                found.append(f"cell {number} has {len(cell.outputs)} outputs")
            if cell.get("execution_count") is not None:
                found.append(f"cell {number} has execution count {cell.execution_count}")
        found.extend(
            f"cell {number} metadata {key!r}" for key in RUN_CELL_METADATA if key in cell.metadata
        )
    return found


def strip(notebook: NotebookNode) -> NotebookNode:
    """Remove outputs, execution counts and run metadata in place; sources stay as they are."""
    for key in RUN_NOTEBOOK_METADATA:
        notebook.metadata.pop(key, None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in RUN_CELL_METADATA:
            cell.metadata.pop(key, None)
    return notebook


def notebook_paths(targets: Iterable[str | Path]) -> list[Path]:
    """The notebooks named, and every notebook under the folders named (checkpoints aside)."""
    paths: list[Path] = []
    for target in map(Path, targets):
        found = sorted(target.rglob("*.ipynb")) if target.is_dir() else [target]
        paths.extend(p for p in found if ".ipynb_checkpoints" not in p.parts)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="notebooks or folders (default: notebooks/)")
    parser.add_argument("--check", action="store_true", help="report only; exit 1 if dirty")
    args = parser.parse_args(argv)
    dirty = 0
    for path in notebook_paths(args.paths or [NOTEBOOKS]):
        notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        found = problems(notebook)
        if not found:
            continue
        dirty += 1
        if args.check:
            print(f"{path}: {'; '.join(found)}")
        else:
            nbformat.write(strip(notebook), path)
            print(f"stripped {path}")
    return 1 if args.check and dirty else 0


if __name__ == "__main__":
    sys.exit(main())
