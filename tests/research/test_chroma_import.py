"""chromadb loads without compiling rfc3987_syntax's grammars, and nothing else changes."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
from aiwriter_kernel.research.chroma_import import import_chromadb
import_chromadb()
skipped = "rfc3987_syntax" in sys.modules
import rfc3987_syntax  # still importable by whoever wants it
print(json.dumps({"chromadb": "chromadb" in sys.modules, "skipped": not skipped,
                  "importable": rfc3987_syntax.__name__}))
"""


@pytest.mark.skipif(
    importlib.util.find_spec("rfc3987_syntax") is None, reason="rfc3987_syntax not installed"
)
def test_chromadb_loads_without_the_grammar_build() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=300
    )
    assert json.loads(result.stdout) == {
        "chromadb": True,
        "skipped": True,
        "importable": "rfc3987_syntax",
    }
