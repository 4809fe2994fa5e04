"""Each channel's hard limits, in one place, enforced whichever provider wrote the text.

Limits are counted in characters (spaces included) unless named otherwise. ``target_*``
values are what a good post aims for; ``max_*`` values are hard limits the rewrite
pipeline enforces on any model's output (pipelines/channel_limits.py).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.errors import ValidationError


class ChannelRules(BaseModel):
    """Length rules of one channel (characters unless named otherwise)."""

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


CHANNELS: dict[str, ChannelRules] = {
    rules.name: rules
    for rules in (
        ChannelRules(
            name="linkedin",
            max_chars=3000,
            target_chars=1300,
            max_hashtags=5,
            target_hashtags=3,
            hook_max_chars=210,
        ),
        ChannelRules(
            name="x-thread", max_chars=280 * 12, target_chars=1400, post_max_chars=280, max_posts=12
        ),
        ChannelRules(
            name="facebook", max_chars=63206, target_chars=500, max_hashtags=3, target_hashtags=2
        ),
        ChannelRules(
            name="instagram", max_chars=2200, target_chars=800, max_hashtags=30, target_hashtags=10
        ),
        ChannelRules(
            name="email",
            max_chars=20000,
            target_chars=1500,
            subject_max_chars=60,
            preview_max_chars=90,
        ),
        ChannelRules(name="product", max_chars=2000, target_chars=700, max_items=7),
        ChannelRules(
            name="youtube", max_chars=5000, target_chars=1500, hook_max_chars=250, max_items=10
        ),
    )
}

CHANNEL_ALIASES: dict[str, str] = {
    "thread": "x-thread",
    "twitter": "x-thread",
    "x": "x-thread",
    "newsletter": "email",
}


def resolve_channel(name: str) -> str:
    """The channel ``name`` stands for (a key of ``CHANNELS``), accepting the usual aliases;
    an unknown name is a ``ValidationError`` listing the valid ones."""
    key = " ".join(name.split()).lower()
    key = CHANNEL_ALIASES.get(key, key)
    if key not in CHANNELS:
        valid = ", ".join(CHANNELS)
        aliases = ", ".join(f"{alias} ({target})" for alias, target in CHANNEL_ALIASES.items())
        raise ValidationError(f"unknown channel {name!r}: use one of {valid}; aliases: {aliases}")
    return key
