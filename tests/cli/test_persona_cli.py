"""`aiwriter persona` and `aiwriter write --persona` as a user runs them: a real process with
its own home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import assert_one_line_error, run_cli

from aiwriter_kernel.text.banned import find_banned

CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"


def test_add_list_show_and_delete(home: Path, tmp_path: Path) -> None:
    example = tmp_path / "example.md"
    example.write_text("Short words. Kind words.\n")
    added = run_cli(
        "persona", "add", "Plain Talk", "--audience", "beginners", "--tone", "friendly",
        "--tone-word", "clear", "--tone-word", "Simple", "--banned", "Synergy",
        "--banned", "deep dive", "--reading-level", "7", "--max-sentence-words", "20",
        "--example", str(example), "--description", "How we talk to new users", "--json",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    saved = json.loads(added.stdout)
    assert saved == {
        "name": "Plain Talk",
        "description": "How we talk to new users",
        "audience": "beginners",
        "tone": "friendly",
        "tone_words": ["clear", "simple"],
        "banned_words": ["synergy", "deep dive"],
        "reading_level": 7.0,
        "max_sentence_words": 20,
        "example_texts": ["Short words. Kind words.\n"],
    }
    assert run_cli("persona", "add", "Formal").returncode == 0
    assert run_cli("persona", "add", "Agency Voice", "--workspace", "agency").returncode == 0

    listed = run_cli("persona", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [p["name"] for p in json.loads(listed.stdout)] == ["Formal", "Plain Talk"]
    agency = json.loads(run_cli("persona", "list", "-w", "agency", "--json").stdout)
    assert [p["name"] for p in agency] == ["Agency Voice"]

    shown = run_cli("persona", "show", "Plain Talk", "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout) == saved
    as_text = run_cli("persona", "show", "Plain Talk")
    assert "banned words: synergy, deep dive" in as_text.stdout

    deleted = run_cli("persona", "delete", "Plain Talk", "--json")
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(deleted.stdout) == {"deleted": "Plain Talk", "workspace": "default"}
    left = json.loads(run_cli("persona", "list", "--json").stdout)
    assert [p["name"] for p in left] == ["Formal"]


def test_saving_again_replaces_the_persona(home: Path) -> None:
    assert run_cli("persona", "add", "Plain", "--tone", "friendly").returncode == 0
    again = run_cli("persona", "add", "Plain", "--tone", "formal", "--json")
    assert json.loads(again.stdout)["tone"] == "formal"
    assert len(json.loads(run_cli("persona", "list", "--json").stdout)) == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["persona", "show", "Ghost"], "unknown persona 'Ghost'"),
        (["persona", "delete", "Ghost"], "no persona 'Ghost'"),
        (
            ["persona", "add", "Plain", "--reading-level", "40"],
            "--reading-level: Input should be less than or equal to 20",
        ),
        (["persona", "add", "Plain", "--example", "/no/such/file.md"], "cannot read the example"),
        (["write", "Anything", "--persona", "Ghost"], "unknown persona 'Ghost'"),
    ],
)
def test_errors_are_one_line(home: Path, args: list[str], needle: str) -> None:
    assert_one_line_error(run_cli(*args), needle)


def test_an_unknown_persona_lists_the_known_ones(home: Path) -> None:
    run_cli("persona", "add", "Plain")
    assert_one_line_error(run_cli("persona", "show", "Plian"), "known: Plain")


@pytest.mark.slow
def test_write_in_a_persona_exports_the_voice_analysis(home: Path) -> None:
    assert find_banned((CORPUS / "readability.md").read_text(), ["readers"])  # in the sources
    ingested = run_cli("ingest", str(CORPUS / "readability.md"), str(CORPUS / "headlines.md"))
    assert ingested.returncode == 0, ingested.stderr
    run_cli("persona", "add", "No Readers", "--banned", "readers", "--max-sentence-words", "30")
    written = run_cli("write", "Writing headlines", "--persona", "No Readers", "--json")
    assert written.returncode == 0, written.stderr
    summary = json.loads(written.stdout)
    article = Path(summary["files"]["markdown"]).read_text()
    body = article.split("\n## References\n")[0]
    assert find_banned(body, ["readers"]) == []
    analysis = json.loads(Path(summary["files"]["analysis"]).read_text())
    assert analysis["voice"]["persona"] == "No Readers"
    assert analysis["voice"]["banned_words"] == []
    assert summary["voice_score"] == analysis["voice"]["score"]
    # one word count: what `write --json` reports is what every analysis of the draft shows
    assert summary["word_count"] == analysis["word_count"] == analysis["readability"]["word_count"]
    assert analysis["keywords"]["word_count"] == analysis["voice"]["word_count"]
    assert summary["word_count"] == analysis["voice"]["word_count"]
