"""The article pipeline through a chat model (the local OpenAI-compatible server): prompts
carry the sources, answers are parsed and checked, malformed ones repaired or reported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai_server import openai_workbench

from aiwriter_kernel import Workbench

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
OUTLINE = """# Email Newsletters That Work
## Subject Lines
- keep them short [1]
## One Call to Action
- a single button [1]
## Cadence
- a predictable day [1]
"""


@pytest.fixture
def workbench(tmp_path: Path, fake_openai) -> Iterator[Workbench]:
    with openai_workbench(tmp_path, fake_openai) as opened:
        opened.ingest(CORPUS / "email-newsletters.md")
        yield opened


def test_a_model_writes_the_article_from_the_quoted_sources(workbench, fake_openai) -> None:
    fake_openai.reply(
        OUTLINE,
        "Newsletters reach people who asked for them [1].",
        "Short subject lines display fully on phones [1].",
        "Give each email one call to action [1]. Invented facts cite nothing real [7].",
        "Send on a predictable day [1].",
    )
    result = workbench.write("Email newsletters", target_words=400, sections=3)
    prompts = [r.json["messages"][-1]["content"] for r in fake_openai.requests]
    assert len(prompts) == 6  # outline, introduction, three sections, meta description
    quoted = '<source id="1" title="Email newsletters that people open"'
    assert all(quoted in prompt for prompt in prompts[:5])
    assert "already grouped into 3 sections" in prompts[0]  # the planner's groups, in order
    assert "untrusted" in prompts[0]
    assert [s.heading for s in result.outline.sections] == [
        "Subject Lines",
        "One Call to Action",
        "Cadence",
    ]
    assert "Short subject lines display fully on phones [1]." in result.markdown
    assert "[7]" not in result.markdown  # a citation to a source the model was not given
    assert any("unknown sources [7]" in warning for warning in result.warnings)
    assert result.markdown.rstrip().endswith(
        "[1] Email newsletters that people open — " + str(CORPUS / "email-newsletters.md")
    )
    assert result.provider == "openai"
    stored = workbench.db.drafts.get_version(result.draft_id)
    assert stored.content == result.markdown
    assert {g.provider for g in workbench.db.generations.list_recent()} == {"openai"}


def test_a_malformed_outline_falls_back_and_says_so(workbench, fake_openai) -> None:
    fake_openai.reply("Sure! Here are some thoughts about newsletters, no headings at all.")
    draft_id, outline = workbench.outline("Email newsletters", sections=3)
    assert len(outline.sections) == 3  # the offline outline of the same sources
    planned = workbench.db.drafts.list_versions(draft_id)[0]
    assert "unusable" in planned.meta["warnings"][0]
    assert "Sure! Here are" not in planned.content  # garbage is not stored as the outline
    # the fallback was asked of the offline provider through the gateway: logged like any call
    logged = {g.provider for g in workbench.db.generations.list_recent()}
    assert logged == {"openai", "offline"}


def test_model_prose_is_repaired_before_it_is_stored(workbench, fake_openai) -> None:
    fake_openai.reply(
        OUTLINE,
        "## A heading the model added\nSay it once [1]. Say it once [1]. Then stop [1].",
        "Short subject lines display fully on phones [1].",
        "One call to action [1].",
        "A predictable day [1].",
    )
    result = workbench.write("Email newsletters", target_words=400, sections=3)
    assert "A heading the model added" not in result.markdown
    assert result.markdown.count("Say it once") == 1
    assert any("repeated sentences" in warning for warning in result.warnings)
