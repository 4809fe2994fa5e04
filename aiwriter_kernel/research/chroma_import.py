"""Import chromadb without the half-second-to-seconds grammar build it does not need.

chromadb imports jsonschema, and jsonschema, when the optional ``rfc3987_syntax`` package is
installed (Jupyter brings it), imports it to check the ``iri`` string format; that import
compiles 38 Lark grammars, which measured 0.4 s on an idle machine and several seconds under
load: the largest single cost of a cold ``aiwriter search``. Chroma validates no ``iri``
fields, and jsonschema checks formats only when a caller asks for a format checker, so the
import is skipped while chromadb loads: jsonschema then registers no ``iri`` checker in this
process, as on any machine without the optional package. Done only when jsonschema is not
loaded yet (whoever imported it first keeps what they got); the package stays importable.

The second cost is the ``overrides`` package's ``@override``: at import, for each of about 160
chromadb methods, it compares the method's signature with its base class's, a check of
chromadb's own code that a released chromadb always passes, costing 0.2-0.5 s. While chromadb
loads, ``override``/``overrides`` only mark the method (``__override__``, what
``EnforceOverrides`` looks for), as the decorator documents it does besides checking.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Iterator
from types import ModuleType

SKIPPED = "rfc3987_syntax"


def _marked(method=None, **_checks):
    """``@override`` without the signature check: marks the method, as the real one does."""
    if method is None:
        return _marked
    method.__override__ = True
    return method


@contextlib.contextmanager
def _unchecked_overrides() -> Iterator[None]:
    """``overrides.override`` and ``overrides.overrides`` only mark methods meanwhile."""
    import overrides

    saved = overrides.override, overrides.overrides
    overrides.override = overrides.overrides = _marked
    try:
        yield
    finally:
        overrides.override, overrides.overrides = saved


@functools.cache
def import_chromadb() -> ModuleType:
    """``import chromadb``, skipping ``rfc3987_syntax`` if jsonschema is not loaded yet."""
    skip = "jsonschema" not in sys.modules and SKIPPED not in sys.modules
    if skip:
        sys.modules[SKIPPED] = None  # type: ignore[assignment]  # makes its import fail fast
    try:
        with _unchecked_overrides():
            import chromadb
    finally:
        if skip and sys.modules.get(SKIPPED, False) is None:
            del sys.modules[SKIPPED]
    return chromadb
