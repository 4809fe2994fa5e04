"""Every numbered notebook runs top to bottom on a real Jupyter kernel, offline.

Each runs with cwd = notebooks/ (as when a user opens it in Jupyter) and a temporary
``AIWRITER_HOME``; a failing cell fails the test with its source and error. Executed copies
are saved under ``artifacts/notebooks/`` (gitignored) for CI to keep.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from notebook_paths import ARTIFACTS, NOTEBOOKS, numbered_notebooks

from aiwriter_kernel.batch.notebook_runner import LocalKernelManager

KERNEL = "python3"
CELL_TIMEOUT_S = 600
# jupyter_client launches the interpreter running it for a spec whose argv[0] is one of these.
SELF_NAMES = {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"}


def kernel_env(**extra: str) -> dict[str, str]:
    """This process's environment (conftest has removed keys and AIWRITER_* settings),
    with model downloads forbidden and no opt-in tutorial extras."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIWRITER_", "OLLAMA_"))}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", **extra)
    return env


def execute(path: Path, env: dict[str, str], saved_as: str | None = None) -> nbformat.NotebookNode:
    """Run ``path`` on a fresh kernel from notebooks/; save the executed copy; fail with the
    failing cell's source and error."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name=KERNEL,
        kernel_manager_class=LocalKernelManager,  # IPC: no "running over TCP" warning
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    failure: Exception | None = None
    try:
        client.execute(env=env)
    except Exception as error:  # CellExecutionError, a timeout, a dead kernel
        failure = error
    finally:
        target = ARTIFACTS / (saved_as or path.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
    if failure is not None:
        pytest.fail(failure_report(path, notebook, failure), pytrace=False)
    return notebook


def failure_report(path: Path, notebook: nbformat.NotebookNode, failure: Exception) -> str:
    """The first cell with an error output (or the last one started) and what went wrong."""
    code = [(n, c) for n, c in enumerate(notebook.cells, 1) if c.cell_type == "code"]
    for number, cell in code:
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                return (
                    f"{path.name}: cell {number} failed\n--- source ---\n{cell.source}\n"
                    f"--- error ---\n{output.ename}: {output.evalue}"
                )
    started = [(n, c) for n, c in code if c.get("execution_count") is not None]
    number, cell = started[-1] if started else code[0]
    return (
        f"{path.name}: cell {number} did not finish\n--- source ---\n{cell.source}\n"
        f"--- error ---\n{type(failure).__name__}: {failure}"
    )


def stream_text(notebook: nbformat.NotebookNode) -> str:
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream"
    )


def stderr_text(notebook: nbformat.NotebookNode) -> str:
    """What the cells wrote to stderr: a newcomer reads it as something gone wrong."""
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream" and output.get("name") == "stderr"
    )


def test_python3_kernelspec_runs_this_interpreter() -> None:
    """The notebooks (and the batch runner) ask for "python3"; it must start this venv's
    Python, which has the workbench installed, not some other environment's."""
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        pytest.fail("no python3 kernelspec: run .venv/bin/python -m ipykernel install --sys-prefix")
    launcher = spec.argv[0]
    assert launcher in SELF_NAMES or Path(launcher).resolve() == Path(sys.executable).resolve(), (
        f"the python3 kernelspec in {spec.resource_dir} starts {launcher!r}, not this venv; "
        "remove it or run `.venv/bin/python -m ipykernel install --user` from the venv"
    )


@pytest.mark.slow
def test_the_kernel_is_this_venv(tmp_path: Path) -> None:
    probe = tmp_path / "probe.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("import sys\nprint(sys.prefix)")]), probe)
    executed = execute(probe, kernel_env(AIWRITER_HOME=str(tmp_path)), "harness/probe.ipynb")
    assert Path(stream_text(executed).strip()).resolve() == Path(sys.prefix).resolve()


@pytest.mark.slow
def test_a_failing_cell_is_reported_with_its_source_and_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ipynb"
    cells = [new_code_cell("x = 1"), new_code_cell("ratio = x / 0"), new_code_cell("print(2)")]
    nbformat.write(new_notebook(cells=cells), broken)

    with pytest.raises(pytest.fail.Exception) as failed:
        execute(broken, kernel_env(AIWRITER_HOME=str(tmp_path)), "harness/broken.ipynb")

    message = str(failed.value)
    assert "broken.ipynb: cell 2 failed" in message
    assert "ratio = x / 0" in message
    assert "ZeroDivisionError: division by zero" in message
    assert (ARTIFACTS / "harness" / "broken.ipynb").is_file()  # the executed copy is kept for CI


@pytest.mark.slow
@pytest.mark.parametrize("path", numbered_notebooks(), ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    before = {p.name for p in NOTEBOOKS.iterdir()}

    executed = execute(path, kernel_env(AIWRITER_HOME=str(home), TMPDIR=str(tmp_path)))

    assert f"home:   {home}" in stream_text(executed), "the notebook ignored AIWRITER_HOME"
    noise = stderr_text(executed)  # library progress bars, kernel warnings
    assert not noise, f"{path.name} printed on stderr:\n{noise[:500]}"
    assert (home / "aiwriter.db").is_file()
    created = {p.name for p in NOTEBOOKS.iterdir()} - before
    assert not created, f"the notebook wrote {created} into notebooks/"


@pytest.mark.slow
def test_without_aiwriter_home_the_quick_start_uses_a_temporary_home(tmp_path: Path) -> None:
    """A user who sets nothing must not find tutorial drafts in their own workbench."""
    user_home, scratch = tmp_path / "user", tmp_path / "tmp"
    user_home.mkdir()
    scratch.mkdir()
    data = user_home / "data"
    env = kernel_env(HOME=str(user_home), XDG_DATA_HOME=str(data), TMPDIR=str(scratch))

    execute(NOTEBOOKS / "01_quick_start.ipynb", env, saved_as="01_quick_start.default-home.ipynb")

    homes = list(scratch.glob("aiwriter-tutorial-*"))
    assert len(homes) == 1 and (homes[0] / "aiwriter.db").is_file()
    assert not (data / "aiwriter").exists()
