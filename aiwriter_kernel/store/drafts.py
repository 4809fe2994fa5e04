"""Drafts and their version history.

Every change to a draft's text is a new version (outline, draft, final...); versions are
never updated, so any earlier state can be shown, compared or restored by adding it again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aiwriter_kernel.errors import NotFoundError, StoreError, ValidationError
from aiwriter_kernel.store.records import DraftRecord, DraftVersionRecord
from aiwriter_kernel.store.session import Repository
from aiwriter_kernel.store.tables import Draft, DraftVersion, Workspace, utcnow

ADD_VERSION_ATTEMPTS = 2


class DraftsRepository(Repository):
    """Create drafts and append versions to them."""

    def create_draft(
        self,
        workspace_id: int,
        *,
        kind: str,
        title: str,
        topic: str,
        content: str,
        stage: str = "draft",
        meta: dict[str, Any] | None = None,
    ) -> tuple[DraftRecord, DraftVersionRecord]:
        """A new draft together with its version 1."""
        if not kind.strip():
            raise ValidationError("a draft needs a kind (e.g. 'article')")
        with self._session() as session:
            if session.get(Workspace, workspace_id) is None:
                raise NotFoundError(f"workspace {workspace_id} does not exist")
            draft = Draft(workspace_id=workspace_id, kind=kind, title=title, topic=topic)
            session.add(draft)
            session.flush()
            version = _append(session, draft, 1, content=content, stage=stage, meta=meta)
            return DraftRecord.model_validate(draft), version

    def add_version(
        self, draft_id: int, *, content: str, stage: str, meta: dict[str, Any] | None = None
    ) -> DraftVersionRecord:
        """Append the next version to the draft.

        The number is computed in the writing transaction; if a concurrent writer took it
        first, the unique (draft_id, version) constraint refuses ours and we retry once.
        """
        for _attempt in range(ADD_VERSION_ATTEMPTS):
            try:
                with self._session() as session:
                    draft = _require_draft(session, draft_id)
                    latest = session.scalar(
                        select(func.max(DraftVersion.version)).where(
                            DraftVersion.draft_id == draft_id
                        )
                    )
                    number = (latest or 0) + 1
                    return _append(session, draft, number, content=content, stage=stage, meta=meta)
            except IntegrityError:
                continue
        raise StoreError(
            f"could not add a version to draft {draft_id}: other writers keep adding versions "
            "at the same time; try again"
        )

    def get_draft(self, draft_id: int) -> DraftRecord | None:
        with self._session() as session:
            draft = session.get(Draft, draft_id)
            return None if draft is None else DraftRecord.model_validate(draft)

    def list_drafts(self, workspace_id: int | None = None) -> list[DraftRecord]:
        """Drafts, most recently changed first; all workspaces' when ``workspace_id`` is None."""
        query = select(Draft).order_by(Draft.updated_at.desc(), Draft.id.desc())
        if workspace_id is not None:
            query = query.where(Draft.workspace_id == workspace_id)
        with self._session() as session:
            return [DraftRecord.model_validate(draft) for draft in session.scalars(query)]

    def list_versions(self, draft_id: int) -> list[DraftVersionRecord]:
        """The draft's history, version 1 first."""
        with self._session() as session:
            _require_draft(session, draft_id)
            versions = session.scalars(
                select(DraftVersion)
                .where(DraftVersion.draft_id == draft_id)
                .order_by(DraftVersion.version)
            )
            return [DraftVersionRecord.model_validate(version) for version in versions]

    def get_version(self, draft_id: int, version: int | None = None) -> DraftVersionRecord | None:
        """One version of the draft, the latest when ``version`` is None."""
        query = select(DraftVersion).where(DraftVersion.draft_id == draft_id)
        if version is None:
            query = query.order_by(DraftVersion.version.desc()).limit(1)
        else:
            query = query.where(DraftVersion.version == version)
        with self._session() as session:
            found = session.scalars(query).one_or_none()
            return None if found is None else DraftVersionRecord.model_validate(found)

    def delete_draft(self, draft_id: int) -> None:
        """Delete the draft and its versions; generations and batch rows keep a NULL link."""
        with self._session() as session:
            result = session.execute(delete(Draft).where(Draft.id == draft_id))
            if result.rowcount == 0:
                raise NotFoundError(f"draft {draft_id} does not exist")


def _require_draft(session: Session, draft_id: int) -> Draft:
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFoundError(f"draft {draft_id} does not exist")
    return draft


def _append(
    session: Session,
    draft: Draft,
    number: int,
    *,
    content: str,
    stage: str,
    meta: dict[str, Any] | None,
) -> DraftVersionRecord:
    version = DraftVersion(
        draft_id=draft.id, version=number, stage=stage, content=content, meta=dict(meta or {})
    )
    session.add(version)
    draft.updated_at = version.created_at = utcnow()
    session.flush()
    return DraftVersionRecord.model_validate(version)
