"""Every analysis of a draft in one call, for front ends that show them side by side."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.analysis.citations import CitationReport, citation_report
from aiwriter_kernel.analysis.keywords import KeywordReport, keyword_report
from aiwriter_kernel.analysis.originality import OriginalityReport, originality_report
from aiwriter_kernel.analysis.readability import ReadabilityReport, readability_report
from aiwriter_kernel.analysis.seo import SeoAudit, seo_audit
from aiwriter_kernel.analysis.voice import VoiceReport, voice_match
from aiwriter_kernel.analysis.word_count import word_count

if TYPE_CHECKING:
    from aiwriter_kernel.personas import Persona


class AnalysisReport(BaseModel):
    """The analyses of one draft; a part is None when its input was not given (no keyword:
    no SEO audit; no sources: no originality; no valid labels: no citation check; no
    persona: no voice match)."""

    model_config = ConfigDict(frozen=True)

    word_count: int  # the one word count every front end shows (analysis.word_count)
    readability: ReadabilityReport
    seo: SeoAudit | None
    keywords: KeywordReport
    originality: OriginalityReport | None
    citations: CitationReport | None
    voice: VoiceReport | None = None


def analyze(
    markdown: str,
    *,
    keyword: str | None = None,
    sources: Mapping[str, str] | None = None,
    valid_labels: Collection[int] | None = None,
    title: str | None = None,
    meta_description: str | None = None,
    slug: str | None = None,
    target_words: int | None = None,
    persona: Persona | None = None,
) -> AnalysisReport:
    """Run every analysis that its inputs allow on a Markdown draft.

    ``sources`` maps a source's name (or label) to its text; it feeds the keyword gap and
    the originality check; ``persona`` adds how the draft matches that brand voice.
    Raises ValidationError for an empty draft or unusable keyword.
    """
    source_texts = list((sources or {}).values())
    return AnalysisReport(
        word_count=word_count(markdown),
        readability=readability_report(markdown),
        seo=(
            seo_audit(
                markdown,
                keyword=keyword,
                title=title,
                meta_description=meta_description,
                slug=slug,
                target_words=target_words,
            )
            if keyword is not None
            else None
        ),
        keywords=keyword_report(markdown, sources=source_texts, title=title),
        originality=originality_report(markdown, sources) if sources else None,
        citations=(
            citation_report(markdown, valid_labels=valid_labels)
            if valid_labels is not None
            else None
        ),
        voice=voice_match(markdown, persona) if persona is not None else None,
    )
