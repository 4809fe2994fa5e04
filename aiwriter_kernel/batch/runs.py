"""Listing batch runs, newest first (what the Batch monitor and dashboards offer)."""

from __future__ import annotations

from aiwriter_kernel.store import Database
from aiwriter_kernel.store.records import BatchRunRecord


def list_runs(db: Database) -> list[BatchRunRecord]:
    """Every batch run, newest first."""
    return db.batches.list_runs()
