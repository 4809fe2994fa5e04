"""Each channel's hard limits, in one place, enforced whichever provider wrote the text."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ChannelRules(BaseModel):
    """Length rules of one channel (characters unless named otherwise)."""

    model_config = ConfigDict(frozen=True)

    name: str
    max_chars: int
    target_chars: int
    max_hashtags: int = 0
    post_max_chars: int | None = None  # threads: each post
    max_posts: int | None = None


CHANNELS: dict[str, ChannelRules] = {
    rules.name: rules
    for rules in (
        ChannelRules(name="linkedin", max_chars=3000, target_chars=1300, max_hashtags=5),
        ChannelRules(
            name="x-thread", max_chars=280 * 12, target_chars=1400, post_max_chars=280, max_posts=12
        ),
        ChannelRules(name="facebook", max_chars=63206, target_chars=500, max_hashtags=3),
        ChannelRules(name="instagram", max_chars=2200, target_chars=800, max_hashtags=30),
        ChannelRules(name="email", max_chars=20000, target_chars=1500),
        ChannelRules(name="product", max_chars=2000, target_chars=700),
        ChannelRules(name="youtube", max_chars=5000, target_chars=1500),
    )
}
