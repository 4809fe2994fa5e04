"""What counts as a claim: the one rule behind citation coverage and fact checking.

Two features ask the same question of a sentence — does it state something a source
could confirm or refute? — so they share this rule and a writer can predict both:

* A sentence is **not** a claim when it is a question, a fragment (under
  ``MIN_CLAIM_WORDS`` words, or under two more without a closing stop), a greeting, an
  opinion ("I think", "in my view", "arguably"...) or an imperative ("Use...", "Try...").
* Otherwise it **is** a claim when it has something checkable: a number, a date, a name
  (a capitalised word other than the first, or an acronym anywhere), a comparison, a
  cause, or a factual verb ("found", "reported", "increased"...).

Citation coverage counts the claims a draft leaves uncited; the fact checker judges each
claim against the sources.
"""

from __future__ import annotations

import re

from aiwriter_kernel.text.words import terms, words

MIN_CLAIM_WORDS = 4
NO_KEY_TERMS = "the claim has no key terms to look up"
NO_SOURCE_SENTENCE = "no retrieved source sentence to compare it with"

MONTHS = frozenset(
    """january february march april may june july august september october november
    december""".split()  # noqa: SIM905
)
CALENDAR_NAMES = MONTHS | {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
}
NUMBER_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
COMPARISON = re.compile(
    r"\b(?:than|more|less|fewer|most|least|twice|half)\b"
    r"|\bthe\s+(?:\w+est|best|worst|first|last|only)\b",
    re.IGNORECASE,
)
CAUSE = re.compile(
    r"\b(?:because|therefore|hence|due to|thanks to|as a result|so that"
    r"|(?:cause|increase|decrease|reduce|improve|boost|raise|lower|prevent|double|halve)[sd]?"
    r"|causing|leads? to|led to|results? in|resulted in)\b",
    re.IGNORECASE,
)
PROPER_NOUN = re.compile(r"(?<=\s)(?:[A-Z][a-z][\w'\u2019-]*|[A-Z]{2,}\w*)")
LEADING_ACRONYM = re.compile(r"^[\"'(\[]*[A-Z]{2,}\b")  # "NASA found...": a name even first
OPINION = re.compile(
    r"\b(?:i|we)\s+(?:really\s+)?(?:think|believe|feel|guess|suppose|hope|love|hate|prefer)\b"
    r"|\bin\s+(?:my|our)\s+(?:opinion|view)\b|\bpersonally\b|\bit\s+seems\s+to\s+me\b"
    r"|\bi'm\s+(?:sure|convinced)\b|\barguably\b|\bi\s+would\s+argue\b",
    re.IGNORECASE,
)
GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|greetings|welcome|cheers|regards|congratulations"
    r"|thanks(?!\s+to\b)|thank\s+you|good\s+(?:morning|afternoon|evening)|best\s+wishes)\b",
    re.IGNORECASE,
)
IMPERATIVE_VERBS = frozenset(
    """add avoid ask be begin bring build buy call check choose click compare consider
    contact continue create cut delete do don't download drop enjoy ensure find follow get
    give go imagine include install join keep learn let let's look make note open pick plan
    please put read remember remove run save see select send set share show sign start stop
    take tell think try turn use visit wait watch write never always""".split()  # noqa: SIM905
)
FACTUAL_VERBS = frozenset(
    """according accounts announced caused causes confirmed conducted contains decreased
    declined demonstrated demonstrates discovered doubled estimated estimates fell find
    finds found grew increased increases indicated indicates invented launched measured
    observed outperformed outperforms proved published ranked ranks recorded reduced
    reduces released reported reports revealed rose shows showed shown studied surveyed
    tripled""".split()  # noqa: SIM905
)


def skip_reason(sentence: str) -> str | None:
    """Why ``sentence`` is not a claim, or None when it is one."""
    sentence = sentence.strip()
    if sentence.rstrip(" \"')\u201d\u2019").endswith("?"):
        return "question"
    count = len(sentence.split())
    ended = sentence[-1:] in (".", "!")
    if count < MIN_CLAIM_WORDS or (not ended and count < MIN_CLAIM_WORDS + 2):
        return "fragment"
    if GREETING.match(sentence):
        return "greeting"
    if OPINION.search(sentence):
        return "opinion"
    if words(sentence)[:1] and words(sentence)[0] in IMPERATIVE_VERBS:
        return "imperative"
    if not checkable_features(sentence):
        return "nothing checkable"
    return None


def checkable_features(sentence: str) -> list[str]:
    """What a source could confirm in ``sentence``: number, date, name, comparison, cause,
    factual verb — in that order, each once."""
    lowered = words(sentence)
    found = []
    if re.search(r"\d", sentence) or any(word in NUMBER_WORDS for word in lowered):
        found.append("number")
    if any(month in lowered for month in MONTHS if month != "may") or re.search(
        r"\b(?:1[0-9]|20)\d{2}s?\b|\bcentury\b", sentence
    ):
        found.append("date")
    names = (m.group(0).lower() for m in PROPER_NOUN.finditer(sentence))
    if LEADING_ACRONYM.match(sentence) or any(
        name not in CALENDAR_NAMES and name != "i" for name in names
    ):
        found.append("name")
    if COMPARISON.search(sentence):
        found.append("comparison")
    if CAUSE.search(sentence):
        found.append("cause")
    if FACTUAL_VERBS.intersection(lowered):
        found.append("factual verb")
    return found


def claim_features(sentence: str) -> list[str]:
    """What makes ``sentence`` a claim; empty when it is not one."""
    return [] if skip_reason(sentence) else checkable_features(sentence)


def unsourced_reason(claim: str) -> str:
    """Why ``claim`` has no evidence when no passage was retrieved for it."""
    return NO_SOURCE_SENTENCE if terms(claim) else NO_KEY_TERMS
