"""A batch run from the command line, piped, as a script would run it: the kernels we start
are local, so nothing warns about TCP, and stderr stays empty."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiwriter_kernel.batch.notebook_runner import LocalKernelManager

pytestmark = pytest.mark.slow


def test_a_piped_batch_says_nothing_on_stderr(corpus_home: Path, tmp_path: Path) -> None:
    topics = tmp_path / "topics.csv"
    topics.write_text("id,topic\npara,Short paragraphs\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", "batch", str(topics)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": "240"},
    )
    assert result.returncode == 0, result.stderr
    assert "done" in result.stdout and "para" in result.stdout
    assert "IPKernelApp" not in result.stderr and "without encryption" not in result.stderr
    assert result.stderr == ""


def test_kernels_listen_on_local_sockets_at_an_absolute_path() -> None:
    manager = LocalKernelManager(kernel_name="python3")
    assert manager.transport == "ipc"
    assert Path(manager.ip).is_absolute()  # the same path for us and a kernel in another folder
    assert LocalKernelManager(kernel_name="python3").ip != manager.ip  # one per kernel
