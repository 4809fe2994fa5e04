"""Cold start of `aiwriter search` on an existing home: a new process, one query, exit.

Target (issue 15): under 1.5 s wall on the shared 2-core machine. The home (the demo
corpus ingested) is built once; each figure is then the median of fresh processes, so
every run pays the interpreter, the imports, opening the database and the vector store,
loading the embedding model and the search itself, as a user typing the command does.

Besides the whole-command wall time it reports where the time goes, from a probe that
walks the same path as the command in stages (import the CLI, open the workbench, embed
the query, search), and the heaviest imports from ``python -X importtime``.

    .venv/bin/python benchmarks/cold_search.py [--runs 9] [--runtime auto|onnx|torch]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "demo_corpus"
QUERY = "how long should a meta description be"

STAGES = """
import json, sys, time
marks = [("start", time.perf_counter())]
from aiwriter_kernel.cli.workbench_loader import open_workbench
import aiwriter_kernel.cli.main
marks.append(("import", time.perf_counter()))
workbench = open_workbench()
marks.append(("open", time.perf_counter()))
workbench.kb.vectors.embedder.encode([{query!r}])
marks.append(("encode", time.perf_counter()))
workbench.search({query!r}, k=10)
marks.append(("search", time.perf_counter()))
workbench.close()
print(json.dumps({{b[0]: b[1] - a[1] for a, b in zip(marks, marks[1:])}}))
"""


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "aiwriter_kernel", *args]


def environment(home: Path, runtime: str | None) -> dict[str, str]:
    env = dict(os.environ, AIWRITER_HOME=str(home), PYTHONPATH=str(ROOT))
    env.pop("AIWRITER_DATABASE_URL", None)
    env.pop("AIWRITER_CHROMA_URL", None)
    if runtime:
        env["AIWRITER_EMBEDDING_RUNTIME"] = runtime
    return env


def build_home(home: Path, env: dict[str, str]) -> None:
    """Ingest the demo corpus once (this also exports the ONNX model on first use)."""
    subprocess.run(
        command("ingest", str(CORPUS), "--json"), env=env, check=True, capture_output=True
    )
    # One search so anything made lazily on first use (caches) exists before timing.
    subprocess.run(command("search", QUERY, "--json"), env=env, check=True, capture_output=True)


def wall(env: dict[str, str], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command("search", QUERY, "--json"), env=env, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return samples


def stages(env: dict[str, str], runs: int) -> dict[str, float]:
    found: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", STAGES.format(query=QUERY)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for name, seconds in json.loads(out.strip().splitlines()[-1]).items():
            found[name].append(seconds)
    return {name: statistics.median(values) for name, values in found.items()}


def heaviest_imports(env: dict[str, str], top: int) -> list[tuple[str, float]]:
    """Top-level packages by total import time (self times summed) for one search."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "aiwriter_kernel", "search", QUERY, "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    totals: dict[str, float] = defaultdict(float)
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            totals[match.group(2).split(".")[0]] += int(match.group(1)) / 1e6
    return sorted(totals.items(), key=lambda item: -item[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--runtime", choices=["auto", "onnx", "torch"], default=None)
    parser.add_argument("--home", type=Path, default=None, help="reuse this home")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aiwriter-cold-") as scratch:
        home = args.home or Path(scratch) / "home"
        env = environment(home, args.runtime)
        start = time.perf_counter()
        if not (home / "aiwriter.db").exists():
            build_home(home, env)
            print(f"built the home in {time.perf_counter() - start:.1f} s ({home})")
        samples = wall(env, args.runs)
        print(
            f"aiwriter search, wall per process: median {statistics.median(samples):.2f} s "
            f"(min {min(samples):.2f}, max {max(samples):.2f}, {args.runs} runs)"
        )
        split = stages(env, max(3, args.runs // 2))
        print("stages (median): " + ", ".join(f"{k} {v:.2f} s" for k, v in split.items()))
        print("heaviest imports (-X importtime, self time summed per top-level package):")
        for name, seconds in heaviest_imports(env, 15):
            print(f"  {name:28s} {seconds * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
