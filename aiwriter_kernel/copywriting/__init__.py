"""Copywriting frameworks (AIDA, PAS, BAB, FAB, 4Ps, PSP): one module per framework, the copy
formats and their limits, and the registry the copy task, template and pipeline read.

The built-ins are listed once, below, in the order they are offered; plugins are found by
entry point (see ``registry``).
"""

from __future__ import annotations

import importlib

from aiwriter_kernel.copywriting.base import (
    CopyFramework,
    FrameworkSection,
    SectionRole,
    section,
)
from aiwriter_kernel.copywriting.formats import (
    COPY_FORMATS,
    FORMAT_LIMITS,
    CopyFormat,
    CopyLimits,
)
from aiwriter_kernel.copywriting.registry import (
    framework_names,
    frameworks,
    load_plugins,
    register,
    resolve_framework,
    unregister,
)

BUILT_IN = ("aida", "pas", "bab", "fab", "four_ps", "psp")

for _module in BUILT_IN:
    importlib.import_module(f"{__name__}.{_module}")  # each module registers its framework
load_plugins()

__all__ = [
    "COPY_FORMATS",
    "FORMAT_LIMITS",
    "CopyFormat",
    "CopyFramework",
    "CopyLimits",
    "FrameworkSection",
    "SectionRole",
    "framework_names",
    "frameworks",
    "register",
    "resolve_framework",
    "section",
    "unregister",
]
