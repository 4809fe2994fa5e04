"""Files a writer takes away: Markdown, a safe HTML page and the analysis report."""

from __future__ import annotations

import html
import json
from pathlib import Path

from pydantic import BaseModel

from aiwriter_kernel.pipelines.article_models import ArticleResult
from aiwriter_kernel.text.slugs import slugify

FILE_SLUG_CHARS = 60


class ExportedFiles(BaseModel):
    folder: Path
    markdown: Path
    html: Path
    analysis: Path


def file_slug(title: str) -> str:
    """The start of an exported file's name: the title's slug, "draft" when it has none."""
    return slugify(title, FILE_SLUG_CHARS) or "draft"


def render_html(markdown: str, title: str) -> str:
    """Markdown to a standalone page. Raw HTML in the text is escaped, never passed through:
    drafts quote sources and model output, neither of which may inject markup."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).render(markdown)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def export_article(result: ArticleResult, analysis: dict, exports_dir: Path) -> ExportedFiles:
    """Write the article's three files under ``exports/<slug>-<draft id>/``."""
    return export_text(
        result.markdown, result.title, result.draft_id, analysis, exports_dir, name="article"
    )


def export_text(
    markdown: str,
    title: str,
    draft_id: int,
    analysis: dict,
    exports_dir: Path,
    *,
    name: str,
) -> ExportedFiles:
    """Write ``<name>.md``, ``<name>.html`` and ``analysis.json`` under
    ``exports/<slug>-<draft id>/``, overwriting that draft's earlier export."""
    folder = exports_dir / f"{file_slug(title)}-{draft_id}"
    folder.mkdir(parents=True, exist_ok=True)
    files = ExportedFiles(
        folder=folder,
        markdown=folder / f"{name}.md",
        html=folder / f"{name}.html",
        analysis=folder / "analysis.json",
    )
    files.markdown.write_text(markdown, encoding="utf-8")
    files.html.write_text(render_html(markdown, title), encoding="utf-8")
    files.analysis.write_text(json.dumps(analysis, indent=2, default=str), encoding="utf-8")
    return files
