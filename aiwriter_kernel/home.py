"""The workbench home directory: created on first use, checked for writability.

Every file the workbench writes (SQLite database, Chroma directory, exports, batch
outputs) lives below one home, so checking it once up front turns a later, obscure
failure into one clear message naming the setting.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from aiwriter_kernel.errors import ConfigError


def ensure_home(home: Path) -> Path:
    """Create ``home`` if needed and prove it is writable; return its absolute path."""
    home = home.expanduser().absolute()
    if home.exists() and not home.is_dir():
        raise ConfigError(
            f"AIWRITER_HOME={home} is a file, not a directory: point AIWRITER_HOME at a directory."
        )
    try:
        home.mkdir(parents=True, exist_ok=True)
        descriptor, probe = tempfile.mkstemp(prefix=".write-probe-", dir=home)
        os.close(descriptor)
        os.unlink(probe)
    except OSError as error:
        raise ConfigError(
            f"AIWRITER_HOME={home} is not writable ({error.strerror or error}): "
            "set AIWRITER_HOME to a directory you can write to."
        ) from None
    return home
