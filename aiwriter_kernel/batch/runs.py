"""Listing batch runs, newest first (what the Batch monitor and dashboards offer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiwriter_kernel.store.records import BatchRunRecord

if TYPE_CHECKING:
    from aiwriter_kernel.workbench import Workbench


def list_runs(wb: Workbench) -> list[BatchRunRecord]:
    """The batch runs this workbench may see, newest first: all of them for the home's
    operator, only those in the user's own workspaces for a user."""
    return wb.db.batches.list_runs(wb.owner_id)


def visible_run(wb: Workbench, run: BatchRunRecord) -> bool:
    if wb.owner_id is None:
        return True
    space = None if run.workspace_id is None else wb.db.workspaces.get(run.workspace_id)
    return space is not None and space.owner_id == wb.owner_id


def run_workspace_id(wb: Workbench) -> int | None:
    """Where a new run is filed: unowned (None) for the operator, the user's default
    workspace for a user."""
    return None if wb.owner_id is None else wb.workspace().id
