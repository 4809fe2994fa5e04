"""The provider layer's own cost, against a local OpenAI-compatible server.

1. 200 requests, 16 at a time, to a server answering after 100 ms: wall time against the
   ideal 200 x 0.1 s / 16 = 1.25 s (target: within 1.3x).
2. Per-call overhead of the layer (validation, cache lookup, guard, call log) against a
   bare `openai` SDK call to the same server with no latency (target: < 2 ms per call).
3. A cache hit's latency (target: < 5 ms).

    .venv/bin/python benchmarks/provider_layer.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "llm"))

from fake_openai_server import FakeOpenAIServer

from aiwriter_kernel.llm.registry import ProviderConfig
from aiwriter_kernel.workbench import Workbench

REQUESTS, CONCURRENCY, LATENCY_S = 200, 16, 0.1
OVERHEAD_CALLS = 300


def concurrent_wall_time(workbench: Workbench, credentials: ProviderConfig) -> float:
    async def run() -> float:
        slots = asyncio.Semaphore(CONCURRENCY)

        async def one(n: int) -> None:
            async with slots:
                await workbench.llm.acomplete(
                    f"request {n}", provider="openai", credentials=credentials, cache=False
                )

        await one(-1)  # warm-up: imports the SDK and opens this loop's client, once per process
        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(REQUESTS)))
        return time.perf_counter() - started

    return asyncio.run(run())


def per_call_ms(call, count: int) -> float:
    for _ in range(20):
        call()  # warm up connections and caches
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    import openai

    with tempfile.TemporaryDirectory() as home, FakeOpenAIServer() as server:
        credentials = ProviderConfig(api_key="sk-bench", base_url=server.base_url)
        workbench = Workbench.open(home=home)
        workbench.llm.policy = workbench.llm.policy.model_copy(update={"max_concurrency": 16})

        server.latency_s = LATENCY_S
        wall = concurrent_wall_time(workbench, credentials)
        ideal = REQUESTS * LATENCY_S / CONCURRENCY
        print(
            f"{REQUESTS} requests, concurrency {CONCURRENCY}, {LATENCY_S * 1000:.0f} ms latency:"
            f" {wall:.2f} s (ideal {ideal:.2f} s, ratio {wall / ideal:.2f}x)"
        )

        server.latency_s = 0.0
        client = openai.OpenAI(api_key="sk-bench", base_url=server.base_url, max_retries=0)
        messages = [{"role": "user", "content": "overhead"}]
        bare = per_call_ms(
            lambda: client.chat.completions.create(model="gpt-4o-mini", messages=messages),
            OVERHEAD_CALLS,
        )
        layered = per_call_ms(
            lambda: workbench.llm.complete(
                "overhead", provider="openai", credentials=credentials, cache=False
            ),
            OVERHEAD_CALLS,
        )
        print(
            f"bare SDK call {bare:.2f} ms, through the layer {layered:.2f} ms: "
            f"overhead {layered - bare:.2f} ms per call (median of {OVERHEAD_CALLS})"
        )

        workbench.llm.complete("cached question", provider="openai", credentials=credentials)
        hit = per_call_ms(
            lambda: workbench.llm.complete(
                "cached question", provider="openai", credentials=credentials
            ),
            OVERHEAD_CALLS,
        )
        print(f"cache hit {hit:.2f} ms (median of {OVERHEAD_CALLS})")
        workbench.close()


if __name__ == "__main__":
    main()
