"""Cited question answering: a question -> the knowledge base's best passages -> an answer
that cites them, or a refusal -> a stored draft of kind ``answer``.

It refuses rather than invents. No answer is shown when the search finds nothing about the
question, when the composer or the model says the sources do not answer it (the prompt
asks for a fixed sentence, ``REFUSAL``), or when the answer, once citations to sources it
was not given are removed, cites nothing at all. Sentences that cite no source are not
kept either: every sentence of an answer rests on a quoted passage.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aiwriter_kernel.llm.tasks import NO_EVIDENCE, AnswerTask
from aiwriter_kernel.pipelines.article_models import Citation, PipelineEvent
from aiwriter_kernel.pipelines.citations_markup import labels_in
from aiwriter_kernel.pipelines.context import OnEvent, PipelineContext, quiet
from aiwriter_kernel.pipelines.request_fields import ModelName, ProviderName, WorkspaceName
from aiwriter_kernel.pipelines.summary import (
    MIN_COVERAGE,
    CitedText,
    checked_prose,
    clean_ids,
    missing_terms,
    numbered,
    redact,
    require_sources,
    selection_from_hits,
)
from aiwriter_kernel.research.models import SearchFilters, SearchHit
from aiwriter_kernel.text.counts import counted
from aiwriter_kernel.text.sentences import split_sentences

ANSWER_RELATIVE_SIMILARITY = 0.8
"""A passage is used for an answer when its similarity to the question is at least this share
of the closest passage's: the answer stays on the question's subject."""
REFUSAL = NO_EVIDENCE  # the sentence answer.j2 tells a model to reply with, word for word


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def is_refusal(text: str) -> bool:
    """True when the answer is (or contains) the refusal sentence, in any case or spacing."""
    return not text.strip() or _normalised(REFUSAL) in _normalised(text)


class QuestionRequest(BaseModel):
    """A question for the knowledge base, optionally only about some sources."""

    model_config = ConfigDict(frozen=True)

    question: str = Field(max_length=1000)
    k: int = Field(default=6, ge=1, le=50)  # passages retrieved
    per_source: int = Field(default=0, ge=0, le=50)  # of them at most this many per source
    source_ids: list[int] | None = Field(default=None, min_length=1, max_length=100)
    persona: str | None = None
    workspace: WorkspaceName = "default"
    provider: ProviderName = None
    model: ModelName = None

    _ids = field_validator("source_ids")(clean_ids)

    @field_validator("question")
    @classmethod
    def _question_not_blank(cls, question: str) -> str:
        question = " ".join(question.split())
        if not question:
            raise ValueError("the question is empty: ask something")
        return question


class AnswerResult(BaseModel):
    """The answer with its sources, or ``answered=False`` and the ``reason`` there is none."""

    answered: bool
    answer: str  # Markdown with [n] citations and its references; empty when not answered
    citations: list[Citation] = Field(default_factory=list)
    reason: str | None = None
    warnings: list[str] = Field(default_factory=list)
    draft_id: int
    version: int
    provider: str


class AnswerPipeline:
    """Answers questions from one workbench's knowledge base."""

    def __init__(self, context: PipelineContext) -> None:
        self.context = context

    def run(self, request: QuestionRequest, on_event: OnEvent = quiet) -> AnswerResult:
        persona = self.context.scope.persona(request.persona, request.workspace)
        voice = persona.voice() if persona else None
        banned = voice.banned_words if voice else ()
        if request.source_ids:
            require_sources(self.context.scope, request.source_ids, request.workspace)
        on_event(PipelineEvent(stage="research", message="searching the knowledge base"))
        filters = SearchFilters(source_ids=tuple(request.source_ids or ()))
        hits = self.context.knowledge.search(
            request.question,
            k=request.k,
            workspace=request.workspace,
            filters=filters if request.source_ids else None,
            per_source=request.per_source,
        )
        warnings: list[str] = []
        if not hits:
            reason = "the knowledge base has no sources to answer from (aiwriter ingest PATH)"
            return self._store(request, None, reason, warnings, banned, on_event)
        missing, coverage = missing_terms(request.question, (hit.text for hit in hits))
        if coverage < MIN_COVERAGE:
            reason = f"no source found says anything about {', '.join(missing)}"
            return self._store(request, None, reason, warnings, banned, on_event)
        selection = selection_from_hits(self._about_the_question(request, hits))
        task = AnswerTask(question=request.question, sources=selection.passages, voice=voice)
        on_event(
            PipelineEvent(
                stage="generate", message=f"answering from {counted(len(task.sources), 'passage')}"
            )
        )
        text = self.context.models.text(task, request)
        on_event(PipelineEvent(stage="check", message="checking the answer's citations"))
        if is_refusal(text):
            reason = "the sources found do not answer the question"
            return self._store(request, None, reason, warnings, banned, on_event)
        prose = cited_only(checked_prose(text, selection.citations, banned, warnings), warnings)
        if not labels_in(prose):
            reason = "the answer cites none of the sources it was given, so it is not shown"
            return self._store(request, None, reason, warnings, banned, on_event)
        cited = numbered(prose, selection.citations, banned, warnings)
        return self._store(request, cited, None, warnings, banned, on_event)

    def _about_the_question(
        self, request: QuestionRequest, hits: list[SearchHit]
    ) -> list[SearchHit]:
        """The hits nearly as close in meaning to the question as the closest one.

        Search fills ``k`` places whatever the sources hold, so the tail of the list is often
        another guide that merely shares a word ("long", "good"); an answer built from it is
        padded with sentences that answer nothing. The embedding model's similarity says
        which passages are about the question: a passage stays when its similarity is at
        least ``ANSWER_RELATIVE_SIMILARITY`` of the best one's (measured on the demo guides,
        the passage that answers scores 0.45-0.67, an unrelated guide 0.1-0.4).
        """
        import numpy as np

        vectors = self.context.knowledge.vectors_of(
            [hit.chunk_id for hit in hits], request.workspace
        )
        if len(vectors) < 2:
            return hits
        query = np.asarray(self.context.knowledge.encode([request.question])[0], dtype=float)
        similarity = {key: float(np.dot(query, vector)) for key, vector in vectors.items()}
        best = max(similarity.values())
        if best <= 0:
            return hits
        floor = ANSWER_RELATIVE_SIMILARITY * best
        return [hit for hit in hits if similarity.get(hit.chunk_id, best) >= floor]

    def _store(
        self,
        request: QuestionRequest,
        cited: CitedText | None,
        reason: str | None,
        warnings: list[str],
        banned: tuple[str, ...],
        on_event: OnEvent,
    ) -> AnswerResult:
        """Every question is kept, answered or not, so the history shows what was refused."""
        on_event(PipelineEvent(stage="store", message="saving the answer"))
        question = redact(request.question, banned)
        body = cited.markdown if cited else f"_Not answered: {reason}._\n"
        draft, version = self.context.drafts.save(
            "answer",
            workspace=request.workspace,
            title=question[:300],
            topic=question,
            content=f"# {question}\n\n{body}",
            stage="answer" if cited else "refused",
            meta={
                "request": {**request.model_dump(mode="json"), "question": question},
                "answered": cited is not None,
                "citations": [c.model_dump(mode="json") for c in cited.citations] if cited else [],
                "reason": reason,
                "warnings": warnings,
            },
        )
        outcome = "answered" if cited else "not answered"
        on_event(PipelineEvent(stage="done", message=f"{outcome} (draft {draft.id})"))
        return AnswerResult(
            answered=cited is not None,
            answer=cited.markdown if cited else "",
            citations=cited.citations if cited else [],
            reason=reason,
            warnings=warnings,
            draft_id=draft.id,
            version=version.version,
            provider=self.context.models.provider_of(request),
        )


def cited_only(prose: str, warnings: list[str]) -> str:
    """Only the sentences that cite a source: an uncited sentence in an answer is a claim
    nothing supports."""
    paragraphs, dropped = [], 0
    for paragraph in prose.split("\n\n"):
        kept = [s for s in split_sentences(paragraph) if labels_in(s)]
        dropped += len(split_sentences(paragraph)) - len(kept)
        if kept:
            paragraphs.append(" ".join(kept))
    if dropped:
        warnings.append(f"dropped {dropped} sentences of the answer that cite no source")
    return "\n\n".join(paragraphs)
