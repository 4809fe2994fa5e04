"""The rewrite prompt states each channel's limits as its rules set them, and its shape:
the template prints what the channel's module writes, so the numbers cannot drift."""

from __future__ import annotations

import re

import pytest

from aiwriter_kernel.channels import get, names
from aiwriter_kernel.llm.tasks import RewriteTask
from aiwriter_kernel.llm.templates import render_task


@pytest.mark.parametrize("channel", sorted(names()))
def test_the_prompt_states_every_limit_of_the_rules(channel: str) -> None:
    """The template spells the limits out; this keeps it in step with each channel's rules."""
    rules = get(channel).rules
    prompt = render_task(RewriteTask(text="Some text.", channel=channel)).messages[-1].content
    numbers = [
        rules.max_chars,
        rules.max_hashtags or None,
        rules.post_max_chars,
        rules.max_posts,
        rules.hook_max_chars,
        rules.subject_max_chars,
        rules.preview_max_chars,
        rules.max_items,
    ]
    for number in (n for n in numbers if n):
        assert re.search(rf"at most {number}\b", prompt), (channel, number)


@pytest.mark.parametrize("channel", sorted(names()))
def test_the_prompt_holds_the_channel_instructions_once(channel: str) -> None:
    """A tighter ``max_chars`` replaces the channel's own in the stated limits."""
    task = RewriteTask(text="Some text.", channel=channel, max_chars=150)
    prompt = render_task(task).messages[-1].content
    instructions = get(channel).prompt_rules(150)
    assert prompt.count(instructions) == 1
    assert "at most 150 characters in total" in instructions
    assert instructions.startswith("Hard limits: ") and "Output exactly this shape" in instructions
