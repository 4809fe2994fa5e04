"""Open the workbench for a command from the environment's settings.

The import happens inside the function so ``aiwriter --help`` never loads the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiwriter_kernel.cli.settings_loader import load_settings

if TYPE_CHECKING:
    from aiwriter_kernel.workbench import Workbench


def open_workbench() -> Workbench:
    from aiwriter_kernel.workbench import Workbench

    return Workbench.open(settings=load_settings())
