"""Evidence for one article: search hits grouped by source, each source with one number.

A source keeps its number for the whole article (and across re-runs, since the registry
is stored with the draft), so ``[2]`` always means the same document.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

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
