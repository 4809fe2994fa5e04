"""An email (newsletter): subject, preview text, the body and one call to action."""

from __future__ import annotations

from typing import Literal, Self

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
    cut_at_word,
    first_within,
    fit,
    fit_sentences,
    join_blocks,
    label_pattern,
    paragraphs,
    take,
    take_label,
    unlabelled,
)
from aiwriter_kernel.channels.registry import register
from aiwriter_kernel.text.sentences import split_sentences

SUBJECT = label_pattern("subject line", "subject")
PREVIEW = label_pattern("preview text", "preview", "preheader")
CTA = label_pattern("call to action", "cta")
# A call to action is copy, not a fact: the same closing line whatever the sources.
OFFLINE_CTA = "Hit reply and tell us which idea you will try first."


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


class Email(Channel):
    rules = ChannelRules(
        name="email",
        max_chars=20000,
        target_chars=1500,
        subject_max_chars=60,
        preview_max_chars=90,
    )
    parts = EmailParts
    aliases = ("newsletter",)
    shrink_order = ("body", "call_to_action", "preview", "subject")

    @property
    def subject_limit(self) -> int:
        return self.rules.subject_max_chars or 60

    @property
    def preview_limit(self) -> int:
        return self.rules.preview_max_chars or 90

    def limit_clauses(self, max_chars: int) -> list[str]:
        return [
            f"subject line at most {self.subject_limit} characters",
            f"preview text at most {self.preview_limit} characters",
            f"at most {max_chars} characters in total",
        ]

    def shape(self) -> str:
        return (
            "Subject: <the subject line>\n"
            "Preview: <the preview text, extending the subject's promise>\n\n"
            "<the body in paragraphs>\n\n"
            "CTA: <one call to action>"
        )

    def read(self, text: str) -> EmailParts:
        lines = text.splitlines()
        subject, lines = take_label(lines, SUBJECT)
        preview, lines = take_label(lines, PREVIEW)
        cta, lines = take_label(lines, CTA)
        return EmailParts(
            subject=subject or "",
            preview=preview or "",
            body=unlabelled("\n".join(lines)),
            call_to_action=cta or "",
        )

    def repair(self, parts: Parts, warnings: list[str]) -> Parts:
        """A subject and a preview within their limits, taken from the body when missing."""
        assert isinstance(parts, EmailParts)
        subject, preview = parts.subject, parts.preview
        sentences = split_sentences(parts.body)
        if not subject and sentences:
            subject = sentences[0].rstrip(".!")
            warnings.append("there was no subject line: made one from the body's first sentence")
        if not preview and sentences:
            preview = sentences[1] if len(sentences) > 1 else sentences[0]
            warnings.append("there was no preview text: used a sentence of the body")
        if len(subject) > self.subject_limit:
            subject = cut_at_word(subject, self.subject_limit)
            warnings.append(f"cut the subject line to {self.subject_limit} characters")
        if len(preview) > self.preview_limit:
            preview = fit_sentences(preview, self.preview_limit)
            warnings.append(f"cut the preview text to {self.preview_limit} characters")
        if not parts.call_to_action:
            warnings.append("the email has no call to action")
        return parts.model_copy(
            update={"subject": " ".join(subject.split()), "preview": " ".join(preview.split())}
        )

    def more_checks(self, parts: Parts) -> list[LimitCheck]:
        assert isinstance(parts, EmailParts)
        return [
            limit_check("subject", self.subject_limit, len(parts.subject)),
            limit_check("preview", self.preview_limit, len(parts.preview)),
        ]

    def offline_format(self, material: OfflineMaterial) -> str:
        """Subject (the text's title when it fits), a preview sentence, the body in
        paragraphs, and a call to action, each on its labelled line."""
        sentences = material.sentences
        lead = material.title or (sentences[0].rstrip(".!?") if sentences else "")
        subject = fit(lead, self.subject_limit)
        preview = first_within(sentences, self.preview_limit)
        rest = [s for s in sentences if s != preview]
        budget = material.target - len(subject) - len(preview) - 80
        body = paragraphs(take(rest, budget, material.reading))
        return f"Subject: {subject}\nPreview: {preview}\n\n{body}\n\nCTA: {OFFLINE_CTA}".strip()


EMAIL = register(Email())
