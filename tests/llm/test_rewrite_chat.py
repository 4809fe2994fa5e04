"""Channel rewrites through a chat model (the local OpenAI-compatible server): the prompt
states the channel's exact limits and shape, and whatever the model answers is repaired to
fit them before it is stored, with warnings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai_server import openai_workbench

from aiwriter_kernel import Workbench

TEXT = """# Newsletters people open

Short subject lines display fully on phones. One call to action per email works best.
Sending on a predictable day helps readers expect the newsletter.
"""
LONG_POST = (
    "Subject lines decide whether anyone opens the email at all, so spend as long on them "
    "as on the body: name the benefit, keep it under fifty characters, avoid vague words "
    "like update or news, test two versions on a small slice of the list, and send the "
    "winner to everyone else; then measure replies and clicks rather than opens alone."
)
NUMBERED = re.compile(r"^(\d+)/(\d+) ")


@pytest.fixture
def workbench(tmp_path: Path, fake_openai) -> Iterator[Workbench]:
    with openai_workbench(tmp_path, fake_openai) as opened:
        yield opened


def prompt_of(fake_openai, index: int = -1) -> str:
    return fake_openai.requests[index].json["messages"][-1]["content"]


def test_an_over_long_misnumbered_thread_is_repaired_before_it_is_stored(
    workbench, fake_openai
) -> None:
    assert len(LONG_POST) > 300
    fake_openai.reply(
        f"Here is your thread:\n\n1/3 Newsletters are yours [1].\n\n2/3 {LONG_POST}\n\n"
        "7/3 Send on a predictable day."
    )
    result = workbench.rewrite(channel="twitter", text=TEXT)
    assert result.channel == "x-thread" and result.provider == "openai"
    posts = result.parts.posts
    assert len(posts) >= 4 and all(len(post) <= 280 for post in posts)
    assert posts[0] == f"1/{len(posts)} Newsletters are yours."  # the chatter line is gone
    assert [NUMBERED.match(p).groups() for p in posts] == [
        (str(n), str(len(posts))) for n in range(1, len(posts) + 1)
    ]
    joined = " ".join(NUMBERED.sub("", post) for post in posts)
    assert " ".join(LONG_POST.split()) in joined  # split between posts, not cut off
    assert "[1]" not in result.text
    assert any("split" in w for w in result.warnings)
    assert any("renumbered" in w for w in result.warnings)
    assert all(c.passed for c in result.checks)
    stored = workbench.db.drafts.get_version(result.draft_id)
    assert stored.content == result.text
    assert stored.meta["warnings"] == result.warnings
    assert stored.meta["parts"]["posts"] == posts


def test_too_many_hashtags_are_cut_to_the_channel_maximum(workbench, fake_openai) -> None:
    tags = " ".join(f"#Newsletter{n}" for n in range(8))
    fake_openai.reply(
        f"Open rates are not everything.\n\nReplies tell you more. #Email\n\n{tags} #email #b@d"
    )
    result = workbench.rewrite(channel="linkedin", text=TEXT, keyword="subject lines")
    assert result.parts.hook == "Open rates are not everything."
    assert result.parts.body == "Replies tell you more. Email"
    assert result.parts.hashtags == [
        "#SubjectLines",
        "#Email",
        "#Newsletter0",
        "#Newsletter1",
        "#Newsletter2",
    ]
    assert len(re.findall(r"#\w+", result.text)) == 5
    assert any("kept 5 of" in w for w in result.warnings)
    assert any("repeated" in w for w in result.warnings)
    assert any("'subject lines' does not appear" in w for w in result.warnings)
    kind = workbench.db.drafts.get_draft(result.draft_id).kind
    assert kind == "rewrite:linkedin"


def test_an_empty_answer_falls_back_to_the_offline_rewrite(workbench, fake_openai) -> None:
    fake_openai.reply("   ")
    result = workbench.rewrite(channel="email", text=TEXT)
    assert result.parts.subject == "Newsletters people open"
    assert result.parts.body and result.parts.call_to_action
    assert any("offline" in w for w in result.warnings)


def test_the_prompt_carries_the_channel_limits_and_shape(workbench, fake_openai) -> None:
    fake_openai.reply("Subject: Hi\nPreview: There\n\nBody.\n\nCTA: Reply", "1/1 One post.")
    workbench.rewrite(channel="newsletter", text=TEXT)
    email_prompt = prompt_of(fake_openai, 0)
    assert "subject line at most 60 characters" in email_prompt
    assert "preview text at most 90 characters" in email_prompt
    assert "Subject: <the subject line>" in email_prompt
    assert "Short subject lines display fully on phones." in email_prompt
    workbench.rewrite(channel="x-thread", text=TEXT, max_chars=1000)
    thread_prompt = prompt_of(fake_openai, 1)
    assert "at most 12 posts" in thread_prompt
    assert "each post at most 280 characters INCLUDING its number" in thread_prompt
    assert "at most 1000 characters in total" in thread_prompt


def test_the_focus_keyword_reaches_the_model(workbench, fake_openai) -> None:
    fake_openai.reply("1/1 Short subject lines win.", "1/1 Short subject lines win.")
    workbench.rewrite(channel="x-thread", text=TEXT, keyword="subject lines")
    assert "keyword below" in prompt_of(fake_openai, 0)
    assert '<keywords untrusted="true">\nsubject lines\n</keywords>' in prompt_of(fake_openai, 0)
    workbench.rewrite(channel="x-thread", text=TEXT)
    assert "focus keyword" not in prompt_of(fake_openai, 1)
