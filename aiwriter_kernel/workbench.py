"""The Workbench: the one facade every front end (notebook, widget, Streamlit, API, batch) calls.

It is built from settings, owns the database and (as they arrive) the knowledge base and
model providers, and exposes the pipelines as methods taking and returning pydantic models.
No front end opens the database or calls a provider directly.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from aiwriter_kernel.config import Settings
from aiwriter_kernel.home import ensure_home
from aiwriter_kernel.store import Database

if TYPE_CHECKING:
    from aiwriter_kernel.analysis import AnalysisReport
    from aiwriter_kernel.llm.gateway import ModelGateway
    from aiwriter_kernel.pipelines.article import OnEvent
    from aiwriter_kernel.pipelines.article_models import ArticleRequest, ArticleResult, Outline
    from aiwriter_kernel.research.knowledge_base import KnowledgeBase, Progress, SearchMode
    from aiwriter_kernel.research.models import IngestReport, SearchFilters, SearchHit
    from aiwriter_kernel.research.web.search import WebResult


class Workbench:
    """One open workbench home: settings plus the stores built from them."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.db = database

    @classmethod
    def open(
        cls, home: str | Path | None = None, *, settings: Settings | None = None, **overrides: Any
    ) -> Self:
        """Open (creating and migrating on first use) the home named by settings or ``home``.

        ``Workbench.open()`` reads ``AIWRITER_*`` variables and ``.env``; ``home=`` and any
        keyword (``database_url=...``) override them for this workbench only.
        """
        if home is not None:
            overrides["home"] = Path(home)
        if settings is None:
            settings = Settings(**overrides)
        elif overrides:
            settings = settings.model_copy(update=overrides)
        ensure_home(settings.home)
        database = Database.open(settings.effective_database_url())
        return cls(settings, database)

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
        """Add files, folders and URLs to the knowledge base; a report item per source."""
        if isinstance(targets, str | Path):
            targets = [targets]
        return self.kb.ingest(targets, workspace=workspace, tags=tags, progress=progress)

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        workspace: str = "default",
        filters: SearchFilters | None = None,
        mode: SearchMode = "hybrid",
        diversify: bool = False,
    ) -> list[SearchHit]:
        """Hybrid (dense + BM25) search; each hit carries its citation."""
        return self.kb.search(
            query, k=k, workspace=workspace, filters=filters, mode=mode, diversify=diversify
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

    def outline(
        self, request: ArticleRequest | str, *, on_event: OnEvent | None = None, **fields: Any
    ) -> tuple[int, Outline]:
        """Research and plan an article; returns the new draft's id and its outline."""
        from aiwriter_kernel.pipelines.article import ArticlePipeline

        request = _article_request(request, fields)
        return ArticlePipeline(self).outline(request, **_listener(on_event))

    def draft(
        self, draft_id: int, *, outline: Outline | None = None, on_event: OnEvent | None = None
    ) -> ArticleResult:
        """Write the draft from its outline, or re-write it from an edited outline (only
        the sections whose heading or points changed are regenerated)."""
        from aiwriter_kernel.pipelines.article import ArticlePipeline

        return ArticlePipeline(self).draft(draft_id, outline=outline, **_listener(on_event))

    def write(
        self, request: ArticleRequest | str, *, on_event: OnEvent | None = None, **fields: Any
    ) -> ArticleResult:
        """The main job: research, outline, cited draft and review, stored with versions."""
        draft_id, _ = self.outline(request, on_event=on_event, **fields)
        return self.draft(draft_id, on_event=on_event)

    def analyze(
        self, markdown: str, *, keyword: str | None = None, draft: ArticleResult | None = None
    ) -> AnalysisReport:
        """Readability, SEO, key phrases, originality and citations of a text; with the
        ``draft`` it came from, originality and citations are checked against its sources."""
        from aiwriter_kernel.analysis import analyze

        sources = valid = None
        if draft is not None:
            sources = {
                str(c.label): "\n\n".join(
                    chunk.text for chunk in self.db.sources.get_chunks_by_ids(c.chunk_ids)
                )
                for c in draft.citations
            }
            valid = [c.label for c in draft.citations]
        return analyze(markdown, keyword=keyword, sources=sources, valid_labels=valid)

    def close(self) -> None:
        """Release database connections."""
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workbench(home={str(self.settings.home)!r})"


def _article_request(request: ArticleRequest | str, fields: dict[str, Any]) -> ArticleRequest:
    from pydantic import ValidationError as PydanticValidationError

    from aiwriter_kernel.errors import ValidationError
    from aiwriter_kernel.pipelines.article_models import ArticleRequest

    if isinstance(request, ArticleRequest):
        return request.model_copy(update=fields) if fields else request
    try:
        return ArticleRequest(topic=request, **fields)
    except PydanticValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValidationError(f"{where}: {first['msg']}") from None


def _listener(on_event: Any) -> dict[str, Any]:
    return {} if on_event is None else {"on_event": on_event}
