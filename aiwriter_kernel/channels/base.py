"""What a channel is: its rules, its parts, and the five things it knows how to do.

A channel (LinkedIn, an X thread, an email...) is one subclass of ``Channel`` in one module
of this package. Whoever wrote the post (a chat model or the offline composer), the rewrite
pipeline asks the channel to ``parse`` it into typed parts, ``enforce`` the hard limits on
them and ``check`` the result; a chat model is told the limits by ``prompt_rules`` and the
offline composer asks ``offline_format`` for the post's shape. Everything a channel says
about its numbers comes from its ``rules``, so the prompt, the offline text and the checks
can never disagree.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.channels.common import bad_hashtags, clean_hashtags, plain, shrink

Edit = Callable[[str], str]


class ChannelRules(BaseModel):
    """Length rules of one channel (characters, spaces included, unless named otherwise).

    ``target_*`` values are what a good post aims for; ``max_*`` values are hard limits the
    rewrite pipeline enforces on any model's output."""

    model_config = ConfigDict(frozen=True)

    name: str
    max_chars: int  # the whole post as pasted
    target_chars: int
    max_hashtags: int = 0
    target_hashtags: int = 0  # a handful of precise tags beats the maximum
    post_max_chars: int | None = None  # threads: each post, its "n/N " number included
    max_posts: int | None = None
    hook_max_chars: int | None = None  # what shows before "see more" / the first seconds
    subject_max_chars: int | None = None  # email subject line
    preview_max_chars: int | None = None  # email preview (preheader) text
    max_items: int | None = None  # product bullets, video beats


class Parts(BaseModel):
    """Base of every channel's parts: ``render`` gives the post as pasted, ``map_texts``
    applies one edit (a repair) to every prose field, hashtags excepted. Each subclass has
    a ``channel: Literal[<name>]`` field, so stored parts say which channel they are."""

    model_config = ConfigDict(frozen=True)

    channel: str

    def render(self) -> str:
        raise NotImplementedError

    def map_texts(self, edit: Edit) -> Self:
        raise NotImplementedError

    def is_empty(self) -> bool:
        return not self.render().strip()


class LimitCheck(BaseModel):
    """One hard limit and how the post measures against it (``actual <= limit``)."""

    model_config = ConfigDict(frozen=True)

    name: str
    limit: int
    actual: int
    passed: bool


def limit_check(name: str, limit: int, actual: int) -> LimitCheck:
    return LimitCheck(name=name, limit=limit, actual=actual, passed=actual <= limit)


@dataclass(frozen=True)
class OfflineMaterial:
    """What the offline composer hands a channel to shape a post from: the text's
    sentences best first, the same sentences in reading order, the characters the post
    should aim for (its hashtags' room already taken off), the hashtags and the title."""

    sentences: list[str]
    reading: list[str]
    target: int
    tags: list[str]
    title: str


class Channel(ABC):
    """One channel. A subclass sets ``rules`` and ``parts`` (its ``Parts`` model), writes
    ``read``, ``shape`` and ``offline_format`` and, when the channel has limits beyond
    length and hashtags, ``repair``, ``more_checks`` and ``limit_clauses``."""

    rules: ClassVar[ChannelRules]
    parts: ClassVar[type[Parts]]
    aliases: ClassVar[tuple[str, ...]] = ()  # other names people use ("twitter")
    shape_note: ClassVar[str] = ""  # said after "nothing before or after it"
    shrink_order: ClassVar[tuple[str, ...]] = ()  # the parts shortened first when too long

    @property
    def name(self) -> str:
        return self.rules.name

    # -- reading a model's output -------------------------------------------------------------

    def parse(self, text: str) -> Parts:
        """The parts read from ``text``; missing parts are left empty for ``enforce``."""
        return self.read(plain(text))

    @abstractmethod
    def read(self, text: str) -> Parts:
        """The parts of ``text`` already stripped of fences, citations and emphasis."""

    # -- limits -------------------------------------------------------------------------------

    def enforce(self, parts: Parts, max_chars: int) -> tuple[Parts, list[str]]:
        """``parts`` repaired to meet every limit (``max_chars`` for the whole post), with
        a warning for each repair."""
        warnings: list[str] = []
        parts = self.repair(parts, warnings)
        parts = shrink(parts, self.shrink_order, max_chars, warnings, self.settle)
        return parts, warnings

    def repair(self, parts: Parts, warnings: list[str]) -> Parts:
        """The channel's own repairs before the whole post is fitted (default: the
        hashtags cleaned and capped, on channels that have them)."""
        if not self.rules.max_hashtags:
            return parts
        tags = clean_hashtags(getattr(parts, "hashtags", []), self.rules.max_hashtags, warnings)
        return parts.model_copy(update={"hashtags": tags})

    def settle(self, parts: Parts) -> Parts:
        """``parts`` after they were shortened (a thread renumbers its posts)."""
        return parts

    def check(self, parts: Parts, max_chars: int) -> list[LimitCheck]:
        """Every hard limit of the channel, measured on ``parts`` as they are."""
        checks = [limit_check("characters", max_chars, len(parts.render()))]
        if self.rules.max_hashtags:
            tags = list(getattr(parts, "hashtags", []))
            checks.append(limit_check("hashtags", self.rules.max_hashtags, len(tags)))
            checks.append(limit_check("malformed or repeated hashtags", 0, bad_hashtags(tags)))
        return checks + self.more_checks(parts)

    def more_checks(self, parts: Parts) -> list[LimitCheck]:
        """The limits beyond length and hashtags (hook, subject, posts...)."""
        return []

    # -- what a model is told -----------------------------------------------------------------

    def prompt_rules(self, max_chars: int | None = None) -> str:
        """The channel's part of the rewrite prompt: its hard limits, from ``rules``, and
        the shape to output."""
        limits = "; ".join(self.limit_clauses(max_chars or self.rules.max_chars))
        return (
            f"Hard limits: {limits}.\n"
            f"Output exactly this shape, nothing before or after it{self.shape_note}:\n"
            f"{self.shape()}"
        )

    def limit_clauses(self, max_chars: int) -> list[str]:
        """The hard limits, each a clause "at most N ..." (N from ``rules``)."""
        return [f"at most {max_chars} characters in total"]

    def shape(self) -> str:
        """What a model must output, placeholders in angle brackets."""
        return "<the post>"

    # -- writing without a model ----------------------------------------------------------------

    @abstractmethod
    def offline_format(self, material: OfflineMaterial) -> str:
        """The post in the channel's shape, made of ``material``'s sentences."""
