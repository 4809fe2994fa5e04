"""Fact checking without a model: which sentences are checkable claims, and what the
sources say about each one.

A claim is a declarative sentence with something a source could confirm or refute: a
figure, a date, a name, a comparison or a cause. The judge finds the source sentence that
shares most of the claim's key terms and compares what can be compared without
understanding language: the figures (with their units) and the polarity (a "not" on one
side only). It is deterministic and explains each verdict in one line, so a writer can see
why. Both handlers answer in the same JSON a chat model is asked for, so one parser reads
either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aiwriter_kernel.compose.sentence_pool import CITATION
from aiwriter_kernel.llm.tasks import ClaimsTask, SourcePassage, VerdictTask
from aiwriter_kernel.text.banned import find_banned
from aiwriter_kernel.text.claims import (
    MONTHS,
    NO_KEY_TERMS,
    NO_SOURCE_SENTENCE,
    NUMBER_WORDS,
    skip_reason,
)
from aiwriter_kernel.text.headings import HEADING_LINE
from aiwriter_kernel.text.quotes import locate
from aiwriter_kernel.text.sentences import split_sentences, strip_markdown
from aiwriter_kernel.text.words import (
    STOP_WORDS,
    TermWeights,
    content_words,
    cosine,
    stem,
    terms,
    words,
)

MIN_EVIDENCE_WORDS = 4
RELATED_COVERAGE = 0.5  # below this share of the claim's key terms, a sentence is off-topic
SUPPORT_COVERAGE = 0.75  # "says the same" needs most of the claim's key terms
SENTENCE_SHARE = 0.5  # ... and at least this share in the sentence itself, not its title

BLOCK_LINE = re.compile(r"^\s{0,3}(?:[-*+]\s|\d{1,9}[.)]\s|>)")
LIST_MARKER = re.compile(r"^(?:[-*+]|\d{1,9}[.)]|>)\s*")
REFERENCES = re.compile(
    r"^\s{0,3}#{1,6}\s+(?:references|sources|bibliography|works cited)\s*#*\s*$",
    re.IGNORECASE | re.MULTILINE,
)

TIMES_WORDS = {"twice": 2, "thrice": 3}  # "twice a day" compares with "three times a day"
NUMBER = re.compile(
    r"(?<![\w.,])(?P<value>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<fraction>\d+))?"
    r"(?P<unit>\s*%|\s*-?\s*[A-Za-z]+)?"
)
NUMBER_WORD = re.compile(
    r"\b(?P<value>" + "|".join(NUMBER_WORDS) + r")\b(?P<unit>\s+[A-Za-z]+)?", re.IGNORECASE
)
NEGATIONS = frozenset(
    """not no never none nobody nothing neither nor cannot isn't aren't wasn't weren't doesn't
    don't didn't hasn't haven't hadn't won't wouldn't can't couldn't shouldn't""".split()  # noqa: SIM905
)


# -- claims ----------------------------------------------------------------------------------


def claim_sentences(text: str) -> list[str]:
    """The prose sentences of a text: no headings, tables, references or citation markers."""
    text = REFERENCES.split(text, maxsplit=1)[0]
    return [
        " ".join(CITATION.sub("", sentence).split())
        for sentence in split_sentences(strip_markdown(_blocks(text)))
    ]


def extract_claims(text: str, max_claims: int = 30) -> list[str]:
    """The checkable claims of ``text`` in order, each once, at most ``max_claims``."""
    claims: list[str] = []
    for sentence in claim_sentences(text):
        if skip_reason(sentence) is None and sentence not in claims:
            claims.append(sentence)
    return claims[:max_claims]


def compose_claims(task: ClaimsTask) -> str:
    """The offline answer to a ``ClaimsTask``: ``{"claims": [...]}``."""
    return json.dumps({"claims": extract_claims(task.text, task.max_claims)})


# -- evidence sentences ----------------------------------------------------------------------


def evidence_sentences(text: str) -> list[str]:
    """The sentences of a source, each verbatim as the source writes it, headings left out."""
    found: list[str] = []
    for sentence in split_sentences(_blocks(text)):
        sentence = LIST_MARKER.sub("", sentence)
        if len(words(sentence)) < MIN_EVIDENCE_WORDS:
            continue
        located = locate(sentence, text)
        if located and located not in found:
            found.append(located)
    return found


def _blocks(text: str) -> str:
    """Each heading, list item and quote line as a paragraph of its own; headings and table
    rows dropped, so a sentence never runs into the line next to it."""
    lines: list[str] = []
    for line in text.splitlines():
        if HEADING_LINE.match(line) or line.lstrip().startswith("|"):
            lines.append("")
        elif BLOCK_LINE.match(line):
            lines.extend(["", line])
        else:
            lines.append(line)
    return "\n".join(lines)


# -- what can be compared: figures and polarity ----------------------------------------------


@dataclass(frozen=True)
class Quantity:
    """A figure in a sentence: its value, the unit after it ("year" for years), as written."""

    value: float
    unit: str
    shown: str


def quantities(sentence: str) -> list[Quantity]:
    """The figures of ``sentence``; a bare four-digit number from 1000 to 2100 is a year."""
    found: list[Quantity] = []
    for match in NUMBER.finditer(sentence):
        digits = match["value"].replace(",", "")
        value = float(f"{digits}.{match['fraction']}" if match["fraction"] else digits)
        unit = _unit(match["unit"])
        if not unit and "," not in match["value"] and len(digits) == 4 and 1000 <= value <= 2100:
            unit = "year"
        found.append(Quantity(value, unit, _shown(match, unit)))
    for match in NUMBER_WORD.finditer(sentence):
        value = float(NUMBER_WORDS[match["value"].lower()])
        unit = _unit(match["unit"])
        found.append(Quantity(value, unit, _shown(match, unit)))
    for match in re.finditer(r"\b(?:twice|thrice)\b", sentence, re.IGNORECASE):
        found.append(Quantity(TIMES_WORDS[match.group(0).lower()], "time", match.group(0)))
    return found


def _shown(match: re.Match[str], unit: str) -> str:
    """The figure as the sentence writes it, with its unit word when it has one."""
    if unit in ("", "year"):
        end = match.end("fraction") if match.groupdict().get("fraction") else match.end("value")
        return match.string[match.start() : end]
    return match.group(0).strip()


def _unit(raw: str | None) -> str:
    """A unit word, stemmed ("metres" -> "metr"); stop words such as "to" are not units."""
    word = (raw or "").strip(" -").lower()
    if word == "%":
        return "percent"
    if not word or word in STOP_WORDS or word in MONTHS:
        return ""
    return stem(word[:-1] if word.endswith("s") and len(word) > 3 else word)


def negations(sentence: str) -> list[str]:
    """The negating words of ``sentence`` ("not", "never", "isn't"...)."""
    return [word for word in words(sentence) if word in NEGATIONS]


# -- the judge -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    """A verdict on one claim, the deciding quote and its source label, and why."""

    verdict: str
    reason: str
    label: int | None = None
    quote: str | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "verdict": self.verdict,
                "label": self.label,
                "quote": self.quote,
                "reason": self.reason,
            }
        )


@dataclass(frozen=True)
class _Candidate:
    """A source sentence scored against the claim."""

    label: int
    text: str
    coverage: float  # share of the claim's key terms in the sentence or its source's title
    own: float  # share of the claim's key terms in the sentence itself
    relevance: float
    shared: tuple[str, ...]


def judge(claim: str, sources: Sequence[SourcePassage], banned: Iterable[str] = ()) -> Judgement:
    """Supported, contradicted or no evidence, from the source sentences closest to ``claim``.

    Among sentences sharing enough of the claim's key terms, the first one saying the same
    (terms, figures and polarity agree) supports it; failing that, the first one disagreeing
    on a figure of the same unit or on polarity contradicts it; otherwise there is no evidence.
    """
    claim_terms = set(terms(claim))
    if not claim_terms:
        return Judgement("no_evidence", NO_KEY_TERMS)
    candidates = _candidates(claim, claim_terms, sources, tuple(banned))
    if not candidates:
        return Judgement("no_evidence", NO_SOURCE_SENTENCE)
    related = [c for c in candidates if c.coverage >= RELATED_COVERAGE and c.own > 0]
    if not related:
        best = candidates[0]
        return Judgement(
            "no_evidence",
            f"no source is about this: the closest sentence [{best.label}] shares "
            f"{len(best.shared)} of {len(claim_terms)} key terms",
        )
    for candidate in related:
        if _agrees(claim, candidate):
            return Judgement("supported", _support_reason(claim, candidate), *_cited(candidate))
    for candidate in related:
        conflict = _conflict(claim, candidate)
        if conflict:
            return Judgement("contradicted", conflict, *_cited(candidate))
    return Judgement("no_evidence", _gap_reason(claim, claim_terms, related[0]))


def _candidates(
    claim: str, claim_terms: set[str], sources: Sequence[SourcePassage], banned: tuple[str, ...]
) -> list[_Candidate]:
    """Every usable source sentence, the most relevant first (ties: source order)."""
    raw = [
        (source, sentence)
        for source in sources
        for sentence in evidence_sentences(source.text)
        if not find_banned(sentence, banned)
    ]
    weights = TermWeights(terms(strip_markdown(sentence)) for _, sentence in raw)
    claim_vector = weights.vector(terms(claim))
    scored = []
    for source, sentence in raw:
        own_terms = set(terms(strip_markdown(sentence)))
        context = own_terms | set(terms(source.title))
        shared = tuple(sorted(claim_terms & context))
        own = len(claim_terms & own_terms) / len(claim_terms)
        relevance = cosine(claim_vector, weights.vector(terms(strip_markdown(sentence))))
        scored.append(
            _Candidate(
                source.label, sentence, len(shared) / len(claim_terms), own, relevance, shared
            )
        )
    return sorted(scored, key=lambda c: -(c.coverage + c.own + c.relevance))


def _agrees(claim: str, candidate: _Candidate) -> bool:
    claimed = {q.value for q in quantities(claim)}
    stated = {q.value for q in quantities(candidate.text)}
    return (
        candidate.coverage >= SUPPORT_COVERAGE
        and candidate.own >= SENTENCE_SHARE
        and claimed <= stated
        and bool(negations(claim)) == bool(negations(candidate.text))
    )


def _conflict(claim: str, candidate: _Candidate) -> str | None:
    """Why the sentence contradicts the claim: a figure of the same unit, or polarity."""
    stated = quantities(candidate.text)
    stated_values = {q.value for q in stated}
    for claimed in quantities(claim):
        if claimed.value in stated_values:
            continue
        rival = next((q for q in stated if q.unit == claimed.unit), None)
        if rival is not None:
            return (
                f"evidence [{candidate.label}] says {rival.shown}, the claim says {claimed.shown}"
            )
    claim_negated, evidence_negated = negations(claim), negations(candidate.text)
    if evidence_negated and not claim_negated:
        return f"evidence [{candidate.label}] says the opposite ({evidence_negated[0]!r})"
    if claim_negated and not evidence_negated:
        return f"the claim denies ({claim_negated[0]!r}) what evidence [{candidate.label}] states"
    return None


def _support_reason(claim: str, candidate: _Candidate) -> str:
    figures = [q.shown for q in quantities(claim)]
    agreed = f"; {', '.join(figures)} as stated" if figures else ""
    return (
        f"evidence [{candidate.label}] says the same "
        f"({len(candidate.shared)} key terms shared{agreed})"
    )


def _gap_reason(claim: str, claim_terms: set[str], candidate: _Candidate) -> str:
    stated = {q.value for q in quantities(candidate.text)}
    missing_figures = [q.shown for q in quantities(claim) if q.value not in stated]
    if missing_figures:
        return (
            f"the closest evidence [{candidate.label}] does not state {', '.join(missing_figures)}"
        )
    missing = claim_terms - set(candidate.shared)
    unsaid = list(dict.fromkeys(w for w in content_words(claim) if stem(w) in missing))
    return (
        f"the closest evidence [{candidate.label}] shares {len(candidate.shared)} of "
        f"{len(claim_terms)} key terms; it does not mention {', '.join(unsaid[:3]) or 'enough'}"
    )


def _cited(candidate: _Candidate) -> tuple[int, str]:
    return candidate.label, candidate.text


def compose_verdict(task: VerdictTask) -> str:
    """The offline answer to a ``VerdictTask``: ``{"verdict", "label", "quote", "reason"}``."""
    banned = task.voice.banned_words if task.voice else ()
    return judge(task.claim, task.sources, banned).to_json()
