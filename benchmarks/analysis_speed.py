"""Speed of the full content analysis of one article.

`analyze(...)` with a keyword, 8 sources of about 500 words and valid citation labels, on a
Markdown article of about 2,000 words (headings, lists, links, images, citations and a
References section, with a few passages copied from the sources). Target: median < 100 ms.

Every timed run analyses a slightly different article (a unique last sentence), so
textstat's per-text caches never answer for it; its per-word caches stay warm, as they do
in a long-running notebook or server. The first, cold call (textstat and NLTK imports,
syllable dictionary load) is reported apart.

    .venv/bin/python benchmarks/analysis_speed.py
"""

from __future__ import annotations

import random
import statistics
import time

from aiwriter_kernel.analysis import analyze
from aiwriter_kernel.analysis.readability import syllable_source

RUNS = 50
ARTICLE_WORDS = 2000
SOURCE_WORDS = 500
SOURCES = 8

# Content words, drawn with Zipf-like weights, and function words making up about 45 % of the
# tokens, as in English prose: the mix decides how many candidate key phrases there are.
CONTENT = """vector search index embedding recall latency memory graph cluster query document
ranking relevance model training dataset benchmark quantization compression storage
throughput engineer library database approximate nearest neighbour distance similarity
cosine product dimension layer network server request cache shard replica cost budget team
user reader writer article source citation evidence claim number result study survey report
measure improve reduce increase compare choose build deploy monitor simple careful practical
expensive cheap fast slow large small modern classic reliable answer question problem method
system design change update version release feature option default setting error failure
test check score metric baseline experiment paper author editor draft section paragraph
sentence word phrase topic keyword audience traffic search engine page link image title""".split()  # noqa: SIM905
FUNCTION = """the a of and to in for with on by from that this as is are was be can will it
not or but at which their they we you has have more most than into when how""".split()  # noqa: SIM905
NAMES = ["Spotify", "Meta", "Google", "Pinecone", "Weaviate", "FAISS", "HNSW", "Lucene"]
CONTENT_WEIGHTS = [1 / (rank + 1) for rank in range(len(CONTENT))]


def sentence(rng: random.Random, label_count: int) -> str:
    length = rng.randint(8, 28)
    words = [
        rng.choice(FUNCTION) if rng.random() < 0.45 else rng.choices(CONTENT, CONTENT_WEIGHTS)[0]
        for _ in range(length)
    ]
    if rng.random() < 0.3:
        words[rng.randrange(1, length)] = rng.choice(NAMES)
    if rng.random() < 0.2:
        words[rng.randrange(1, length)] = str(rng.randint(2, 2024))
    if rng.random() < 0.3:
        words[rng.randrange(1, length - 1)] += ","
    text = " ".join(words).capitalize()
    if label_count and rng.random() < 0.5:
        text += f" [{rng.randint(1, label_count)}]"
    return text + "."


def prose(rng: random.Random, words: int, label_count: int = 0) -> list[str]:
    """Paragraphs of 3-6 sentences until ``words`` words."""
    paragraphs, total = [], 0
    while total < words:
        paragraph = " ".join(sentence(rng, label_count) for _ in range(rng.randint(3, 6)))
        paragraphs.append(paragraph)
        total += len(paragraph.split())
    return paragraphs


def make_sources(rng: random.Random) -> dict[str, str]:
    return {str(n): "\n\n".join(prose(rng, SOURCE_WORDS)) for n in range(1, SOURCES + 1)}


def make_article(rng: random.Random, sources: dict[str, str]) -> str:
    paragraphs = prose(rng, ARTICLE_WORDS - 150, label_count=SOURCES)
    parts = ["# Vector search index guide", "", "A vector search index guide for writers [1].", ""]
    for index, paragraph in enumerate(paragraphs):
        if index % 4 == 3:
            parts += [f"## Section {index // 4 + 1}", ""]
        if index % 7 == 5:  # a passage copied from a source, as drafts sometimes have
            copied = " ".join(sources[str(index % SOURCES + 1)].split()[40:70])
            paragraph += f" {copied}"
        if index % 6 == 2:
            parts += ["- a first point about recall", "- a second point about latency", ""]
        if index % 9 == 4:
            paragraph += " See [our guide](/guides/index) and [the paper](https://arxiv.org/x)."
            parts += ["![latency chart](chart.png)", ""]
        parts += [paragraph, ""]
    parts += ["## References", ""]
    parts += [f"[{n}] Source number {n} — example.org/{n}" for n in range(1, SOURCES + 1)]
    return "\n".join(parts) + "\n"


def run_once(article: str, sources: dict[str, str]) -> float:
    start = time.perf_counter()
    analyze(
        article,
        keyword="vector search index",
        sources=sources,
        valid_labels=range(1, SOURCES + 1),
        meta_description="How a vector search index works.",
        slug="vector-search-index-guide",
    )
    return time.perf_counter() - start


def main() -> None:
    rng = random.Random(2026)
    sources = make_sources(rng)
    article = make_article(rng, sources)
    cold = run_once(article, sources)
    samples = [
        run_once(article.replace("## References", f"Run {n} ends here.\n\n## References"), sources)
        for n in range(RUNS)
    ]
    words = len(article.split())
    source_words = sum(len(text.split()) for text in sources.values())
    median = statistics.median(samples) * 1000
    print(f"article: {words} words; sources: {SOURCES} x ~{source_words // SOURCES} words")
    print(f"syllable source: {syllable_source()}")
    print(f"first call (cold, imports and dictionary load): {cold * 1000:.0f} ms")
    print(
        f"analyze(): median {median:.1f} ms, min {min(samples) * 1000:.1f} ms, "
        f"max {max(samples) * 1000:.1f} ms over {RUNS} runs (target < 100 ms: "
        f"{'met' if median < 100 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
