"""Routes for the writing pipelines, run synchronously: the answer is the pipeline's result.

Each route takes the kernel's request model (its API variant in ``models``) and returns the
kernel's result. The Workbench is scoped to the caller, so ``workspace`` names the caller's
own workspace and a ``draft_id`` or ``source_ids`` of another user's is "not found". Routes
are plain ``def``: FastAPI runs them in its threadpool, and the request timeout bounds the wait.
"""

from __future__ import annotations

from typing import Any

from aiwriter_apps.api.auth import UserWorkbench
from aiwriter_apps.api.schemas import (
    AnalyzeRequest,
    ArticleBody,
    CopyBody,
    ErrorDetail,
    FactCheckBody,
    OutlineResult,
    PathId,
    QuestionBody,
    RewriteBody,
    SeoMetadataBody,
    SummaryBody,
    WriteDraftRequest,
)
from fastapi import APIRouter

from aiwriter_kernel.analysis import AnalysisReport
from aiwriter_kernel.pipelines.answer import AnswerResult
from aiwriter_kernel.pipelines.article_models import ArticleResult
from aiwriter_kernel.pipelines.copywriting import CopyResult
from aiwriter_kernel.pipelines.fact_check import FactCheckResult
from aiwriter_kernel.pipelines.rewrite import RewriteResult
from aiwriter_kernel.pipelines.seo_metadata import SeoMetadata
from aiwriter_kernel.pipelines.summary import SummaryResult

router = APIRouter(tags=["pipelines"])

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDetail, "description": "A draft, source or persona of yours is missing."},
    422: {
        "description": (
            "The request is invalid, or your sources do not cover its topic; `detail` says "
            "which field, or what to ingest, and why."
        )
    },
    502: {"model": ErrorDetail, "description": "The model provider failed."},
    504: {"model": ErrorDetail, "description": "The pipeline took longer than the time limit."},
}


@router.post(
    "/rewrite",
    response_model=RewriteResult,
    summary="Rewrite for a channel",
    description="A draft, a text or a topic rewritten for LinkedIn, an X thread, email...",
    responses=ERRORS,
)
def rewrite(wb: UserWorkbench, body: RewriteBody) -> RewriteResult:
    return wb.rewrite(body)


@router.post(
    "/seo-metadata",
    response_model=SeoMetadata,
    summary="SEO metadata",
    description="Title options, meta descriptions, slug, Open Graph tags and JSON-LD.",
    responses=ERRORS,
)
def seo_metadata(wb: UserWorkbench, body: SeoMetadataBody) -> SeoMetadata:
    return wb.seo_metadata(body)


@router.post(
    "/summaries",
    response_model=SummaryResult,
    summary="Summarise sources",
    description="A cited summary of chosen sources, or of what they say about a query.",
    responses=ERRORS,
)
def summarize(wb: UserWorkbench, body: SummaryBody) -> SummaryResult:
    return wb.summarize(body)


@router.post(
    "/answers",
    response_model=AnswerResult,
    summary="Answer a question",
    description="A cited answer from your sources, or a refusal when they hold no evidence.",
    responses=ERRORS,
)
def answer(wb: UserWorkbench, body: QuestionBody) -> AnswerResult:
    return wb.ask(body)


@router.post(
    "/copy",
    response_model=CopyResult,
    summary="Write short copy",
    description="Ad, landing or email copy in a framework (AIDA, PAS, BAB, FAB, 4Ps, PSP).",
    responses=ERRORS,
)
def copy(wb: UserWorkbench, body: CopyBody) -> CopyResult:
    return wb.copy(body)


@router.post(
    "/fact-checks",
    response_model=FactCheckResult,
    summary="Fact-check a text",
    description="Each checkable claim marked supported, contradicted or without evidence.",
    responses=ERRORS,
)
def fact_check(wb: UserWorkbench, body: FactCheckBody) -> FactCheckResult:
    return wb.fact_check(body)


@router.post(
    "/analyze",
    response_model=AnalysisReport,
    summary="Analyse a text",
    description="Readability always; an SEO audit with a keyword; voice match with a persona.",
    responses=ERRORS,
)
def analyze(wb: UserWorkbench, body: AnalyzeRequest) -> AnalysisReport:
    return wb.analyze(
        body.markdown, keyword=body.keyword, persona=body.persona, workspace=body.workspace
    )


@router.post(
    "/outlines",
    response_model=OutlineResult,
    summary="Plan an article",
    description=(
        "Research a topic and plan the article: a new draft holding the outline. Edit the "
        "outline if you like, then write it with `POST /api/drafts/{draft_id}/article`."
    ),
    responses=ERRORS,
)
def outline(wb: UserWorkbench, body: ArticleBody) -> OutlineResult:
    draft_id, planned = wb.outline(body)
    warnings = wb.version(draft_id, 1).meta.get("warnings", [])  # stored with the outline
    return OutlineResult(draft_id=draft_id, outline=planned, warnings=warnings)


@router.post(
    "/drafts/{draft_id}/article",
    response_model=ArticleResult,
    summary="Write a planned article",
    description=(
        "Write the draft from its outline, or from an edited outline in the body (only the "
        "sections that changed are regenerated); the result is the draft's new version."
    ),
    responses=ERRORS,
)
def write_draft(
    wb: UserWorkbench, draft_id: PathId, body: WriteDraftRequest | None = None
) -> ArticleResult:
    return wb.draft(draft_id, outline=None if body is None else body.outline)


@router.post(
    "/articles",
    response_model=ArticleResult,
    summary="Write an article",
    description="Research, outline, cited draft and review in one call, stored with versions.",
    responses=ERRORS,
)
def article(wb: UserWorkbench, body: ArticleBody) -> ArticleResult:
    return wb.write(body)
