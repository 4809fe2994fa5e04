"""Workspaces: the unit that groups sources, drafts and batch runs.

A single-user home works in one unowned workspace ("default"); the API gives each user
their own. Names are unique per owner, unowned ones included.
"""

from __future__ import annotations

import builtins

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aiwriter_kernel.errors import NotFoundError, ValidationError
from aiwriter_kernel.store.records import WorkspaceRecord
from aiwriter_kernel.store.session import Repository
from aiwriter_kernel.store.tables import User, Workspace

MAX_NAME = 100  # what requests accept; the column holds 200


class WorkspacesRepository(Repository):
    """Find or create workspaces."""

    def get_or_create(self, name: str = "default", owner_id: int | None = None) -> WorkspaceRecord:
        """The workspace ``name`` of ``owner_id`` (None: unowned), created on first use."""
        name = _checked_name(name)
        try:
            return self._get_or_create(name, owner_id)
        except IntegrityError:
            # Another process created it between our lookup and insert: it exists now.
            return self._get_or_create(name, owner_id)

    def find(self, name: str = "default", owner_id: int | None = None) -> WorkspaceRecord | None:
        """The workspace ``name`` of ``owner_id`` if it exists: what reads use, so that
        listing or searching a name never creates it."""
        name = _checked_name(name)
        with self._session() as session:
            workspace = _find(session, name, owner_id)
            return None if workspace is None else WorkspaceRecord.model_validate(workspace)

    def get(self, workspace_id: int) -> WorkspaceRecord | None:
        with self._session() as session:
            workspace = session.get(Workspace, workspace_id)
            return None if workspace is None else WorkspaceRecord.model_validate(workspace)

    def list(self, owner_id: int | None = None) -> builtins.list[WorkspaceRecord]:
        """Every workspace by name, or only ``owner_id``'s when given."""
        query = select(Workspace).order_by(Workspace.name, Workspace.id)
        if owner_id is not None:
            query = query.where(Workspace.owner_id == owner_id)
        with self._session() as session:
            return [WorkspaceRecord.model_validate(w) for w in session.scalars(query)]

    def _get_or_create(self, name: str, owner_id: int | None) -> WorkspaceRecord:
        with self._session() as session:
            workspace = _find(session, name, owner_id)
            if workspace is None:
                if owner_id is not None and session.get(User, owner_id) is None:
                    raise NotFoundError(f"user {owner_id} does not exist")
                workspace = Workspace(name=name, owner_id=owner_id)
                session.add(workspace)
                session.flush()
            return WorkspaceRecord.model_validate(workspace)


def _find(session: Session, name: str, owner_id: int | None) -> Workspace | None:
    # With owner_id None, SQLAlchemy renders "owner_id IS NULL" (SQL's "= NULL" matches nothing).
    query = select(Workspace).where(Workspace.name == name, Workspace.owner_id == owner_id)
    return session.scalars(query).one_or_none()


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError("a workspace name must not be empty")
    if len(name) > MAX_NAME:
        raise ValidationError(f"a workspace name is at most {MAX_NAME} characters")
    return name
