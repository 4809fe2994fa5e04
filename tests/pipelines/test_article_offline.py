"""The main job offline: a real, cited, non-repetitive article from the demo corpus, stored
with its stages, re-runnable from an edited outline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.pipelines.article_models import PipelineEvent
from aiwriter_kernel.pipelines.exports import render_html
from aiwriter_kernel.text.sentences import split_sentences, strip_markdown

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
REFERENCE = re.compile(r"^\[(\d+)\] (.+) — (.+)$")
CITED = re.compile(r"^(?P<body>.+?) \[(?P<labels>\d+(?:, \d+)*)\](?P<end>[.!?])$")


@pytest.fixture(scope="module")
def workbench(tmp_path_factory) -> Iterator[Workbench]:
    with Workbench.open(home=tmp_path_factory.mktemp("home")) as opened:
        opened.ingest(CORPUS)
        yield opened


@pytest.fixture(scope="module")
def article(workbench):
    events: list[PipelineEvent] = []
    result = workbench.write(
        "How to write readable web content", keywords=("readability",), on_event=events.append
    )
    return result, events


def body_and_references(markdown: str) -> tuple[str, list[str]]:
    body, _, references = markdown.partition("\n## References\n")
    return body, [line for line in references.strip().splitlines() if line]


def test_the_article_has_the_shape_of_an_article(article) -> None:
    result, _ = article
    body, references = body_and_references(result.markdown)
    lines = body.splitlines()
    assert lines[0] == f"# {result.title}"
    intro = body.split("\n## ", 1)[0].split("\n", 1)[1].strip()
    assert len(split_sentences(intro)) >= 2  # an introduction before the first section
    assert len(re.findall(r"^## ", body, flags=re.MULTILINE)) >= 2  # sections, not one block
    assert references and all(REFERENCE.match(line) for line in references)


def test_no_sentence_is_repeated(article) -> None:
    result, _ = article
    body, _ = body_and_references(result.markdown)
    prose = [s for s in split_sentences(body) if not s.startswith("#")]
    assert len(prose) == len(set(prose)) > 10


def test_every_citation_points_to_a_real_chunk_of_the_right_source(article, workbench) -> None:
    result, _ = article
    body, references = body_and_references(result.markdown)
    by_label = {c.label: c for c in result.citations}
    assert sorted(by_label) == list(range(1, len(references) + 1))
    for line in references:
        label, title, origin = REFERENCE.match(line).groups()
        assert (by_label[int(label)].title, by_label[int(label)].origin) == (title, origin)
    for sentence in split_sentences(strip_markdown(body)):
        match = CITED.match(sentence)
        if match is None:
            continue
        for label in map(int, match["labels"].split(", ")):
            citation = by_label[label]
            chunks = workbench.db.sources.get_chunks_by_ids(citation.chunk_ids)
            assert chunks and all(chunk.source_id == citation.source_id for chunk in chunks)
            text = " ".join(workbench.db.sources.get_source_text(citation.source_id).split())
            assert " ".join((match["body"] + match["end"]).split()) in text


def test_stages_are_stored_as_versions_and_reported_as_events(article, workbench) -> None:
    result, events = article
    versions = workbench.db.drafts.list_versions(result.draft_id)
    assert [v.stage for v in versions] == ["outline", "draft"]
    assert versions[-1].content == result.markdown
    stages = [event.stage for event in events]
    assert stages[0] == "research" and stages[-1] == "done"
    written = [e for e in events if e.stage == "section" and e.text is not None]
    assert len(written) == len(result.outline.sections) + 1  # + introduction
    count = len(result.outline.sections)
    progress = [e.message for e in events if e.stage == "section" and e.text is None]
    assert progress == [
        f"section {n}/{count}: {s.heading}" for n, s in enumerate(result.outline.sections, 1)
    ]


def test_an_edited_outline_regenerates_only_what_changed(article, workbench) -> None:
    result, _ = article
    edited = result.outline.model_copy(deep=True)
    edited.sections[-1].heading = "Active Voice"
    edited.sections[-1].points = ["active sentences name who does what"]
    again = workbench.draft(result.draft_id, outline=edited)
    assert again.version == result.version + 1
    assert again.regenerated_sections == ["Active Voice"]
    kept = [s.heading for s in result.outline.sections[:-1]]
    for heading in kept:
        old = result.markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
        new = again.markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
        assert re.sub(r"\[\d+(, \d+)*\]", "", old) == re.sub(r"\[\d+(, \d+)*\]", "", new)
    assert "## Active Voice" in again.markdown
    assert workbench.db.drafts.get_version(result.draft_id, 2).content == result.markdown


def test_article_formats_shape_the_headings(workbench) -> None:
    howto = workbench.write("Writing a newsletter people open", format="how-to")
    headings = re.findall(r"^## (.+)$", howto.markdown, flags=re.MULTILINE)[:-2]
    assert re.findall(r"^## (.+)$", howto.markdown, flags=re.MULTILINE)[-2] == "Steps at a Glance"
    assert [h.split(":")[0] for h in headings] == [f"Step {n}" for n in range(1, len(headings) + 1)]
    faq = workbench.write("SEO basics", format="faq", target_words=400)
    questions = re.findall(r"^## (.+)$", faq.markdown, flags=re.MULTILINE)[:-2]
    assert questions and all(q.endswith("?") for q in questions)


def test_analysis_of_the_draft(article, workbench) -> None:
    result, _ = article
    report = workbench.analyze(result.markdown, keyword="readability", draft=result)
    assert report.citations.invalid_citations == []
    assert report.citations.coverage >= 0.9
    assert report.seo is not None and 0 <= report.seo.score <= 100
    assert report.originality is not None  # extractive text overlaps its sources by design


@pytest.mark.parametrize(
    ("topic", "fields", "message"),
    [
        ("   ", {}, "topic is empty"),
        ("SEO", {"target_words": 10}, "target_words"),
        ("SEO", {"format": "poem"}, "format"),
    ],
)
def test_bad_requests_are_refused(workbench, topic, fields, message) -> None:
    with pytest.raises(ValidationError, match=message):
        workbench.write(topic, **fields)


def test_an_empty_knowledge_base_is_a_clear_error(tmp_path) -> None:
    with Workbench.open(home=tmp_path) as empty, pytest.raises(ValidationError, match="ingest"):
        empty.write("Anything at all")


def test_html_export_escapes_raw_html() -> None:
    page = render_html("# T\n\nText <script>alert(1)</script> [1]\n", "T <b>")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<title>T &lt;b&gt;</title>" in page


def test_the_write_command_exports_markdown_html_and_analysis(tmp_path) -> None:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "AIWRITER_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "aiwriter_kernel"]
    subprocess.run([*command, "ingest", str(CORPUS)], env=env, check=True, capture_output=True)
    result = subprocess.run(
        [*command, "write", "Writing headlines", "-k", "headline", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    files = {name: Path(path) for name, path in summary["files"].items()}
    assert files["markdown"].read_text().startswith("# ")
    assert "<h2>References</h2>" in files["html"].read_text()
    analysis = json.loads(files["analysis"].read_text())
    assert analysis["citations"]["invalid_citations"] == []
    assert summary["citation_coverage"] == analysis["citations"]["coverage"]
    assert 0 <= summary["seo_score"] <= 100
