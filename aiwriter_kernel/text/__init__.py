"""Plain-text building blocks shared by the offline composer, the pipelines and the analysis:
sentences, words, term weights, key phrases, slugs, heading lines, cutting to a length,
finding a quote, and what every claim rule shares. Pure Python, fast, deterministic."""
