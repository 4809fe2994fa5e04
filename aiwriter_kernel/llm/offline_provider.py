"""The ``offline`` provider: the embedded default, needing no network, key or model.

Pipelines hand it typed tasks, which the composer executes from their sources. A plain
chat prompt is answered only from sources quoted in it (as the prompt templates quote
them); without any, it says so plainly instead of making something up.
"""

from __future__ import annotations

import re
import time

from aiwriter_kernel.compose.composer import OfflineComposer
from aiwriter_kernel.errors import UnknownProviderError
from aiwriter_kernel.llm.messages import ChatRequest, Completion
from aiwriter_kernel.llm.provider import BaseProvider
from aiwriter_kernel.llm.registry import ProviderConfig
from aiwriter_kernel.llm.tasks import NO_EVIDENCE, AnswerTask, SourcePassage, Task

MODEL = "composer"
QUOTED_SOURCE = re.compile(
    r'<source id="(\d+)" title="([^"]*)" origin="([^"]*)"[^>]*>\n?(.*?)\n?</source>', re.DOTALL
)
NO_SOURCES = (
    "The offline composer writes only from sources, and this prompt quotes none. "
    "Add sources (aiwriter ingest) and use a pipeline, or configure a model provider "
    "(AIWRITER_PROVIDER=openai, gemini or hf) for free-form prompts."
)


def word_count(text: str) -> int:
    """The offline composer's 'tokens' are words: it has no tokenizer."""
    return len(text.split())


class OfflineProvider(BaseProvider):
    """Executes tasks extractively; deterministic for the same inputs."""

    name = "offline"
    default_model = MODEL
    revision = "5"  # bump when the composer's output changes, so old cached answers are not reused

    def __init__(self) -> None:
        self.composer = OfflineComposer()

    def run_task(self, task: Task, prompt_words: int = 0) -> Completion:
        started = time.perf_counter()
        text = self.composer.run(task)
        return self._completion(text, prompt_words, started)

    def complete(self, request: ChatRequest) -> Completion:
        started = time.perf_counter()
        prompt = "\n".join(
            message.content for message in request.messages if message.role == "user"
        )
        sources = tuple(
            SourcePassage(label=int(label), title=title, origin=origin, text=text)
            for label, title, origin, text in QUOTED_SOURCE.findall(prompt)
            if text.strip()
        )
        if not sources:
            text = NO_SOURCES
        else:
            question = QUOTED_SOURCE.sub("", prompt).strip() or "Summarise the sources."
            text = self.composer.run(AnswerTask(question=question, sources=sources))
        return self._completion(text, word_count(prompt), started)

    def _completion(self, text: str, prompt_words: int, started: float) -> Completion:
        grounded = text not in (NO_EVIDENCE, NO_SOURCES)
        return Completion(
            text=text,
            finish_reason="stop" if grounded else "no_evidence",
            provider=self.name,
            model=MODEL,
            prompt_tokens=prompt_words,
            completion_tokens=word_count(text),
            latency_ms=(time.perf_counter() - started) * 1000,
            cost_usd=0.0,
        )


def create(config: ProviderConfig) -> OfflineProvider:
    """Factory for the registry; the offline provider has one model and needs no key."""
    if config.model not in (None, MODEL):
        raise UnknownProviderError(
            f"the offline provider has one model, {MODEL!r}, not {config.model!r}"
        )
    return OfflineProvider()
