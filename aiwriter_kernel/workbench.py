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
    from aiwriter_kernel.llm.gateway import ModelGateway
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

    def close(self) -> None:
        """Release database connections."""
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workbench(home={str(self.settings.home)!r})"
