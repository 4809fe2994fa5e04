"""The summary pipeline: chosen sources (by id, by a query, or both) -> a cited summary of
at most ``max_words`` words -> a stored draft of kind ``summary``.

Sources chosen by id are quoted whole (up to a budget); a query picks the best passages of
the knowledge base. The model (or the offline composer) cites them by number; its text is
checked before it is stored: citations to sources it was not given go, with the sentences
that rested on them, and so do sentences with a persona's banned words. The helpers for
cited text below are shared with the question-answering pipeline (answer.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aiwriter_kernel.analysis.word_count import word_count
from aiwriter_kernel.errors import NotFoundError, ValidationError
from aiwriter_kernel.llm.tasks import NO_EVIDENCE, SourcePassage, SummaryTask
from aiwriter_kernel.pipelines.article_models import Citation, PipelineEvent
from aiwriter_kernel.pipelines.citations_markup import keep_only, labels_in, rewrite_markers
from aiwriter_kernel.pipelines.context import OnEvent, PipelineContext, Scope, quiet
from aiwriter_kernel.pipelines.evidence import EvidenceRegistry
from aiwriter_kernel.pipelines.request_fields import ModelName, ProviderName, WorkspaceName
from aiwriter_kernel.research.models import SearchFilters, SearchHit
from aiwriter_kernel.store.records import SourceRecord
from aiwriter_kernel.text.banned import drop_banned_sentences, find_banned
from aiwriter_kernel.text.counts import counted
from aiwriter_kernel.text.headings import without_headings
from aiwriter_kernel.text.sentences import split_sentences
from aiwriter_kernel.text.words import content_words, stem

QUERY_HITS = 8  # passages a query selects
PROMPT_CHARS = 30_000  # of source text quoted in one summary prompt, shared by the sources
MIN_SOURCE_CHARS = 2_000  # each source chosen by id gets at least this much of the budget
MIN_COVERAGE = 0.5  # share of a query's terms the selected passages must mention
REDACTED = "[redacted]"


def clean_ids(ids: list[int] | None) -> list[int] | None:
    """Source ids as given, each once; ids are positive."""
    if ids is None:
        return None
    if any(source_id < 1 for source_id in ids):
        raise ValueError("source ids are positive numbers")
    return list(dict.fromkeys(ids))


# -- the request and the result --------------------------------------------------------------


class SummaryRequest(BaseModel):
    """What to summarise: sources by id, the passages a query finds, or a query's passages
    within those sources; and how long the summary may be."""

    model_config = ConfigDict(frozen=True)

    source_ids: list[int] = Field(default_factory=list, max_length=20)
    query: str | None = Field(default=None, max_length=500)
    max_words: int = Field(default=150, ge=30, le=2000)
    persona: str | None = None
    workspace: WorkspaceName = "default"
    provider: ProviderName = None
    model: ModelName = None

    _ids = field_validator("source_ids")(clean_ids)

    @field_validator("query")
    @classmethod
    def _clean_query(cls, query: str | None) -> str | None:
        if query is None:
            return None
        return " ".join(query.split()) or None

    @model_validator(mode="after")
    def _something_selected(self) -> SummaryRequest:
        if not self.source_ids and self.query is None:
            raise ValueError("nothing selected: give source ids, a query, or both")
        return self


class SummaryResult(BaseModel):
    """The stored summary: Markdown with ``[n]`` citations and its references."""

    markdown: str
    summary: str  # the summary alone, without the references
    word_count: int
    citations: list[Citation]
    references: list[str]
    reason: str | None = None  # why the summary is empty, when it is
    warnings: list[str] = Field(default_factory=list)
    draft_id: int
    version: int
    provider: str


# -- cited text, shared with the answer pipeline -----------------------------------------------


class Selection(BaseModel):
    """The passages a task may quote, each numbered, and the citation each number stands for."""

    passages: tuple[SourcePassage, ...]
    citations: dict[int, Citation]
    warnings: list[str] = Field(default_factory=list)


class CitedText(BaseModel):
    """Checked text renumbered in reading order ([1] is cited first), with its references."""

    body: str
    citations: list[Citation]
    references: list[str]

    @property
    def markdown(self) -> str:
        if not self.references:
            return f"{self.body}\n" if self.body else ""
        # A blank line between references, so each renders as its own paragraph.
        return f"{self.body}\n\n## References\n\n" + "\n\n".join(self.references) + "\n"


def selection_from_hits(hits: Sequence[SearchHit]) -> Selection:
    """Search hits as one numbered passage per source (as the article pipeline quotes them)."""
    registry = EvidenceRegistry()
    passages = registry.passages(hits)
    return Selection(
        passages=passages, citations={p.label: registry.citation(p.label) for p in passages}
    )


def require_sources(scope: Scope, ids: Iterable[int], workspace: str) -> list[SourceRecord]:
    """The sources of these ids in ``workspace``; a ``NotFoundError`` names any missing one."""
    space = scope.workspace(workspace)
    found = []
    for source_id in ids:
        source = scope.sources.get_source(source_id)
        if source is None or source.workspace_id != space.id:
            raise NotFoundError(f"there is no source {source_id} in workspace {workspace!r}")
        found.append(source)
    return found


def missing_terms(query: str, texts: Iterable[str]) -> tuple[list[str], float]:
    """The query's content words the texts never use, and the share of them they do use.

    A cheap, explainable relevance test: search always returns its nearest chunks, even when
    nothing in the knowledge base is about the query.
    """
    wanted = {stem(word): word for word in content_words(query)}
    if not wanted:
        return [], 0.0
    seen = {stem(word) for text in texts for word in content_words(text)}
    missing = [word for key, word in wanted.items() if key not in seen]
    return missing, 1 - len(missing) / len(wanted)


def redact(text: str, banned: Sequence[str]) -> str:
    """``text`` with each banned word or phrase replaced (for names we cannot drop)."""
    for word in find_banned(text, banned):
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, word.split())) + r"(?!\w)"
        text = re.sub(pattern, REDACTED, text, flags=re.IGNORECASE)
    return text


def checked_prose(
    text: str, allowed: Iterable[int], banned: Sequence[str], warnings: list[str]
) -> str:
    """A model's cited prose, repaired: no headings of its own; citations to sources it was
    not given are removed, and so are the sentences citing nothing but them (their claims
    rest on no source); sentences with banned words are dropped. Each repair is a warning."""
    allowed = set(allowed)
    invented: list[int] = []
    unsupported = 0
    paragraphs = []
    lines = without_headings(text.strip())
    for paragraph in "\n".join(lines).split("\n\n"):
        kept = []
        for sentence in split_sentences(paragraph):
            labels = labels_in(sentence)
            invented += [label for label in labels if label not in allowed]
            if labels and not set(labels) & allowed:
                unsupported += 1
                continue
            kept.append(keep_only(sentence, allowed)[0])
        if kept:
            paragraphs.append(" ".join(kept))
    if invented:
        unique = sorted(set(invented))
        warnings.append(f"removed citations to sources it was not given: {unique}")
    if unsupported:
        warnings.append(f"dropped {unsupported} sentences citing only sources it was not given")
    cleaned, dropped = drop_banned_sentences("\n\n".join(paragraphs), banned)
    if dropped:
        warnings.append(f"dropped {dropped} sentences using the persona's banned words")
    return cleaned.strip()


def numbered(
    text: str, citations: dict[int, Citation], banned: Sequence[str], warnings: list[str]
) -> CitedText:
    """Renumber citations in reading order and list the sources cited, names redacted if
    they hold a banned word."""
    order = labels_in(text)
    numbering = {old: new for new, old in enumerate(order, 1)}
    body = rewrite_markers(text, numbering.get)
    cited = []
    for old, new in numbering.items():
        citation = citations[old]
        title, origin = redact(citation.title, banned), redact(citation.origin, banned)
        if (title, origin) != (citation.title, citation.origin):
            warnings.append(f"redacted a banned word in the name of source [{new}]")
        cited.append(citation.model_copy(update={"label": new, "title": title, "origin": origin}))
    references = [f"[{c.label}] {c.title} — {c.origin}" for c in cited]
    return CitedText(body=body, citations=cited, references=references)


# -- the pipeline ------------------------------------------------------------------------------


class SummaryPipeline:
    """Summarises sources of one workbench."""

    def __init__(self, context: PipelineContext) -> None:
        self.context = context

    def run(self, request: SummaryRequest, on_event: OnEvent = quiet) -> SummaryResult:
        persona = self.context.scope.persona(request.persona, request.workspace)
        voice = persona.voice() if persona else None
        banned = voice.banned_words if voice else ()
        on_event(PipelineEvent(stage="research", message="selecting sources"))
        selection = self._select(request)
        warnings = list(selection.warnings)
        task = SummaryTask(sources=selection.passages, max_words=request.max_words, voice=voice)
        message = f"summarising {counted(len(task.sources), 'source')}"
        on_event(PipelineEvent(stage="generate", message=message))
        text = self.context.models.text(task, request)
        on_event(PipelineEvent(stage="check", message="checking citations and length"))
        reason = None
        if text.strip() == NO_EVIDENCE or not text.strip():
            reason = "the sources hold no sentences a summary can be built from"
            text = ""
        prose = checked_prose(text, selection.citations, banned, warnings)
        prose = self._within(prose, request.max_words, warnings)
        if text and not prose:
            reason = "nothing of the model's summary survived the checks (see warnings)"
        cited = numbered(prose, selection.citations, banned, warnings)
        return self._store(request, selection, cited, reason, warnings, banned, on_event)

    # -- choosing what to summarise ------------------------------------------------------------

    def _select(self, request: SummaryRequest) -> Selection:
        sources = require_sources(self.context.scope, request.source_ids, request.workspace)
        if request.query is None:
            return self._whole(sources)
        filters = SearchFilters(source_ids=tuple(request.source_ids)) if sources else None
        hits = self.context.knowledge.search(
            request.query, k=QUERY_HITS, workspace=request.workspace, filters=filters
        )
        where = "those sources" if sources else f"the knowledge base ({request.workspace})"
        if not hits:
            raise ValidationError(f"nothing selected: {where} has no text to summarise")
        # The nearest chunks are not always about the query: keep those that name it.
        relevant = [h for h in hits if missing_terms(request.query, [h.text])[1] >= MIN_COVERAGE]
        if not relevant:
            missing, _ = missing_terms(request.query, (hit.text for hit in hits))
            about = ", ".join(missing) or request.query
            raise ValidationError(f"nothing selected: {where} says nothing about {about}")
        return selection_from_hits(relevant)

    def _whole(self, sources: list[SourceRecord]) -> Selection:
        """Sources chosen by id, quoted from the start up to a share of the prompt budget."""
        budget = max(MIN_SOURCE_CHARS, PROMPT_CHARS // len(sources))
        passages, citations, warnings = [], {}, []
        for source in sources:
            text = self.context.scope.sources.get_source_text(source.id)
            quoted = leading(text, budget)
            if not quoted.strip():
                warnings.append(f"source {source.id} ({source.title}) has no text; skipped")
                continue
            if len(quoted) < len(text.rstrip()):
                warnings.append(
                    f"source {source.id} ({source.title}) is long: summarised its first "
                    f"{len(quoted)} of {len(text)} characters"
                )
            label = len(passages) + 1
            chunks = [
                chunk.id
                for chunk in self.context.scope.sources.get_chunks(source.id)
                if chunk.start_offset < len(quoted)
            ]
            passages.append(
                SourcePassage(
                    label=label,
                    title=source.title,
                    origin=source.origin,
                    text=quoted,
                    chunk_id=chunks[0] if chunks else None,
                )
            )
            citations[label] = Citation(
                label=label,
                source_id=source.id,
                title=source.title,
                origin=source.origin,
                chunk_ids=chunks,
            )
        if not passages:
            raise ValidationError("nothing selected: the chosen sources hold no text")
        return Selection(passages=tuple(passages), citations=citations, warnings=warnings)

    # -- checking and storing ------------------------------------------------------------------

    @staticmethod
    def _within(prose: str, max_words: int, warnings: list[str]) -> str:
        """Whole sentences up to the word limit; a model that wrote more is cut, not trusted."""
        if word_count(prose) <= max_words:
            return prose
        paragraphs, used, cut = [], 0, 0
        for paragraph in prose.split("\n\n"):
            kept = []
            for sentence in split_sentences(paragraph):
                if used + word_count(sentence) > max_words:
                    cut += 1
                    continue
                used += word_count(sentence)
                kept.append(sentence)
            if kept:
                paragraphs.append(" ".join(kept))
        warnings.append(f"cut {cut} sentences to keep the summary within {max_words} words")
        return "\n\n".join(paragraphs)

    def _store(self, request, selection, cited: CitedText, reason, warnings, banned, on_event):
        on_event(PipelineEvent(stage="store", message="saving the summary"))
        names = ", ".join(dict.fromkeys(p.title for p in selection.passages))
        title = redact(f"Summary: {request.query or names}", banned)[:300]
        content = cited.markdown or f"_{reason}_\n"
        draft, version = self.context.drafts.save(
            "summary",
            workspace=request.workspace,
            title=title,
            topic=redact(request.query or names, banned),
            content=content,
            stage="summary",
            meta={
                "request": request.model_dump(mode="json"),
                "citations": [c.model_dump(mode="json") for c in cited.citations],
                "reason": reason,
                "warnings": warnings,
            },
        )
        on_event(PipelineEvent(stage="done", message=f"summary draft {draft.id}"))
        return SummaryResult(
            markdown=cited.markdown,
            summary=cited.body,
            word_count=word_count(cited.body),
            citations=cited.citations,
            references=cited.references,
            reason=reason,
            warnings=warnings,
            draft_id=draft.id,
            version=version.version,
            provider=self.context.models.provider_of(request),
        )


def leading(text: str, limit: int) -> str:
    """The start of ``text`` up to ``limit`` characters, ended at a paragraph or sentence."""
    if len(text) <= limit:
        return text.rstrip()
    cut = text[:limit]
    end = max(cut.rfind("\n\n"), cut.rfind(". ") + 1, cut.rfind(".\n") + 1)
    return cut[:end].rstrip() if end > limit // 2 else cut.rstrip()
