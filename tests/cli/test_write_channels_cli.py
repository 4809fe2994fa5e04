"""``aiwriter write --type CHANNEL``: the main job for a channel post, as a user runs it."""

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


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    env = {**os.environ, "AIWRITER_HOME": str(tmp_path_factory.mktemp("home"))}

    def aiwriter(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "aiwriter_kernel", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert aiwriter("ingest", str(CORPUS / "email-newsletters.md")).returncode == 0
    return aiwriter


def test_a_thread_is_written_numbered_within_limits_and_exported(run) -> None:
    result = run("write", "Email newsletters people open", "--type", "thread", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["channel"] == "x-thread"
    assert all(check["passed"] for check in summary["checks"])
    post = Path(summary["files"]["markdown"]).read_text()
    posts = [p for p in post.split("\n\n") if p.strip()]
    assert len(posts) >= 2
    for number, text in enumerate(posts, 1):
        assert text.startswith(f"{number}/{len(posts)} ") and len(text) <= 280
    assert json.loads(Path(summary["files"]["analysis"]).read_text())["readability"]


@pytest.mark.parametrize(("kind", "limit"), [("linkedin", 3000), ("email", 20000)])
def test_linkedin_and_email_posts_keep_their_limits(run, kind: str, limit: int) -> None:
    result = run("write", "Email newsletters people open", "--type", kind, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    text = Path(summary["files"]["markdown"]).read_text()
    assert 0 < len(text) <= limit
    if kind == "email":
        subject = re.search(r"^Subject: (.+)$", text, flags=re.MULTILINE)
        assert subject and len(subject.group(1)) <= 60


def test_an_unknown_type_lists_articles_and_channels(run) -> None:
    result = run("write", "Anything", "--type", "haiku")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "unknown type 'haiku'" in result.stderr
    assert "listicle" in result.stderr and "linkedin" in result.stderr
