"""Routes for the knowledge base: add sources (uploads or text), list and delete them, search.

Sources come only as bytes in the request (a multipart upload or JSON text): a remote caller
can never make the server read one of its own files or fetch a URL on its behalf.
"""

from __future__ import annotations

import re
from typing import Annotated

from aiwriter_apps.api.auth import UserWorkbench
from aiwriter_apps.api.schemas import (
    ErrorDetail,
    IngestTextRequest,
    PathId,
    SearchRequest,
    SearchResults,
)
from fastapi import APIRouter, File, Form, HTTPException, Query, UploadFile, status

from aiwriter_kernel.records import SourceRecord
from aiwriter_kernel.research.models import IngestReport

router = APIRouter(tags=["research"])

MAX_FILES = 20
UNSAFE_NAME = re.compile(r"[\\/\x00-\x1f]+")
NOT_FOUND = {404: {"model": ErrorDetail, "description": "No such source of yours."}}
REFUSED = {422: {"model": ErrorDetail, "description": "Nothing could be ingested, and why."}}


@router.post(
    "/sources",
    response_model=IngestReport,
    summary="Upload sources",
    description=(
        "Add uploaded files (Markdown, text, HTML, PDF, DOCX) to a workspace, one report "
        f"item per file; uploading the same file name again replaces it. At most {MAX_FILES} "
        "files per request; 422 when none could be ingested."
    ),
    responses=REFUSED,
)
def upload_sources(
    wb: UserWorkbench,
    files: Annotated[list[UploadFile], File(description="The files to add.")],
    workspace: Annotated[str, Form(min_length=1, max_length=100)] = "default",
    tags: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006 (FastAPI copies it)
) -> IngestReport:
    if len(files) > MAX_FILES:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"at most {MAX_FILES} files per request, not {len(files)}",
        )
    report = IngestReport()
    for upload in files:
        one = wb.ingest_bytes(
            upload.file.read(),
            upload.filename or "",
            content_type=upload.content_type,
            workspace=workspace,
            tags=tags,
        )
        report.items.extend(one.items)
    return _refuse_total_failure(report)


@router.post(
    "/sources/text",
    response_model=IngestReport,
    summary="Add text as a source",
    description="Add Markdown or plain text as the source named `title` (same title: replaced).",
    responses=REFUSED,
)
def add_text_source(wb: UserWorkbench, body: IngestTextRequest) -> IngestReport:
    name = UNSAFE_NAME.sub("-", body.title).strip(" .-") or "text"
    report = wb.ingest_bytes(
        body.text.encode("utf-8"),
        f"{name}.md",
        content_type="text/markdown",
        workspace=body.workspace,
        tags=body.tags,
    )
    return _refuse_total_failure(report)


@router.get(
    "/sources",
    response_model=list[SourceRecord],
    summary="List sources",
    description="Your sources in a workspace (without their text).",
)
def list_sources(
    wb: UserWorkbench,
    workspace: Annotated[str, Query(min_length=1, max_length=100)] = "default",
) -> list[SourceRecord]:
    return wb.sources(workspace=workspace)


@router.delete(
    "/sources/{source_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a source",
    description="Remove one of your sources with its chunks and vectors.",
    responses=NOT_FOUND,
)
def delete_source(wb: UserWorkbench, source_id: PathId) -> None:
    wb.delete_source(source_id)


@router.post(
    "/search",
    response_model=SearchResults,
    summary="Search your sources",
    description="Hybrid (dense + keyword) search over a workspace; every hit carries a citation.",
    responses={422: {"description": "An empty query, a bad k or mode."}},
)
def search(wb: UserWorkbench, body: SearchRequest) -> SearchResults:
    hits = wb.search(
        body.query,
        k=body.k,
        workspace=body.workspace,
        filters=body.filters(),
        mode=body.mode,
        diversify=body.diversify,
        per_source=body.per_source,
    )
    return SearchResults(query=body.query, hits=hits)


def _refuse_total_failure(report: IngestReport) -> IngestReport:
    """A report where every item failed is an error answer, so callers cannot miss it."""
    if report.items and all(item.status == "failed" for item in report.items):
        reasons = "; ".join(f"{item.origin}: {item.error}" for item in report.items)
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=reasons)
    return report
