"""``python -m aiwriter_kernel`` is the ``aiwriter`` command."""

from aiwriter_kernel.cli import app

app(prog_name="aiwriter")
