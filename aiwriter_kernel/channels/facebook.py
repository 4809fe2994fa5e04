"""Facebook: a short post (short posts get more engagement), then a few tags."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field

from aiwriter_kernel.channels.base import Channel, ChannelRules, Edit, OfflineMaterial, Parts
from aiwriter_kernel.channels.common import join_blocks, pull_hashtags, take, unlabelled
from aiwriter_kernel.channels.registry import register


class FacebookParts(Parts):
    channel: Literal["facebook"] = "facebook"
    body: str = ""
    hashtags: list[str] = Field(default_factory=list)

    def render(self) -> str:
        return join_blocks(self.body, " ".join(self.hashtags))

    def map_texts(self, edit: Edit) -> Self:
        return self.model_copy(update={"body": edit(self.body)})


class Facebook(Channel):
    rules = ChannelRules(
        name="facebook", max_chars=63206, target_chars=500, max_hashtags=3, target_hashtags=2
    )
    parts = FacebookParts
    shrink_order = ("body",)

    def limit_clauses(self, max_chars: int) -> list[str]:
        return [
            f"at most {max_chars} characters in total (aim for under {self.rules.target_chars})",
            f"at most {self.rules.max_hashtags} hashtags",
        ]

    def shape(self) -> str:
        return f"<the post>\n\n<optionally one line of at most {self.rules.max_hashtags} hashtags>"

    def read(self, text: str) -> FacebookParts:
        text, tags = pull_hashtags(text)
        return FacebookParts(body=unlabelled(text), hashtags=tags)

    def offline_format(self, material: OfflineMaterial) -> str:
        """A short post, then its few tags."""
        body = " ".join(take(material.sentences, material.target, material.reading))
        return "\n\n".join(part for part in [body, " ".join(material.tags)] if part)


FACEBOOK = register(Facebook())
