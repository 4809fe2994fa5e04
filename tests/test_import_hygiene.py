"""Importing the kernel and asking the CLI for help must not load heavy libraries.

Each check runs in a fresh interpreter so modules loaded by other tests do not count.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "torch",
    "transformers",
    "chromadb",
    "sentence_transformers",
    "streamlit",
    "fastapi",
    "jupyter",
    "jupyter_client",
    "jupyter_core",
    "ipykernel",
    "ipywidgets",
    "papermill",
    "voila",
)

CLI_HELP = (
    "from aiwriter_kernel.cli import app\ntry:\n    app({args!r})\nexcept SystemExit:\n    pass"
)
PROBE = """
import json, sys
{body}
heavy = {heavy!r}
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & set(heavy))
print(json.dumps(loaded))
"""


def _heavy_modules_after(body: str) -> list[str]:
    code = PROBE.format(body=body, heavy=HEAVY)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "body",
    [
        "import aiwriter_kernel",
        "from aiwriter_kernel import Workbench, Settings",
        CLI_HELP.format(args=["--help"]),
        CLI_HELP.format(args=["db", "--help"]),
    ],
    ids=["import", "facade", "cli-help", "cli-db-help"],
)
def test_no_heavy_library_is_imported(body: str) -> None:
    assert _heavy_modules_after(body) == []


def test_the_probe_would_notice_a_heavy_import() -> None:
    """Guards the guard: the same probe does report a heavy module when one is loaded."""
    assert _heavy_modules_after("import jupyter_core") == ["jupyter_core"]
