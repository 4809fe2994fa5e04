"""Checking and enforcing a channel's hard limits on a post's parts, whoever wrote them.

A model asked for 280-character posts may still write 400; asked for five hashtags, it
may give twelve. ``enforce`` repairs the parts (cuts at sentence or word boundaries, splits
and renumbers thread posts, normalises, de-duplicates and caps hashtags) and says what it
did, one warning per repair; ``check`` measures the result against every limit so the
caller can show (and a test can assert) that each one holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.channels import ChannelRules
from aiwriter_kernel.pipelines.channel_parts import (
    THREAD_NUMBER,
    Bullet,
    EmailParts,
    FacebookParts,
    InstagramParts,
    LinkedInParts,
    Parts,
    ProductParts,
    ThreadParts,
    YouTubeParts,
)
from aiwriter_kernel.text.sentences import split_sentence_spans, split_sentences

ELLIPSIS = "…"
VALID_HASHTAG = re.compile(r"#(?=\w*[^\W\d_])[^\W_]+")
MAX_HASHTAG_CHARS = 50  # longer tags are unreadable run-on sentences


class LimitCheck(BaseModel):
    """One hard limit and how the post measures against it (``actual <= limit``)."""

    model_config = ConfigDict(frozen=True)

    name: str
    limit: int
    actual: int
    passed: bool


def limit_check(name: str, limit: int, actual: int) -> LimitCheck:
    return LimitCheck(name=name, limit=limit, actual=actual, passed=actual <= limit)


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


def first_sentence(text: str) -> tuple[str, str]:
    """The first sentence of ``text`` and what follows it (its breaks kept)."""
    spans = split_sentence_spans(text)
    if not spans:
        return "", text.strip()
    start, end = spans[0]
    return " ".join(text[start:end].split()), text[end:].strip()


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


# -- enforcing --------------------------------------------------------------------------------


def enforce(parts: Parts, rules: ChannelRules, max_chars: int) -> tuple[Parts, list[str]]:
    """``parts`` repaired to meet every limit of ``rules`` (``max_chars`` for the whole
    post), with a warning for each repair."""
    enforcers: dict[type[Parts], Callable[[Parts, ChannelRules, list[str]], Parts]] = {
        LinkedInParts: enforce_linkedin,
        ThreadParts: enforce_thread,
        FacebookParts: enforce_hashtags,
        InstagramParts: enforce_hashtags,
        EmailParts: enforce_email,
        ProductParts: enforce_items,
        YouTubeParts: enforce_youtube,
    }
    warnings: list[str] = []
    parts = enforcers[type(parts)](parts, rules, warnings)
    parts = shrink(parts, max_chars, warnings)
    return parts, warnings


def enforce_hashtags(parts: Parts, rules: ChannelRules, warnings: list[str]) -> Parts:
    tags = clean_hashtags(getattr(parts, "hashtags", []), rules.max_hashtags, warnings)
    return parts.model_copy(update={"hashtags": tags})


def enforce_linkedin(parts: Parts, rules: ChannelRules, warnings: list[str]) -> Parts:
    assert isinstance(parts, LinkedInParts)
    parts = enforce_hashtags(parts, rules, warnings)
    hook, body = fit_hook(parts.hook, parts.body, rules.hook_max_chars, warnings)
    return parts.model_copy(update={"hook": hook, "body": body})


def fit_hook(hook: str, body: str, limit: int | None, warnings: list[str]) -> tuple[str, str]:
    """A hook within ``limit``: taken from the body when missing; when too long, its
    sentences beyond the limit move to the start of the body."""
    hook = " ".join(hook.split())
    if not hook and body:
        hook, body = first_sentence(body)
        warnings.append("there was no hook: used the first sentence of the body")
    if limit is None or len(hook) <= limit:
        return hook, body
    kept = fit_sentences(hook, limit)
    if kept.endswith(ELLIPSIS):
        warnings.append(f"cut the hook to {limit} characters")
        return kept, body
    moved = hook[len(kept) :].strip()
    warnings.append(f"moved the hook's last sentences to the body to keep it within {limit}")
    return kept, f"{moved}\n\n{body}".strip()


def enforce_thread(parts: Parts, rules: ChannelRules, warnings: list[str]) -> Parts:
    """Posts stripped of their numbers, over-long ones split, extra ones dropped, then
    numbered ``n/N`` so every post including its number fits."""
    assert isinstance(parts, ThreadParts)
    limit = rules.post_max_chars or 280
    most = rules.max_posts or 25
    budget = limit - len(f"{most}/{most} ")
    bodies = [THREAD_NUMBER.sub("", post, count=1).strip() for post in parts.posts]
    bodies = [body for body in bodies if body]
    split: list[str] = []
    for body in bodies:
        pieces = split_to_fit(body, budget) if len(body) > budget else [body]
        split += pieces
    if len(split) > len(bodies):
        warnings.append(f"split over-long posts to keep each within {limit} characters")
    if len(split) > most:
        warnings.append(f"dropped {len(split) - most} posts beyond the channel's {most}")
        split = split[:most]
    posts = number_posts(split)
    if posts != parts.posts:
        warnings.append("renumbered the posts 1/N to N/N")
    return ThreadParts(posts=posts)


def number_posts(bodies: list[str]) -> list[str]:
    return [f"{n}/{len(bodies)} {body}" for n, body in enumerate(bodies, 1)]


def enforce_email(parts: Parts, rules: ChannelRules, warnings: list[str]) -> Parts:
    """A subject and a preview within their limits, taken from the body when missing."""
    assert isinstance(parts, EmailParts)
    subject, preview, body = parts.subject, parts.preview, parts.body
    sentences = split_sentences(body)
    if not subject and sentences:
        subject = sentences[0].rstrip(".!")
        warnings.append("there was no subject line: made one from the body's first sentence")
    if not preview and sentences:
        preview = sentences[1] if len(sentences) > 1 else sentences[0]
        warnings.append("there was no preview text: used a sentence of the body")
    subject_limit = rules.subject_max_chars or 60
    preview_limit = rules.preview_max_chars or 90
    if len(subject) > subject_limit:
        subject = cut_at_word(subject, subject_limit)
        warnings.append(f"cut the subject line to {subject_limit} characters")
    if len(preview) > preview_limit:
        preview = fit_sentences(preview, preview_limit)
        warnings.append(f"cut the preview text to {preview_limit} characters")
    if not parts.call_to_action:
        warnings.append("the email has no call to action")
    return parts.model_copy(
        update={"subject": " ".join(subject.split()), "preview": " ".join(preview.split())}
    )


def enforce_items(parts: Parts, rules: ChannelRules, warnings: list[str]) -> Parts:
    """At most ``max_items`` bullets (product) or beats (video)."""
    field = "bullets" if isinstance(parts, ProductParts) else "beats"
    items = getattr(parts, field)
    most = rules.max_items
    if most is not None and len(items) > most:
        warnings.append(f"kept the first {most} of {len(items)} {field}")
        parts = parts.model_copy(update={field: items[:most]})
    return parts


def enforce_youtube(parts: Parts, rules: ChannelRules, warnings: list[str]) -> Parts:
    assert isinstance(parts, YouTubeParts)
    parts = enforce_items(parts, rules, warnings)
    assert isinstance(parts, YouTubeParts)
    hook, beats = parts.hook, list(parts.beats)
    if not hook and beats:
        hook = beats.pop(0)
        warnings.append("there was no hook: used the first beat")
    limit = rules.hook_max_chars
    if limit is not None and len(hook) > limit:
        hook = fit_sentences(hook, limit)
        warnings.append(f"cut the hook to {limit} characters")
    return parts.model_copy(update={"hook": hook, "beats": beats})


# -- the whole post within max_chars ----------------------------------------------------------

SHRINK_ORDER: dict[type[Parts], tuple[str, ...]] = {
    LinkedInParts: ("body", "hook"),
    ThreadParts: ("posts",),
    FacebookParts: ("body",),
    InstagramParts: ("caption",),
    EmailParts: ("body", "call_to_action", "preview", "subject"),
    ProductParts: ("bullets", "lead"),
    YouTubeParts: ("beats", "close", "hook"),
}


def shrink(parts: Parts, max_chars: int, warnings: list[str]) -> Parts:
    """Shorten the parts, least essential first (the body before the hook, the last bullets
    before the lead), until the whole post fits in ``max_chars``."""
    if len(parts.render()) <= max_chars:
        return parts
    for field in SHRINK_ORDER[type(parts)]:
        over = len(parts.render()) - max_chars
        if over <= 0:
            break
        value = getattr(parts, field)
        if isinstance(value, list):
            parts = drop_items(parts, field, max_chars)
        else:
            parts = parts.model_copy(update={field: fit_sentences(value, len(value) - over)})
    warnings.append(f"shortened the post to keep it within {max_chars} characters")
    if isinstance(parts, ThreadParts):
        bodies = [THREAD_NUMBER.sub("", post, count=1) for post in parts.posts]
        parts = ThreadParts(posts=number_posts(bodies))
    if len(parts.render()) > max_chars:  # the hashtags alone are too long
        parts = drop_tags(parts, max_chars)
    return parts


def drop_items(parts: Parts, field: str, max_chars: int) -> Parts:
    """Drop list items from the end (keeping one) until the post fits."""
    items: list[str] | list[Bullet] = list(getattr(parts, field))
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


# -- checking ---------------------------------------------------------------------------------


def check(parts: Parts, rules: ChannelRules, max_chars: int) -> list[LimitCheck]:
    """Every hard limit of the channel, measured on ``parts`` as they are."""
    checks = [limit_check("characters", max_chars, len(parts.render()))]
    if rules.max_hashtags:
        tags = list(getattr(parts, "hashtags", []))
        checks.append(limit_check("hashtags", rules.max_hashtags, len(tags)))
        checks.append(limit_check("malformed or repeated hashtags", 0, bad_hashtags(tags)))
    if isinstance(parts, ThreadParts):
        checks += thread_checks(parts, rules)
    if isinstance(parts, EmailParts):
        checks.append(limit_check("subject", rules.subject_max_chars or 60, len(parts.subject)))
        checks.append(limit_check("preview", rules.preview_max_chars or 90, len(parts.preview)))
    if isinstance(parts, LinkedInParts | YouTubeParts) and rules.hook_max_chars:
        checks.append(limit_check("hook", rules.hook_max_chars, len(parts.hook)))
    if isinstance(parts, ProductParts) and rules.max_items:
        checks.append(limit_check("bullets", rules.max_items, len(parts.bullets)))
    if isinstance(parts, YouTubeParts) and rules.max_items:
        checks.append(limit_check("beats", rules.max_items, len(parts.beats)))
    return checks


def thread_checks(parts: ThreadParts, rules: ChannelRules) -> list[LimitCheck]:
    total = len(parts.posts)
    misnumbered = sum(
        1 for n, post in enumerate(parts.posts, 1) if not post.startswith(f"{n}/{total} ")
    )
    return [
        limit_check("posts", rules.max_posts or 25, total),
        limit_check(
            "longest post", rules.post_max_chars or 280, max(map(len, parts.posts), default=0)
        ),
        limit_check("misnumbered posts", 0, misnumbered),
    ]
