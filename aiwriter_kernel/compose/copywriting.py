"""Copy in a framework without a model: each section made of the material's own sentences.

Every section wants a kind of sentence (its role in ``aiwriter_kernel.copywriting``): a Problem the
most problem-like ones (struggle, waste, hard, without...), Proof those with numbers,
studies or customers, Features and Solutions those naming the offer, and so on. Sentences
are scored by those cue words and by how central they are to the material (or to the
offer and keyword), then handed out so that no sentence is used twice and each section
stays within its format's limits. The call to action is the one given, or a plain one
built from the offer. Deterministic: the same task always gives the same copy, in the
same ``Label: text`` shape a model is asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aiwriter_kernel.compose.sentence_pool import CITATION, CODE_LIKE
from aiwriter_kernel.copywriting import CopyLimits, SectionRole
from aiwriter_kernel.llm.tasks import CopyTask
from aiwriter_kernel.text.banned import find_banned
from aiwriter_kernel.text.cut import fit
from aiwriter_kernel.text.sentences import split_sentences, strip_markdown
from aiwriter_kernel.text.words import TermWeights, cosine, stem, terms, words

MIN_WORDS, MAX_WORDS = 3, 60
MAX_CUE_HITS = 3
PLAIN_ACTION = "Get started today."
DIGIT = re.compile(r"\d")

_CUE_WORDS: dict[str, str] = {
    "hook": "why how secret only stop few most decides decide one never every biggest key",
    "problem": (
        "problem struggle struggling waste wasted hard harder difficult without frustrating "
        "frustrated slow pain mistake confusing confused stuck tedious manual overwhelmed "
        "unclear vague poor bad burden chore fail fails failing lose miss"
    ),
    "agitate": (
        "cost costs lose lost losing risk worse miss missed fail fails never hurt damage "
        "ignore ignored spam drop split reduce reduces waste hours late behind unread "
        "unsubscribe penalty less too"
    ),
    "solution": (
        "help helps lets solve solves fix simple easy tool instead start use works way "
        "should can best better so answer"
    ),
    "feature": (
        "include includes including has have with feature features support supports offer "
        "offers provide provides built each every comes automatic automatically"
    ),
    "advantage": (
        "faster easier better more less than fewer simpler instead quick quickly outperform "
        "outperforms improve improves reliable clear clearer"
    ),
    "benefit": (
        "you your save saves gain grow enjoy help helps reach build builds protect protects "
        "trust free time confidence"
    ),
    "promise": "you your will can get help helps save every promise guarantee",
    "picture": "imagine picture when will feel finally day morning week your you instead once",
    "proof": (
        "study studies research survey customer customers client clients user users reader "
        "readers percent data shows show found tested proven according times teams companies "
        "rate rates measure results"
    ),
    "action": (
        "start try register reply read join sign subscribe book download click buy order "
        "visit call contact send"
    ),
    "interest": "",
}
# Words that all but name the role weigh double.
_STRONG_WORDS: dict[str, str] = {
    "problem": "problem problems struggle struggling",
    "agitate": "cost costs risk worse",
    "picture": "imagine picture",
    "proof": "study studies survey percent proven",
    "advantage": "than",
}
CUES: dict[str, frozenset[str]] = {
    role: frozenset(stem(word) for word in text.split()) for role, text in _CUE_WORDS.items()
}
STRONG_CUES: dict[str, frozenset[str]] = {
    role: frozenset(stem(word) for word in text.split()) for role, text in _STRONG_WORDS.items()
}
# Scarce kinds of sentence choose first, so a common role cannot take the only proof;
# an action sentence of the material is kept for the action section.
PICK_ORDER: tuple[SectionRole, ...] = (
    "action",
    "proof",
    "problem",
    "agitate",
    "feature",
    "advantage",
    "picture",
    "solution",
    "benefit",
    "promise",
    "hook",
    "interest",
)


@dataclass(frozen=True)
class Candidate:
    """One sentence of the material, where it stood, its words and its term vector."""

    text: str
    position: int
    stems: frozenset[str] = field(compare=False, hash=False)
    vector: dict[str, float] = field(compare=False, hash=False)


def material(task: CopyTask) -> list[Candidate]:
    """The usable sentences of the task's text and sources, in order, each once: whole
    sentences of 3-60 words, no code, no citation markers, none with a banned word."""
    banned = task.voice.banned_words if task.voice else ()
    texts = [task.text, *(source.text for source in task.sources)]
    found: list[str] = []
    seen: set[str] = set()
    for text in texts:
        for sentence in split_sentences(CITATION.sub("", strip_markdown(text))):
            sentence = " ".join(sentence.split())
            key = " ".join(words(sentence))
            if key in seen or not _usable(sentence) or find_banned(sentence, banned):
                continue
            seen.add(key)
            found.append(sentence)
    weights = TermWeights(terms(sentence) for sentence in found)
    return [
        Candidate(
            text=sentence,
            position=position,
            stems=frozenset(stem(word) for word in words(sentence)),
            vector=weights.vector(terms(sentence)),
        )
        for position, sentence in enumerate(found)
    ]


def _usable(sentence: str) -> bool:
    count = len(words(sentence))
    return (
        MIN_WORDS <= count <= MAX_WORDS
        and sentence[-1] in ".!?"
        and (sentence[0].isupper() or sentence[0].isdigit() or sentence[0] in "\"'“")
        and not CODE_LIKE.search(sentence)
    )


def cue_score(candidate: Candidate, role: str, task: CopyTask) -> float:
    """How much the sentence reads like the role wants: its cue words, plus digits for
    proof, a question for a hook, the offer's name for a solution or feature."""
    score = float(min(len(candidate.stems & CUES[role]), MAX_CUE_HITS))
    score += len(candidate.stems & STRONG_CUES.get(role, frozenset()))
    lowered = candidate.text.lower()
    if role == "proof" and DIGIT.search(candidate.text):
        score += 2
    if role == "hook" and candidate.text.endswith("?"):
        score += 1
    if role in ("solution", "feature") and task.offer and task.offer.lower() in lowered:
        score += 2
    if role in ("hook", "promise") and task.keyword and task.keyword.lower() in lowered:
        score += 1
    return score


class CopyWriter:
    """Hands the material's sentences out to one task's sections."""

    def __init__(self, task: CopyTask) -> None:
        self.task = task
        self.limits: CopyLimits = task.framework.limits(task.format, task.max_chars)
        self.candidates = material(task)
        self.used: set[Candidate] = set()
        self.focus = self._focus_vector()

    def _focus_vector(self) -> dict[str, float]:
        """What the copy is about: the offer and keyword when given, else the material's
        'average' sentence."""
        wanted = terms(" ".join(part for part in (self.task.offer, self.task.keyword) if part))
        vectors = [dict.fromkeys(wanted, 1.0)] if wanted else [c.vector for c in self.candidates]
        total: dict[str, float] = {}
        for vector in vectors:
            for term, value in vector.items():
                total[term] = total.get(term, 0.0) + value
        norm = sum(value * value for value in total.values()) ** 0.5 or 1.0
        return {term: value / norm for term, value in total.items()}

    def section(self, role: SectionRole, budget: int, *, strict: bool) -> str:
        """Up to ``limits.sentences`` unused sentences for the role, within ``budget``
        characters, in the order the material has them; ``strict``: only sentences with
        the role's cues, else the most central ones when none has them."""
        ranked = self._ranked(role, strict=strict)
        chosen: list[Candidate] = []
        for candidate in ranked:
            if len(chosen) >= self.limits.sentences:
                break
            if len(" ".join(c.text for c in [*chosen, candidate])) <= budget:
                chosen.append(candidate)
        if not chosen and ranked:
            self.used.add(ranked[0])
            return fit(ranked[0].text, budget)
        self.used.update(chosen)
        return " ".join(c.text for c in sorted(chosen, key=lambda c: c.position))

    def _ranked(self, role: SectionRole, *, strict: bool) -> list[Candidate]:
        """Unused sentences, most role-like first; only role-like ones when there are any
        (and when ``strict``, only those)."""
        free = [c for c in self.candidates if c not in self.used]
        scored = [(cue_score(c, role, self.task), cosine(self.focus, c.vector), c) for c in free]
        if strict or any(cue > 0 for cue, _, _ in scored):
            scored = [entry for entry in scored if entry[0] > 0]
        scored.sort(key=lambda entry: (-(entry[0] + entry[1]), entry[2].position))
        return [candidate for _, _, candidate in scored]

    def action(self, budget: int) -> str:
        """The call to action given; else a plain one built from the offer; else the
        material's most action-like sentence; else a plain invitation."""
        banned = self.task.voice.banned_words if self.task.voice else ()
        options = [as_sentence(self.task.cta or "")]
        if self.task.offer:
            options.append(f"Try {self.task.offer} today.")
        for option in options:
            if option and not find_banned(option, banned):
                return fit(option, budget)
        return self.section("action", budget, strict=True) or PLAIN_ACTION


def as_sentence(text: str) -> str:
    """A call to action as a sentence: tidy spacing, a capital, a final full stop."""
    text = " ".join(text.split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else f"{text}."


def with_closing_action(text: str, cta: str, budget: int) -> str:
    """A section ending with the call to action: its last sentences make room for it."""
    sentences = split_sentences(text)
    while sentences and len(" ".join([*sentences, cta])) > budget:
        sentences.pop()
    return " ".join([*sentences, fit(cta, budget)])


def compose_copy(task: CopyTask) -> str:
    """The whole copy as ``Label: text`` lines, in the framework's order. A section the
    material has nothing for is left empty (``Label:``) for the caller to report."""
    writer = CopyWriter(task)
    budget = writer.limits.section_chars
    sections = task.framework.sections
    texts: dict[str, str] = {}
    for role in PICK_ORDER:  # first the sentences that read like their section
        for section in sections:
            if section.role == role and section.label not in texts:
                texts[section.label] = (
                    writer.action(budget)
                    if role == "action"
                    else writer.section(role, budget, strict=True)
                )
    for section in sections:  # then the most central of the rest where none did
        if not texts.get(section.label):
            texts[section.label] = writer.section(section.role, budget, strict=False)
    banned = task.voice.banned_words if task.voice else ()
    cta = as_sentence(task.cta or "")
    if cta and not task.framework.has_action and not find_banned(cta, banned):
        last = sections[-1].label
        texts[last] = with_closing_action(texts[last], cta, budget)
    return "\n".join(f"{s.label}: {texts[s.label]}".rstrip() for s in sections)
