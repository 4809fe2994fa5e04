"""AI-Writer workbench kernel: pipelines, providers, research and storage behind one facade.

Importing this package is cheap: heavy libraries load only when a feature needs them,
so notebooks and the ``aiwriter`` command start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Settings", "Workbench", "__version__"]

if TYPE_CHECKING:
    from aiwriter_kernel.config import Settings
    from aiwriter_kernel.workbench import Workbench


def __getattr__(name: str) -> Any:
    """Load ``Workbench`` and ``Settings`` on first use to keep the import itself fast."""
    if name == "Workbench":
        from aiwriter_kernel.workbench import Workbench

        return Workbench
    if name == "Settings":
        from aiwriter_kernel.config import Settings

        return Settings
    raise AttributeError(f"module 'aiwriter_kernel' has no attribute {name!r}")
