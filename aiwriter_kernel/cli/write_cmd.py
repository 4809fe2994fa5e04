"""``aiwriter write``: the main job — a cited article (or a channel post researched from the
same knowledge base), exported with its analysis."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from aiwriter_kernel.cli.channel_help import ChannelsHelp
from aiwriter_kernel.cli.output import emit, print_warnings, stderr
from aiwriter_kernel.cli.workbench_loader import open_workbench
from aiwriter_kernel.cli.write_progress import WriteProgress, progress_bar
from aiwriter_kernel.text.counts import counted


def write(
    topic: Annotated[str, typer.Argument(help="What the article is about.")],
    article_type: Annotated[
        str,
        ChannelsHelp(
            typer.Option("--type"),
            "article, essay, news, how-to, listicle, faq; or a channel: {channels}.",
        ),
    ] = "article",
    keyword: Annotated[list[str] | None, typer.Option("--keyword", "-k", help="Keywords.")] = None,
    audience: Annotated[str | None, typer.Option(help="Who it is for.")] = None,
    tone: Annotated[str | None, typer.Option(help="e.g. friendly, formal.")] = None,
    words: Annotated[int, typer.Option(help="Target length in words.")] = 900,
    sections: Annotated[
        int | None,
        typer.Option(help="Number of sections (default: as many subjects as the sources hold)."),
    ] = None,
    persona: Annotated[
        str | None, typer.Option("--persona", help="Write in this persona's voice.")
    ] = None,
    provider: Annotated[str | None, typer.Option("--provider", "-p", help="Provider.")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Model.")] = None,
    workspace: Annotated[str, typer.Option("--workspace", "-w", help="Workspace.")] = "default",
    allow_thin: Annotated[
        bool,
        typer.Option(
            "--allow-thin",
            help="Write even when the knowledge base covers the topic only thinly (warns).",
        ),
    ] = False,
    per_source: Annotated[
        int,
        typer.Option(
            "--per-source", min=0, help="At most N hits per source in each research query (0: any)."
        ),
    ] = 1,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Research, outline, draft with citations, review; writes Markdown, HTML and analysis
    (with --persona, in that voice, and the analysis includes how well it matches).

    A topic the knowledge base does not cover is refused with the reason; --allow-thin
    writes what the evidence supports instead, with a warning."""
    from aiwriter_kernel.pipelines.article_models import ARTICLE_FORMATS

    if article_type not in ARTICLE_FORMATS:
        channel = _channel_or_error(article_type)
        post = {"channel": channel, "topic": topic, "keyword": (keyword or [None])[0]}
        post |= {"persona": persona, "provider": provider, "model": model}
        _write_post(post | {"workspace": workspace}, json_output)
        return
    fields = {
        "format": article_type,
        "keywords": tuple(keyword or ()),
        "audience": audience,
        "tone": tone,
        "target_words": words,
        "sections": sections,
        "persona": persona,
        "provider": provider,
        "model": model,
        "workspace": workspace,
        "allow_thin": allow_thin,
        "per_source": per_source,
    }
    with open_workbench() as workbench, progress_bar(stderr.file) as bar:
        published = workbench.write_and_export(topic, on_event=WriteProgress(bar), **fields)
    result, analysis, files = published.result, published.analysis, published.files
    summary = {
        "draft_id": result.draft_id,
        "version": result.version,
        "title": result.title,
        "provider": result.provider,
        "files": files.model_dump(mode="json"),
        "citations": len(result.citations),
        "uncited_claims": result.uncited_claims,
        "warnings": result.warnings,
        "word_count": result.word_count,
        "target_words": result.target_words,
        "coverage": result.coverage,
        "meta_description": result.meta_description,
        "citation_coverage": analysis.citations.coverage if analysis.citations else None,
        "flesch_reading_ease": analysis.readability.flesch_reading_ease,
        "seo_score": analysis.seo.score if analysis.seo else None,
        "voice_score": analysis.voice.score if analysis.voice else None,
    }

    def render(console: Console) -> None:
        console.print(
            f"[bold]{result.title}[/bold] (draft {result.draft_id}, "
            f"v{result.version}, {counted(len(result.citations), 'source')} cited)"
        )
        console.print(
            f"Markdown: {files.markdown}\nHTML:     {files.html}\nAnalysis: {files.analysis}"
        )
        console.print(_scores_line(result, analysis))
        print_warnings(console, result.warnings)

    emit(summary, as_json=json_output, render=render)


def _scores_line(result, analysis) -> str:
    """Length, readability and (with a keyword) the SEO score, on one line."""
    parts = [
        f"{counted(result.word_count, 'word')} (target {result.target_words})",
        f"Flesch reading ease {analysis.readability.flesch_reading_ease:.0f}",
        f"grade {analysis.readability.flesch_kincaid_grade:.1f}",
    ]
    if analysis.seo is not None:
        parts.append(f"SEO {analysis.seo.score}/100 for {escape(analysis.seo.keyword)!r}")
    return "Scores:   " + " · ".join(parts)


def _channel_or_error(article_type: str) -> str:
    """The channel an unknown article type names, or one error listing every valid type."""
    from aiwriter_kernel.channels import aliases, names, resolve_channel
    from aiwriter_kernel.errors import ValidationError
    from aiwriter_kernel.pipelines.article_models import ARTICLE_FORMATS

    try:
        return resolve_channel(article_type)
    except ValidationError:
        valid = [*ARTICLE_FORMATS, *names(), *aliases()]
        raise ValidationError(
            f"unknown type {article_type!r}: use one of {', '.join(valid)}"
        ) from None


def _write_post(fields: dict, json_output: bool) -> None:
    """A channel post on the topic: researched, summarised, rewritten within the channel's
    limits, stored, and exported with its analysis like an article."""
    with open_workbench() as workbench:
        published = workbench.post_and_export(**fields)
    result, analysis, files = published.result, published.analysis, published.files
    summary = {
        "draft_id": result.draft_id,
        "version": result.version,
        "channel": result.channel,
        "title": result.title,
        "provider": result.provider,
        "files": files.model_dump(mode="json"),
        "checks": [check.model_dump(mode="json") for check in result.checks],
        "warnings": result.warnings,
        "flesch_reading_ease": analysis.readability.flesch_reading_ease,
        "voice_score": analysis.voice.score if analysis.voice else None,
    }

    def render(console: Console) -> None:
        console.print(escape(result.text), highlight=False)
        console.print()
        for check in result.checks:
            mark = "[green]ok[/green]" if check.passed else "[red]over[/red]"
            console.print(f"{mark} {escape(check.name)}: {check.actual} / {check.limit}")
        console.print(f"Markdown: {files.markdown}\nHTML:     {files.html}")
        print_warnings(console, result.warnings)

    emit(summary, as_json=json_output, render=render)
