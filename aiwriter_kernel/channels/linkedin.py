"""LinkedIn: a hook short enough to show before "see more", short paragraphs, a few tags."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field

from aiwriter_kernel.channels.base import (
    Channel,
    ChannelRules,
    Edit,
    LimitCheck,
    OfflineMaterial,
    Parts,
    limit_check,
)
from aiwriter_kernel.channels.common import (
    ELLIPSIS,
    HOOK,
    first_sentence,
    first_within,
    fit_sentences,
    join_blocks,
    paragraphs_of,
    pull_hashtags,
    take,
    take_label,
    unlabelled,
)
from aiwriter_kernel.channels.registry import register


class LinkedInParts(Parts):
    channel: Literal["linkedin"] = "linkedin"
    hook: str = ""
    body: str = ""
    hashtags: list[str] = Field(default_factory=list)

    def render(self) -> str:
        return join_blocks(self.hook, self.body, " ".join(self.hashtags))

    def map_texts(self, edit: Edit) -> Self:
        return self.model_copy(update={"hook": edit(self.hook), "body": edit(self.body)})


class LinkedIn(Channel):
    rules = ChannelRules(
        name="linkedin",
        max_chars=3000,
        target_chars=1300,
        max_hashtags=5,
        target_hashtags=3,
        hook_max_chars=210,
    )
    parts = LinkedInParts
    shrink_order = ("body", "hook")

    def shape(self) -> str:
        return (
            '<the hook: one or two short sentences that show before "see more">\n\n'
            "<the body: short paragraphs separated by blank lines>\n\n"
            f"<one line of {self.rules.target_hashtags} to {self.rules.max_hashtags} hashtags, "
            "like #ContentMarketing #Writing>"
        )

    def limit_clauses(self, max_chars: int) -> list[str]:
        return [
            f"at most {max_chars} characters in total",
            f"the hook at most {self.rules.hook_max_chars} characters",
            f"at most {self.rules.max_hashtags} hashtags",
        ]

    def read(self, text: str) -> LinkedInParts:
        text, tags = pull_hashtags(text)
        hook, body = split_hook(text)
        return LinkedInParts(hook=hook, body=body, hashtags=tags)

    def repair(self, parts: Parts, warnings: list[str]) -> Parts:
        assert isinstance(parts, LinkedInParts)
        parts = super().repair(parts, warnings)
        hook, body = fit_hook(parts.hook, parts.body, self.rules.hook_max_chars, warnings)
        return parts.model_copy(update={"hook": hook, "body": body})

    def more_checks(self, parts: Parts) -> list[LimitCheck]:
        assert isinstance(parts, LinkedInParts)
        return [limit_check("hook", self.rules.hook_max_chars or 0, len(parts.hook))]

    def offline_format(self, material: OfflineMaterial) -> str:
        """A hook short enough to show before "see more", short paragraphs, then tags."""
        sentences, target = material.sentences, material.target
        hook = first_within(sentences, min(self.rules.hook_max_chars or target, target))
        rest = [s for s in sentences if s != hook]
        body = take(rest, target - len(hook) - 2, material.reading)
        pairs = [" ".join(body[i : i + 2]) for i in range(0, len(body), 2)]
        return "\n\n".join(part for part in [hook, *pairs, " ".join(material.tags)] if part)


def split_hook(text: str) -> tuple[str, str]:
    """A labelled hook, or the first paragraph, and the rest."""
    hook, lines = take_label(text.splitlines(), HOOK)
    rest = unlabelled("\n".join(lines))
    if hook is not None:
        return hook, rest
    blocks = paragraphs_of(rest)
    return (blocks[0], "\n\n".join(blocks[1:])) if blocks else ("", "")


def fit_hook(hook: str, body: str, limit: int | None, warnings: list[str]) -> tuple[str, str]:
    """A hook within ``limit``: taken from the body when missing; when too long, its
    sentences beyond the limit move to the start of the body."""
    hook = " ".join(hook.split())
    if not hook and body:
        hook, body = first_sentence(body)
        warnings.append("there was no hook: used the first sentence of the body")
    if limit is None or len(hook) <= limit:
        return hook, body
    kept = fit_sentences(hook, limit)
    if kept.endswith(ELLIPSIS):
        warnings.append(f"cut the hook to {limit} characters")
        return kept, body
    moved = hook[len(kept) :].strip()
    warnings.append(f"moved the hook's last sentences to the body to keep it within {limit}")
    return kept, f"{moved}\n\n{body}".strip()


LINKEDIN = register(LinkedIn())
