"""`aiwriter ask`, `summarize` and `seo-meta` as a user runs them: a real process, a real
home and knowledge base; a refusal is an answer (exit code 0), bad input one error line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
SCRIPT = re.compile(r'<script type="application/ld\+json">\n(.*?)\n</script>', re.DOTALL)
TEA = """# Brewing Green Tea at Home

Green tea tastes best when the water is well below boiling, at about 80 degrees Celsius. Steep \
the leaves for two to three minutes and then lift them out.
"""


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "240"},
    )


def as_json(result: subprocess.CompletedProcess[str]) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def assert_one_line_error(result: subprocess.CompletedProcess[str], needle: str) -> None:
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0], result.stderr


def test_ask_summarize_and_describe_from_the_command_line(home: Path, tmp_path: Path) -> None:
    ingested = run_cli("ingest", str(CORPUS / "seo-basics.md"), "--json")
    assert ingested.returncode == 0, ingested.stderr

    answer = as_json(run_cli("ask", "What is keyword stuffing?", "--json"))
    assert answer["answered"] is True and "[1]" in answer["answer"]
    assert answer["citations"][0]["origin"] == str(CORPUS / "seo-basics.md")

    refused = run_cli("ask", "What is the boiling point of tungsten?")
    assert refused.returncode == 0, refused.stderr
    assert "Not answered" in refused.stdout and "tungsten" in refused.stdout
    refused_json = as_json(run_cli("ask", "What is the boiling point of tungsten?", "--json"))
    assert refused_json["answered"] is False and refused_json["answer"] == ""
    assert "tungsten" in refused_json["reason"]

    summary = as_json(run_cli("summarize", "--source", "1", "--words", "60", "--json"))
    assert 0 < summary["word_count"] <= 60 and summary["references"]

    described = as_json(
        run_cli(
            "seo-meta",
            "--draft",
            str(summary["draft_id"]),
            "--keyword",
            "keyword",
            "--url",
            "https://seo.example/keywords",
            "--author",
            "Ada Lovelace",
            "--json",
        )
    )
    data = json.loads(SCRIPT.search(described["json_ld_script"])[1])
    assert data["author"] == {"@type": "Person", "name": "Ada Lovelace"}
    assert data["mainEntityOfPage"]["@id"] == "https://seo.example/keywords"
    assert "datePublished" in data and data["wordCount"] > 0
    assert all(len(t) <= 60 and "keyword" in t.lower() for t in described["titles"])


def test_seo_meta_prints_the_head_for_a_file(home: Path, tmp_path: Path) -> None:
    page = tmp_path / "tea.md"
    page.write_text(TEA)
    shown = run_cli("seo-meta", "--file", str(page), "--keyword", "green tea")
    assert shown.returncode == 0, shown.stderr
    assert "<title>Brewing Green Tea at Home</title>" in shown.stdout
    assert "Slug: green-tea" in shown.stdout
    assert json.loads(SCRIPT.search(shown.stdout)[1])["headline"] == "Brewing Green Tea at Home"


def test_bad_input_is_one_line_of_error(home: Path, tmp_path: Path) -> None:
    assert_one_line_error(run_cli("seo-meta"), "exactly one of --draft or --file")
    assert_one_line_error(
        run_cli("seo-meta", "--file", str(tmp_path / "missing.md")), "cannot read"
    )
    assert_one_line_error(run_cli("summarize", "--source", "7"), "no source 7")
    assert_one_line_error(run_cli("summarize"), "nothing selected")
    assert_one_line_error(run_cli("ask", "  "), "the question is empty")
