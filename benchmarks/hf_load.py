"""Load and generation speed of the local hf provider with the packaged SmolLM2 GGUF.

Prints: the first load (GGUF dequantised, then saved to the cache), the cached load in this
process and in a fresh one, tokens/s for a 64-token greedy generation, and peak RSS. The cache
goes to a temporary directory unless --cache-dir is given (an existing cache there is reused,
so the "first load" then reads it).

    .venv/bin/python benchmarks/hf_load.py [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiwriter_kernel.llm.hf_provider import HuggingFaceProvider

PROMPT = "Write a long story about a lighthouse keeper who finds a message in a bottle."
NEW_TOKENS = 64
RUNS = 3


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MiB.

    Linux's VmHWM starts afresh at exec; ru_maxrss (the fallback) may carry the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_load(provider: HuggingFaceProvider) -> tuple[float, str]:
    start = time.perf_counter()
    loaded = provider.load()
    return time.perf_counter() - start, loaded.source


def tokens_per_second(provider: HuggingFaceProvider) -> tuple[float, int]:
    """Best of a few greedy generations after a warm-up call: the least disturbed by others."""
    from aiwriter_kernel.llm.messages import ChatMessage, ChatRequest, GenerationParams

    def request(max_tokens: int) -> ChatRequest:
        return ChatRequest(
            messages=(ChatMessage(role="user", content=PROMPT),),
            model="",
            params=GenerationParams(max_tokens=max_tokens),
        )

    provider.complete(request(8))
    rates, tokens = [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        completion = provider.complete(request(NEW_TOKENS))
        tokens = completion.completion_tokens or 0
        rates.append(tokens / (time.perf_counter() - start))
    return max(rates), tokens


def fresh_process_load(cache_dir: Path) -> dict[str, float]:
    """The cached load as a new workbench process sees it, and its memory once generating.

    torch and transformers are imported first, but the load still pays for the transformers
    submodules (modeling_llama, tokenizers...) that transformers imports lazily on first use.
    """
    code = f"""
import json, sys, time
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
import torch, transformers
from hf_load import peak_rss_mb
from aiwriter_kernel.llm.hf_provider import create
from aiwriter_kernel.llm.registry import ProviderConfig
from aiwriter_kernel.llm.messages import ChatMessage, ChatRequest, GenerationParams
provider = create(ProviderConfig(options={{"cache_dir": {str(cache_dir)!r}}}))
start = time.perf_counter()
loaded = provider.load()
seconds = time.perf_counter() - start
provider.complete(ChatRequest(messages=(ChatMessage(role="user", content="Hi"),), model="",
    params=GenerationParams(max_tokens=8)))
print(json.dumps({{"seconds": seconds, "source": loaded.source, "rss_mb": peak_rss_mb()}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aiwriter-hf-bench-") as scratch:
        cache_dir = args.cache_dir or Path(scratch)
        run(cache_dir)


def run(cache_dir: Path) -> None:
    start = time.perf_counter()
    import torch  # noqa: F401  (imported first so the load figures exclude it)
    import transformers  # noqa: F401

    from aiwriter_kernel.llm.hf_provider import clear_model_cache, create
    from aiwriter_kernel.llm.registry import ProviderConfig

    import_s = time.perf_counter() - start
    provider = create(ProviderConfig(options={"cache_dir": str(cache_dir)}))
    first_s, first_source = timed_load(provider)
    clear_model_cache()
    cached_s, cached_source = timed_load(provider)
    rate, tokens = tokens_per_second(provider)
    fresh = fresh_process_load(cache_dir)

    rows = [
        ("import torch + transformers", f"{import_s:8.2f} s"),
        (f"first load ({first_source})", f"{first_s:8.2f} s"),
        (f"second load, same process ({cached_source})", f"{cached_s:8.2f} s"),
        (f"fresh process load ({fresh['source']}, lazy imports)", f"{fresh['seconds']:8.2f} s"),
        (f"greedy generation ({tokens} new tokens, best of {RUNS})", f"{rate:8.1f} tokens/s"),
        ("peak RSS, this process", f"{peak_rss_mb():8.0f} MiB"),
        ("peak RSS, fresh process: cached load + generate", f"{fresh['rss_mb']:8.0f} MiB"),
    ]
    for label, figure in rows:
        print(f"{label:48s} {figure}")


if __name__ == "__main__":
    main()
