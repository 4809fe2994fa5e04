"""Hybrid query latency on a workspace of 100,000 chunks.

Builds a synthetic workspace: chunks of ~120 words recombined from the sentences of Python's
own documentation (``pydoc_data.topics``), with source ids, dates and tags. The BM25 side
indexes those real texts. The dense side holds RANDOM unit vectors (384-d, like
all-MiniLM-L6-v2): embedding 100,000 chunks with the model would take most of an hour on 2
cores, and HNSW search cost does not depend on what the vectors mean (random vectors are, if
anything, a harder case). Each QUERY is embedded with the real packaged model, inside the
timed window.

One timed query = embed the query + Chroma top-k + BM25 top-k + reciprocal rank fusion, k=10.
Prints build times, p50/p95 over 200 queries (without and with filters) and peak RSS.
The queries run twice: with torch's default CPU threads (2 on the CI machine), then with one
thread, which keeps single-query latency steady when other processes share the cores.

    .venv/bin/python benchmarks/query_latency.py [--chunks 100000] [--queries 200] [--home DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from aiwriter_kernel.config import Settings
from aiwriter_kernel.research.embeddings import Embedder, set_torch_threads
from aiwriter_kernel.research.hybrid import filters_to_where, reciprocal_rank_fusion
from aiwriter_kernel.research.lexical import LexicalIndex, cached_index
from aiwriter_kernel.research.models import SearchFilters
from aiwriter_kernel.research.vector_store import VectorStore, chunk_metadata

WORKSPACE = 1
K = 10
CHUNK_WORDS = 120
CHUNKS_PER_SOURCE = 50
TAGS = ["python", "syntax", "data-model", "stdlib", "howto", "reference", "draft", "notes"]
SECONDS_PER_YEAR = 365 * 86_400.0
FILTERS = {  # a broad filter (~4% of chunks) and a very selective one (50 chunks)
    "tags=python+reference": SearchFilters(tags=("python", "reference")),
    "one source": SearchFilters(source_ids=(42,)),
}


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MiB (Linux VmHWM; ru_maxrss elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def documentation_sentences() -> list[str]:
    """Prose sentences of the Python documentation bundled with the interpreter."""
    from pydoc_data.topics import topics

    text = re.sub(r"\s+", " ", " ".join(topics.values()))
    sentences = (sentence.strip() for sentence in re.split(r"(?<=[.!?])\s+", text))
    return [s for s in sentences if 30 <= len(s) <= 300 and re.search("[a-z]{3}", s)]


def make_chunks(sentences: list[str], count: int, rng: random.Random) -> list[str]:
    """``count`` chunks of about CHUNK_WORDS words, each a random run of sentences."""
    chunks = []
    for _ in range(count):
        parts, words = [], 0
        while words < CHUNK_WORDS:
            sentence = rng.choice(sentences)
            parts.append(sentence)
            words += len(sentence.split())
        chunks.append(" ".join(parts))
    return chunks


def make_metadatas(count: int, rng: random.Random) -> list[dict]:
    """Chunks grouped into sources of CHUNKS_PER_SOURCE, each with a date and a few tags."""
    start = time.time() - SECONDS_PER_YEAR
    metadatas = []
    for number in range(count):
        source = number // CHUNKS_PER_SOURCE
        source_rng = random.Random(source)
        added_at = start + source_rng.random() * SECONDS_PER_YEAR
        tags = source_rng.sample(TAGS, source_rng.randint(0, 3))
        metadatas.append(chunk_metadata(source + 1, number % CHUNKS_PER_SOURCE, added_at, tags))
    return metadatas


def make_queries(sentences: list[str], count: int, rng: random.Random) -> list[str]:
    """Short keyword-ish questions: a run of 4-8 words from a documentation sentence."""
    queries = []
    for sentence in rng.sample(sentences, count):
        words = sentence.split()
        size = min(len(words), rng.randint(4, 8))
        start = rng.randint(0, len(words) - size)
        queries.append(" ".join(words[start : start + size]))
    return queries


def random_unit_vectors(count: int, dimension: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, dimension), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def hybrid_query(
    store: VectorStore,
    embedder: Embedder,
    index: LexicalIndex,
    query: str,
    filters: SearchFilters | None,
) -> tuple[list[tuple[str, float]], dict[str, float]]:
    """One hybrid query, with the time each stage took."""
    stages: dict[str, float] = {}
    start = time.perf_counter()
    vector = embedder.encode([query])[0]
    stages["embed"] = time.perf_counter() - start
    mark = time.perf_counter()
    dense = store.query(WORKSPACE, vector, K, where=filters_to_where(filters))
    stages["chroma"] = time.perf_counter() - mark
    mark = time.perf_counter()
    lexical = index.search(query, K, filters=filters)
    stages["bm25"] = time.perf_counter() - mark
    mark = time.perf_counter()
    fused = reciprocal_rank_fusion([[i for i, _ in dense], [i for i, _ in lexical]])[:K]
    stages["rrf"] = time.perf_counter() - mark
    stages["total"] = time.perf_counter() - start
    return fused, stages


def percentile(values: list[float], fraction: float) -> float:
    return float(np.percentile(values, fraction * 100))


def report(label: str, runs: list[dict[str, float]]) -> None:
    print(f"\n{label} ({len(runs)} queries), milliseconds:")
    print(f"  {'stage':<8} {'p50':>8} {'p95':>8} {'max':>8}")
    for stage in ("embed", "chroma", "bm25", "rrf", "total"):
        values = [run[stage] * 1000 for run in runs]
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        print(f"  {stage:<8} {p50:8.2f} {p95:8.2f} {max(values):8.2f}")


def run(chunk_count: int, query_count: int, home: Path) -> None:
    rng = random.Random(0)
    sentences = documentation_sentences()
    texts = make_chunks(sentences, chunk_count, rng)
    ids = [f"chunk-{number:06d}" for number in range(chunk_count)]
    metadatas = make_metadatas(chunk_count, rng)
    queries = make_queries(sentences, query_count, rng)
    words = statistics.mean(len(text.split()) for text in texts[:1000])
    print(f"workspace: {chunk_count:,} chunks of ~{words:.0f} words, {len(sentences):,} sentences")

    embedder = Embedder()
    load_seconds = timed(lambda: embedder.encode(["warm up"]))
    print(f"model load + first query embedding: {load_seconds:.2f} s")

    store = VectorStore(Settings(home=home), embedder=embedder)
    vectors = random_unit_vectors(chunk_count, embedder.dimension, seed=0)
    upsert_seconds = timed(lambda: store.upsert(WORKSPACE, ids, texts, metadatas, vectors))
    print(f"chroma upsert of {store.count(WORKSPACE):,} vectors: {upsert_seconds:.1f} s")

    revision = f"{chunk_count}:0"
    holder: list[LexicalIndex] = []

    def build() -> LexicalIndex:
        return LexicalIndex.from_texts(ids, texts, metadatas)

    bm25_seconds = timed(lambda: holder.append(cached_index(WORKSPACE, revision, build)))
    index = holder[0]
    cached_seconds = timed(lambda: cached_index(WORKSPACE, revision, build))
    cached_us = cached_seconds * 1e6
    print(f"bm25 build: {bm25_seconds:.1f} s (cached lookup afterwards: {cached_us:.0f} µs)")

    import torch

    for threads in (torch.get_num_threads(), 1):
        set_torch_threads(threads)
        print(f"\n== torch threads: {threads}; load average {os.getloadavg()[0]:.2f}")
        for query in queries[:10]:  # warm-up: first HNSW page-ins, first torch calls
            hybrid_query(store, embedder, index, query, None)
        plain = [hybrid_query(store, embedder, index, query, None)[1] for query in queries]
        report("hybrid query, no filter", plain)
        for label, filters in FILTERS.items():
            runs = [hybrid_query(store, embedder, index, query, filters)[1] for query in queries]
            report(f"hybrid query, filter {label}", runs)
    set_torch_threads(torch.get_num_threads() if threads == 1 else threads)
    workbench_path(home, ids, texts, metadatas, queries)
    print(f"\npeak RSS: {peak_rss_mb():,.0f} MiB")


def workbench_path(home: Path, ids, texts, metadatas, queries) -> None:
    """The whole user-facing call, ``Workbench.search``: adds the revision check, the
    chunk and source reads from SQLite and the hit building to the stages above."""
    from aiwriter_kernel import Workbench
    from aiwriter_kernel.store.records import NewChunk

    workbench = Workbench.open(home=home)
    workspace = workbench.db.workspaces.get_or_create("default")
    assert workspace.id == WORKSPACE
    started = time.perf_counter()
    for first in range(0, len(ids), CHUNKS_PER_SOURCE):
        batch = range(first, min(first + CHUNKS_PER_SOURCE, len(ids)))
        chunks, offset, parts = [], 0, []
        for number in batch:
            chunks.append(
                NewChunk(
                    id=ids[number],
                    ordinal=number - first,
                    text=texts[number],
                    start_offset=offset,
                    end_offset=offset + len(texts[number]),
                )
            )
            parts.append(texts[number])
            offset += len(texts[number]) + 2
        source_number = first // CHUNKS_PER_SOURCE + 1
        workbench.db.sources.upsert_source_with_chunks(
            WORKSPACE,
            title=f"Source {source_number}",
            origin=f"bench/{source_number}.md",
            content_hash=f"{source_number:064d}",
            mime_type="text/markdown",
            size_bytes=offset,
            text="\n\n".join(parts),
            tags=metadatas[first].get("tags", []),
            chunks=chunks,
        )
    print(f"\nrelational store: {len(ids):,} chunks in {time.perf_counter() - started:.1f} s")
    workbench.search(queries[0], k=K)  # builds the BM25 index for this revision
    for query in queries[:10]:
        workbench.search(query, k=K)
    runs = []
    for query in queries:
        start = time.perf_counter()
        workbench.search(query, k=K)
        runs.append((time.perf_counter() - start) * 1000)
    print(
        f"Workbench.search, k={K}, {len(runs)} queries: p50 {percentile(runs, 0.5):.1f} ms, "
        f"p95 {percentile(runs, 0.95):.1f} ms, max {max(runs):.1f} ms"
    )
    workbench.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--home", type=Path, help="workbench home to build in (default: temp)")
    args = parser.parse_args()
    if args.home is not None:
        run(args.chunks, args.queries, args.home)
        return
    with tempfile.TemporaryDirectory(prefix="aiwriter-bench-") as home:
        run(args.chunks, args.queries, Path(home))


if __name__ == "__main__":
    main()
