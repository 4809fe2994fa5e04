"""``aiwriter write``: the main job — a cited article, exported with its analysis."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from aiwriter_kernel.cli.output import emit, stderr
from aiwriter_kernel.cli.workbench_loader import open_workbench


def write(
    topic: Annotated[str, typer.Argument(help="What the article is about.")],
    article_type: Annotated[
        str, typer.Option("--type", help="article, essay, news, how-to, listicle or faq.")
    ] = "article",
    keyword: Annotated[list[str] | None, typer.Option("--keyword", "-k", help="Keywords.")] = None,
    audience: Annotated[str | None, typer.Option(help="Who it is for.")] = None,
    tone: Annotated[str | None, typer.Option(help="e.g. friendly, formal.")] = None,
    words: Annotated[int, typer.Option(help="Target length in words.")] = 900,
    provider: Annotated[str | None, typer.Option("--provider", "-p", help="Provider.")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Model.")] = None,
    workspace: Annotated[str, typer.Option("--workspace", "-w", help="Workspace.")] = "default",
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Research, outline, draft with citations, review; writes Markdown, HTML and analysis."""
    from tqdm import tqdm

    from aiwriter_kernel.pipelines.article_models import ARTICLE_FORMATS
    from aiwriter_kernel.pipelines.exports import export_article

    if article_type not in ARTICLE_FORMATS:
        from aiwriter_kernel.errors import ValidationError

        raise ValidationError(
            f"unknown article type {article_type!r}: use one of {', '.join(ARTICLE_FORMATS)}"
        )
    fields = {
        "format": article_type,
        "keywords": tuple(keyword or ()),
        "audience": audience,
        "tone": tone,
        "target_words": words,
        "provider": provider,
        "model": model,
        "workspace": workspace,
    }
    with (
        open_workbench() as workbench,
        tqdm(desc="write", unit="step", file=stderr.file, disable=None) as bar,
    ):

        def on_event(event) -> None:
            bar.set_postfix_str(event.message[:40])
            bar.update(1)

        result = workbench.write(topic, on_event=on_event, **fields)
        focus = keyword[0] if keyword else None
        analysis = workbench.analyze(result.markdown, keyword=focus, draft=result)
        files = export_article(
            result, analysis.model_dump(mode="json"), workbench.settings.exports_path
        )
    summary = {
        "draft_id": result.draft_id,
        "version": result.version,
        "title": result.title,
        "provider": result.provider,
        "files": files.model_dump(mode="json"),
        "citations": len(result.citations),
        "uncited_claims": result.uncited_claims,
        "warnings": result.warnings,
        "citation_coverage": analysis.citations.coverage if analysis.citations else None,
        "flesch_reading_ease": analysis.readability.flesch_reading_ease,
        "seo_score": analysis.seo.score if analysis.seo else None,
    }

    def render(console: Console) -> None:
        console.print(
            f"[bold]{result.title}[/bold] (draft {result.draft_id}, "
            f"v{result.version}, {len(result.citations)} sources cited)"
        )
        console.print(
            f"Markdown: {files.markdown}\nHTML:     {files.html}\nAnalysis: {files.analysis}"
        )
        for warning in result.warnings:
            console.print(f"[yellow]warning:[/yellow] {warning}")

    emit(summary, as_json=json_output, render=render)
