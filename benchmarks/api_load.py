"""Bounded load on the HTTP API: analyze and search, from a second process, over loopback.

Starts `uvicorn aiwriter_apps.api.app:create_app --factory --workers 2` on a fresh home (the demo
corpus ingested, one user and key), then this process drives it for a fixed time with a
few client threads, alternating `POST /api/analyze` (a 1,000-word article with a focus
keyword) and `POST /api/search`. It prints requests/s, p50/p99 per route, the error count
(any status but 200, or a failed connection) and the server's memory after the run, and
stops the server. The per-key rate limit is raised for the run (the limiter still runs).

    .venv/bin/python benchmarks/api_load.py [--seconds 30] [--clients 4] [--database-url URL]

Targets (issue 8): 0 errors; p99 under 100 ms for analyze of a 1,000-word text.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from aiwriter_kernel import Workbench

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "demo_corpus"
QUERIES = [
    "how long should sentences be",
    "keyword stuffing",
    "readability formulas",
    "meta description length",
    "headings help readers scan",
    "plain language",
]
WORDS = """readers scan pages quickly so short sentences plain words and clear headings help them
find what they need search engines reward pages that answer a question directly a focused
keyword in the title and the first paragraph tells both readers and crawlers what the page is
about long paragraphs hide the point while lists and examples make steps easy to follow
""".split()  # noqa: SIM905


def article(rng: random.Random, words: int = 1000) -> str:
    """A Markdown article of ``words`` words: a title, sections and sentences of 8-20 words."""
    out, count = ["# Readable web content\n"], 0
    while count < words:
        if count % 200 == 0:
            out.append(f"\n## Section {count // 200 + 1}\n")
        length = min(rng.randint(8, 20), words - count)
        out.append(" ".join(rng.choice(WORDS) for _ in range(length)).capitalize() + ".")
        count += length
    return " ".join(out) + "\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare_home(home: Path, database_url: str | None) -> str:
    """Ingest the demo corpus and create a user; returns the user's API key."""
    overrides = {"database_url": database_url} if database_url else {}
    with Workbench.open(home=home, **overrides) as workbench:
        user = workbench.db.accounts.create_user(f"load-{os.getpid()}")
        _, key = workbench.db.accounts.create_api_key(user.name)
        workbench.for_user(user.id).ingest(CORPUS)
    return key


def start_server(home: Path, port: int, workers: int, database_url: str | None):
    env = {
        **os.environ,
        "AIWRITER_HOME": str(home),
        "AIWRITER_API_RATE_LIMIT_PER_MINUTE": "100000000",
        "HF_HUB_OFFLINE": "1",
    }
    if database_url:
        env["AIWRITER_DATABASE_URL"] = database_url
    command = [
        sys.executable, "-m", "uvicorn", "aiwriter_apps.api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("the API did not start within 120 s")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def tree_rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and its children (uvicorn's workers), in MiB."""
    pids, total = [pid], 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().split(") ")[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                pids.append(int(entry.name))
    for each in pids:
        try:
            for line in (Path("/proc") / str(each) / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class Recorder:
    """Latencies per route and the errors seen, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {"analyze": [], "search": []}
        self.errors: list[str] = []

    def add(self, route: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[route].append(seconds)
            if error:
                self.errors.append(f"{route}: {error}")


def client_loop(base: str, key: str, until: float, seed: int, recorder: Recorder) -> None:
    rng = random.Random(seed)
    texts = [article(rng) for _ in range(5)]
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        turn = seed
        while time.monotonic() < until:
            turn += 1
            if turn % 2:
                route, path = "analyze", "/api/analyze"
                body = {"markdown": rng.choice(texts), "keyword": "readability"}
            else:
                route, path = "search", "/api/search"
                body = {"query": rng.choice(QUERIES), "k": 5}
            started = time.perf_counter()
            try:
                response = client.post(path, json=body)
                error = None if response.status_code == 200 else str(response.status_code)
            except httpx.HTTPError as failure:
                error = type(failure).__name__
            recorder.add(route, time.perf_counter() - started, error)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def warm_up(base: str, key: str, workers: int) -> None:
    """Load the embedding model and textstat in every worker before timing (first calls)."""
    headers = {"Authorization": f"Bearer {key}"}
    rng = random.Random(0)
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        for _ in range(6 * workers):
            client.post("/api/search", json={"query": "readability", "k": 5})
            client.post("/api/analyze", json={"markdown": article(rng), "keyword": "readability"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=None, help="default: SQLite in the home")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        key = prepare_home(home, args.database_url)
        port = free_port()
        server = start_server(home, port, args.workers, args.database_url)
        base = f"http://127.0.0.1:{port}"
        try:
            warm_up(base, key, args.workers)
            before = tree_rss_mib(server.pid)
            recorder = Recorder()
            until = time.monotonic() + args.seconds
            threads = [
                threading.Thread(target=client_loop, args=(base, key, until, n, recorder))
                for n in range(args.clients)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            after = tree_rss_mib(server.pid)
        finally:
            stop_server(server)

    total = sum(len(v) for v in recorder.latencies.values())
    print(f"{args.workers} workers, {args.clients} clients, {elapsed:.1f} s, "
          f"database: {'PostgreSQL' if args.database_url else 'SQLite'}")  # fmt: skip
    print(f"requests: {total} ({total / elapsed:.1f}/s), errors: {len(recorder.errors)}")
    for route, values in recorder.latencies.items():
        print(
            f"{route:8} n={len(values):5}  p50 {percentile(values, 0.5) * 1000:6.1f} ms  "
            f"p99 {percentile(values, 0.99) * 1000:6.1f} ms  "
            f"mean {statistics.fmean(values) * 1000:6.1f} ms"
        )
    print(f"server memory (all processes): {before:.0f} MiB after warm-up, {after:.0f} MiB after")
    for error in recorder.errors[:10]:
        print("error:", error)


if __name__ == "__main__":
    main()
