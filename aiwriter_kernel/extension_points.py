"""Every extension point of the workbench, declared in one place.

A plugin is an installed package that declares an entry point in one of these groups; the
registry named beside each loads it, and every front end then lists it like a built-in
(the providers in ``aiwriter models`` and the app's Settings, the channels in ``aiwriter
rewrite --help`` and the Repurpose page, the frameworks in ``aiwriter copy --help``). A
built-in is one module beside the others of its kind. The README's "Architecture" section
walks through adding each.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExtensionPoint:
    """One way to extend the workbench from another package."""

    group: str  # the entry-point group a plugin declares, in its pyproject.toml
    expects: str  # what the entry point's object must be
    registry: str  # the module that loads, validates and lists them
    built_ins: str  # where the built-in ones live, one module each


PROVIDERS = ExtensionPoint(
    group="aiwriter.providers",
    expects="a factory (ProviderConfig) -> ChatProvider; see aiwriter_kernel/llm/provider.py",
    registry="aiwriter_kernel.llm.registry",
    built_ins="aiwriter_kernel/llm/<name>_provider.py",
)
CHANNELS = ExtensionPoint(
    group="aiwriter.channels",
    expects="a Channel instance; see aiwriter_kernel/channels/base.py",
    registry="aiwriter_kernel.channels.registry",
    built_ins="aiwriter_kernel/channels/<name>.py",
)
COPY_FRAMEWORKS = ExtensionPoint(
    group="aiwriter.copy_frameworks",
    expects="a CopyFramework instance; see aiwriter_kernel/copywriting/base.py",
    registry="aiwriter_kernel.copywriting.registry",
    built_ins="aiwriter_kernel/copywriting/<name>.py",
)
ALL = (PROVIDERS, CHANNELS, COPY_FRAMEWORKS)
