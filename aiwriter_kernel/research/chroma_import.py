"""Import chromadb without the half-second-to-seconds grammar build it does not need.

chromadb imports jsonschema, and jsonschema, when the optional ``rfc3987_syntax`` package is
installed (Jupyter brings it), imports it to check the ``iri`` string format; that import
compiles 38 Lark grammars, which measured 0.4 s on an idle machine and several seconds under
load: the largest single cost of a cold ``aiwriter search``. Chroma validates no ``iri``
fields, and jsonschema checks formats only when a caller asks for a format checker, so the
import is skipped while chromadb loads: jsonschema then registers no ``iri`` checker in this
process, as on any machine without the optional package. Done only when jsonschema is not
loaded yet (whoever imported it first keeps what they got); the package stays importable.
"""

from __future__ import annotations

import functools
import sys
from types import ModuleType

SKIPPED = "rfc3987_syntax"


@functools.cache
def import_chromadb() -> ModuleType:
    """``import chromadb``, skipping ``rfc3987_syntax`` if jsonschema is not loaded yet."""
    skip = "jsonschema" not in sys.modules and SKIPPED not in sys.modules
    if skip:
        sys.modules[SKIPPED] = None  # type: ignore[assignment]  # makes its import fail fast
    try:
        import chromadb
    finally:
        if skip and sys.modules.get(SKIPPED, False) is None:
            del sys.modules[SKIPPED]
    return chromadb
