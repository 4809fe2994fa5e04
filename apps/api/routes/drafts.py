"""Routes for drafts and their history: list, read, compare, export and delete.

Every draft belongs to a workspace its owner owns; another user's draft is answered exactly
like a missing one (404), so ids reveal nothing about other users' work.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aiwriter_apps.api.auth import UserWorkbench
from aiwriter_apps.api.schemas import (
    MAX_ID,
    DiffResponse,
    DraftDetail,
    DraftSummary,
    DraftVersion,
    ErrorDetail,
    PathId,
    VersionSummary,
)
from fastapi import APIRouter, Header, Query, Response, status
from fastapi.responses import PlainTextResponse

router = APIRouter(prefix="/drafts", tags=["drafts"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDetail, "description": "No such draft (or version) of yours."}
}
EXPORT_TYPES = {
    "text/markdown": {},
    "text/html": {},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
}


@router.get(
    "",
    response_model=list[DraftSummary],
    summary="List drafts",
    description="Your drafts in a workspace, most recently changed first; `kind` narrows them.",
)
def list_drafts(
    wb: UserWorkbench,
    workspace: Annotated[str, Query(min_length=1, max_length=100)] = "default",
    kind: Annotated[str | None, Query(max_length=100, examples=["article"])] = None,
) -> list[DraftSummary]:
    return [DraftSummary.of(d) for d in wb.drafts(workspace=workspace, kind=kind)]


@router.get(
    "/{draft_id}",
    response_model=DraftDetail,
    summary="Get a draft",
    description="The draft's metadata and its latest version.",
    responses=NOT_FOUND,
)
def get_draft(wb: UserWorkbench, draft_id: PathId) -> DraftDetail:
    draft = wb.require_draft(draft_id)
    latest = DraftVersion.of(wb.version(draft_id))
    return DraftDetail(**DraftSummary.of(draft).model_dump(), latest=latest)


@router.delete(
    "/{draft_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a draft",
    description="Delete one of your drafts with its whole history.",
    responses=NOT_FOUND,
)
def delete_draft(wb: UserWorkbench, draft_id: PathId) -> None:
    wb.delete_draft(draft_id)


@router.get(
    "/{draft_id}/versions",
    response_model=list[VersionSummary],
    summary="List versions",
    description="The draft's history, version 1 first, without the texts.",
    responses=NOT_FOUND,
)
def list_versions(wb: UserWorkbench, draft_id: PathId) -> list[VersionSummary]:
    return [VersionSummary.of(v) for v in wb.versions(draft_id)]


@router.get(
    "/{draft_id}/versions/{version}",
    response_model=DraftVersion,
    summary="Get a version",
    description="One version of the draft with its Markdown.",
    responses=NOT_FOUND,
)
def get_version(wb: UserWorkbench, draft_id: PathId, version: PathId) -> DraftVersion:
    return DraftVersion.of(wb.version(draft_id, version))


@router.get(
    "/{draft_id}/diff",
    response_model=DiffResponse,
    summary="Compare versions",
    description=(
        "A unified diff from version `old` to version `new` (default: the latest). JSON by "
        "default; the bare diff with `Accept: text/plain`."
    ),
    responses={
        **NOT_FOUND,
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
    },
)
def diff(
    wb: UserWorkbench,
    draft_id: PathId,
    old: Annotated[int, Query(ge=1, le=MAX_ID, description="The earlier version.")],
    new: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="The later version (default: latest).")
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> DiffResponse | PlainTextResponse:
    text = wb.diff(draft_id, old, new)
    if _wants_plain_text(accept):
        return PlainTextResponse(text)
    newest = new if new is not None else wb.version(draft_id).version
    return DiffResponse(draft_id=draft_id, old=old, new=newest, diff=text)


@router.get(
    "/{draft_id}/export",
    response_class=Response,
    summary="Export a draft",
    description=(
        "A version of the draft (default: the latest) as a file to download: Markdown, a "
        "self-contained HTML page (model and source text escaped), or a Word document."
    ),
    responses={**NOT_FOUND, 200: {"content": EXPORT_TYPES, "description": "The file."}},
)
def export(
    wb: UserWorkbench,
    draft_id: PathId,
    format: Annotated[Literal["md", "html", "docx"], Query()] = "md",
    version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    exported = wb.export(draft_id, format, version=version)
    disposition = f'attachment; filename="{exported.filename}"'
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": disposition},
    )


def _wants_plain_text(accept: str | None) -> bool:
    """True when the caller asks for text/plain rather than JSON."""
    if not accept:
        return False
    return "text/plain" in accept and "application/json" not in accept
