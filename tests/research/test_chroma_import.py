"""chromadb loads without rfc3987_syntax's grammars or override's signature checks, and nothing
else changes."""

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


OVERRIDES_PROBE = """
import inspect, json, overrides
from aiwriter_kernel.research.chroma_import import import_chromadb
chromadb = import_chromadb()
from chromadb.api.segment import SegmentAPI
marked = [name for name, member in inspect.getmembers(SegmentAPI, inspect.isfunction)
          if getattr(member, "__override__", False)]
restored = overrides.override.__module__ == "overrides.overrides"

class Base:
    def run(self, x: int) -> int:
        return x

try:
    class Broken(Base):
        @overrides.override
        def run(self) -> int:  # drops a parameter: the real decorator refuses it
            return 0
    refused = False
except TypeError:
    refused = True
print(json.dumps({"marked": len(marked) > 10, "restored": restored, "refused": refused}))
"""


def test_chromadb_methods_stay_marked_and_override_checks_again_afterwards() -> None:
    """Inside the import ``@override`` only marks methods (what EnforceOverrides reads);
    afterwards the real decorator, with its signature check, is back for everyone else."""
    result = subprocess.run(
        [sys.executable, "-c", OVERRIDES_PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert json.loads(result.stdout) == {"marked": True, "restored": True, "refused": True}
