"""The main job end to end on the demo corpus, and the quality of its output.

Times (1) loading the embedding model, (2) ingesting the demo corpus, (3) writing the
offline article (research, outline, sections, review, store) and (4) analysing it; then,
with ``--hf``, writes the same article through the packaged SmolLM2 model and prints both
variants' analysis (citation coverage, readability, originality) side by side.

    .venv/bin/python benchmarks/article_offline.py [--hf]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from aiwriter_kernel import Workbench
from aiwriter_kernel.research.embeddings import Embedder

CORPUS = Path(__file__).resolve().parent.parent / "data" / "demo_corpus"
TOPIC, KEYWORD = "How to write readable web content", "readability"


def seconds(action) -> tuple[float, object]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def quality(workbench: Workbench, result) -> dict[str, float]:
    report = workbench.analyze(result.markdown, keyword=KEYWORD, draft=result)
    nan = float("nan")  # a draft that cites nothing has no citation or originality report
    return {
        "words": report.readability.word_count,
        "sources cited": len(result.citations),
        "citation coverage": report.citations.coverage if report.citations else 0.0,
        "uncited claims": len(result.uncited_claims),
        "Flesch reading ease": report.readability.flesch_reading_ease,
        "Flesch-Kincaid grade": report.readability.flesch_kincaid_grade,
        "8-gram overlap with sources": (
            report.originality.overall_share if report.originality else nan
        ),
        "SEO score": report.seo.score,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hf", action="store_true", help="also write with the local model")
    with_hf = parser.parse_args().hf
    load, _ = seconds(lambda: Embedder().encode(["warm up"]))
    print(f"embedding model load: {load:.2f} s (once per process)")
    with tempfile.TemporaryDirectory() as home, Workbench.open(home=home) as workbench:
        ingest, _ = seconds(lambda: workbench.ingest(CORPUS))
        print(f"ingest demo corpus (8 files): {ingest:.2f} s")
        runs = []
        for attempt in range(3):
            took, result = seconds(
                lambda n=attempt: workbench.write(TOPIC + "!" * n, keywords=(KEYWORD,))
            )
            runs.append(took)
        print(
            f"offline article end to end: median {statistics.median(runs):.2f} s "
            f"({', '.join(f'{r:.2f}' for r in runs)})"
        )
        analysis, _ = seconds(
            lambda: workbench.analyze(result.markdown, keyword=KEYWORD, draft=result)
        )
        print(f"analysis of the article: {analysis * 1000:.0f} ms")
        variants = {"offline": quality(workbench, result)}
        if with_hf:
            took, hf = seconds(
                lambda: workbench.write(TOPIC, keywords=(KEYWORD,), provider="hf", target_words=600)
            )
            print(f"hf (SmolLM2-135M) article: {took:.0f} s")
            variants["hf"] = quality(workbench, hf)
            print("\n" + hf.markdown[:1500])
    print(f"\n{'measure':32s}" + "".join(f"{name:>12s}" for name in variants))
    for measure in variants["offline"]:
        row = "".join(f"{variants[name][measure]:12.3f}" for name in variants)
        print(f"{measure:32s}{row}")


if __name__ == "__main__":
    main()
