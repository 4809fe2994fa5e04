"""What a pipeline may use, handed in by the Workbench: nothing else reaches a pipeline.

A pipeline gets the model gateway (to run a task, or ask the offline writer for the same
task when a model's answer is unusable), the knowledge base (search, the web, vectors),
the owner's scope (workspaces, drafts, sources, personas) and one way to store a result
(``drafts.save``). It never sees the Workbench, so it cannot call back into the facade and
the import graph has no circle through it; a test can build a context from fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from aiwriter_kernel.errors import NotFoundError
from aiwriter_kernel.llm.chat import OFFLINE
from aiwriter_kernel.personas import Persona, load_persona
from aiwriter_kernel.pipelines.events import OnEvent, quiet

if TYPE_CHECKING:
    import numpy as np

    from aiwriter_kernel.llm.messages import Completion
    from aiwriter_kernel.llm.tasks import Task
    from aiwriter_kernel.research.knowledge_base import KnowledgeBase, SearchMode
    from aiwriter_kernel.research.models import SearchFilters, SearchHit
    from aiwriter_kernel.research.web.search import WebResult
    from aiwriter_kernel.store.drafts import DraftsRepository
    from aiwriter_kernel.store.personas import PersonasRepository
    from aiwriter_kernel.store.records import (
        ChunkRecord,
        DraftRecord,
        DraftVersionRecord,
        WorkspaceRecord,
    )
    from aiwriter_kernel.store.sources import SourcesRepository
    from aiwriter_kernel.store.workspaces import WorkspacesRepository

__all__ = ["Drafts", "Knowledge", "Models", "OnEvent", "Pipeline", "PipelineContext", "quiet"]

Request = TypeVar("Request", contravariant=True)
Result = TypeVar("Result", covariant=True)


@runtime_checkable
class Pipeline(Protocol[Request, Result]):
    """A pipeline: built from a ``PipelineContext``, run on its typed request."""

    def run(self, request: Request, on_event: OnEvent = quiet) -> Result: ...


class ModelChoice(Protocol):
    """The part of a request that names the model (None: the configured one)."""

    @property
    def provider(self) -> str | None: ...

    @property
    def model(self) -> str | None: ...


class TaskGateway(Protocol):
    """The model gateway as a pipeline uses it: one typed task in, one completion out."""

    def run_task(
        self, task: Task, *, provider: str | None = None, model: str | None = None
    ) -> Completion: ...


@dataclass(frozen=True)
class Models:
    """The models a pipeline asks, always through the gateway (cached, retried, logged)."""

    gateway: TaskGateway
    default_provider: str

    def run(self, task: Task, choice: ModelChoice) -> Completion:
        """``task`` done by the model the request chose."""
        return self.gateway.run_task(task, provider=choice.provider, model=choice.model)

    def text(self, task: Task, choice: ModelChoice) -> str:
        return self.run(task, choice).text

    def fallback(self, task: Task) -> str:
        """The offline writer's answer to ``task``: what a pipeline uses when a chat model's
        answer cannot be parsed. Asked through the gateway like any call, so it is cached
        and shows in the call log."""
        return self.gateway.run_task(task, provider=OFFLINE).text

    def provider_of(self, choice: ModelChoice) -> str:
        """The provider that answered: the request's, else the configured one."""
        return choice.provider or self.default_provider


@dataclass(frozen=True)
class Knowledge:
    """The knowledge base seen by one owner: search, the web, and the vectors planners use."""

    kb: KnowledgeBase
    owner_id: int | None
    web_search: Callable[..., list[WebResult]]

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
        """Search one of the owner's workspaces (see ``Workbench.search``)."""
        return self.kb.search(
            query,
            k=k,
            workspace=workspace,
            owner_id=self.owner_id,
            filters=filters,
            mode=mode,
            diversify=diversify,
            per_source=per_source,
        )

    def vectors_of(self, chunk_ids: Iterable[str], workspace: str) -> Any:
        return self.kb.vectors_of(chunk_ids, workspace=workspace, owner_id=self.owner_id)

    def chunk_vectors(self, workspace: str) -> list[tuple[ChunkRecord, np.ndarray]]:
        return self.kb.chunk_vectors(workspace=workspace, owner_id=self.owner_id)

    def encode(self, texts: Sequence[str]) -> Any:
        """Embed ``texts`` with the knowledge base's own model (to compare with its vectors)."""
        return self.kb.vectors.embedder.encode(list(texts))

    def source_text(self, source_id: int) -> str:
        return self.kb.source_text(source_id)


@dataclass(frozen=True)
class Scope:
    """The owner's records: what they may read, and where their work is filed.

    ``owner_id`` None is the home's operator (unowned workspaces); a user id sees only the
    workspaces that user owns, and another user's draft looks exactly like a missing one.
    """

    owner_id: int | None
    workspaces: WorkspacesRepository
    drafts: DraftsRepository
    sources: SourcesRepository
    personas: PersonasRepository

    def workspace(self, name: str = "default") -> WorkspaceRecord:
        """The owner's workspace ``name``, made on first use."""
        return self.workspaces.get_or_create(name, self.owner_id)

    def require_draft(self, draft_id: int) -> DraftRecord:
        """The draft ``draft_id`` if the owner may see it, else ``NotFoundError``."""
        draft = self.drafts.get_draft(draft_id)
        if draft is not None and self.owner_id is not None:
            space = self.workspaces.get(draft.workspace_id)
            if space is None or space.owner_id != self.owner_id:
                draft = None
        if draft is None:
            raise NotFoundError(f"there is no draft {draft_id}")
        return draft

    def draft_in(self, draft_id: int | None, workspace: str) -> DraftRecord:
        """The draft ``draft_id`` of the owner's workspace ``workspace``, else ``NotFoundError``."""
        draft = self.drafts.get_draft(draft_id or 0)
        space = self.workspace(workspace)
        if draft is None or draft.workspace_id != space.id:
            raise NotFoundError(f"there is no draft {draft_id} in {workspace!r}")
        return draft

    def version(self, draft_id: int, version: int | None = None) -> DraftVersionRecord:
        """One version of a draft the owner may see, the latest when ``version`` is None."""
        self.require_draft(draft_id)
        found = self.drafts.get_version(draft_id, version)
        if found is None:
            which = "any version" if version is None else f"version {version}"
            raise NotFoundError(f"draft {draft_id} has no {which}")
        return found

    def persona(self, name: str | None, workspace: str = "default") -> Persona | None:
        """The persona ``name`` of the owner's ``workspace``; None when none is asked for."""
        if name is None or not name.strip():
            return None
        space = self.workspaces.find(workspace, self.owner_id)
        return load_persona(self.personas, space, name, workspace)


@dataclass(frozen=True)
class Drafts:
    """Where pipelines store what they made: each result is a draft of its own kind."""

    scope: Scope

    def save(
        self,
        kind: str,
        *,
        workspace: str,
        title: str,
        topic: str,
        content: str,
        stage: str,
        meta: dict[str, Any],
    ) -> tuple[DraftRecord, DraftVersionRecord]:
        """A new draft of ``kind`` in the owner's ``workspace``, with its first version."""
        space = self.scope.workspace(workspace)
        return self.scope.drafts.create_draft(
            space.id,
            kind=kind,
            title=title,
            topic=topic,
            content=content,
            stage=stage,
            meta=meta,
        )


@dataclass(frozen=True)
class PipelineContext:
    """Everything a pipeline may use; the Workbench builds one per call."""

    models: Models
    knowledge: Knowledge
    scope: Scope

    @property
    def drafts(self) -> Drafts:
        return Drafts(self.scope)
