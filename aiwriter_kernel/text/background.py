"""How surprising a word is in everyday English: the background model key phrases are
scored against, so that a text needs no corpus of its own to tell "grid computing" from
"still". The counts come with the ``wordfreq`` package (no download at run time); it is
imported on first use because loading its English list takes about half a second.
"""

from __future__ import annotations

import math
from functools import lru_cache

# wordfreq's English list ends near 1e-8 (Zipf 1): a word it has never seen is taken to be
# a little rarer than the rarest word it has.
UNSEEN_FREQUENCY = 10**-8.5


@lru_cache(maxsize=200_000)
def surprisal(word: str) -> float:
    """-log10 of the word's frequency in everyday English: about 1.3 for "the", 4 for
    "paper", 5 for "grid", 8.5 for a word never seen (a name, an acronym, a typo)."""
    from wordfreq import word_frequency

    frequency = word_frequency(word.lower(), "en")
    return -math.log10(max(frequency, UNSEEN_FREQUENCY))
