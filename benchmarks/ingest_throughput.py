"""Ingest throughput against the embedding model's own speed on the same texts.

Two corpora:
- ``small`` (the default, issue 15): 1,500 short files written from the Cranfield
  abstracts in ``/work/shared/data/retrieval-cranfield/docs`` (1,400 of them, non-empty ones
  reused with a heading to reach the count), or from ``data/demo_corpus`` when that folder
  is missing: many files of one or two chunks each, where per-file costs show;
- ``large`` (issue 4): ~20,000 chunks of real prose (Python's own ``pydoc_data`` topics,
  recombined into 100 Markdown files).

Then, in one process and back to back so that the load of a shared machine weighs on both
alike, it times
  (a) ``Embedder.encode`` alone on exactly the chunk texts ingest will produce, in one call;
  (b) ``Workbench.ingest`` of the folder into a fresh home (load, chunk, embed, SQL, Chroma);
  (c) (a) again,
and compares (b) with the mean of (a) and (c). Peak RSS is read after the encodes and after
the ingest (the process's high-water mark, so the second says what ingest added).
Target (issue 15): ingest chunks/s >= 0.85 x raw encode chunks/s.

    .venv/bin/python benchmarks/ingest_throughput.py [--corpus small|large] [--files 1500]
        [--threads 1]
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
from aiwriter_kernel.research.embeddings import Embedder, set_torch_threads

ROOT = Path(__file__).resolve().parents[1]
CRANFIELD = Path("/work/shared/data/retrieval-cranfield/docs")
DEMO = ROOT / "data" / "demo_corpus"
LARGE_CHUNK_CHARS, LARGE_OVERLAP, LARGE_FILES = 600, 100, 100
SMALL_CHUNK_CHARS, SMALL_OVERLAP = 1200, 200  # the defaults of Settings


def chunks_of(text: str, chunk_chars: int, overlap: int) -> list[str]:
    return [c.text for c in chunk_text(text, max_chars=chunk_chars, overlap_chars=overlap)]


def write_small_corpus(folder: Path, files: int) -> list[str]:
    """Write ``files`` short documents (abstracts); return their chunk texts, in order."""
    source = CRANFIELD if CRANFIELD.is_dir() else DEMO
    texts = [p.read_text(errors="replace").strip() for p in sorted(source.iterdir())]
    texts = [text for text in texts if len(text.split()) > 5]
    chunks: list[str] = []
    for number in range(files):
        text = texts[number % len(texts)]
        if number >= len(texts):
            text = f"Abstract {number}\n\n{text}"
        (folder / f"doc{number:04d}.txt").write_text(text)
        chunks.extend(chunks_of(text, SMALL_CHUNK_CHARS, SMALL_OVERLAP))
    return chunks


def write_large_corpus(folder: Path, target_chunks: int) -> list[str]:
    """Write LARGE_FILES documents whose chunks add up to about ``target_chunks``."""
    import pydoc_data.topics

    paragraphs = [
        p.strip()
        for text in pydoc_data.topics.topics.values()
        for p in text.split("\n\n")
        if len(p.split()) > 12
    ]
    rng = random.Random(7)
    per_file = target_chunks // LARGE_FILES
    texts: list[str] = []
    for number in range(LARGE_FILES):
        body: list[str] = [f"# Document {number}"]
        while len(chunks_of("\n\n".join(body), LARGE_CHUNK_CHARS, LARGE_OVERLAP)) < per_file:
            body.append(rng.choice(paragraphs))
        text = "\n\n".join(body)
        (folder / f"doc{number:03d}.md").write_text(text)
        texts.extend(chunks_of(text, LARGE_CHUNK_CHARS, LARGE_OVERLAP))
    return texts


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_encode(embedder: Embedder, texts: list[str]) -> float:
    started = time.perf_counter()
    embedder.encode(texts)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", choices=["small", "large"], default="small")
    parser.add_argument("--files", type=int, default=1500, help="small corpus: how many files")
    parser.add_argument("--chunks", type=int, default=20_000, help="large corpus: about how many")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads for both (1 is steadier under load)"
    )
    args = parser.parse_args()
    set_torch_threads(args.threads)
    small = args.corpus == "small"
    chunk_chars = SMALL_CHUNK_CHARS if small else LARGE_CHUNK_CHARS
    overlap = SMALL_OVERLAP if small else LARGE_OVERLAP
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "corpus"
        folder.mkdir()
        if small:
            texts = write_small_corpus(folder, args.files)
        else:
            texts = write_large_corpus(folder, args.chunks)
        files = len(list(folder.iterdir()))
        embedder = Embedder()
        embedder.encode(["warm up the model"])
        raw_before = timed_encode(embedder, texts)
        peak_encode = peak_mib()

        workbench = Workbench.open(
            home=Path(scratch) / "home", chunk_chars=chunk_chars, chunk_overlap=overlap
        )
        started = time.perf_counter()
        report = workbench.ingest(folder)
        full = time.perf_counter() - started
        stored = sum(item.chunks for item in report.items)
        failed = report.count("failed")
        workbench.close()
        peak_ingest = peak_mib()
        raw_after = timed_encode(embedder, texts)
    raw = (raw_before + raw_after) / 2
    print(f"corpus: {args.corpus}, {files} files, {len(texts)} chunks of {chunk_chars} chars")
    print(f"torch threads: {args.threads}")
    print(f"ingest stored {stored} chunks, {failed} sources failed")
    print(f"raw encode before ingest: {raw_before:.1f} s = {len(texts) / raw_before:.1f} chunks/s")
    print(f"ingest:                   {full:.1f} s = {stored / full:.1f} chunks/s")
    print(f"raw encode after ingest:  {raw_after:.1f} s = {len(texts) / raw_after:.1f} chunks/s")
    print(f"ratio ingest / mean raw: {(stored / full) / (len(texts) / raw):.3f} (target >= 0.85)")
    print(f"peak RSS: {peak_encode:.0f} MiB after the first encode, {peak_ingest:.0f} after ingest")


if __name__ == "__main__":
    main()
