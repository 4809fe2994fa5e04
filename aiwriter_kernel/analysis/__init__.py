"""Content analysis of drafts: readability, SEO, key phrases, originality, citations and how
a draft matches a persona's voice.

Every function is pure (no model, database or network), deterministic and fast, and takes
and returns pydantic models. Figures (``aiwriter_kernel.analysis.figures``) import plotly
only when called; textstat (which imports NLTK) loads on the first readability report.
"""

from __future__ import annotations

from aiwriter_kernel.analysis.citations import (
    CitationReport,
    ReferenceEntry,
    Sentence,
    citation_report,
)
from aiwriter_kernel.analysis.figures import (
    keyword_density_bars,
    readability_bars,
    score_gauge,
    sentence_length_histogram,
    voice_check_bars,
)
from aiwriter_kernel.analysis.keywords import (
    KeywordDensity,
    KeywordGap,
    KeywordReport,
    keyword_report,
)
from aiwriter_kernel.analysis.originality import (
    OriginalityReport,
    OverlapRun,
    SourceOverlap,
    originality_report,
)
from aiwriter_kernel.analysis.readability import (
    ReadabilityReport,
    SentenceLengths,
    readability_report,
)
from aiwriter_kernel.analysis.report import AnalysisReport, analyze
from aiwriter_kernel.analysis.seo import SeoAudit, SeoCheck, seo_audit
from aiwriter_kernel.analysis.voice import VoiceCheck, VoiceReport, WordCount, voice_match
from aiwriter_kernel.analysis.word_count import word_count

__all__ = [
    "AnalysisReport",
    "CitationReport",
    "KeywordDensity",
    "KeywordGap",
    "KeywordReport",
    "OriginalityReport",
    "OverlapRun",
    "ReadabilityReport",
    "ReferenceEntry",
    "Sentence",
    "SentenceLengths",
    "SeoAudit",
    "SeoCheck",
    "SourceOverlap",
    "VoiceCheck",
    "VoiceReport",
    "WordCount",
    "analyze",
    "citation_report",
    "keyword_density_bars",
    "keyword_report",
    "originality_report",
    "readability_bars",
    "readability_report",
    "score_gauge",
    "sentence_length_histogram",
    "seo_audit",
    "voice_check_bars",
    "voice_match",
    "word_count",
]
