"""The Workbench a batch kernel keeps across rows, and the reset that runs between rows.

A batch worker runs every row's notebook on one long-lived kernel. Opening a workbench is
cheap, but what hangs off it is not: the Chroma client, the database pool, warm caches.
So the article template asks ``row_workbench(home)`` instead of ``Workbench.open``: the
first row of a kernel opens the home, later rows with the same settings get the same
object back. The cache lives in this module, which the between-rows reset leaves alone
(it clears the notebook's names, not imported modules). A kernel lives for one batch run,
so a run sees the knowledge base as it was when the run started; a killed kernel takes
its cache with it and the replacement opens the home afresh.

The reset between rows is ``reset_namespace``, not ``%reset``: IPython's reset collects
garbage over the whole heap before it forgets anything, which costs seconds per row once
the embedding model's objects are in it (1.8 s measured for 700,000 objects).
"""

from __future__ import annotations

import atexit
import gc
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiwriter_kernel.config import Settings
from aiwriter_kernel.workbench import Workbench


@dataclass
class _Entry:
    settings: Settings
    workbench: Workbench


@dataclass
class CacheStats:
    """What this process's cache has done: how often rows opened or reused a workbench."""

    opened: int = 0
    reused: int = 0


_LOCK = threading.Lock()
_ENTRIES: list[_Entry] = []
_STATS = CacheStats()


def row_workbench(home: str | Path | None = None, **overrides: Any) -> Workbench:
    """The workbench opened by an earlier row of this kernel for the same settings, or a
    new one kept for the next rows. Do not close it: the kernel closes it when it exits.

    ``home`` and ``overrides`` mean what they mean for ``Workbench.open``; the settings
    (environment and ``.env`` included) are compared whole, so a row with another model
    or database gets its own workbench rather than a stale one.
    """
    if home is not None:
        overrides["home"] = Path(home)
    settings = Settings(**overrides)
    with _LOCK:
        for entry in _ENTRIES:
            if entry.settings == settings:
                _STATS.reused += 1
                return entry.workbench
        workbench = Workbench.open(settings=settings)
        _ENTRIES.append(_Entry(settings, workbench))
        _STATS.opened += 1
        return workbench


def cache_stats() -> CacheStats:
    """A copy of the counters (tests and diagnostics read them from inside a kernel)."""
    with _LOCK:
        return CacheStats(opened=_STATS.opened, reused=_STATS.reused)


def close_cached() -> None:
    """Close every cached workbench (at kernel exit; tests call it to start clean)."""
    with _LOCK:
        entries = list(_ENTRIES)
        _ENTRIES.clear()
    for entry in entries:
        entry.workbench.close()


def reset_namespace(shell: Any) -> int:
    """Forget what the previous row left in ``shell`` (an IPython shell): the names its
    notebook defined, its cached outputs and last error. Modules stay imported, so the
    loaded model and this cache stay too. Returns how many names went.

    Then collect garbage once and freeze the survivors: whatever outlives a reset is held
    by a module (the model, the workbench), and frozen objects are skipped by later
    collections, so each row's collection walks that row's objects only.
    """
    hook = shell.displayhook
    for key in [key for key in shell.user_ns if key[:1] == "_" and key[1:].isdigit()]:
        shell.user_ns.pop(key, None)  # Out[n] as _n
        shell.user_ns_hidden.pop(key, None)
    shell.user_ns.get("_oh", {}).clear()
    hook._, hook.__, hook.___ = "", "", ""
    shell.user_ns.update({"_": "", "__": "", "___": ""})
    shell.last_execution_result = None
    sys.last_type = sys.last_value = sys.last_traceback = None  # a failed row's frames
    names = [name for name in shell.user_ns if name not in shell.user_ns_hidden]
    for name in names:
        del shell.user_ns[name]
    gc.collect()
    gc.freeze()
    return len(names)


atexit.register(close_cached)
