"""Personas (brand voices) of a workspace, kept by name.

The repository stores a persona's fields as given; what they mean and how they are
validated belongs to ``aiwriter_kernel.personas``.
"""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from aiwriter_kernel.errors import NotFoundError, StoreError
from aiwriter_kernel.store.records import PersonaRecord
from aiwriter_kernel.store.session import Repository
from aiwriter_kernel.store.tables import Persona, Workspace, utcnow


class PersonasRepository(Repository):
    """Save (create or replace), read, list and delete personas."""

    def save(self, workspace_id: int, name: str, spec: dict[str, Any]) -> PersonaRecord:
        """Create the persona, or replace the fields of the one with the same name."""
        try:
            return self._save(workspace_id, name, spec)
        except IntegrityError:
            # Another writer created the same name between our lookup and insert.
            return self._save(workspace_id, name, spec)

    def get(self, workspace_id: int, name: str) -> PersonaRecord | None:
        with self._session() as session:
            found = session.scalars(
                select(Persona).where(Persona.workspace_id == workspace_id, Persona.name == name)
            ).one_or_none()
            return None if found is None else PersonaRecord.model_validate(found)

    def list(self, workspace_id: int) -> builtins.list[PersonaRecord]:
        query = select(Persona).where(Persona.workspace_id == workspace_id).order_by(Persona.name)
        with self._session() as session:
            return [PersonaRecord.model_validate(p) for p in session.scalars(query)]

    def delete(self, workspace_id: int, name: str) -> None:
        with self._session() as session:
            result = session.execute(
                delete(Persona).where(Persona.workspace_id == workspace_id, Persona.name == name)
            )
            if result.rowcount == 0:
                raise NotFoundError(f"there is no persona {name!r}")

    def _save(self, workspace_id: int, name: str, spec: dict[str, Any]) -> PersonaRecord:
        with self._session() as session:
            if session.get(Workspace, workspace_id) is None:
                raise StoreError(f"workspace {workspace_id} does not exist")
            persona = session.scalars(
                select(Persona).where(Persona.workspace_id == workspace_id, Persona.name == name)
            ).one_or_none()
            if persona is None:
                persona = Persona(workspace_id=workspace_id, name=name, spec=dict(spec))
                session.add(persona)
            else:
                persona.spec = dict(spec)
                persona.updated_at = utcnow()
            session.flush()
            return PersonaRecord.model_validate(persona)
