"""An X (Twitter) thread: numbered posts, each a whole sentence within the post limit."""

from __future__ import annotations

import re
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
from aiwriter_kernel.channels.common import first_within, paragraphs_of, take
from aiwriter_kernel.channels.registry import register
from aiwriter_kernel.text.sentences import split_sentences

# "1/5 ", "1/ ", "1. ", "2) ", "Post 3: " -- not a bare "5 " (a post may start "5 ways").
THREAD_NUMBER = re.compile(
    r"^\s*(?:(?:post|tweet)\s*\d+\s*[.):\-]?|\d+\s*/\s*\d*|\d+\s*[.):])\s+", re.IGNORECASE
)


class ThreadParts(Parts):
    channel: Literal["x-thread"] = "x-thread"
    posts: list[str] = Field(default_factory=list)  # each with its "n/N " number

    def render(self) -> str:
        return "\n\n".join(self.posts)

    def map_texts(self, edit: Edit) -> Self:
        return self.model_copy(update={"posts": [edit(post) for post in self.posts]})


class XThread(Channel):
    rules = ChannelRules(
        name="x-thread", max_chars=280 * 12, target_chars=1400, post_max_chars=280, max_posts=12
    )
    parts = ThreadParts
    aliases = ("thread", "twitter", "x")
    shrink_order = ("posts",)
    shape_note = (
        ": one post per paragraph, posts separated by a blank line, each starting with its "
        'number "n/N " where N is the number of posts'
    )

    @property
    def post_limit(self) -> int:
        return self.rules.post_max_chars or 280

    @property
    def most_posts(self) -> int:
        return self.rules.max_posts or 25

    def limit_clauses(self, max_chars: int) -> list[str]:
        return [
            f"at most {self.most_posts} posts",
            f"each post at most {self.post_limit} characters INCLUDING its number",
            f"at most {max_chars} characters in total",
        ]

    def shape(self) -> str:
        return (
            "1/N <the first post: the promise of the thread>\n\n"
            "2/N <the next post, which makes sense on its own>"
        )

    def read(self, text: str) -> ThreadParts:
        """One post per paragraph; or per numbered line when the model put no blank lines.
        An unnumbered opening line ending in a colon ("Here is your thread:") is chatter,
        not a post, when the posts after it are numbered."""
        blocks = paragraphs_of(text)
        if len(blocks) == 1:
            lines = [line for line in blocks[0].splitlines() if line.strip()]
            if len(lines) > 1 and all(THREAD_NUMBER.match(line) for line in lines):
                blocks = lines
        if len(blocks) > 1 and blocks[0].endswith(":") and THREAD_NUMBER.match(blocks[1]):
            blocks = blocks[1:]
        return ThreadParts(posts=[" ".join(block.split()) for block in blocks])

    def repair(self, parts: Parts, warnings: list[str]) -> Parts:
        """Posts stripped of their numbers, over-long ones split, extra ones dropped, then
        numbered ``n/N`` so every post including its number fits."""
        assert isinstance(parts, ThreadParts)
        limit, most = self.post_limit, self.most_posts
        budget = limit - len(f"{most}/{most} ")
        bodies = [THREAD_NUMBER.sub("", post, count=1).strip() for post in parts.posts]
        bodies = [body for body in bodies if body]
        split: list[str] = []
        for body in bodies:
            split += split_to_fit(body, budget) if len(body) > budget else [body]
        if len(split) > len(bodies):
            warnings.append(f"split over-long posts to keep each within {limit} characters")
        if len(split) > most:
            warnings.append(f"dropped {len(split) - most} posts beyond the channel's {most}")
            split = split[:most]
        posts = number_posts(split)
        if posts != parts.posts:
            warnings.append("renumbered the posts 1/N to N/N")
        return ThreadParts(posts=posts)

    def settle(self, parts: Parts) -> Parts:
        """Posts dropped to fit: the rest renumbered."""
        assert isinstance(parts, ThreadParts)
        return ThreadParts(
            posts=number_posts([THREAD_NUMBER.sub("", p, count=1) for p in parts.posts])
        )

    def more_checks(self, parts: Parts) -> list[LimitCheck]:
        assert isinstance(parts, ThreadParts)
        total = len(parts.posts)
        misnumbered = sum(
            1 for n, post in enumerate(parts.posts, 1) if not post.startswith(f"{n}/{total} ")
        )
        longest = max(map(len, parts.posts), default=0)
        return [
            limit_check("posts", self.most_posts, total),
            limit_check("longest post", self.post_limit, longest),
            limit_check("misnumbered posts", 0, misnumbered),
        ]

    def offline_format(self, material: OfflineMaterial) -> str:
        """Numbered posts, each a whole sentence within the post limit (its number
        included); the first carries the thread's subject."""
        sentences, title = material.sentences, material.title
        most = self.rules.max_posts or 12
        per_post = self.post_limit - len(f"{most}/{most} ")
        hook = first_within(sentences, per_post)
        opener = f"{title}: {hook}" if title and len(title) + 2 + len(hook) <= per_post else hook
        rest = [s for s in sentences if s != hook and len(s) <= per_post]
        # One sentence a post: each stands on its own, none leans on an unrelated neighbour.
        posts = [opener] if opener else []
        posts += take(rest, material.target - len(opener), material.reading)
        posts = posts[:most]
        return "\n\n".join(f"{n}/{len(posts)} {post}" for n, post in enumerate(posts, 1))


def number_posts(bodies: list[str]) -> list[str]:
    return [f"{n}/{len(bodies)} {body}" for n, body in enumerate(bodies, 1)]


def split_to_fit(text: str, limit: int) -> list[str]:
    """``text`` as pieces of at most ``limit`` characters: whole sentences packed together,
    a sentence longer than the limit split between words (nothing is lost)."""
    pieces: list[str] = []
    for sentence in split_sentences(text):
        for chunk in word_chunks(sentence, limit):
            if pieces and len(pieces[-1]) + 1 + len(chunk) <= limit:
                pieces[-1] = f"{pieces[-1]} {chunk}"
            else:
                pieces.append(chunk)
    return pieces


def word_chunks(sentence: str, limit: int) -> list[str]:
    chunks: list[str] = []
    for word in sentence.split():
        while len(word) > limit:  # a URL or run-on token longer than a whole post
            chunks.append(word[:limit])
            word = word[limit:]
        if chunks and len(chunks[-1]) + 1 + len(word) <= limit:
            chunks[-1] = f"{chunks[-1]} {word}"
        elif word:
            chunks.append(word)
    return chunks


X_THREAD = register(XThread())
