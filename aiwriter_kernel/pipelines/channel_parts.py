"""The structured parts of a channel post, and reading them out of whatever a model wrote.

Every provider's output (a chat model's or the offline composer's) is parsed into the same
typed parts, so limits can be enforced part by part (channel_limits.py) and a front end can
show the subject, the posts or the hashtags separately. ``render()`` gives the post back as
a person would paste it. Parsing is lenient: labels ("Subject:", "Hook:") are used when
present, the natural shape of the post (first paragraph, bullet lines, hashtag lines) when
not. Citation markers and Markdown emphasis never survive into a post.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from aiwriter_kernel.pipelines.citations_markup import MARKER

Edit = Callable[[str], str]

FENCE_LINE = re.compile(r"^\s*```.*$", re.MULTILINE)
EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
HASHTAG = re.compile(r"(?<![\w#&])#([^\W\d_]\w*|\d+[^\W\d_]\w*)")
HASHTAG_LINE = re.compile(r"^\s*(?:hashtags?\s*:\s*)?(#\S+(?:[\s,]+#\S+)*)[\s,]*$", re.IGNORECASE)
LIST_ITEM = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+(.*)$")
# "1/5 ", "1/ ", "1. ", "2) ", "Post 3: " -- not a bare "5 " (a post may start "5 ways").
THREAD_NUMBER = re.compile(
    r"^\s*(?:(?:post|tweet)\s*\d+\s*[.):\-]?|\d+\s*/\s*\d*|\d+\s*[.):])\s+", re.IGNORECASE
)
# Matched from the first space of a run only (linear; see text.sentences).
FEATURE_SEPARATOR = re.compile("(?<!\\s)\\s*(?::|\\s[\u2014\u2013-]\\s|->|\u2192)\\s*")


def label_pattern(*names: str) -> re.Pattern[str]:
    """A ``Name: value`` line for any of the names (case-insensitive)."""
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(rf"^\s*(?:{alternatives})\s*:\s*(.*)$", re.IGNORECASE)


SUBJECT = label_pattern("subject line", "subject")
PREVIEW = label_pattern("preview text", "preview", "preheader")
CTA = label_pattern("call to action", "cta")
HOOK = label_pattern("hook")
BODY = label_pattern("body", "post", "caption")
OUTLINE = label_pattern("outline", "beats", "main points")
CLOSE = label_pattern("close", "outro", "closing")
LEAD = label_pattern("lead", "description")
FEATURES = label_pattern("features", "benefits", "bullets")


# -- the parts of each channel ---------------------------------------------------------------


class Parts(BaseModel):
    """Base of every channel's parts: ``render`` gives the post as pasted, ``map_texts``
    applies one edit (a repair) to every prose field, hashtags excepted."""

    model_config = ConfigDict(frozen=True)

    def render(self) -> str:
        raise NotImplementedError

    def map_texts(self, edit: Edit) -> Self:
        raise NotImplementedError

    def is_empty(self) -> bool:
        return not self.render().strip()


class LinkedInParts(Parts):
    channel: Literal["linkedin"] = "linkedin"
    hook: str = ""
    body: str = ""
    hashtags: list[str] = Field(default_factory=list)

    def render(self) -> str:
        return join_blocks(self.hook, self.body, " ".join(self.hashtags))

    def map_texts(self, edit: Edit) -> Self:
        return self.model_copy(update={"hook": edit(self.hook), "body": edit(self.body)})


class ThreadParts(Parts):
    channel: Literal["x-thread"] = "x-thread"
    posts: list[str] = Field(default_factory=list)  # each with its "n/N " number

    def render(self) -> str:
        return "\n\n".join(self.posts)

    def map_texts(self, edit: Edit) -> Self:
        return self.model_copy(update={"posts": [edit(post) for post in self.posts]})


class FacebookParts(Parts):
    channel: Literal["facebook"] = "facebook"
    body: str = ""
    hashtags: list[str] = Field(default_factory=list)

    def render(self) -> str:
        return join_blocks(self.body, " ".join(self.hashtags))

    def map_texts(self, edit: Edit) -> Self:
        return self.model_copy(update={"body": edit(self.body)})


class InstagramParts(Parts):
    channel: Literal["instagram"] = "instagram"
    caption: str = ""
    hashtags: list[str] = Field(default_factory=list)

    def render(self) -> str:
        return join_blocks(self.caption, " ".join(self.hashtags))

    def map_texts(self, edit: Edit) -> Self:
        return self.model_copy(update={"caption": edit(self.caption)})


class EmailParts(Parts):
    channel: Literal["email"] = "email"
    subject: str = ""
    preview: str = ""
    body: str = ""
    call_to_action: str = ""

    def render(self) -> str:
        head = "\n".join(
            line
            for line in (
                f"Subject: {self.subject}" if self.subject else "",
                f"Preview: {self.preview}" if self.preview else "",
            )
            if line
        )
        return join_blocks(head, self.body, self.call_to_action)

    def map_texts(self, edit: Edit) -> Self:
        fields = ("subject", "preview", "body", "call_to_action")
        return self.model_copy(update={name: edit(getattr(self, name)) for name in fields})


class Bullet(BaseModel):
    """A product feature and what it does for the buyer."""

    model_config = ConfigDict(frozen=True)

    feature: str = ""
    benefit: str = ""

    def render(self) -> str:
        if self.feature and self.benefit:
            return f"- {self.feature}: {self.benefit}"
        return f"- {self.feature or self.benefit}"


class ProductParts(Parts):
    channel: Literal["product"] = "product"
    lead: str = ""
    bullets: list[Bullet] = Field(default_factory=list)

    def render(self) -> str:
        return join_blocks(self.lead, "\n".join(bullet.render() for bullet in self.bullets))

    def map_texts(self, edit: Edit) -> Self:
        bullets = [Bullet(feature=edit(b.feature), benefit=edit(b.benefit)) for b in self.bullets]
        kept = [bullet for bullet in bullets if bullet.benefit or bullet.feature]
        return self.model_copy(update={"lead": edit(self.lead), "bullets": kept})


class YouTubeParts(Parts):
    channel: Literal["youtube"] = "youtube"
    hook: str = ""
    beats: list[str] = Field(default_factory=list)
    close: str = ""

    def render(self) -> str:
        outline = "\n".join(f"{n}. {beat}" for n, beat in enumerate(self.beats, 1))
        return join_blocks(
            f"Hook: {self.hook}" if self.hook else "",
            f"Outline:\n{outline}" if outline else "",
            f"Close: {self.close}" if self.close else "",
        )

    def map_texts(self, edit: Edit) -> Self:
        beats = [beat for beat in (edit(beat) for beat in self.beats) if beat]
        return self.model_copy(
            update={"hook": edit(self.hook), "beats": beats, "close": edit(self.close)}
        )


ChannelParts = Annotated[
    LinkedInParts
    | ThreadParts
    | FacebookParts
    | InstagramParts
    | EmailParts
    | ProductParts
    | YouTubeParts,
    Field(discriminator="channel"),
]


def join_blocks(*blocks: str) -> str:
    """Non-empty blocks separated by a blank line."""
    return "\n\n".join(block.strip() for block in blocks if block and block.strip())


# -- reading a model's output ----------------------------------------------------------------


def parse_parts(channel: str, text: str) -> Parts:
    """The parts of ``channel`` read from ``text``; missing parts are left empty for the
    limits step to fill or report."""
    parsers: dict[str, Callable[[str], Parts]] = {
        "linkedin": parse_linkedin,
        "x-thread": parse_thread,
        "facebook": parse_facebook,
        "instagram": parse_instagram,
        "email": parse_email,
        "product": parse_product,
        "youtube": parse_youtube,
    }
    return parsers[channel](plain(text))


def plain(text: str) -> str:
    """Model output as post text: no code fences, citation markers, heading marks or bold."""
    text = FENCE_LINE.sub("", text)
    text = MARKER.sub("", text)
    text = HEADING.sub("", text)
    text = EMPHASIS.sub(r"\2", text)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def paragraphs_of(text: str) -> list[str]:
    return [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]


def pull_hashtags(text: str) -> tuple[str, list[str]]:
    """Hashtags moved out of ``text``: whole hashtag lines go, inline ones lose their ``#``
    (the word stays in the sentence); every tag is returned, in order."""
    tags: list[str] = []
    kept: list[str] = []
    for line in text.splitlines():
        match = HASHTAG_LINE.match(line)
        if match:
            tags += [token for token in re.split(r"[\s,]+", match.group(1)) if token]
            continue
        tags += ["#" + word for word in HASHTAG.findall(line)]
        kept.append(HASHTAG.sub(r"\1", line))
    return "\n".join(kept).strip(), tags


def take_label(lines: list[str], pattern: re.Pattern[str]) -> tuple[str | None, list[str]]:
    """The value of the first ``pattern`` line (None when absent) and the other lines."""
    for index, line in enumerate(lines):
        match = pattern.match(line)
        if match:
            return match.group(1).strip(), lines[:index] + lines[index + 1 :]
    return None, lines


def split_hook(text: str) -> tuple[str, str]:
    """A labelled hook, or the first paragraph, and the rest."""
    lines = text.splitlines()
    hook, lines = take_label(lines, HOOK)
    rest = "\n".join(BODY.sub(r"\1", line) for line in lines).strip()
    if hook is not None:
        return hook, rest
    blocks = paragraphs_of(rest)
    return (blocks[0], "\n\n".join(blocks[1:])) if blocks else ("", "")


def parse_linkedin(text: str) -> LinkedInParts:
    text, tags = pull_hashtags(text)
    hook, body = split_hook(text)
    return LinkedInParts(hook=hook, body=body, hashtags=tags)


def parse_facebook(text: str) -> FacebookParts:
    text, tags = pull_hashtags(text)
    body = "\n".join(BODY.sub(r"\1", line) for line in text.splitlines()).strip()
    return FacebookParts(body=body, hashtags=tags)


def parse_instagram(text: str) -> InstagramParts:
    text, tags = pull_hashtags(text)
    caption = "\n".join(BODY.sub(r"\1", line) for line in text.splitlines()).strip()
    return InstagramParts(caption=caption, hashtags=tags)


def parse_thread(text: str) -> ThreadParts:
    """One post per paragraph; or per numbered line when the model put no blank lines. An
    unnumbered opening line ending in a colon ("Here is your thread:") is chatter, not a
    post, when the posts after it are numbered."""
    blocks = paragraphs_of(text)
    if len(blocks) == 1:
        lines = [line for line in blocks[0].splitlines() if line.strip()]
        if len(lines) > 1 and all(THREAD_NUMBER.match(line) for line in lines):
            blocks = lines
    if len(blocks) > 1 and blocks[0].endswith(":") and THREAD_NUMBER.match(blocks[1]):
        blocks = blocks[1:]
    return ThreadParts(posts=[" ".join(block.split()) for block in blocks])


def parse_email(text: str) -> EmailParts:
    lines = text.splitlines()
    subject, lines = take_label(lines, SUBJECT)
    preview, lines = take_label(lines, PREVIEW)
    cta, lines = take_label(lines, CTA)
    body = "\n".join(BODY.sub(r"\1", line) for line in lines).strip()
    return EmailParts(
        subject=subject or "", preview=preview or "", body=body, call_to_action=cta or ""
    )


def parse_product(text: str) -> ProductParts:
    """Paragraphs before the first list item are the lead; list items are the bullets,
    each split into feature and benefit at its first colon or dash."""
    lead: list[str] = []
    bullets: list[Bullet] = []
    for line in text.splitlines():
        item = LIST_ITEM.match(line)
        if item:
            bullets.append(bullet_of(item.group(1)))
        elif not bullets and not FEATURES.match(line):
            lead.append(LEAD.sub(r"\1", line))
    return ProductParts(lead="\n".join(lead).strip(), bullets=bullets)


def bullet_of(item: str) -> Bullet:
    parts = FEATURE_SEPARATOR.split(item.strip(), maxsplit=1)
    if len(parts) == 2 and parts[0] and parts[1] and len(parts[0].split()) <= 6:
        return Bullet(feature=parts[0].strip(), benefit=parts[1].strip())
    return Bullet(benefit=item.strip())


def parse_youtube(text: str) -> YouTubeParts:
    """Labelled hook, outline and close; unlabelled, the first paragraph is the hook, list
    items are the beats and a last paragraph after them is the close."""
    lines = text.splitlines()
    hook, lines = take_label(lines, HOOK)
    close, lines = take_label(lines, CLOSE)
    beats: list[str] = []
    prose: list[str] = []
    for line in lines:
        item = LIST_ITEM.match(line)
        outline = OUTLINE.match(line)
        if item:
            beats.append(item.group(1).strip())
        elif outline:
            if outline.group(1).strip():
                beats.append(outline.group(1).strip())
        elif line.strip():
            prose.append(line.strip())
    if hook is None and prose:
        hook = prose.pop(0)
    if close is None and prose:
        close = prose.pop()
    if prose:
        beats += prose
    return YouTubeParts(hook=hook or "", beats=beats, close=close or "")
