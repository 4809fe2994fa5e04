"""Third-party libraries speak only through us: their progress bars and chatty loggers off.

transformers draws a ``Loading weights: 100%|…|`` bar each time it loads a model, and the
Hugging Face hub draws download bars; on a terminal they land inside our own progress bar,
in a pipe they fill stderr, in Streamlit's log and in a notebook they become a widget. Our
front ends show one progress of their own, where the user looks, so these are switched off
through the libraries' own APIs (process-wide, nothing written to ``os.environ``), once,
just before a model loads. Errors still reach the log.
"""

from __future__ import annotations

import logging

CHATTY_LOGGERS = ("transformers", "sentence_transformers", "huggingface_hub", "filelock")
"""Loggers that report routine loading steps (warnings about unused weights and the like)."""

_quieted: set[str] = set()


def quiet_hub() -> None:
    """Hugging Face hub's download and cache-scan bars off, before a snapshot is looked up."""
    if "hub" in _quieted:
        return
    from huggingface_hub.utils import disable_progress_bars

    disable_progress_bars()
    _quiet_loggers()
    _quieted.add("hub")


def quiet_transformers() -> None:
    """transformers' loading bars and notices off (and the hub's), before a model loads.

    Imports transformers, so call it only where transformers is about to be imported anyway.
    """
    if "transformers" in _quieted:
        return
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    quiet_hub()
    _quieted.add("transformers")


def _quiet_loggers() -> None:
    """Routine notices of the loading libraries off; their errors still pass."""
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
