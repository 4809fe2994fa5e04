"""Notebooks are stored without outputs, execution counts or run metadata, and are valid.

The check is ``notebooks/strip_outputs.py``'s own, so the tool contributors run and the test
CI runs cannot disagree; the tests below also prove the check catches an executed notebook.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from notebook_paths import NOTEBOOKS, load_strip_outputs, numbered_notebooks

strip_outputs = load_strip_outputs()
ALL_NOTEBOOKS = strip_outputs.notebook_paths([NOTEBOOKS])
TUTORIALS = (
    "01_quick_start",
    "02_research_and_knowledge_base",
    "03_drafting_with_widgets",
    "04_channel_rewrites_and_seo",
    "05_batch_with_papermill",
    "06_providers",
)


def test_the_six_tutorials_exist() -> None:
    assert [path.stem for path in numbered_notebooks()] == list(TUTORIALS)


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_notebook_is_stripped_and_valid(path: Path) -> None:
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    nbformat.validate(notebook)
    found = strip_outputs.problems(notebook)
    assert not found, f"{path}: {found}; run python notebooks/strip_outputs.py"


@pytest.mark.parametrize("path", numbered_notebooks(), ids=lambda p: p.stem)
def test_tutorial_says_what_you_will_learn_and_uses_python3(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and "You will learn" in first.source
    assert notebook.metadata.kernelspec.name == "python3"


def executed_notebook() -> nbformat.NotebookNode:
    """What a notebook looks like after running in Jupyter or papermill."""
    code = new_code_cell("print('hi')\n1 + 1", execution_count=3)
    code.outputs = [
        new_output("stream", name="stdout", text="hi\n"),
        new_output("execute_result", data={"text/plain": "2"}, execution_count=3),
    ]
    code.metadata["execution"] = {"iopub.execute_input": "2026-11-25T10:00:00Z"}
    notebook = new_notebook(cells=[new_markdown_cell("# Title"), code])
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    return notebook


def test_the_check_catches_outputs_counts_and_run_metadata() -> None:
    found = strip_outputs.problems(executed_notebook())
    assert "cell 2 has 2 outputs" in found
    assert "cell 2 has execution count 3" in found
    assert "cell 2 metadata 'execution'" in found
    assert "notebook metadata 'widgets'" in found


def test_stripping_cleans_a_notebook_and_keeps_its_sources() -> None:
    notebook = strip_outputs.strip(executed_notebook())
    assert strip_outputs.problems(notebook) == []
    nbformat.validate(notebook)
    assert [cell.source for cell in notebook.cells] == ["# Title", "print('hi')\n1 + 1"]


def test_the_command_checks_then_strips_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nested = tmp_path / "dashboards" / "deep.ipynb"
    nested.parent.mkdir()
    nbformat.write(executed_notebook(), nested)
    clean = tmp_path / "clean.ipynb"
    nbformat.write(strip_outputs.strip(executed_notebook()), clean)
    clean_bytes = clean.read_bytes()

    assert strip_outputs.main(["--check", str(tmp_path)]) == 1
    assert "deep.ipynb" in capsys.readouterr().out
    assert strip_outputs.problems(nbformat.read(nested, as_version=4))  # --check changed nothing

    assert strip_outputs.main([str(tmp_path)]) == 0
    assert strip_outputs.problems(nbformat.read(nested, as_version=4)) == []
    assert clean.read_bytes() == clean_bytes  # clean notebooks are not rewritten
    assert strip_outputs.main(["--check", str(tmp_path)]) == 0


def test_checkpoints_are_ignored(tmp_path: Path) -> None:
    checkpoint = tmp_path / ".ipynb_checkpoints" / "a-checkpoint.ipynb"
    checkpoint.parent.mkdir()
    nbformat.write(executed_notebook(), checkpoint)
    assert strip_outputs.notebook_paths([tmp_path]) == []
