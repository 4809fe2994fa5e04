"""Search terms: the one tokenizer that keyword search uses for documents AND queries.

``text.words.terms`` serves lexical *similarity* (light stemming, hyphenated words whole,
numbers dropped). Keyword search needs more recall without losing exactness:

- English Snowball stems (PyStemmer), so "running", "runs" and "run" meet;
- a hyphenated word gives each part AND the parts joined, so "boundary-layer" is found by
  "boundary layer", "boundary-layer" and "boundarylayer" alike;
- numbers kept ("1990", "3.5", "f-16"), since years, versions and codes are what people
  type when they know exactly what they want;
- stop words removed (a standard English list), since BM25 would give them near-zero weight
  anyway and they only slow scoring.

Documents and queries must be tokenised by the same function, or a term indexed one way is
looked up another way and silently never matches. ``SEARCH_TERMS_VERSION`` names this
behaviour: an index built by an older version is rebuilt rather than searched.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

# Bump whenever the terms produced for some text change: indexes record the version they
# were built with, and one built with another version is rebuilt rather than searched.
SEARCH_TERMS_VERSION = "snowball-en-hyphen-numbers-1"

# A token: a decimal number ("3.5", "1,000"), or runs of letters/digits joined by hyphens or
# apostrophes ("state-of-the-art", "o'brien"). [^\W_] is a letter or a digit in any script.
TOKEN = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['\u2019\-][^\W_]+)*")
_POSSESSIVE = re.compile(r"['\u2019]s$")

# The English stop words of the Snowball project (snowballstem.org/algorithms/english/stop.txt),
# the list its stemmer was designed with, plus a few contractions' stems.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing would should could ought a an the and but if or because as until while of
    at by for with about against between into through during before after above below to
    from up down in out on off over under again further then once here there when where why
    how all any both each few more most other some such no nor not only own same so than too
    very s t can will just don now d ll m o re ve y""".split()  # noqa: SIM905
)

_STEMMER_LOCAL = threading.local()  # PyStemmer objects are not safe to share across threads


def _stemmer():
    stemmer = getattr(_STEMMER_LOCAL, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _STEMMER_LOCAL.stemmer = Stemmer.Stemmer("english")
    return stemmer


@lru_cache(maxsize=200_000)
def word_terms(word: str) -> tuple[str, ...]:
    """The terms one lower-cased token contributes (cached: corpora repeat their words).

    A stop word gives nothing; a hyphenated word gives its parts' terms then the whole
    joined; a number gives itself.
    """
    word = _POSSESSIVE.sub("", word).replace("\u2019", "").replace("'", "")
    if "-" not in word:
        return _single(word)
    parts = [part for part in word.split("-") if part]
    terms = [term for part in parts for term in _single(part)]
    joined = "".join(parts)
    if len(parts) > 1:
        terms.extend(_single(joined, keep_stop=True))
    return tuple(terms)


def _single(word: str, *, keep_stop: bool = False) -> tuple[str, ...]:
    """The term of a hyphen-free word: itself if it has a digit, else its stem."""
    if not word or (not keep_stop and word in STOP_WORDS):
        return ()
    if any(char.isdigit() for char in word):
        return (word,)
    return (_stemmer().stemWord(word),)


def tokens(text: str) -> list[str]:
    """Lower-cased tokens of ``text`` (before stop words, splitting and stemming)."""
    return TOKEN.findall(text.casefold())


def search_terms(text: str) -> list[str]:
    """The keyword-search terms of ``text``, in order: for documents and queries alike."""
    return [term for token in tokens(text) for term in word_terms(token)]
