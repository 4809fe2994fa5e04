"""Evidence for one article: search hits grouped by source, each source with one number.

A source keeps its number for the whole article (and across re-runs, since the registry
is stored with the draft), so ``[2]`` always means the same document.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from aiwriter_kernel.compose.plan import PlannedSentence
from aiwriter_kernel.llm.tasks import SourcePassage
from aiwriter_kernel.pipelines.article_models import Citation
from aiwriter_kernel.research.models import SearchHit

MAX_CHUNKS_PER_PASSAGE = 3


class SourceEvidence(BaseModel):
    label: int
    source_id: int
    title: str
    origin: str
    chunks: dict[str, str] = Field(default_factory=dict)  # chunk id -> text


class EvidenceRegistry(BaseModel):
    """Sources seen so far, numbered in the order the article first drew on them."""

    sources: list[SourceEvidence] = Field(default_factory=list)

    def _entry(self, hit: SearchHit) -> SourceEvidence:
        for entry in self.sources:
            if entry.source_id == hit.source_id:
                return entry
        entry = SourceEvidence(
            label=len(self.sources) + 1,
            source_id=hit.source_id,
            title=hit.source_title,
            origin=hit.origin,
        )
        self.sources.append(entry)
        return entry

    def passages(self, hits: Sequence[SearchHit]) -> tuple[SourcePassage, ...]:
        """The hits as one quoted passage per source, labelled with the source's number."""
        chosen: dict[int, list[SearchHit]] = {}
        for hit in hits:
            entry = self._entry(hit)
            entry.chunks.setdefault(hit.chunk_id, hit.text)
            group = chosen.setdefault(entry.label, [])
            if len(group) < MAX_CHUNKS_PER_PASSAGE:
                group.append(hit)
        passages = []
        for label, group in chosen.items():
            entry = self.sources[label - 1]
            text = "\n\n".join(hit.text for hit in sorted(group, key=lambda h: h.ordinal))
            passages.append(
                SourcePassage(
                    label=label,
                    title=entry.title,
                    origin=entry.origin,
                    text=text,
                    chunk_id=group[0].chunk_id,
                )
            )
        return tuple(passages)

    def label_of(self, source_id: int) -> int:
        """The number a source already has in this article."""
        return next(entry.label for entry in self.sources if entry.source_id == source_id)

    def section_passages(self, sentences: Sequence[PlannedSentence]) -> tuple[SourcePassage, ...]:
        """A planned section's evidence as passages: one per run of sentences from one
        source, in the plan's reading order (one passage per source, since the plan keeps
        each source's sentences together)."""
        runs: list[tuple[int, list[str]]] = []
        for sentence in sentences:
            if runs and runs[-1][0] == sentence.source_id:
                runs[-1][1].append(sentence.text)
            else:
                runs.append((sentence.source_id, [sentence.text]))
        passages: dict[int, SourcePassage] = {}
        for source_id, texts in runs:
            entry = self.sources[self.label_of(source_id) - 1]
            text = " ".join(texts)
            if entry.label in passages:  # a source seen twice: keep one passage, in order
                text = f"{passages[entry.label].text} {text}"
            passages[entry.label] = SourcePassage(
                label=entry.label, title=entry.title, origin=entry.origin, text=text
            )
        return tuple(passages.values())

    def citation(self, label: int) -> Citation:
        entry = self.sources[label - 1]
        return Citation(
            label=label,
            source_id=entry.source_id,
            title=entry.title,
            origin=entry.origin,
            chunk_ids=list(entry.chunks),
        )

    def texts(self) -> dict[str, str]:
        """Source texts drawn on, keyed by label, for originality and keyword checks."""
        return {str(e.label): "\n\n".join(e.chunks.values()) for e in self.sources}
