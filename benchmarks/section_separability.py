"""Can a writer tell a document's sections apart from their content alone?

``article_quality.py`` scores how well the offline writer recovers hidden sections (ARI).
Before reading that figure as the writer's fault, this script asks whether the corpus's
sections are recoverable at all from what the writer sees: paragraphs, their meaning and
their words. It takes every scored document of a corpus, with selection out of the way
(exactly the document's own body paragraphs, nothing from neighbours), and measures:

- separability: the probability that two paragraphs of the same section are more similar
  than two paragraphs of different sections (the AUC of the writer's own paragraph
  similarity, ``compose.grouping.similarity``; 0.5 means no signal at all);
- the ARI, over paragraphs weighted by their sentences, of groupings made from that same
  similarity: the writer's own (silhouette-chosen count, small groups merged), one section
  per paragraph, one section for everything, and the baseline of ``article_quality.py``
  (the source blocks of about three paragraphs).

    .venv/bin/python benchmarks/section_separability.py [--corpus demo|structured|all]

Runs in about 15 s on two cores (the packaged embedder encodes each paragraph once).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from article_quality import CORPORA, Document, load_corpus, source_split

from aiwriter_kernel.compose.grounding import unit_rows
from aiwriter_kernel.compose.grouping import cluster, merge_small, similarity
from aiwriter_kernel.compose.plan import MAX_SECTIONS, MIN_SECTION_WORDS
from aiwriter_kernel.research.embeddings import Embedder
from aiwriter_kernel.text.words import TermWeights, terms


def body(doc: Document) -> tuple[list[str], list[int], list[int]]:
    """The document's paragraphs after its intro, their true sections and sentence counts
    (the intro is left out: the writer's opening is chosen another way)."""
    keep = [
        i
        for i, sentences in enumerate(doc.sentences)
        if not (sentences[0].section == 0 and doc.headings[0] == "intro")
    ]
    return (
        [doc.paragraphs[i] for i in keep],
        [doc.sentences[i][0].section for i in keep],
        [len(doc.sentences[i]) for i in keep],
    )


def weighted_ari(true: list[int], predicted: list[int], weights: list[int]) -> float:
    """ARI over sentences: each paragraph counted once per sentence it holds, as
    ``article_quality.py`` counts them."""
    expand = lambda labels: [x for x, n in zip(labels, weights, strict=True) for _ in range(n)]  # noqa: E731
    return float(adjusted_rand_score(expand(true), expand(predicted)))


def blocks(doc: Document, kept: int) -> list[int]:
    """The baseline's grouping: which source block each kept paragraph sits in."""
    offset = len(doc.paragraphs) - kept
    block_of = {p: b for b, (_, group) in enumerate(source_split(doc, "blocks")) for p in group}
    return [block_of[offset + i] for i in range(kept)]


def score_document(doc: Document, embedder: Embedder) -> dict[str, float]:
    paragraphs, true, weights = body(doc)
    vectors = unit_rows(embedder.encode(paragraphs))
    term_weights = TermWeights(terms(p) for p in paragraphs)
    term_vectors = [term_weights.vector(terms(p)) for p in paragraphs]
    similar = similarity(vectors, term_vectors, [(0, i) for i in range(len(paragraphs))])
    pairs = [(i, j) for i in range(len(paragraphs)) for j in range(i + 1, len(paragraphs))]
    same = [int(true[i] == true[j]) for i, j in pairs]
    sizes = [len(p.split()) for p in paragraphs]
    most = min(MAX_SECTIONS, max(1, sum(sizes) // MIN_SECTION_WORDS))
    writer = merge_small(cluster(similar, None, most), similar, sizes, MIN_SECTION_WORDS // 2)
    return {
        "auc": roc_auc_score(same, [similar[i, j] for i, j in pairs])
        if 0 < sum(same) < len(same)
        else np.nan,
        "writer": weighted_ari(true, writer, weights),
        "per_paragraph": weighted_ari(true, list(range(len(paragraphs))), weights),
        "one_section": weighted_ari(true, [0] * len(paragraphs), weights),
        "blocks": weighted_ari(true, blocks(doc, len(paragraphs)), weights),
        "paragraphs_per_section": len(paragraphs) / len(set(true)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--corpus", choices=("demo", "structured", "all"), default="all")
    names = (
        ("demo", "structured")
        if parser.parse_args().corpus == "all"
        else (parser.parse_args().corpus,)
    )
    embedder = Embedder()
    columns = ("paragraphs_per_section", "auc", "writer", "per_paragraph", "one_section", "blocks")
    print("| corpus | " + " | ".join(columns) + " |")
    print("|" + " --- |" * (len(columns) + 1))
    for name in names:
        rows = [score_document(d, embedder) for d in load_corpus(CORPORA[name]) if d.scored]
        means = [np.nanmean([row[c] for row in rows]) for c in columns]
        print(f"| {name} | " + " | ".join(f"{m:.2f}" for m in means) + " |")


if __name__ == "__main__":
    main()
