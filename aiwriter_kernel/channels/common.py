"""Helpers several channels share: reading a model's output, hashtags, cutting text to a
limit, fitting the whole post, and picking sentences for an offline post.

Parsing is lenient: labels ("Subject:", "Hook:") are used when present, the natural shape
of the post (first paragraph, bullet lines, hashtag lines) when not. Citation markers and
Markdown emphasis never survive into a post. Repairs cut at sentence or word boundaries,
and every repair appends one warning, so nothing is changed silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiwriter_kernel.text.citation_marker import MARKER
from aiwriter_kernel.text.cut import fit
from aiwriter_kernel.text.sentences import split_sentence_spans, split_sentences

if TYPE_CHECKING:
    from aiwriter_kernel.channels.base import Parts

FENCE_LINE = re.compile(r"^\s*```.*$", re.MULTILINE)
EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
HASHTAG = re.compile(r"(?<![\w#&])#([^\W\d_]\w*|\d+[^\W\d_]\w*)")
HASHTAG_LINE = re.compile(r"^\s*(?:hashtags?\s*:\s*)?(#\S+(?:[\s,]+#\S+)*)[\s,]*$", re.IGNORECASE)
LIST_ITEM = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+(.*)$")
ELLIPSIS = "…"
VALID_HASHTAG = re.compile(r"#(?=\w*[^\W\d_])[^\W_]+")
MAX_HASHTAG_CHARS = 50  # longer tags are unreadable run-on sentences


def label_pattern(*names: str) -> re.Pattern[str]:
    """A ``Name: value`` line for any of the names (case-insensitive)."""
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(rf"^\s*(?:{alternatives})\s*:\s*(.*)$", re.IGNORECASE)


HOOK = label_pattern("hook")
BODY = label_pattern("body", "post", "caption")


# -- reading a model's output ----------------------------------------------------------------


def plain(text: str) -> str:
    """Model output as post text: no code fences, citation markers, heading marks or bold."""
    text = FENCE_LINE.sub("", text)
    text = MARKER.sub("", text)
    text = HEADING.sub("", text)
    text = EMPHASIS.sub(r"\2", text)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def join_blocks(*blocks: str) -> str:
    """Non-empty blocks separated by a blank line."""
    return "\n\n".join(block.strip() for block in blocks if block and block.strip())


def paragraphs_of(text: str) -> list[str]:
    return [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]


def unlabelled(text: str) -> str:
    """``text`` without "Body:"/"Post:"/"Caption:" labels (their values kept)."""
    return "\n".join(BODY.sub(r"\1", line) for line in text.splitlines()).strip()


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


# -- cutting text -----------------------------------------------------------------------------


def cut_at_word(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, an ellipsis marking
    the cut; a single word longer than the limit is cut inside it."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ""
    head = text[: limit - len(ELLIPSIS) + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else head[:-1]
    cut = cut.rstrip(",;:-\u2014\u2013 ")
    return cut + ELLIPSIS if cut else ""


def fit_sentences(text: str, limit: int) -> str:
    """The whole sentences of ``text`` that fit in ``limit`` characters, keeping its line
    and paragraph breaks; when not even the first fits, that sentence cut at a word."""
    if len(text) <= limit:
        return text
    kept = ""
    for b, block in enumerate(re.split(r"\n\s*\n", text.strip())):
        for n, line in enumerate(block.splitlines()):
            for s, sentence in enumerate(split_sentences(line)):
                joint = "\n\n" if b and not n and not s else "\n" if n and not s else " "
                candidate = f"{kept}{joint}{sentence}" if kept else sentence
                if len(candidate) > limit:
                    return kept or cut_at_word(sentence, limit)
                kept = candidate
    return kept


def first_sentence(text: str) -> tuple[str, str]:
    """The first sentence of ``text`` and what follows it (its breaks kept)."""
    spans = split_sentence_spans(text)
    if not spans:
        return "", text.strip()
    start, end = spans[0]
    return " ".join(text[start:end].split()), text[end:].strip()


def cut_hook(hook: str, limit: int | None, warnings: list[str]) -> str:
    """A hook within ``limit`` (None: no limit), cut at a sentence boundary."""
    if limit is not None and len(hook) > limit:
        hook = fit_sentences(hook, limit)
        warnings.append(f"cut the hook to {limit} characters")
    return hook


# -- hashtags ---------------------------------------------------------------------------------


def normalize_hashtag(raw: str) -> str | None:
    """``raw`` as a valid tag (``#`` then letters and digits, at least one letter); words
    are joined in CamelCase ("#seo tips" -> "#SeoTips"). None when nothing usable is left."""
    words = re.findall(r"[^\W_]+", raw.strip().lstrip("#"))
    if not words:
        return None
    tag = "#" + (words[0] if len(words) == 1 else "".join(w[:1].upper() + w[1:] for w in words))
    if not VALID_HASHTAG.fullmatch(tag) or len(tag) > MAX_HASHTAG_CHARS:
        return None
    return tag


def bad_hashtags(tags: list[str]) -> int:
    """How many tags are malformed or repeat an earlier one (ignoring case)."""
    seen: set[str] = set()
    bad = 0
    for tag in tags:
        if not VALID_HASHTAG.fullmatch(tag) or len(tag) > MAX_HASHTAG_CHARS or tag.lower() in seen:
            bad += 1
        seen.add(tag.lower())
    return bad


def clean_hashtags(tags: list[str], limit: int, warnings: list[str]) -> list[str]:
    """Valid, unique tags, at most ``limit`` of them, in the order given."""
    cleaned: list[str] = []
    malformed = repeated = 0
    for raw in tags:
        tag = normalize_hashtag(raw)
        if tag is None:
            malformed += 1
        elif tag.lower() in {t.lower() for t in cleaned}:
            repeated += 1
        else:
            cleaned.append(tag)
    if malformed:
        warnings.append(f"dropped {malformed} malformed hashtags")
    if repeated:
        warnings.append(f"dropped {repeated} repeated hashtags")
    if len(cleaned) > limit:
        warnings.append(f"kept {limit} of {len(cleaned)} hashtags (the channel's maximum)")
        cleaned = cleaned[:limit]
    return cleaned


# -- the whole post within max_chars ----------------------------------------------------------


def keep_items(parts: Parts, field: str, most: int | None, warnings: list[str]) -> Parts:
    """At most ``most`` items (bullets, beats) in the list ``field``."""
    items = getattr(parts, field)
    if most is not None and len(items) > most:
        warnings.append(f"kept the first {most} of {len(items)} {field}")
        parts = parts.model_copy(update={field: items[:most]})
    return parts


def shrink(
    parts: Parts,
    order: tuple[str, ...],
    max_chars: int,
    warnings: list[str],
    settle: Callable[[Parts], Parts],
) -> Parts:
    """Shorten the fields in ``order`` (least essential first: the body before the hook,
    the last bullets before the lead) until the whole post fits in ``max_chars``; then
    ``settle`` the result (a thread renumbers) and drop hashtags if they alone are over."""
    if len(parts.render()) <= max_chars:
        return parts
    for field in order:
        over = len(parts.render()) - max_chars
        if over <= 0:
            break
        value = getattr(parts, field)
        if isinstance(value, list):
            parts = drop_items(parts, field, max_chars)
        else:
            parts = parts.model_copy(update={field: fit_sentences(value, len(value) - over)})
    warnings.append(f"shortened the post to keep it within {max_chars} characters")
    parts = settle(parts)
    if len(parts.render()) > max_chars:  # the hashtags alone are too long
        parts = drop_tags(parts, max_chars)
    return parts


def drop_items(parts: Parts, field: str, max_chars: int) -> Parts:
    """Drop list items from the end (keeping one) until the post fits."""
    items = list(getattr(parts, field))
    while len(items) > 1 and len(parts.render()) > max_chars:
        items = items[:-1]
        parts = parts.model_copy(update={field: items})
    return parts


def drop_tags(parts: Parts, max_chars: int) -> Parts:
    tags = list(getattr(parts, "hashtags", []))
    while tags and len(parts.render()) > max_chars:
        tags = tags[:-1]
        parts = parts.model_copy(update={"hashtags": tags})
    return parts


# -- picking sentences for an offline post -----------------------------------------------------

SENTENCES_PER_PARAGRAPH = 3


def paragraphs(sentences: list[str]) -> str:
    """Sentences in paragraphs of ``SENTENCES_PER_PARAGRAPH``."""
    groups = [
        " ".join(sentences[start : start + SENTENCES_PER_PARAGRAPH])
        for start in range(0, len(sentences), SENTENCES_PER_PARAGRAPH)
    ]
    return "\n\n".join(groups)


def take(sentences: list[str], budget: int, reading: list[str] | None = None) -> list[str]:
    """The best sentences (``sentences`` is best first) that fit in ``budget``
    characters, in the order the text has them when ``reading`` gives that order."""
    taken: list[str] = []
    for sentence in sentences:
        if sum(len(s) + 1 for s in taken) + len(sentence) > budget:
            continue
        taken.append(sentence)
    if not taken and sentences:
        taken = [fit(sentences[0], budget)]
    if reading:
        place = {sentence: index for index, sentence in enumerate(reading)}
        taken.sort(key=lambda sentence: place.get(sentence, len(place)))
    return taken


def first_within(sentences: list[str], limit: int) -> str:
    """The best sentence no longer than ``limit``; the best one cut when none is."""
    fitting = [sentence for sentence in sentences if len(sentence) <= limit]
    return fitting[0] if fitting else fit(sentences[0], limit) if sentences else ""
