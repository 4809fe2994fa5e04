"""Rows on one kernel share its workbench, and nothing else: names, errors, a dead kernel."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell

from aiwriter_kernel.batch import kernel_cache
from aiwriter_kernel.batch.kernel_cache import cache_stats, reset_namespace, row_workbench
from aiwriter_kernel.batch.layout import row_files
from aiwriter_kernel.batch.models import RowTask
from aiwriter_kernel.batch.notebook_runner import NotebookWorker

# A template as small as a row can be: it opens the cached workbench, says what it saw
# (the workbench's identity, the cache's counters, the kernel's pid, a leftover name) and
# does what its topic asks: raise, kill its own kernel, or finish.
ROW_SOURCE = """\
import json, os, signal
from aiwriter_kernel.batch.kernel_cache import cache_stats, row_workbench

leftover = "secret" in globals()
secret = topic
wb = row_workbench(home)
if topic == "raise":
    raise ValueError("this row fails on purpose")
if topic == "die":
    os.kill(os.getpid(), signal.SIGKILL)
stats = cache_stats()
print("row says", topic)
result = {"state": "done", "draft_id": 1, "workbench": id(wb), "pid": os.getpid(),
          "opened": stats.opened, "reused": stats.reused, "leftover": leftover,
          "drafts": len(wb.drafts())}
os.makedirs(os.path.dirname(result_path), exist_ok=True)
with open(result_path, "w") as handle:
    json.dump(result, handle)
"""


@pytest.fixture
def template(tmp_path: Path) -> Path:
    parameters = nbformat.v4.new_code_cell('topic = ""\nhome = None\nresult_path = "result.json"')
    parameters.metadata["tags"] = ["parameters"]
    notebook = nbformat.v4.new_notebook(cells=[parameters, nbformat.v4.new_code_cell(ROW_SOURCE)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.metadata["language_info"] = {"name": "python"}
    path = tmp_path / "row.ipynb"
    nbformat.write(notebook, path)
    return path


def _task(home: Path, template: Path, key: str, topic: str) -> RowTask:
    files = row_files(home / "batches" / "cache", key)
    return RowTask(
        run_name="cache",
        row_key=key,
        topic=topic,
        home=str(home),
        template=str(template),
        **files.task_paths(),
        env={"AIWRITER_HOME": str(home)},
        cell_timeout=120,
    )


def _result(task: RowTask) -> dict:
    return json.loads(Path(task.result_path).read_text(encoding="utf-8"))


def _printed(task: RowTask) -> str:
    notebook = nbformat.read(task.notebook_path, as_version=4)
    return "".join(
        output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
    )


@pytest.mark.slow
def test_rows_on_one_kernel_share_the_workbench_and_survive_errors(
    home: Path, template: Path
) -> None:
    worker = NotebookWorker()
    topics = ["first", "second", "raise", "third", "die", "fourth"]
    tasks = [_task(home, template, f"row{n}", topic) for n, topic in enumerate(topics)]
    try:
        outcomes = {task.topic: worker.run(task) for task in tasks}
    finally:
        worker.close()
    by_topic = {task.topic: task for task in tasks}
    status = {topic: outcome.status for topic, outcome in outcomes.items()}
    expected = {t: "failed" if t in ("raise", "die") else "done" for t in topics}
    assert status == expected, outcomes

    first, second, third = (_result(by_topic[t]) for t in ("first", "second", "third"))
    # one workbench, opened by the first row and reused by the later ones on that kernel
    assert first["workbench"] == second["workbench"] == third["workbench"]
    assert (first["opened"], first["reused"]) == (1, 0)
    assert (third["opened"], third["reused"]) == (1, 3)  # second, raise and third reused it
    assert third["pid"] == first["pid"]
    # a row sees none of the previous row's names, and prints only its own output
    assert not any(r["leftover"] for r in (first, second, third))
    assert "row says second" in _printed(by_topic["second"])
    assert "row says first" not in _printed(by_topic["second"])

    # the failing row fails alone, in one line
    assert outcomes["raise"].error == "ValueError: this row fails on purpose"
    assert outcomes["die"].error.startswith("DeadKernelError")
    # the killed kernel was replaced: a new process that opened the home afresh
    fourth = _result(by_topic["fourth"])
    assert fourth["pid"] != first["pid"]
    assert (fourth["opened"], fourth["reused"]) == (1, 0)
    assert fourth["drafts"] == 0


def test_row_workbench_is_kept_per_settings(tmp_path: Path) -> None:
    kernel_cache.close_cached()
    try:
        before = cache_stats()
        one = row_workbench(tmp_path / "one")
        assert row_workbench(tmp_path / "one") is one
        other = row_workbench(tmp_path / "one", provider="openai", model="gpt-test")
        elsewhere = row_workbench(tmp_path / "two")
        assert len({id(one), id(other), id(elsewhere)}) == 3
        assert elsewhere.settings.home == tmp_path / "two"
        after = cache_stats()
        assert (after.opened - before.opened, after.reused - before.reused) == (3, 1)
        made = one.workspace("kept")  # still open and working after being handed out twice
        assert row_workbench(tmp_path / "one").workspace("kept").id == made.id
    finally:
        kernel_cache.close_cached()


def test_reset_namespace_forgets_the_rows_names_and_outputs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A shell puts a module of its own in sys.modules["__main__"] (one without __spec__,
    # which later spawned processes of this test run would trip on) and the reset freezes
    # the heap: both are put back afterwards.
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    shell = InteractiveShell.instance()
    try:
        shell.run_cell("import json\nrow_value = [1, 2, 3]\n_private = 1")
        shell.run_cell("row_value", store_history=True)
        assert shell.user_ns["_"] == [1, 2, 3]
        removed = reset_namespace(shell)
        assert removed >= 3
        for name in ("row_value", "_private", "json"):
            assert name not in shell.user_ns
        assert shell.user_ns["_"] == "" and not shell.user_ns["_oh"]
        assert shell.run_cell("x = 2 * 21\nx").result == 42  # the shell still works
    finally:
        InteractiveShell.clear_instance()
        gc.unfreeze()
