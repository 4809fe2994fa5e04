"""What a person reads from the CLI, run as real processes with stdout and stderr piped:
no third-party progress bars or kernel warnings, ``--version`` and ``-h``, plain errors that
name the flag, counts in the right number."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiwriter_kernel import __version__

CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
NOISE = ("Loading weights", "%|", "IPKernelApp", "without encryption")


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "240", **(env or {})},
    )


def assert_quiet(result: subprocess.CompletedProcess[str]) -> None:
    """Succeeded, and said nothing on stderr: piped, not even our own bar is drawn."""
    assert result.returncode == 0, result.stderr
    for noise in NOISE:
        assert noise not in result.stderr, result.stderr
    assert result.stderr == ""


@pytest.mark.slow
def test_piped_ingest_search_and_write_leave_stderr_empty(home: Path, tmp_path: Path) -> None:
    # a fresh ONNX cache: the model is exported, loading its weights through transformers
    fresh = {"AIWRITER_ONNX_CACHE": str(tmp_path / "onnx")}
    assert_quiet(run_cli("ingest", str(CORPUS / "readability.md"), env=fresh))
    assert any((tmp_path / "onnx").iterdir())  # the export (and its weight loading) happened
    assert_quiet(run_cli("search", "short sentences", env=fresh))
    assert_quiet(run_cli("write", "Readable web content", "--allow-thin", env=fresh))
    # the torch runtime loads the model through sentence-transformers and transformers
    torch = {**fresh, "AIWRITER_EMBEDDING_RUNTIME": "torch"}
    assert_quiet(run_cli("search", "short sentences", env=torch))


@pytest.mark.slow
def test_an_unchanged_source_says_it_was_already_ingested(home: Path) -> None:
    first = run_cli("ingest", str(CORPUS / "seo-basics.md"), "--json")
    assert first.returncode == 0, first.stderr
    chunks = json.loads(first.stdout)["items"][0]["chunks"]
    assert chunks > 1
    again = run_cli("ingest", str(CORPUS / "seo-basics.md"))
    assert again.returncode == 0, again.stderr
    row = next(line for line in again.stdout.splitlines() if "unchanged" in line)
    assert "unchanged (already ingested)" in row and f" {chunks} " in row
    as_json = json.loads(run_cli("ingest", str(CORPUS / "seo-basics.md"), "--json").stdout)
    assert as_json["items"][0] == {**as_json["items"][0], "status": "unchanged", "chunks": chunks}


def test_version_is_printed() -> None:
    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"aiwriter {__version__}"


@pytest.mark.parametrize("command", [[], ["write"], ["kb"], ["kb", "reindex"], ["persona", "add"]])
def test_dash_h_is_help_on_every_level(command: list[str]) -> None:
    short, long = run_cli(*command, "-h"), run_cli(*command, "--help")
    assert short.returncode == 0, short.stderr
    assert "Usage" in short.stdout and short.stdout == long.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["write", "  "], "error: TOPIC: the topic is empty"),
        (["rewrite", "-c", "tiktok", "-f", "README.md"], "error: --channel: unknown"),
        (["write", "Compost", "--words", "3"], "error: --words: Input should be greater"),
    ],
)
def test_input_errors_name_the_flag_in_plain_words(
    home: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[2])  # README.md: a file to rewrite
    result = run_cli(*args)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(expected), result.stderr
    assert "Value error" not in result.stderr
