"""analyze(): every analysis its inputs allow, and a cheap import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aiwriter_kernel.analysis import AnalysisReport, analyze
from aiwriter_kernel.errors import ValidationError

DRAFT = """# Sourdough starter basics

A sourdough starter needs flour and water every day [1]. In 2020, home baking doubled in the
United Kingdom [2]. Keep the jar somewhere warm.

## References

[1] Starter care — example.org
[2] Baking survey — example.com
"""
SOURCES = {"1": "A starter needs flour and water. Feed it daily.", "2": "Baking doubled in 2020."}


def test_everything() -> None:
    report = analyze(DRAFT, keyword="sourdough starter", sources=SOURCES, valid_labels=[1, 2])
    assert isinstance(report, AnalysisReport)
    assert report.readability.sentence_count == 3
    assert report.seo is not None and report.seo.keyword == "sourdough starter"
    assert report.keywords.keywords
    assert report.originality is not None and not report.originality.flagged
    assert report.citations is not None and report.citations.coverage == 1.0
    json.loads(report.model_dump_json())  # serialisable for the API and the notebook


def test_optional_parts_are_none() -> None:
    report = analyze(DRAFT)
    assert report.seo is None and report.originality is None and report.citations is None


def test_empty_draft_is_rejected() -> None:
    with pytest.raises(ValidationError):
        analyze("   ")


def test_import_is_cheap() -> None:
    """Importing the analysis loads neither plotly nor textstat/NLTK nor the parsers."""
    code = (
        "import json, sys\nimport aiwriter_kernel.analysis\n"
        "heavy = {'plotly', 'textstat', 'nltk', 'lxml', 'markdown_it', 'numpy'}\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & heavy)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
