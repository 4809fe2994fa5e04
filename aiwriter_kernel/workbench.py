"""The Workbench: the one facade every front end (notebook, widget, Streamlit, API, batch) calls.

It is built from settings, owns the database and (as they arrive) the knowledge base and
model providers, and exposes the pipelines as methods taking and returning pydantic models.
No front end opens the database or calls a provider directly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

from pydantic import BaseModel

from aiwriter_kernel.config import Settings
from aiwriter_kernel.home import ensure_home
from aiwriter_kernel.store import Database

if TYPE_CHECKING:
    from aiwriter_kernel.analysis import AnalysisReport
    from aiwriter_kernel.batch.models import BatchReport
    from aiwriter_kernel.llm.chat import ServedModel
    from aiwriter_kernel.llm.gateway import CompletionStream, ModelGateway
    from aiwriter_kernel.llm.messages import ChatMessage, Completion, GenerationParams
    from aiwriter_kernel.personas import Persona
    from aiwriter_kernel.pipelines.answer import AnswerResult, QuestionRequest
    from aiwriter_kernel.pipelines.article_models import ArticleRequest, ArticleResult, Outline
    from aiwriter_kernel.pipelines.calendar import CalendarRequest, ContentCalendar
    from aiwriter_kernel.pipelines.context import Knowledge, PipelineContext, Scope
    from aiwriter_kernel.pipelines.copywriting import CopyRequest, CopyResult
    from aiwriter_kernel.pipelines.draft_export import ExportedDraft
    from aiwriter_kernel.pipelines.events import OnEvent
    from aiwriter_kernel.pipelines.fact_check import FactCheckRequest, FactCheckResult
    from aiwriter_kernel.pipelines.rewrite import RewriteRequest, RewriteResult
    from aiwriter_kernel.pipelines.seo_metadata import SeoMetadata, SeoMetadataRequest
    from aiwriter_kernel.pipelines.summary import SummaryRequest, SummaryResult
    from aiwriter_kernel.research.ingest import Progress
    from aiwriter_kernel.research.knowledge_base import KnowledgeBase, SearchMode
    from aiwriter_kernel.research.models import (
        IngestReport,
        ReindexedWorkspace,
        SearchFilters,
        SearchHit,
    )
    from aiwriter_kernel.research.web.search import WebResult
    from aiwriter_kernel.store.records import (
        BatchRunRecord,
        DraftRecord,
        DraftVersionRecord,
        JobEventRecord,
        JobRecord,
        SourceRecord,
        UserRecord,
        WorkspaceRecord,
    )


M = TypeVar("M", bound=BaseModel)
log = logging.getLogger(__name__)

if TYPE_CHECKING:  # the front-end services block at the end of Workbench
    from aiwriter_kernel.accounts import ApiKeys, Users
    from aiwriter_kernel.llm.catalog import ProviderStatus
    from aiwriter_kernel.publishing import PublishedArticle, PublishedPost
    from aiwriter_kernel.records import UsageRow


class Workbench:
    """One open workbench home: settings plus the stores built from them."""

    def __init__(
        self, settings: Settings, database: Database, *, owner_id: int | None = None
    ) -> None:
        self.settings = settings
        self.db = database
        # None: the home's own operator (notebooks, CLI), working in unowned workspaces.
        # A user id: an API or app user, who sees only the workspaces that user owns.
        self.owner_id = owner_id
        self._owns_database = True

    @classmethod
    def open(
        cls,
        home: str | Path | None = None,
        *,
        settings: Settings | None = None,
        user: str | None = None,
        **overrides: Any,
    ) -> Self:
        """Open (creating and migrating on first use) the home named by settings or ``home``.

        ``Workbench.open()`` reads ``AIWRITER_*`` variables and ``.env``; ``home=`` and any
        keyword (``database_url=...``) override them for this workbench only. ``user=``
        works as that API user, so a notebook draft shows up in the user's app and API.
        """
        if home is not None:
            overrides["home"] = Path(home)
        if settings is None:
            settings = Settings(**overrides)
        elif overrides:
            settings = settings.model_copy(update=overrides)
        ensure_home(settings.home)
        database = Database.open(settings.effective_database_url())
        workbench = cls(settings, database)
        workbench._repair_interrupted_ingests()
        if user is None:
            return workbench
        try:
            return workbench.for_user(workbench.user_id(user))
        except Exception:
            workbench.close()
            raise

    def _repair_interrupted_ingests(self) -> None:
        """Store the vectors of sources whose ingest was killed half-way, so they are found
        again. Costs one indexed query when there are none; a broken vector store is logged
        and left for ``aiwriter doctor`` to report, not a reason to refuse to open."""
        from aiwriter_kernel.errors import AIWriterError

        if not self.db.sources.pending_sources():
            return
        try:
            repaired = self.kb.repair_pending()
        except AIWriterError as error:
            log.warning("interrupted ingests not repaired: %s", error)
            return
        log.info("stored the vectors of %d interrupted sources", repaired)

    def for_user(self, user_id: int) -> Workbench:
        """The same home seen as one user: their own workspaces, drafts, sources and jobs.

        Cheap (front ends make one per request): it shares this workbench's database
        connections, knowledge base and model gateway, and closing it closes none of them.
        """
        scoped = type(self)(self.settings, self.db, owner_id=user_id)
        scoped._owns_database = False
        scoped.__dict__["kb"] = self.kb
        scoped.__dict__["llm"] = self.llm
        return scoped

    def with_models(self, **overrides: Any) -> Workbench:
        """This workbench with other model settings (provider, model, keys, base URL) for one
        session, e.g. keys typed into the app: kept in memory only, never stored. Shares the
        database and knowledge base; gets a model gateway of its own."""
        allowed = {
            "provider",
            "model",
            "openai_api_key",
            "openai_base_url",
            "gemini_api_key",
        }
        unknown = sorted(set(overrides) - allowed)
        if unknown:
            from aiwriter_kernel.errors import ValidationError

            raise ValidationError(f"not a model setting: {', '.join(unknown)}")
        new_url = overrides.get("openai_base_url", self.settings.openai_base_url)
        if new_url != self.settings.openai_base_url:
            # The home's key is for the home's endpoint: never send it to another URL.
            overrides.setdefault("openai_api_key", None)
        settings = Settings.model_validate({**self.settings.model_dump(), **overrides})
        view = type(self)(settings, self.db, owner_id=self.owner_id)
        view._owns_database = False
        view.__dict__["kb"] = self.kb
        return view

    def authenticate(self, api_key: str) -> UserRecord | None:
        """The user an API key belongs to; None when it is unknown, revoked or expired, or
        its user is disabled (front ends answer all of these alike)."""
        return self.db.accounts.verify_api_key(api_key)

    def user_id(self, name: str) -> int:
        """The id of the user ``name``; ``NotFoundError`` when there is none."""
        from aiwriter_kernel.errors import NotFoundError

        user = self.db.accounts.get_user_by_name(name)
        if user is None:
            raise NotFoundError(f"user {name!r} does not exist (create it: aiwriter users create)")
        return user.id

    def workspace(self, name: str = "default") -> WorkspaceRecord:
        """This workbench's workspace ``name`` (the user's own when scoped), made on first use."""
        return self.db.workspaces.get_or_create(name, self.owner_id)

    def require_draft(self, draft_id: int) -> DraftRecord:
        """The draft ``draft_id`` if this workbench may see it, else ``NotFoundError``.

        A user's draft lives in a workspace they own; another user's draft gets the same
        answer as a missing one, so ids reveal nothing about other users' work.
        """
        return self._scope().require_draft(draft_id)

    @cached_property
    def llm(self) -> ModelGateway:
        """The model gateway: every provider call goes through it (cache, retries, call log)."""
        from aiwriter_kernel.llm.gateway import ModelGateway

        return ModelGateway(self.settings, self.db.generations)

    @cached_property
    def kb(self) -> KnowledgeBase:
        """The knowledge base: sources, chunks and vectors of this home."""
        from aiwriter_kernel.research.knowledge_base import KnowledgeBase

        return KnowledgeBase(self.settings, self.db)

    def ingest(
        self,
        targets: str | Path | list[str | Path],
        *,
        workspace: str = "default",
        tags: list[str] | tuple[str, ...] = (),
        progress: Progress | None = None,
    ) -> IngestReport:
        """Add files, folders and URLs to the knowledge base; a report item per source.

        ``progress`` is called with an ``IngestProgress`` (counted in chunks) after each
        group of chunks stored and each source skipped or failed."""
        if isinstance(targets, str | Path):
            targets = [targets]
        return self.kb.ingest(
            targets, workspace=workspace, owner_id=self.owner_id, tags=tags, progress=progress
        )

    def ingest_bytes(
        self,
        data: bytes,
        filename: str,
        *,
        content_type: str | None = None,
        workspace: str = "default",
        tags: list[str] | tuple[str, ...] = (),
    ) -> IngestReport:
        """Add an uploaded file (bytes and its name), as the app and the API receive them."""
        return self.kb.ingest_bytes(
            data,
            filename=filename,
            content_type=content_type,
            workspace=workspace,
            owner_id=self.owner_id,
            tags=tags,
        )

    def sources(self, *, workspace: str = "default") -> list[SourceRecord]:
        """The workspace's sources, without their text."""
        return self.kb.sources(workspace=workspace, owner_id=self.owner_id)

    def delete_source(self, source_id: int) -> None:
        """Remove a source with its chunks and vectors; ``NotFoundError`` if not yours."""
        self.kb.delete_source(source_id, owner_id=self.owner_id)

    def reindex(self, *, workspace: str | None = "default") -> list[ReindexedWorkspace]:
        """Rebuild vectors from the stored chunks (a lost or broken vector store, a changed
        embedding model), storing those of sources an interrupted ingest left pending.

        ``workspace`` names one of this workbench's workspaces (the user's own when scoped);
        a name that does not exist is a ``NotFoundError`` and creates nothing. ``None`` takes
        every workspace this workbench answers for: a user's workbench, all of that user's;
        the home's operator (unscoped), every workspace of the home, every user's included,
        since only the operator can repair the one vector store they all share.
        """
        from aiwriter_kernel.research.models import ReindexedWorkspace

        if workspace is None:
            spaces = self.db.workspaces.list(self.owner_id)
        else:
            spaces = [self.kb.existing_workspace(workspace, self.owner_id)]
        names = {user.id: user.name for user in self.db.accounts.list_users()}
        return [
            ReindexedWorkspace(
                workspace=space.name,
                owner=None if space.owner_id is None else names.get(space.owner_id),
                chunks=self.kb.reindex_workspace(space.id),
            )
            for space in spaces
        ]

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        workspace: str = "default",
        filters: SearchFilters | None = None,
        mode: SearchMode = "hybrid",
        diversify: bool = False,
        per_source: int = 0,
    ) -> list[SearchHit]:
        """Hybrid (dense + BM25) search; each hit carries its citation (to the exact chunk).

        ``per_source`` keeps at most that many hits of any one source (0: no limit), so a
        long document matching everywhere cannot fill the list.
        """
        return self._knowledge().search(
            query,
            k=k,
            workspace=workspace,
            filters=filters,
            mode=mode,
            diversify=diversify,
            per_source=per_source,
        )

    def web_search(self, query: str, *, max_results: int = 5) -> list[WebResult]:
        """Search the web with the configured provider (Tavily, Exa, Serper, SearXNG).

        Raises ``WebSearchUnavailable`` with a clear reason when none is configured or the
        machine is offline; pass the result URLs to ``ingest`` to make them citable.
        """
        from aiwriter_kernel.research.web.search import web_search_from_settings

        if not query.strip():
            from aiwriter_kernel.errors import ValidationError

            raise ValidationError("the web search query is empty")
        return web_search_from_settings(self.settings).search(query, max_results=max_results)

    def _knowledge(self) -> Knowledge:
        """The knowledge base as this workbench's owner sees it."""
        from aiwriter_kernel.pipelines.context import Knowledge

        return Knowledge(self.kb, self.owner_id, self.web_search)

    def _context(self) -> PipelineContext:
        """What this workbench hands a pipeline: its models, knowledge base and owner's
        records, never itself (so no pipeline can call back into the facade)."""
        from aiwriter_kernel.pipelines.context import Models, PipelineContext

        return PipelineContext(
            models=Models(self.llm, self.settings.provider),
            knowledge=self._knowledge(),
            scope=self._scope(),
        )

    def _scope(self) -> Scope:
        """This workbench's owner and the records they may read and write."""
        from aiwriter_kernel.pipelines.context import Scope

        db = self.db
        return Scope(self.owner_id, db.workspaces, db.drafts, db.sources, db.personas)

    def outline(
        self, request: ArticleRequest | str, *, on_event: OnEvent | None = None, **fields: Any
    ) -> tuple[int, Outline]:
        """Research and plan an article; returns the new draft's id and its outline."""
        from aiwriter_kernel.pipelines.article import ArticlePipeline

        request = self._allowed(_article_request(request, fields))
        return ArticlePipeline(self._context()).outline(request, **_listener(on_event))

    def draft(
        self, draft_id: int, *, outline: Outline | None = None, on_event: OnEvent | None = None
    ) -> ArticleResult:
        """Write the draft from its outline, or re-write it from an edited outline (only
        the sections whose heading or points changed are regenerated)."""
        from aiwriter_kernel.pipelines.article import ArticlePipeline

        return ArticlePipeline(self._context()).draft(
            draft_id, outline=outline, **_listener(on_event)
        )

    def write(
        self, request: ArticleRequest | str, *, on_event: OnEvent | None = None, **fields: Any
    ) -> ArticleResult:
        """The main job: research, outline, cited draft and review, stored with versions."""
        draft_id, _ = self.outline(request, on_event=on_event, **fields)
        return self.draft(draft_id, on_event=on_event)

    # -- drafts and their history ------------------------------------------------------------

    def drafts(self, *, workspace: str = "default", kind: str | None = None) -> list[DraftRecord]:
        """The workspace's drafts (all kinds, or one), most recently changed first."""
        space = self.db.workspaces.find(workspace, self.owner_id)
        found = [] if space is None else self.db.drafts.list_drafts(space.id)
        return [d for d in found if kind is None or d.kind == kind]

    def versions(self, draft_id: int) -> list[DraftVersionRecord]:
        """The draft's history, version 1 first; ``NotFoundError`` for an unknown draft."""
        self.require_draft(draft_id)
        return self.db.drafts.list_versions(draft_id)

    def version(self, draft_id: int, version: int | None = None) -> DraftVersionRecord:
        """One version of a draft, the latest when ``version`` is None."""
        return self._scope().version(draft_id, version)

    def diff(self, draft_id: int, old: int, new: int | None = None) -> str:
        """A unified diff between two versions of a draft (``new``: the latest)."""
        import difflib

        before, after = self.version(draft_id, old), self.version(draft_id, new)
        return "".join(
            difflib.unified_diff(
                before.content.splitlines(keepends=True),
                after.content.splitlines(keepends=True),
                fromfile=f"draft {draft_id} v{before.version}",
                tofile=f"draft {draft_id} v{after.version}",
            )
        )

    def delete_draft(self, draft_id: int) -> None:
        """Delete a draft with its whole history; ``NotFoundError`` if it is not yours."""
        self.require_draft(draft_id)
        self.db.drafts.delete_draft(draft_id)

    def check_ready(self) -> None:
        """Raise ``StoreError`` unless the database answers with a current schema and the
        vector store is there, opens and holds a vector for every stored chunk: what a
        readiness probe asks before sending traffic here."""
        from aiwriter_kernel.errors import StoreError, VectorStoreError
        from aiwriter_kernel.store.schema import SchemaState

        state = self.db.state()
        if state is not SchemaState.CURRENT:
            raise StoreError(f"the database schema is {state.value}, not current")
        problems = self.kb.check_vectors()
        if problems:
            raise VectorStoreError("; ".join(problems))

    def export(
        self, draft_id: int, fmt: str = "md", *, version: int | None = None
    ) -> ExportedDraft:
        """A version of a draft (the latest by default) as a Markdown, HTML or DOCX file."""
        from aiwriter_kernel.pipelines.draft_export import export_markdown

        draft = self.require_draft(draft_id)
        stored = self.version(draft_id, version)
        stem = f"{draft_id}-v{stored.version}"
        return export_markdown(stored.content, draft.title, fmt, stem=stem)

    # -- the other pipelines: each takes its typed request, or the request's fields --------

    def rewrite(
        self,
        request: RewriteRequest | None = None,
        *,
        on_event: OnEvent | None = None,
        **fields: Any,
    ) -> RewriteResult:
        """A draft, a text or a topic rewritten for a channel, within the channel's limits."""
        from aiwriter_kernel.pipelines.rewrite import RewritePipeline, RewriteRequest

        typed = self._allowed(_typed(RewriteRequest, request, fields))
        return RewritePipeline(self._context()).run(typed, **_listener(on_event))

    def seo_metadata(
        self,
        request: SeoMetadataRequest | None = None,
        *,
        on_event: OnEvent | None = None,
        **fields: Any,
    ) -> SeoMetadata:
        """Title options, meta descriptions, slug, Open Graph tags and JSON-LD for a draft."""
        from aiwriter_kernel.pipelines.seo_metadata import SeoMetadataPipeline, SeoMetadataRequest

        typed = self._allowed(_typed(SeoMetadataRequest, request, fields))
        return SeoMetadataPipeline(self._context()).run(typed, **_listener(on_event))

    def summarize(
        self,
        request: SummaryRequest | None = None,
        *,
        on_event: OnEvent | None = None,
        **fields: Any,
    ) -> SummaryResult:
        """A cited summary of selected sources."""
        from aiwriter_kernel.pipelines.summary import SummaryPipeline, SummaryRequest

        typed = self._allowed(_typed(SummaryRequest, request, fields))
        return SummaryPipeline(self._context()).run(typed, **_listener(on_event))

    def ask(
        self,
        request: QuestionRequest | None = None,
        *,
        on_event: OnEvent | None = None,
        **fields: Any,
    ) -> AnswerResult:
        """A cited answer from the knowledge base, or a refusal when it holds no evidence."""
        from aiwriter_kernel.pipelines.answer import AnswerPipeline, QuestionRequest

        typed = self._allowed(_typed(QuestionRequest, request, fields))
        return AnswerPipeline(self._context()).run(typed, **_listener(on_event))

    def copy(
        self, request: CopyRequest | None = None, *, on_event: OnEvent | None = None, **fields: Any
    ) -> CopyResult:
        """Short copy in a copywriting framework (AIDA, PAS, BAB, FAB, 4Ps, PSP)."""
        from aiwriter_kernel.pipelines.copywriting import CopyPipeline, CopyRequest

        typed = self._allowed(_typed(CopyRequest, request, fields))
        return CopyPipeline(self._context()).run(typed, **_listener(on_event))

    def fact_check(
        self,
        request: FactCheckRequest | None = None,
        *,
        on_event: OnEvent | None = None,
        **fields: Any,
    ) -> FactCheckResult:
        """Each checkable claim of a text, marked supported, contradicted or without evidence."""
        from aiwriter_kernel.pipelines.fact_check import FactCheckPipeline, FactCheckRequest

        typed = self._allowed(_typed(FactCheckRequest, request, fields))
        return FactCheckPipeline(self._context()).run(typed, **_listener(on_event))

    def calendar(
        self,
        request: CalendarRequest | None = None,
        *,
        on_event: OnEvent | None = None,
        **fields: Any,
    ) -> ContentCalendar:
        """A content calendar spreading the knowledge base's topics over a date range."""
        from aiwriter_kernel.pipelines.calendar import CalendarPipeline, CalendarRequest

        typed = self._allowed(_typed(CalendarRequest, request, fields))
        return CalendarPipeline(self._context()).run(typed, **_listener(on_event))

    # -- chat: the models behind the OpenAI-compatible endpoint -----------------------------

    def models(self) -> list[ServedModel]:
        """The models a chat may name: the configured provider's first, then the offline
        composer, then the local Hugging Face preset when installed."""
        from aiwriter_kernel.llm.chat import served_models

        return served_models(self.llm)

    def model(self, model_id: str) -> ServedModel:
        """One served model; ``NotFoundError`` naming the served ones otherwise."""
        from aiwriter_kernel.llm.chat import resolve_model

        return resolve_model(self.llm, model_id)

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str,
        params: GenerationParams | None = None,
    ) -> Completion:
        """One chat turn by the provider owning ``model``, logged in this user's workspace."""
        from aiwriter_kernel.llm.chat import chat

        served = self.model(model)
        return chat(self.llm, messages, served, params=params, workspace_id=self.workspace().id)

    def chat_stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str,
        params: GenerationParams | None = None,
    ) -> CompletionStream:
        """The same turn as text pieces (``.completion`` once consumed)."""
        from aiwriter_kernel.llm.chat import stream_chat

        served = self.model(model)
        return stream_chat(
            self.llm, messages, served, params=params, workspace_id=self.workspace().id
        )

    def _allowed(self, request: M) -> M:
        """``request`` if it names no model, or one this home serves (``models()``).

        Only checked for a user's view: a provider or model from an API client must never
        make the server load a local path as a model or reach an endpoint the operator did
        not configure. The home's operator may name any model, as in the CLI.
        """
        from aiwriter_kernel.errors import NotFoundError, ValidationError

        provider = getattr(request, "provider", None)
        model = getattr(request, "model", None)
        if self.owner_id is None or (provider is None and model is None):
            return request
        served = self.models()
        if model is not None:
            try:
                found = self.model(model)
            except NotFoundError as error:
                raise ValidationError(str(error)) from None
            if provider is not None and provider != found.provider:
                raise ValidationError(f"the model {model!r} is served by {found.provider!r}")
        elif provider not in {each.provider for each in served}:
            names = ", ".join(sorted({each.provider for each in served}))
            raise ValidationError(f"the provider {provider!r} is not served here; use {names}")
        return request

    # -- personas ---------------------------------------------------------------------------

    def save_persona(
        self, persona: Persona | None = None, *, workspace: str = "default", **fields: Any
    ) -> Persona:
        """Create or replace a persona (brand voice) in ``workspace``."""
        from aiwriter_kernel.personas import Persona, save_persona

        typed = _typed(Persona, persona, fields)
        return save_persona(self.db.personas, self.workspace(workspace), typed)

    def persona(self, name: str, *, workspace: str = "default") -> Persona:
        """The stored persona ``name``; a ``ValidationError`` naming the known ones if absent."""
        found = self._scope().persona(name, workspace)
        if found is None:
            from aiwriter_kernel.errors import ValidationError

            raise ValidationError("a persona name must not be empty")
        return found

    def personas(self, *, workspace: str = "default") -> list[Persona]:
        """Every persona of ``workspace``, by name."""
        from aiwriter_kernel.personas import Persona

        space = self.db.workspaces.find(workspace, self.owner_id)
        records = [] if space is None else self.db.personas.list(space.id)
        return [Persona.from_record(record) for record in records]

    def delete_persona(self, name: str, *, workspace: str = "default") -> None:
        """Remove the persona ``name`` from ``workspace``; drafts written with it stay."""
        from aiwriter_kernel.errors import NotFoundError

        space = self.db.workspaces.find(workspace, self.owner_id)
        if space is None:
            raise NotFoundError(f"there is no persona {name!r}")
        self.db.personas.delete(space.id, name)

    def analyze(
        self,
        markdown: str,
        *,
        keyword: str | None = None,
        draft: ArticleResult | None = None,
        persona: str | None = None,
        workspace: str = "default",
    ) -> AnalysisReport:
        """Readability, SEO, key phrases, originality and citations of a text; with the
        ``draft`` it came from, originality and citations are checked against its sources
        and the SEO audit uses its meta description and target length;
        with a ``persona`` (a name in ``workspace``), how well it matches that voice."""
        from aiwriter_kernel.analysis import analyze

        voice = self._scope().persona(persona, workspace)
        sources = valid = None
        if draft is not None:
            sources = {
                str(c.label): "\n\n".join(
                    chunk.text for chunk in self.db.sources.get_chunks_by_ids(c.chunk_ids)
                )
                for c in draft.citations
            }
            valid = [c.label for c in draft.citations]
        return analyze(
            markdown,
            keyword=keyword,
            sources=sources,
            valid_labels=valid,
            persona=voice,
            meta_description=draft.meta_description if draft is not None else None,
            target_words=draft.target_words if draft is not None else None,
        )

    # -- jobs: long work run by the job dispatcher (the API's), streamed as events ----------

    def submit_job(self, kind: str, request: BaseModel | dict[str, Any]) -> JobRecord:
        """Queue a job of ``kind`` for this workbench's user; the request is validated
        against the kind's model, and its provider and model as the direct methods check
        them, first, so nothing is stored for a bad one."""
        from aiwriter_kernel.errors import ValidationError
        from aiwriter_kernel.jobs.kinds import job_kind

        found = job_kind(kind)
        if not found.public:
            raise ValidationError(f"a {kind} job is started from an upload (submit_batch)")
        return self._queue_job(kind, request)

    def _queue_job(self, kind: str, request: BaseModel | dict[str, Any]) -> JobRecord:
        """Store the job once its request is valid and names only models this home serves
        (the direct methods' own check, so a job cannot reach a model they would refuse)."""
        from aiwriter_kernel.jobs.kinds import job_kind, validated_request

        found = job_kind(kind)
        typed = self._allowed(validated_request(found, request))
        return self.db.jobs.create(found.name, typed.model_dump(mode="json"), self.owner_id)

    def save_topics_upload(self, data: bytes, filename: str) -> Path:
        """Keep an uploaded topics CSV in this user's (or the operator's) own folder of the
        home, named by its content, after checking it (at most ``max_batch_rows`` rows;
        nothing is written for a refused file); a client's name is never a path."""
        from aiwriter_kernel.jobs.uploads import store_topics_upload

        return store_topics_upload(
            self.settings.home,
            self.owner_id,
            data,
            filename,
            max_rows=self.settings.max_batch_rows,
        )

    def submit_batch(
        self, data: bytes, filename: str, *, name: str | None = None, workers: int = 1
    ) -> JobRecord:
        """Keep an uploaded topics CSV in this user's own folder of the home and queue a
        batch job over it (the upload is checked first; a client never names a path)."""
        from aiwriter_kernel.errors import ValidationError

        path = self.save_topics_upload(data, filename)
        for status in ("queued", "running"):
            for job in self.jobs(status):
                if job.kind == "batch" and job.request.get("csv_path") == str(path):
                    raise ValidationError(
                        f"this CSV is already being run (job {job.id}); uploading it again "
                        "after that job ends resumes the run"
                    )
        request = {"csv_path": str(path), "name": name, "workers": workers}
        return self._queue_job("batch", request)

    def job(self, job_id: str) -> JobRecord:
        """The job ``job_id``; ``NotFoundError`` when it is missing or another user's."""
        from aiwriter_kernel.errors import NotFoundError

        found = self.db.jobs.get(job_id)
        if found is None or (self.owner_id is not None and found.owner_id != self.owner_id):
            raise NotFoundError(f"there is no job {job_id}")
        return found

    def jobs(self, status: str | None = None) -> list[JobRecord]:
        """This workbench's own jobs (the user's; the operator's unowned ones), newest first."""
        return self.db.jobs.list(self.owner_id, status)

    def job_events(self, job_id: str, after: int = 0) -> list[JobEventRecord]:
        """The job's events after sequence number ``after`` (what SSE streams resume from)."""
        self.job(job_id)
        return self.db.jobs.events(job_id, after)

    def cancel_job(self, job_id: str) -> JobRecord:
        """Cancel a queued job, or a running one (it stops at its next progress event); a
        finished job is returned unchanged."""
        self.job(job_id)
        cancelled = self.db.jobs.cancel(job_id)
        assert cancelled is not None  # jobs are deleted only with their owner
        return cancelled

    # -- batch runs -------------------------------------------------------------------------

    def batch(self, csv_path: str | Path, **options: Any) -> BatchReport:
        """Write an article per row of a topics CSV through the notebook template.

        Resumable: the same file names the same run, so running it again skips rows done
        before and finishes interrupted ones without duplicating drafts. Options: name,
        template, workers, executor ("local" or "dask"), scheduler, on_progress, limit.
        """
        from aiwriter_kernel.batch import BatchRunner
        from aiwriter_kernel.batch.scope import BatchScope

        return BatchRunner(BatchScope.of(self)).run(csv_path, **options)

    def batch_runs(self) -> list[BatchRunRecord]:
        """Every batch run of this home, newest first."""
        from aiwriter_kernel.batch.scope import BatchScope

        return BatchScope.of(self).runs()

    def batch_report(self, run_id: int) -> BatchReport:
        """The run's rows and totals as stored now (what a batch monitor polls)."""
        from aiwriter_kernel.batch.report import build_report
        from aiwriter_kernel.batch.scope import BatchScope

        return build_report(BatchScope.of(self), run_id)

    def close(self) -> None:
        """Release database connections and vector store files (a user-scoped view leaves
        them to its parent)."""
        if self._owns_database:
            if "kb" in self.__dict__:
                self.kb.close()
            self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        owner = "" if self.owner_id is None else f", owner_id={self.owner_id}"
        return f"Workbench(home={str(self.settings.home)!r}{owner})"

    # -- front-end services: what the CLI, API, app and widgets need besides the pipelines --

    @property
    def users(self) -> Users:
        """The API's users (create, list, disable, enable): the operator's business."""
        from aiwriter_kernel.accounts import Users

        return Users(self.db.accounts)

    @property
    def keys(self) -> ApiKeys:
        """The users' API keys (create, list, revoke); a key is shown once, when created."""
        from aiwriter_kernel.accounts import ApiKeys

        return ApiKeys(self.db.accounts)

    def usage(self, days: int | None = None) -> list[UsageRow]:
        """Calls, tokens, cost and cache hits by provider and UTC day, over the last
        ``days`` days (all of the call log when None)."""
        from datetime import UTC, datetime, timedelta

        since = datetime.now(UTC) - timedelta(days=days) if days else None
        return self.db.generations.usage_by_provider_and_day(since=since)

    def prompt(self, text: str, **options: Any) -> Completion:
        """One completion of ``text`` through the model gateway (cache, retries, call log);
        options as ``stream_prompt``. Collected from the stream, so it is cached and logged
        exactly as the streamed answer is (``aiwriter prompt --json`` and without)."""
        stream = self.stream_prompt(text, **options)
        stream.text()
        return stream.completion

    def stream_prompt(
        self,
        text: str,
        *,
        provider: str | None = None,
        model: str | None = None,
        system: str | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
        cache: bool = True,
    ) -> CompletionStream:
        """The answer to ``text`` as text pieces while the model writes it (``.completion``
        once consumed); ``cache=False`` always calls the provider."""
        from aiwriter_kernel.llm.messages import GenerationParams

        params = GenerationParams(temperature=temperature, max_tokens=max_tokens)
        return self.llm.stream(
            text,
            provider=provider,
            model=model,
            system=system,
            params=params,
            cache="auto" if cache else False,
        )

    def providers(self) -> list[str]:
        """The names of every model provider, plugins included (from the registry)."""
        return self.llm.registry.names()

    def model_statuses(self, *, probe: bool = True) -> list[ProviderStatus]:
        """Each provider: selected, configured, reachable (a short probe unless
        ``probe=False``) and its models. Never raises for a broken provider."""
        from aiwriter_kernel.llm.catalog import provider_statuses

        return provider_statuses(self.settings, self.llm.registry, probe=probe)

    def write_and_export(
        self, request: ArticleRequest | str, *, on_event: OnEvent | None = None, **fields: Any
    ) -> PublishedArticle:
        """``write``, then ``analyze`` the article (first keyword, its persona), then export
        Markdown, HTML and the analysis under the home's exports folder."""
        from aiwriter_kernel.publishing import publish_article

        typed = _article_request(request, fields)
        result = self.write(typed, on_event=on_event)
        analysis = self.analyze(
            result.markdown,
            keyword=typed.keywords[0] if typed.keywords else None,
            draft=result,
            persona=typed.persona,
            workspace=typed.workspace,
        )
        return publish_article(result, analysis, self.settings.exports_path)

    def post_and_export(
        self, request: RewriteRequest | None = None, **fields: Any
    ) -> PublishedPost:
        """``rewrite`` for a channel, then ``analyze`` and export the post like an article."""
        from aiwriter_kernel.pipelines.rewrite import RewriteRequest
        from aiwriter_kernel.publishing import publish_post

        typed = _typed(RewriteRequest, request, fields)
        result = self.rewrite(typed)
        analysis = self.analyze(
            result.text, keyword=typed.keyword, persona=typed.persona, workspace=typed.workspace
        )
        return publish_post(result, analysis, self.settings.exports_path)


def _article_request(request: ArticleRequest | str, fields: dict[str, Any]) -> ArticleRequest:
    from aiwriter_kernel.pipelines.article_models import ArticleRequest

    if isinstance(request, str):
        return _typed(ArticleRequest, None, {"topic": request, **fields})
    return _typed(ArticleRequest, request, fields)


def _typed(model: type[M], request: M | None, fields: dict[str, Any]) -> M:
    """``request`` itself, or built (or amended) from keyword fields; a pydantic error
    becomes a one-line ``ValidationError`` naming the field, before any work starts."""
    from pydantic import ValidationError as PydanticValidationError

    from aiwriter_kernel.errors import ValidationError

    if request is not None and not fields:
        return request
    try:
        base = request.model_dump() if request is not None else {}
        return model.model_validate({**base, **fields})
    except PydanticValidationError as error:
        raise ValidationError.from_pydantic(error, model.__name__) from None


def _listener(on_event: Any) -> dict[str, Any]:
    return {} if on_event is None else {"on_event": on_event}
