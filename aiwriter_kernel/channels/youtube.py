"""A YouTube video script: a hook for the first seconds, the beats, and a close."""

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
    HOOK,
    LIST_ITEM,
    cut_hook,
    first_within,
    join_blocks,
    keep_items,
    label_pattern,
    take,
    take_label,
)
from aiwriter_kernel.channels.registry import register

OUTLINE = label_pattern("outline", "beats", "main points")
CLOSE = label_pattern("close", "outro", "closing")
# A call to action is copy, not a fact: the same closing line whatever the sources.
OFFLINE_CTA = "If this helped, subscribe and tell us in the comments what you will try first."


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


class YouTube(Channel):
    rules = ChannelRules(
        name="youtube", max_chars=5000, target_chars=1500, hook_max_chars=250, max_items=10
    )
    parts = YouTubeParts
    shrink_order = ("beats", "close", "hook")

    def limit_clauses(self, max_chars: int) -> list[str]:
        return [
            f"at most {max_chars} characters in total",
            f"the hook at most {self.rules.hook_max_chars} characters (the first fifteen seconds)",
            f"at most {self.rules.max_items} beats",
        ]

    def shape(self) -> str:
        return (
            "Hook: <what grabs the viewer in the first seconds>\n\n"
            "Outline:\n"
            "1. <the first main point>\n"
            "2. <the next main point>\n\n"
            "Close: <a short recap and a call to action>"
        )

    def read(self, text: str) -> YouTubeParts:
        """Labelled hook, outline and close; unlabelled, the first paragraph is the hook,
        list items are the beats and a last paragraph after them is the close."""
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

    def repair(self, parts: Parts, warnings: list[str]) -> Parts:
        """At most ``max_items`` beats; a hook (the first beat when there is none) within
        its limit."""
        parts = keep_items(parts, "beats", self.rules.max_items, warnings)
        assert isinstance(parts, YouTubeParts)
        hook, beats = parts.hook, list(parts.beats)
        if not hook and beats:
            hook = beats.pop(0)
            warnings.append("there was no hook: used the first beat")
        hook = cut_hook(hook, self.rules.hook_max_chars, warnings)
        return parts.model_copy(update={"hook": hook, "beats": beats})

    def more_checks(self, parts: Parts) -> list[LimitCheck]:
        assert isinstance(parts, YouTubeParts)
        checks = []
        if self.rules.hook_max_chars:
            checks.append(limit_check("hook", self.rules.hook_max_chars, len(parts.hook)))
        if self.rules.max_items:
            checks.append(limit_check("beats", self.rules.max_items, len(parts.beats)))
        return checks

    def offline_format(self, material: OfflineMaterial) -> str:
        """A hook for the first seconds, the main points as beats in the text's order, and
        a close that restates one more point and asks viewers to act."""
        sentences = material.sentences
        hook = first_within(sentences, self.rules.hook_max_chars or 250)
        rest = [s for s in sentences if s != hook]
        budget = material.target - len(hook) - len(OFFLINE_CTA) - 40
        beats = take(rest, budget, material.reading)[: self.rules.max_items or 10]
        unused = [s for s in rest if s not in beats]
        takeaway = unused[0] if unused and len(unused[0]) < 200 else ""
        close = f"{takeaway} {OFFLINE_CTA}".strip()
        outline = "\n".join(f"{n}. {beat}" for n, beat in enumerate(beats, 1))
        return f"Hook: {hook}\n\nOutline:\n{outline}\n\nClose: {close}"


YOUTUBE = register(YouTube())
