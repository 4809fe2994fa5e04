"""Retrieval quality on Cranfield: plain BM25 (Porter), our lexical, dense and hybrid search.

The collection (/work/shared/data/retrieval-cranfield: 1,400 abstracts, 225 queries, graded
qrels 1-4, higher is more relevant) is loaded and chunked exactly as ``Workbench.ingest`` does
(``load_path``, ``chunk_text`` with the default settings), so every system ranks the same
chunks. A system's chunk ranking becomes a document ranking by each document's best chunk
(``cap_per_source(..., 1)``, as ``search(per_source=1)``), scored by nDCG@10 (linear gains =
the grade) and recall@10, averaged over the queries.

Systems:
- ``bm25-porter``: the baseline, bm25s with its English stop words and NLTK's Porter stemmer;
- ``lexical``: our ``LexicalIndex`` (``search_terms``: Snowball stems, hyphen parts, numbers);
- ``dense``: the packaged all-MiniLM-L6-v2, exact cosine (Chroma's HNSW approximates it);
- ``hybrid``: ``hybrid.fuse`` with the shipped defaults (``hybrid.FUSION``), the function
  ``KnowledgeBase.search`` calls, over per-side pools of ``FUSION.depth``.

Ingesting 1,400 files one by one through the workbench took over an hour on the shared 2-core
machine, so the chunks are embedded here in batches instead (cached under ``--cache``).

Fusion is then TUNED by cross-validation rather than by hand: over a grid of RRF k, lexical
weight and per-side candidate depth, each of 5 folds picks the best setting on the other
four and is scored with it (repeated over 4 shuffles); the held-out mean is the honest
estimate of a tuned setting, to compare with the defaults' score on the same folds.

    PYTHONPATH=. .venv/bin/python benchmarks/retrieval_quality.py [--cache DIR] [--data DIR]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aiwriter_kernel.config import Settings
from aiwriter_kernel.research.chunking import chunk_text
from aiwriter_kernel.research.embeddings import Embedder
from aiwriter_kernel.research.hybrid import FUSION, Fusion, cap_per_source, fuse
from aiwriter_kernel.research.lexical import LexicalIndex
from aiwriter_kernel.research.loaders import LoaderError, load_path
from aiwriter_kernel.text.words import terms

DATA = Path("/work/shared/data/retrieval-cranfield")
BEFORE = Fusion(rrf_k=60, lexical_weight=0.5, depth=40)  # the fusion before issue 15
K = 10
DEPTH = 400  # chunks fetched per side once; fusion settings then use a prefix of it
GRID_RRF_K = (1, 5, 10, 20, 40, 60, 100)
GRID_LEXICAL_WEIGHT = (0.3, 0.4, 0.5, 0.6, 0.7)
GRID_DEPTH = (20, 40, 80, 160, 320)
FOLDS = 5
SHUFFLES = 4

Ranking = list[str]  # chunk ids, best first


@dataclass(frozen=True)
class Collection:
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]  # query id -> doc id -> grade


def load(data: Path) -> Collection:
    queries = {}
    for line in (data / "queries.jsonl").read_text().splitlines():
        record = json.loads(line)
        queries[record["id"]] = record["text"]
    qrels: dict[str, dict[str, int]] = {}
    for line in (data / "qrels.tsv").read_text().splitlines()[1:]:
        query_id, doc_id, grade = line.split("\t")
        if int(grade) > 0:
            qrels.setdefault(query_id, {})[doc_id] = int(grade)
    return Collection({q: t for q, t in queries.items() if q in qrels}, qrels)


def ndcg(docs: Sequence[str], grades: dict[str, int], k: int = K) -> float:
    gain = sum(grades.get(d, 0) / math.log2(i + 2) for i, d in enumerate(docs[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    return gain / sum(g / math.log2(i + 2) for i, g in enumerate(ideal))


def recall(docs: Sequence[str], grades: dict[str, int], k: int = K) -> float:
    return len(set(docs[:k]) & set(grades)) / len(grades)


def documents(ranking: Sequence[str], doc_of: dict[str, str], k: int = K) -> list[str]:
    """The first ``k`` distinct documents of a chunk ranking (each by its best chunk)."""
    return [doc_of[c] for c in cap_per_source(ranking, doc_of.__getitem__, 1, k)]


def score(runs: dict[str, list[str]], collection: Collection) -> tuple[float, float]:
    """Mean nDCG@10 and recall@10 of document rankings by query id."""
    pairs = [(ndcg(runs[q], g), recall(runs[q], g)) for q, g in collection.qrels.items()]
    return statistics.fmean(p[0] for p in pairs), statistics.fmean(p[1] for p in pairs)


def plain_bm25(
    ids: list[str], texts: list[str], tokens: Callable[[list[str]], list[list[str]]]
) -> Callable[[str, int], Ranking]:
    """bm25s with its default parameters (as ``LexicalIndex``) over ``tokens``' terms."""
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(tokens(texts), show_progress=False)

    def search(query: str, depth: int) -> Ranking:
        query_tokens = tokens([query])
        if not query_tokens[0]:
            return []
        found, scores = retriever.retrieve(
            query_tokens, k=min(depth, len(ids)), show_progress=False
        )
        return [ids[i] for i, s in zip(found[0], scores[0], strict=True) if s > 0]

    return search


def porter_tokens(texts: list[str]) -> list[list[str]]:
    """The baseline's terms: bm25s's tokenizer and English stop words, NLTK Porter stems."""
    import bm25s
    from nltk.stem import PorterStemmer

    porter = PorterStemmer()
    return bm25s.tokenize(
        texts,
        stopwords="en",
        stemmer=lambda words: [porter.stem(w) for w in words],
        return_ids=False,
        show_progress=False,
    )


def old_tokens(texts: list[str]) -> list[list[str]]:
    """The terms lexical search used before issue 15: ``text.words.terms``."""
    return [terms(text) for text in texts]


def fused(dense: Ranking, lexical: Ranking, fusion: Fusion) -> Ranking:
    """``KnowledgeBase.search``'s fusion, each side read ``fusion.depth`` deep."""
    rankings = {"dense": dense[: fusion.depth], "lexical": lexical[: fusion.depth]}
    return [chunk for chunk, _ in fuse(rankings, fusion)]


def grid() -> list[Fusion]:
    return [
        Fusion(rrf_k=k, lexical_weight=w, depth=d)
        for k, w, d in itertools.product(GRID_RRF_K, GRID_LEXICAL_WEIGHT, GRID_DEPTH)
    ]


def per_query_ndcg(fusion, dense, lexical, doc_of, collection) -> dict[str, float]:
    return {
        q: ndcg(documents(fused(dense[q], lexical[q], fusion), doc_of), g)
        for q, g in collection.qrels.items()
    }


def cross_validate(dense, lexical, doc_of, collection) -> dict:
    """Held-out nDCG@10 of the fold-tuned setting vs the defaults, and what folds chose."""
    settings = grid()
    table = {f: per_query_ndcg(f, dense, lexical, doc_of, collection) for f in settings}
    default = per_query_ndcg(FUSION, dense, lexical, doc_of, collection)
    queries = sorted(collection.qrels)
    tuned, baseline, chosen = [], [], []
    for shuffle in range(SHUFFLES):
        order = queries[:]
        random.Random(shuffle).shuffle(order)
        for fold in range(FOLDS):
            test = order[fold::FOLDS]
            train = [q for q in order if q not in set(test)]
            best = max(settings, key=lambda f: statistics.fmean(table[f][q] for q in train))
            chosen.append(best)
            tuned.append(statistics.fmean(table[best][q] for q in test))
            baseline.append(statistics.fmean(default[q] for q in test))
    overall = max(settings, key=lambda f: statistics.fmean(table[f].values()))

    def mean(fusion: Fusion) -> float:
        return round(statistics.fmean(table[fusion].values()), 4)

    sensitivity = {
        "rrf_k": {k: mean(Fusion(k, FUSION.lexical_weight, FUSION.depth)) for k in GRID_RRF_K},
        "lexical_weight": {
            w: mean(Fusion(FUSION.rrf_k, w, FUSION.depth)) for w in GRID_LEXICAL_WEIGHT
        },
        "depth": {d: mean(Fusion(FUSION.rrf_k, FUSION.lexical_weight, d)) for d in GRID_DEPTH},
    }
    return {
        "sensitivity around the defaults (nDCG@10, all queries)": sensitivity,
        "held_out_tuned": statistics.fmean(tuned),
        "held_out_defaults": statistics.fmean(baseline),
        "fold_choices": sorted({str(f) for f in chosen}),
        "best_on_all_queries": str(overall),
        "best_on_all_ndcg": statistics.fmean(table[overall].values()),
        "defaults": str(FUSION),
    }


@dataclass(frozen=True)
class Chunks:
    ids: list[str]
    texts: list[str]
    doc_of: dict[str, str]


def load_chunks(data: Path) -> Chunks:
    """Every document loaded and chunked as ``Workbench.ingest`` would."""
    settings = Settings()
    ids, texts, doc_of = [], [], {}
    for path in sorted((data / "docs").glob("*.txt"), key=lambda p: int(p.stem)):
        try:
            document = load_path(path)
        except LoaderError:
            continue  # an empty abstract: ingest refuses it too
        pieces = chunk_text(
            document.text, max_chars=settings.chunk_chars, overlap_chars=settings.chunk_overlap
        )
        for piece in pieces:
            chunk = f"{path.stem}:{piece.ordinal}"
            ids.append(chunk)
            texts.append(piece.text)
            doc_of[chunk] = path.stem
    return Chunks(ids, texts, doc_of)


def embeddings(texts: list[str], cache: Path | None, name: str) -> np.ndarray:
    """Unit vectors of ``texts``, from ``cache`` when a run already made them."""
    target = None if cache is None else cache / f"{name}-{len(texts)}.npy"
    if target is not None and target.exists():
        return np.load(target)
    vectors = Embedder().encode(texts)
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        np.save(target, vectors)
    return vectors


def run(data: Path, cache: Path | None) -> dict:
    collection = load(data)
    chunks = load_chunks(data)
    doc_of = chunks.doc_of
    results: dict = {"chunks": len(chunks.ids), "documents": len(set(doc_of.values()))}
    results["queries"] = len(collection.queries)
    started = time.perf_counter()
    chunk_vectors = embeddings(chunks.texts, cache, "chunks")
    query_vectors = embeddings(list(collection.queries.values()), cache, "queries")
    results["embed_seconds"] = round(time.perf_counter() - started, 1)

    baseline = plain_bm25(chunks.ids, chunks.texts, porter_tokens)
    before = plain_bm25(chunks.ids, chunks.texts, old_tokens)
    ours = LexicalIndex.from_texts(chunks.ids, chunks.texts)
    similarities = query_vectors @ chunk_vectors.T
    dense, lexical, porter, old = {}, {}, {}, {}
    for row, (q, text) in enumerate(collection.queries.items()):
        order = np.argsort(-similarities[row], kind="stable")[:DEPTH]
        dense[q] = [chunks.ids[i] for i in order]
        lexical[q] = [c for c, _ in ours.search(text, DEPTH)]
        porter[q] = baseline(text, DEPTH)
        old[q] = before(text, DEPTH)

    systems = {"bm25-porter": porter, "lexical before (words.terms)": old}
    systems |= {"lexical": lexical, "dense": dense}
    for name, runs in systems.items():
        results[name] = score({q: documents(r, doc_of) for q, r in runs.items()}, collection)
    runs = {q: documents(fused(dense[q], old[q], BEFORE), doc_of) for q in dense}
    results[f"hybrid before: old lexical, {BEFORE}"] = score(runs, collection)
    runs = {q: documents(fused(dense[q], lexical[q], BEFORE), doc_of) for q in dense}
    results[f"hybrid, {BEFORE}"] = score(runs, collection)
    runs = {q: documents(fused(dense[q], lexical[q], FUSION), doc_of) for q in dense}
    results[f"hybrid (shipped defaults), {FUSION}"] = score(runs, collection)
    results["fusion cross-validation"] = cross_validate(dense, lexical, doc_of, collection)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="keep the embeddings here between runs")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    print(json.dumps(run(args.data, args.cache), indent=2, default=str))


if __name__ == "__main__":
    main()
