"""Key phrases that name something: multi-word, noun-like phrases, scored by statistics.

Candidates are runs of content words bounded by stop words, punctuation and numbers (no
tagger: nothing may download at run time), cut into phrases of one to ``MAX_WORDS`` words.
A phrase scores by

- how surprising its words are against everyday English (``background``: the packaged
  ``wordfreq`` counts), so "grid computing" outranks "still" or "says" without a corpus;
- how often it occurs, sublinearly (at least twice in a long text, or for three words);
- how early it first occurs (titles and abstracts name the subject).

Titles and headings are text: they are read first, so their phrases count and come early
(an extra bonus for heading words only promoted the generic ones, "implementation").
A phrase that adds no word to the better ones ("retrieval" after "information
retrieval", the same words in another order) is dropped from the ranking.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import Stemmer
from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.text.background import surprisal
from aiwriter_kernel.text.words import STOP_WORDS

MAX_WORDS = 4
# Sentence ends and other marks no phrase crosses; a hyphen or apostrophe inside a word
# is part of the word.
TOKEN = re.compile(r"[^\W\d_][\w'\u2019-]*[^\W_]|[^\W\d_]|\n\s*\n|[^\s\w]|[\d_]+")
SENTENCE_END = re.compile(r"[.!?]|\n\s*\n")
# The word after a subject pronoun or a modal is a verb ("we create", "it satisfies",
# "can exert"): the text itself tells which words it uses as verbs, and no noun phrase
# starts with one ("create domain models").
VERB_CUES = frozenset(
    """we they it he she i you can could will would should must may might shall
    cannot""".split()  # noqa: SIM905
)
# Function words that STOP_WORDS leaves in (it serves lexical similarity, where they do
# little harm) but that end a noun phrase: adverbs, prepositions, reporting verbs, modals.
PHRASE_STOP_WORDS = STOP_WORDS | frozenset(
    """according across actually additionally almost along already although always among
    amongst another anyone anything around away back become becomes besides beyond cannot
    certain certainly consider considered despite done dont else enough especially etc
    everything far finally following furthermore generally given gives go goes going
    hence herein however indeed instead is isn't it's just largely least less likely mainly
    maybe meanwhile moreover mostly namely nearly need needs never next nothing onto otherwise
    particularly perhaps possible possibly put quite rather really regarding respectively
    said say saying says seem seemed seems several shown shows show showed significantly
    simply something sometimes somewhat soon still take takes taken therefore thereby
    things thing toward towards truly typically unlike usually various whatever whenever
    wherever whereas whether whole yes""".split()  # noqa: SIM905
)
# A noun phrase ends in a noun: not in an adverb ("-ly"), a participle ("-ed") or an
# adjective suffix, save for the common nouns spelled so.
NOT_A_HEAD = re.compile(r"(?:ly|ed|able|ible|ous|ful|less)$")
HEAD_NOUNS = frozenset(
    """anomaly assembly family fly italy july monopoly poly reply supply ally bed breed feed
    hundred need seed speed shed cable table variable timetable syllable vegetable""".split()  # noqa: SIM905
)
# In a text this long (characters, about 1,000 words) a phrase said once is not what the
# text is about: its key phrases are repeated (KP-Miner's least allowable frequency).
LONG_TEXT = 6_000
MAX_CHARS = 2_000_000  # beyond this a text is cut: the ranking is settled long before
# Snowball (Porter 2) groups "services" with "service" and "indexing" with "indexes",
# which the light stemmer of text.words, made for similarity, does not.
STEMMER = Stemmer.Stemmer("english")


class Keyphrase(BaseModel):
    """A phrase as it is most often written, with its score and occurrence count."""

    model_config = ConfigDict(frozen=True)

    phrase: str
    score: float
    count: int


@dataclass(slots=True)
class _Stats:
    """What the text says about one candidate (keyed by its stemmed words)."""

    count: int = 0
    first_sentence: int = 10**9
    surfaces: dict[str, int] = field(default_factory=dict)  # lower-cased form: count


@dataclass
class _Candidates:
    """Every candidate phrase of the texts read so far, and how each word is written."""

    stats: defaultdict[tuple[str, ...], _Stats] = field(default_factory=lambda: defaultdict(_Stats))
    written: Counter[str] = field(default_factory=Counter)  # lower-cased word: times written
    capitals: Counter[str] = field(default_factory=Counter)  # lower-cased word: times in capitals
    verbs: set[str] = field(default_factory=set)  # lower-cased words used as verbs
    sentences: int = 0

    def read(self, text: str) -> None:
        """Count every candidate of ``text``, its sentences numbered after those read."""
        runs = _runs(text, self.verbs)
        for run, sentence in runs:
            lowered = [word.lower() for word in run]
            keys = STEMMER.stemWords(lowered)
            self.written.update(lowered)
            self.capitals.update(low for low, word in zip(lowered, run, strict=True)
                                 if word.isupper() and len(word) > 1)  # fmt: skip
            for size in range(1, min(MAX_WORDS, len(run)) + 1):
                for start in range(len(run) - size + 1):
                    words = lowered[start : start + size]
                    if not _can_be_phrase(words, keys[start : start + size]):
                        continue
                    entry = self.stats[tuple(keys[start : start + size])]
                    entry.count += 1
                    entry.first_sentence = min(entry.first_sentence, self.sentences + sentence)
                    surface = " ".join(words)
                    entry.surfaces[surface] = entry.surfaces.get(surface, 0) + 1
        self.sentences += runs[-1][1] + 1 if runs else 0

    def shown(self, entry: _Stats) -> str:
        """How a phrase is shown: its most common form in lower case, but a word written in
        capitals in most of its occurrences in the text stays so: "UDDI registry", not
        "UDDI REGISTRY" because a heading shouted it."""
        phrase = min(entry.surfaces.items(), key=lambda item: (-item[1], item[0]))[0]
        return " ".join(
            word.upper() if 2 * self.capitals[word] > self.written[word] else word
            for word in phrase.split()
        )


def _is_content(token: str) -> bool:
    lowered = token.lower()
    if not token[0].isalpha() or lowered in PHRASE_STOP_WORDS:
        return False
    return len(lowered) > 1 or token.isupper()


def _runs(text: str, verbs: set[str]) -> list[tuple[list[str], int]]:
    """(content-word run, sentence number) for each maximal run of content words; adds to
    ``verbs`` the (lower-cased) words that follow a subject pronoun or a modal."""
    runs: list[tuple[list[str], int]] = []
    run: list[str] = []
    sentence = 0
    previous = ""
    for token in TOKEN.findall(text[:MAX_CHARS]):
        lowered = token.lower()
        if previous in VERB_CUES:
            verbs.add(lowered)
        previous = lowered
        if _is_content(token):
            run.append(token.replace("\u2019", "'"))
            continue
        if run:
            runs.append((run, sentence))
            run = []
        if SENTENCE_END.fullmatch(token):
            sentence += 1
    if run:
        runs.append((run, sentence))
    return runs


def _can_be_phrase(words: Sequence[str], keys: Sequence[str]) -> bool:
    """Whether a span (lower-cased words) reads as a noun phrase: it ends in a noun-like
    word, does not open with an adverb, and repeats no word ("UDDI registry UDDI" is two
    phrases run on)."""
    last, first = words[-1], words[0]
    if NOT_A_HEAD.search(last) and last not in HEAD_NOUNS:
        return False
    if first.endswith("ly") and first not in HEAD_NOUNS:
        return False
    return len(set(keys)) == len(keys)


def _score(surface: str, entry: _Stats) -> float:
    """Surprisal x sublinear frequency x position: a TF-IDF whose IDF is the background."""
    # The phrase's surprisal against everyday English, its words taken as independent: a
    # rare word makes a phrase specific, a common one ("results", "show") adds little.
    specificity = sum(surprisal(word) for word in surface.split())
    frequency = 1.0 + math.log(entry.count)
    # Twice the weight in the first sentence (a title), decaying with the square root of
    # the sentence number: x1.3 by the tenth, x1.1 by the hundredth. Headings are read
    # first, so this is also what makes them count more.
    position = 1.0 + 1.0 / math.sqrt(1.0 + entry.first_sentence)
    return specificity * frequency * position


def extract_keyphrases(
    documents: Sequence[str] | str, *, top: int = 20, headings: Sequence[str] = ()
) -> list[Keyphrase]:
    """The ``top`` key phrases of ``documents`` (one text or many), best first.

    ``headings`` (a title, section headings) are read as text before the documents: their
    phrases come first, and need not be repeated to count.
    """
    texts = [documents] if isinstance(documents, str) else list(documents)
    candidates = _Candidates()
    for heading in headings:
        candidates.read(f"{heading}.")
    heading_keys = set(candidates.stats)
    for text in texts:
        candidates.read(text)
    least = 2 if sum(len(text) for text in texts) >= LONG_TEXT else 1
    scored = []
    for key, entry in candidates.stats.items():
        # Three words or more said once are more likely words run together ("vector
        # databases store embeddings") than a name; a name is repeated.
        needed = max(least, 2 if len(key) > 2 else 1)
        if entry.count >= needed or key in heading_keys:
            surface = candidates.shown(entry)
            if surface.split()[0].lower() in candidates.verbs:
                continue
            score = _score(surface, entry)
            scored.append(Keyphrase(phrase=surface, score=score, count=entry.count))
    scored.sort(key=lambda item: (-item.score, item.phrase))
    return _without_near_duplicates(scored, top)


def _without_near_duplicates(ranked: list[Keyphrase], top: int) -> list[Keyphrase]:
    """Keep a phrase only if it adds a word the better ones have not listed: a simple
    maximal-marginal-relevance cut, so "retrieval" does not follow "information retrieval"
    and "index vector" does not follow "vector index" (words compared by their stems)."""
    kept: list[Keyphrase] = []
    listed: set[str] = set()
    for candidate in ranked:
        words = set(STEMMER.stemWords(candidate.phrase.lower().split()))
        if words <= listed:
            continue
        kept.append(candidate)
        listed |= words
        if len(kept) == top:
            break
    return kept
