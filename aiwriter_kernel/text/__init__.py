"""Plain-text building blocks shared by the offline composer and the analysis: sentences,
words, term weights and key phrases. Pure Python, fast, deterministic."""
