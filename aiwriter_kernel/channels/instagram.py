"""Instagram: a caption opening with its strongest line, one idea per paragraph, tags."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field

from aiwriter_kernel.channels.base import Channel, ChannelRules, Edit, OfflineMaterial, Parts
from aiwriter_kernel.channels.common import (
    first_within,
    join_blocks,
    pull_hashtags,
    take,
    unlabelled,
)
from aiwriter_kernel.channels.registry import register


class InstagramParts(Parts):
    channel: Literal["instagram"] = "instagram"
    caption: str = ""
    hashtags: list[str] = Field(default_factory=list)

    def render(self) -> str:
        return join_blocks(self.caption, " ".join(self.hashtags))

    def map_texts(self, edit: Edit) -> Self:
        return self.model_copy(update={"caption": edit(self.caption)})


class Instagram(Channel):
    rules = ChannelRules(
        name="instagram", max_chars=2200, target_chars=800, max_hashtags=30, target_hashtags=10
    )
    parts = InstagramParts
    shrink_order = ("caption",)

    def limit_clauses(self, max_chars: int) -> list[str]:
        return [
            f"at most {max_chars} characters in total, hashtags included",
            f"at most {self.rules.max_hashtags} hashtags (a handful of precise ones works best)",
        ]

    def shape(self) -> str:
        return (
            "<the caption: a strong first line, then short paragraphs>\n\n"
            "<one line of hashtags, like #Writing #Newsletter>"
        )

    def read(self, text: str) -> InstagramParts:
        text, tags = pull_hashtags(text)
        return InstagramParts(caption=unlabelled(text), hashtags=tags)

    def offline_format(self, material: OfflineMaterial) -> str:
        """A caption opening with its strongest line, one idea per paragraph, then tags."""
        hook = first_within(material.sentences, material.target)
        rest = [s for s in material.sentences if s != hook]
        body = take(rest, material.target - len(hook) - 2, material.reading)
        return "\n\n".join(part for part in [hook, *body, " ".join(material.tags)] if part)


INSTAGRAM = register(Instagram())
