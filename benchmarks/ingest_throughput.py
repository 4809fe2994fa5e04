"""Ingest throughput against the embedding model's own speed on the same texts.

Builds ~20,000 chunks of real prose (Python's own `pydoc_data` topics, recombined into
100 Markdown files), then times
  (a) `Embedder.encode` alone on exactly the chunk texts ingest will produce, and
  (b) `Workbench.ingest` of the folder into a fresh home (load, chunk, embed, SQLite, Chroma).
Target (issue 4): ingest chunks/s >= 0.85 x raw encode chunks/s.

    .venv/bin/python benchmarks/ingest_throughput.py [--chunks 20000]
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

from aiwriter_kernel import Workbench
from aiwriter_kernel.research.chunking import chunk_text
from aiwriter_kernel.research.embeddings import Embedder

CHUNK_CHARS, OVERLAP = 600, 100
FILES = 100


def write_corpus(folder: Path, target_chunks: int) -> list[str]:
    """Write FILES documents whose chunks add up to about ``target_chunks``; return them."""
    import pydoc_data.topics

    paragraphs = [
        p.strip()
        for text in pydoc_data.topics.topics.values()
        for p in text.split("\n\n")
        if len(p.split()) > 12
    ]
    rng = random.Random(7)
    per_file = target_chunks // FILES
    texts: list[str] = []
    for number in range(FILES):
        body, chunks = [f"# Document {number}"], 0
        while chunks < per_file:
            body.append(rng.choice(paragraphs))
            chunks = len(
                chunk_text("\n\n".join(body), max_chars=CHUNK_CHARS, overlap_chars=OVERLAP)
            )
        text = "\n\n".join(body)
        (folder / f"doc{number:03d}.md").write_text(text)
        texts.extend(c.text for c in chunk_text(text, max_chars=CHUNK_CHARS, overlap_chars=OVERLAP))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=20_000)
    target = parser.parse_args().chunks
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "corpus"
        folder.mkdir()
        texts = write_corpus(folder, target)
        embedder = Embedder()
        embedder.encode(["warm up the model"])
        started = time.perf_counter()
        embedder.encode(texts)
        raw = time.perf_counter() - started

        workbench = Workbench.open(
            home=Path(scratch) / "home", chunk_chars=CHUNK_CHARS, chunk_overlap=OVERLAP
        )
        started = time.perf_counter()
        report = workbench.ingest(folder)
        full = time.perf_counter() - started
        stored = sum(item.chunks for item in report.items)
        workbench.close()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"chunks: {len(texts)} (stored {stored}), {CHUNK_CHARS}-char chunks, {FILES} files")
    print(f"raw encode: {raw:.1f} s = {len(texts) / raw:.1f} chunks/s")
    print(f"ingest:     {full:.1f} s = {stored / full:.1f} chunks/s")
    print(f"ratio ingest/raw: {(stored / full) / (len(texts) / raw):.3f} (target >= 0.85)")
    print(f"peak RSS: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
