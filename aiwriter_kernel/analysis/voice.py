"""How well a draft matches a persona (brand voice): a few measurable checks, each with a
weight and, when it fails, one sentence saying how to fix it (the shape of ``seo.py``).

The checks are the persona's measurable settings: no banned word, a reading grade near the
target, the persona's own words in use, and sentences within its length limit. A check only
runs when the persona sets what it measures (the banned-words check always runs), and the
score is the passed share of the weights of the checks that ran, so a persona with few
settings is not marked down for the ones it lacks.

Words are matched whole and case-insensitively, as ``text.banned`` does. Banned and tone
words are counted in headings and body prose, not in the References section: those are the
sources' titles, not the writer's words.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.analysis.markup import prose, prose_sentences
from aiwriter_kernel.analysis.readability import offline_textstat
from aiwriter_kernel.analysis.word_count import count_words
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.text.banned import count_phrase

if TYPE_CHECKING:
    from aiwriter_kernel.personas import Persona

# The weight of each check; they sum to 100. A banned word is the one thing a brand voice
# never tolerates, so it weighs most; the reading grade decides who can read the text at all.
WEIGHTS: dict[str, int] = {
    "banned_words": 40,
    "reading_level": 25,
    "sentence_length": 20,
    "tone_words": 15,
}
GRADE_TOLERANCE = 2.0  # grades either side of the persona's reading level
LONG_SHARE_LIMIT = 0.1  # at most this share of sentences may exceed max_sentence_words
TONE_WORDS_PER_1000 = 1.0  # the persona's words should appear at least this often


class WordCount(BaseModel):
    """A word (or phrase) of the persona and how often the draft uses it."""

    model_config = ConfigDict(frozen=True)

    word: str
    count: int


class VoiceCheck(BaseModel):
    """One check: what it looks at, whether it passed, and how to fix it when it did not."""

    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    passed: bool
    weight: int
    detail: str
    fix: str


class VoiceReport(BaseModel):
    """How one draft matches one persona; ``score`` is 0-100."""

    model_config = ConfigDict(frozen=True)

    persona: str
    score: int
    checks: list[VoiceCheck]
    word_count: int
    reading_grade: float
    target_grade: float | None
    banned_words: list[WordCount]
    tone_words: list[WordCount]
    tone_words_missing: list[str]
    tone_words_per_1000: float
    sentence_count: int
    sentence_mean: float
    sentence_max: int
    max_sentence_words: int | None
    long_sentences: list[str]
    long_share: float | None

    @property
    def passed(self) -> bool:
        """True when every check that ran passed."""
        return all(check.passed for check in self.checks)

    def failed(self) -> list[VoiceCheck]:
        """The failed checks, heaviest first: the order in which to fix them."""
        return sorted((c for c in self.checks if not c.passed), key=lambda c: -c.weight)


@dataclass(frozen=True)
class _Draft:
    """Everything the checks need, computed once."""

    persona: Persona
    grade: float
    words: int
    banned: list[WordCount]
    tone: list[WordCount]
    sentences: list[str]
    lengths: list[int]

    @property
    def tone_rate(self) -> float:
        return 1000.0 * sum(w.count for w in self.tone) / self.words if self.words else 0.0

    @property
    def long_sentences(self) -> list[str]:
        limit = self.persona.max_sentence_words
        if limit is None:
            return []
        return [s for s, n in zip(self.sentences, self.lengths, strict=True) if n > limit]


def voice_match(markdown: str, persona: Persona) -> VoiceReport:
    """Check a Markdown (or plain) draft against ``persona``; pure and fast.

    Raises ValidationError when the draft has no prose to measure.
    """
    draft = _measure(markdown, persona)
    checks = [check(draft) for check in CHECKS]
    applied = [c for c in checks if c is not None]
    total = sum(c.weight for c in applied)
    score = round(100 * sum(c.weight for c in applied if c.passed) / total)
    long = draft.long_sentences
    return VoiceReport(
        persona=persona.name,
        score=score,
        checks=applied,
        word_count=count_words(prose(markdown).text),  # the one word count, body only
        reading_grade=round(draft.grade, 2),
        target_grade=persona.reading_level,
        banned_words=[w for w in draft.banned if w.count],
        tone_words=[w for w in draft.tone if w.count],
        tone_words_missing=[w.word for w in draft.tone if not w.count],
        tone_words_per_1000=round(draft.tone_rate, 2),
        sentence_count=len(draft.sentences),
        sentence_mean=round(statistics.fmean(draft.lengths), 2),
        sentence_max=max(draft.lengths),
        max_sentence_words=persona.max_sentence_words,
        long_sentences=long,
        long_share=(
            round(len(long) / len(draft.sentences), 4)
            if persona.max_sentence_words is not None
            else None
        ),
    )


def _measure(markdown: str, persona: Persona) -> _Draft:
    body = prose(markdown)
    sentences = prose_sentences(body.text)
    if not markdown.strip() or not sentences:
        raise ValidationError("text is empty")
    scanned = "\n\n".join([*body.headings, body.text])
    return _Draft(
        persona=persona,
        grade=offline_textstat().flesch_kincaid_grade(body.text),
        words=count_words(scanned),
        banned=count_phrases(scanned, persona.banned_words),
        tone=count_phrases(scanned, persona.tone_words),
        sentences=sentences,
        lengths=[count_words(sentence) for sentence in sentences],
    )


def count_phrases(text: str, phrases: Iterable[str]) -> list[WordCount]:
    """How often each phrase occurs in ``text``: whole words, any case, any whitespace
    between a phrase's words ("Synergy" counts for "synergy", "synergystic" does not)."""
    return [
        WordCount(word=" ".join(phrase.split()).lower(), count=count_phrase(text, phrase))
        for phrase in phrases
        if phrase.strip()
    ]


# ------------------------------------------------------------------------------- the checks


def _check(check_id: str, label: str, passed: bool, detail: str, fix: str) -> VoiceCheck:
    return VoiceCheck(
        id=check_id,
        label=label,
        passed=passed,
        weight=WEIGHTS[check_id],
        detail=detail,
        fix="" if passed else fix,
    )


def _banned_words(draft: _Draft) -> VoiceCheck:
    found = [w for w in draft.banned if w.count]
    listed = ", ".join(f"'{w.word}' ({w.count}x)" for w in found)
    if not draft.persona.banned_words:
        detail = "The persona bans no words."
    else:
        detail = f"Banned words used: {listed}." if found else "No banned word is used."
    return _check(
        "banned_words",
        "No banned words",
        not found,
        detail,
        f"Remove or reword every use of {', '.join(repr(w.word) for w in found)}.",
    )


def _reading_level(draft: _Draft) -> VoiceCheck | None:
    target = draft.persona.reading_level
    if target is None:
        return None
    gap = draft.grade - target
    passed = abs(gap) <= GRADE_TOLERANCE
    fix = (
        "Simplify: shorter sentences and shorter, everyday words lower the grade."
        if gap > 0
        else "The text is simpler than this reader expects: join choppy sentences and use "
        "the precise terms the audience knows."
    )
    return _check(
        "reading_level",
        f"Reading grade within {GRADE_TOLERANCE:g} of {target:g}",
        passed,
        f"Flesch-Kincaid grade {draft.grade:.1f} against a target of {target:g}.",
        fix,
    )


def _sentence_length(draft: _Draft) -> VoiceCheck | None:
    limit = draft.persona.max_sentence_words
    if limit is None:
        return None
    long = draft.long_sentences
    share = len(long) / len(draft.sentences)
    first = _short(long[0]) if long else ""
    return _check(
        "sentence_length",
        f"At most {LONG_SHARE_LIMIT:.0%} of sentences over {limit} words",
        share <= LONG_SHARE_LIMIT,
        f"{len(long)} of {len(draft.sentences)} sentences ({share:.0%}) are over {limit} "
        f"words; the longest has {max(draft.lengths)}.",
        f"Split the {len(long)} sentence(s) over {limit} words, starting with '{first}'.",
    )


def _tone_words(draft: _Draft) -> VoiceCheck | None:
    if not draft.persona.tone_words:
        return None
    rate = draft.tone_rate
    used = [w for w in draft.tone if w.count]
    needed = max(1, math.ceil(TONE_WORDS_PER_1000 * draft.words / 1000))
    have = sum(w.count for w in used)
    detail = (
        f"{have} use(s) of the persona's words ({', '.join(w.word for w in used)}): "
        f"{rate:.1f} per 1,000 words."
        if used
        else "None of the persona's words is used."
    )
    return _check(
        "tone_words",
        f"Persona's words at least {TONE_WORDS_PER_1000:g} per 1,000 words",
        rate >= TONE_WORDS_PER_1000,
        detail,
        f"Use the persona's words ({', '.join(draft.persona.tone_words)}) about "
        f"{max(1, needed - have)} more time(s).",
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


CHECKS: tuple[Callable[[_Draft], VoiceCheck | None], ...] = (
    _banned_words,
    _reading_level,
    _sentence_length,
    _tone_words,
)
