"""Garbage-collector settings for a command's process: the interpreter's suit a long-lived
program, and cost a short ``aiwriter`` command a third of its CPU time.

Importing the CLI, SQLAlchemy, chromadb and onnxruntime allocates hundreds of thousands of
long-lived objects; with the default threshold (700 allocations) the cyclic collector runs
thousands of times over them, and once more over all of them as the process exits.
Measured on ``aiwriter search`` (2 cores, shared): 2.0 s of CPU with the defaults, 1.3 s with
what is imported frozen and a higher threshold. Reference counting still frees almost
everything at once, and cycles are still collected, only less often.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

COMMAND_GEN0_THRESHOLD = 50_000


@contextmanager
def command_gc() -> Iterator[None]:
    """Around one command: freeze what is loaded so far (modules, classes: they live until the
    process ends, so the collector never needs to look at them again, at exit included) and
    collect young objects every 50,000 allocations instead of 700. The thresholds come back
    afterwards; the frozen objects stay frozen, which is what spares the final collection."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(COMMAND_GEN0_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.freeze()
        gc.set_threshold(*before)
