"""Import time of the kernel and start-up time of `aiwriter --help`.

Target (issue 2): `import aiwriter_kernel` under 0.3 s on the 2-core CI machine, where
importing torch alone takes seconds. Each figure is the median of fresh interpreters.

    .venv/bin/python benchmarks/import_time.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 15

IMPORT_KERNEL = (
    "import time; t = time.perf_counter(); import aiwriter_kernel; print(time.perf_counter() - t)"
)
IMPORT_FACADE = (
    "import time; t = time.perf_counter(); from aiwriter_kernel import Workbench; "
    "print(time.perf_counter() - t)"
)
IMPORT_TORCH = "import time; t = time.perf_counter(); import torch; print(time.perf_counter() - t)"


def in_process_seconds(code: str, runs: int = RUNS) -> float:
    """Median time the import itself takes, measured inside a fresh interpreter."""
    samples = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(samples)


def wall_seconds(argv: list[str], runs: int = RUNS) -> float:
    """Median wall time of a whole command, interpreter start-up included."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    figures = {
        "import aiwriter_kernel": in_process_seconds(IMPORT_KERNEL),
        "from aiwriter_kernel import Workbench": in_process_seconds(IMPORT_FACADE),
        "aiwriter --help (wall, whole process)": wall_seconds(
            [sys.executable, "-m", "aiwriter_kernel", "--help"]
        ),
        "python -c pass (wall, interpreter alone)": wall_seconds([sys.executable, "-c", "pass"]),
        "import torch (for scale)": in_process_seconds(IMPORT_TORCH, runs=3),
    }
    for name, seconds in figures.items():
        print(f"{name:45s} {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
