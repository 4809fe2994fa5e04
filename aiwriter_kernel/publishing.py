"""Write, analyze, export: the whole job of ``aiwriter write``, for every front end.

A text is published when it is stored as a draft, measured (readability, SEO, voice...) and
written out as Markdown, HTML and ``analysis.json`` under the home's ``exports/``. The
Workbench runs the three steps (``write_and_export``, ``post_and_export``); this module
holds what they return and the export step, so the sequence is defined once.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from aiwriter_kernel.analysis.report import AnalysisReport
from aiwriter_kernel.pipelines.article_models import ArticleResult
from aiwriter_kernel.pipelines.exports import ExportedFiles, export_article, export_text
from aiwriter_kernel.pipelines.rewrite import RewriteResult


class PublishedArticle(BaseModel):
    """An article as written, its analysis, and the files it was exported to."""

    result: ArticleResult
    analysis: AnalysisReport
    files: ExportedFiles


class PublishedPost(BaseModel):
    """A channel post as written, its analysis, and the files it was exported to."""

    result: RewriteResult
    analysis: AnalysisReport
    files: ExportedFiles


def publish_article(
    result: ArticleResult, analysis: AnalysisReport, exports: Path
) -> PublishedArticle:
    """Export the article with its analysis under ``exports``."""
    files = export_article(result, analysis.model_dump(mode="json"), exports)
    return PublishedArticle(result=result, analysis=analysis, files=files)


def publish_post(result: RewriteResult, analysis: AnalysisReport, exports: Path) -> PublishedPost:
    """Export the post (named after its channel) with its analysis under ``exports``."""
    files = export_text(
        result.text,
        result.title,
        result.draft_id,
        analysis.model_dump(mode="json"),
        exports,
        name=result.channel,
    )
    return PublishedPost(result=result, analysis=analysis, files=files)
