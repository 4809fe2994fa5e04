"""The ``aiwriter`` command. Each sub-command is a few lines around a kernel call."""

from aiwriter_kernel.cli.main import app

__all__ = ["app"]
