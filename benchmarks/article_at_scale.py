"""The offline article at scale: a 900-word article from a workspace of 10,000 chunks.

Target (issue 13): under 1 s warm, in-process, with the embedding model loaded. The
workspace holds the demo corpus plus ~10,000 chunks of filler prose (Python's own
`pydoc_data` topics, as in ``ingest_throughput.py``), so search, grounding and planning
run against a realistic index. Each timed write uses a different demo topic, so no call
is served from the response cache; one write on another topic warms up first.

    .venv/bin/python benchmarks/article_at_scale.py [--chunks 10000] [--home DIR]

``--home DIR`` keeps the built workspace (ingest takes a few minutes) and reuses it on
the next run, e.g. to time another version of the code against the same index.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiwriter_kernel import Workbench

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_throughput import CHUNK_CHARS, OVERLAP, write_corpus

CORPUS = Path(__file__).resolve().parent.parent / "data" / "demo_corpus"
WARM_UP = "Repurposing long articles for social channels"
TOPICS = [
    "How to write readable web content",
    "Writing headlines that earn the click",
    "Email newsletters that people open",
    "Search engine optimisation basics",
    "Citing sources and checking facts",
]


def build(home: Path, chunks: int) -> None:
    """Ingest the filler and the demo corpus into ``home`` (once)."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        write_corpus(folder, chunks)
        with Workbench.open(home=home, chunk_chars=CHUNK_CHARS, chunk_overlap=OVERLAP) as wb:
            started = time.perf_counter()
            wb.ingest([folder, CORPUS])
            print(f"built the workspace in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--home", type=Path)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        home = options.home or Path(scratch) / "home"
        if not (home / "aiwriter.db").exists():
            build(home, options.chunks)
        with Workbench.open(home=home) as wb:
            print(f"chunks in the workspace: {wb.db.sources.count_chunks(wb.workspace().id)}")
            wb.write(WARM_UP)
            times, words = [], []
            for topic in TOPICS:
                started = time.perf_counter()
                result = wb.write(topic)
                times.append(time.perf_counter() - started)
                words.append(len(result.markdown.split()))
    print(f"900-word target, {len(TOPICS)} topics, warm: median {statistics.median(times):.3f} s,")
    print(f"  min {min(times):.3f} s, max {max(times):.3f} s; article lengths {words} words")


if __name__ == "__main__":
    main()
