"""The copywriting frameworks by name: the built-ins, any plugin's, any registered later.

A plugin package adds one by declaring an entry point in the ``aiwriter.copy_frameworks``
group whose object is a ``CopyFramework``:

    [project.entry-points."aiwriter.copy_frameworks"]
    quest = "my_package.quest:QUEST"
"""

from __future__ import annotations

from importlib.metadata import entry_points

from aiwriter_kernel.copywriting.base import CopyFramework
from aiwriter_kernel.extension_points import COPY_FRAMEWORKS

ENTRY_POINT_GROUP = COPY_FRAMEWORKS.group
_FRAMEWORKS: dict[str, CopyFramework] = {}


def register(framework: CopyFramework) -> CopyFramework:
    """Add ``framework`` under its key; a key already taken is an error."""
    if framework.key in _FRAMEWORKS:
        raise ValueError(f"a copy framework called {framework.key!r} is already registered")
    _FRAMEWORKS[framework.key] = framework
    return framework


def unregister(key: str) -> None:
    _FRAMEWORKS.pop(key, None)


def frameworks() -> tuple[CopyFramework, ...]:
    """Every framework, in the order registered (built-ins first)."""
    return tuple(_FRAMEWORKS.values())


def framework_names() -> str:
    """The valid names, for error messages: 'AIDA, PAS, BAB, FAB, 4Ps, PSP'."""
    return ", ".join(framework.name for framework in _FRAMEWORKS.values())


def resolve_framework(name: str) -> CopyFramework:
    """The framework called ``name`` (any case, spaces or underscores for hyphens, or an
    alias such as 'problem-solution-proof'); a ``ValueError`` listing the valid ones."""
    wanted = "-".join(name.replace("_", " ").replace("-", " ").lower().split())
    for framework in _FRAMEWORKS.values():
        if wanted == framework.key or wanted in framework.aliases:
            return framework
    raise ValueError(f"unknown copy framework {name!r}: use one of {framework_names()}")


def load_plugins() -> None:
    """Register the frameworks installed packages declare (see the module's docstring)."""
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name not in _FRAMEWORKS:
            register(entry_point.load())
