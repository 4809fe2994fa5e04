"""Provider names to factories: the built-ins plus any installed plugin.

A plugin package adds a provider by declaring an entry point in the
``aiwriter.providers`` group whose object is a factory ``(ProviderConfig) -> provider``:

    [project.entry-points."aiwriter.providers"]
    myllm = "my_package.provider:create"

Built-ins are named by dotted path and imported only when created, so listing
providers never imports an SDK.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from aiwriter_kernel.errors import UnknownProviderError
from aiwriter_kernel.extension_points import PROVIDERS
from aiwriter_kernel.llm.provider import ChatProvider

ENTRY_POINT_GROUP = PROVIDERS.group

BUILTIN_FACTORIES = {
    "offline": "aiwriter_kernel.llm.offline_provider:create",
    "openai": "aiwriter_kernel.llm.openai_provider:create",
    "gemini": "aiwriter_kernel.llm.gemini_provider:create",
    "hf": "aiwriter_kernel.llm.hf_provider:create",
}


class ProviderConfig(BaseModel):
    """What a factory gets: credentials passed explicitly, never read from os.environ."""

    model_config = ConfigDict(frozen=True)

    api_key: SecretStr | None = None
    base_url: str | None = None
    model: str | None = None
    timeout_s: float = Field(default=60.0, gt=0)
    options: dict[str, Any] = Field(default_factory=dict)


ProviderFactory = Callable[[ProviderConfig], ChatProvider]


def _import_object(dotted: str) -> Any:
    module_name, _, attribute = dotted.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


class ProviderRegistry:
    """Maps names to factories; plugins are discovered from entry points on first use."""

    def __init__(self, *, load_plugins: bool = True) -> None:
        self._factories: dict[str, ProviderFactory | str] = dict(BUILTIN_FACTORIES)
        self._plugins_loaded = not load_plugins

    def register(self, name: str, factory: ProviderFactory) -> None:
        """Add or replace a provider (tests and notebooks can register their own)."""
        self._factories[name] = factory

    def names(self) -> list[str]:
        self._load_plugins()
        return sorted(self._factories)

    def create(self, name: str, config: ProviderConfig | None = None) -> ChatProvider:
        self._load_plugins()
        factory = self._factories.get(name)
        if factory is None:
            raise UnknownProviderError(
                f"unknown provider {name!r}: choose one of {', '.join(self.names())}"
            )
        if isinstance(factory, str):
            factory = _import_object(factory)
        return factory(config or ProviderConfig())

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for entry_point in entry_points(group=ENTRY_POINT_GROUP):
            self._factories.setdefault(entry_point.name, entry_point.value)
