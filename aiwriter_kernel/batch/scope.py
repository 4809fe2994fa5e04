"""What a batch run may use of the workbench it runs for: its settings, the owner, and the
records of runs, drafts and workspaces. Nothing else: rows run in their own kernels, which
open their own workbench (``kernel_cache.row_workbench``), so a batch never calls back into
the facade."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aiwriter_kernel.config import Settings
    from aiwriter_kernel.store import Database
    from aiwriter_kernel.store.batches import BatchesRepository
    from aiwriter_kernel.store.drafts import DraftsRepository
    from aiwriter_kernel.store.records import BatchRunRecord, DraftRecord
    from aiwriter_kernel.store.workspaces import WorkspacesRepository


class BatchHome(Protocol):
    """Where a batch scope is taken from (the Workbench is one): settings, owner, store."""

    @property
    def settings(self) -> Settings: ...

    @property
    def owner_id(self) -> int | None: ...

    @property
    def db(self) -> Database: ...


@dataclass(frozen=True)
class BatchScope:
    """One owner's view of the home's batch runs (``owner_id`` None: the home's operator)."""

    settings: Settings
    owner_id: int | None
    batches: BatchesRepository
    drafts: DraftsRepository
    workspaces: WorkspacesRepository

    @classmethod
    def of(cls, home: BatchHome) -> BatchScope:
        return cls(
            settings=home.settings,
            owner_id=home.owner_id,
            batches=home.db.batches,
            drafts=home.db.drafts,
            workspaces=home.db.workspaces,
        )

    def runs(self) -> list[BatchRunRecord]:
        """The batch runs this owner may see, newest first: all of them for the home's
        operator, only those in the user's own workspaces for a user."""
        return self.batches.list_runs(self.owner_id)

    def visible(self, run: BatchRunRecord) -> bool:
        if self.owner_id is None:
            return True
        space = None if run.workspace_id is None else self.workspaces.get(run.workspace_id)
        return space is not None and space.owner_id == self.owner_id

    def run_workspace_id(self) -> int | None:
        """Where a new run is filed: unowned (None) for the operator, the user's default
        workspace for a user."""
        if self.owner_id is None:
            return None
        return self.workspaces.get_or_create("default", self.owner_id).id

    def default_drafts(self) -> list[DraftRecord]:
        """The drafts of the owner's default workspace, where rows file theirs."""
        space = self.workspaces.find("default", self.owner_id)
        return [] if space is None else self.drafts.list_drafts(space.id)
