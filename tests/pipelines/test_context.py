"""The pipeline context: what the Workbench hands a pipeline instead of itself."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import NotFoundError
from aiwriter_kernel.llm.messages import Completion
from aiwriter_kernel.llm.tasks import SourcePassage, SummaryTask, Task
from aiwriter_kernel.pipelines.answer import AnswerPipeline
from aiwriter_kernel.pipelines.calendar import CalendarPipeline
from aiwriter_kernel.pipelines.context import Drafts, Models, Pipeline, Scope
from aiwriter_kernel.pipelines.copywriting import CopyPipeline
from aiwriter_kernel.pipelines.fact_check import FactCheckPipeline
from aiwriter_kernel.pipelines.rewrite import RewritePipeline
from aiwriter_kernel.pipelines.seo_metadata import SeoMetadataPipeline
from aiwriter_kernel.pipelines.summary import SummaryPipeline, SummaryRequest

SOURCE = SourcePassage(label=1, title="Notes", origin="notes.md", text="Tea is brewed hot.")


@dataclass
class RecordingGateway:
    """A gateway that answers every task with the provider's name and remembers the calls."""

    calls: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    def run_task(
        self, task: Task, *, provider: str | None = None, model: str | None = None
    ) -> Completion:
        self.calls.append((type(task).__name__, provider, model))
        return Completion(text=f"answer by {provider}", provider=provider or "default", model="m")


@pytest.fixture
def workbench(tmp_path: Path) -> Iterator[Workbench]:
    with Workbench.open(home=tmp_path) as opened:
        yield opened


def _scope(workbench: Workbench, owner_id: int | None = None) -> Scope:
    db = workbench.db
    return Scope(owner_id, db.workspaces, db.drafts, db.sources, db.personas)


def test_models_run_the_requests_choice_and_fall_back_to_the_offline_writer() -> None:
    gateway = RecordingGateway()
    models = Models(gateway, default_provider="openai")
    task = SummaryTask(sources=(SOURCE,), max_words=40)
    request = SummaryRequest(query="tea", provider="gemini", model="g-1")
    assert models.text(task, request) == "answer by gemini"
    assert models.fallback(task) == "answer by offline"
    assert gateway.calls == [("SummaryTask", "gemini", "g-1"), ("SummaryTask", "offline", None)]
    assert models.provider_of(request) == "gemini"
    assert models.provider_of(SummaryRequest(query="tea")) == "openai"


def test_drafts_save_files_the_result_in_the_owners_workspace(workbench: Workbench) -> None:
    draft, version = Drafts(_scope(workbench)).save(
        "note", workspace="client", title="T", topic="tea", content="# T\n", stage="note", meta={}
    )
    space = workbench.db.workspaces.find("client")
    assert space is not None and draft.workspace_id == space.id
    assert (draft.kind, version.version, version.content) == ("note", 1, "# T\n")
    assert [d.id for d in workbench.drafts(workspace="client")] == [draft.id]


def test_a_users_scope_cannot_see_another_owners_draft(workbench: Workbench) -> None:
    alice = workbench.db.accounts.create_user("alice")
    draft, _ = Drafts(_scope(workbench)).save(
        "note", workspace="default", title="T", topic="t", content="x", stage="note", meta={}
    )
    assert _scope(workbench).require_draft(draft.id).id == draft.id
    with pytest.raises(NotFoundError, match=f"there is no draft {draft.id}"):
        _scope(workbench, alice.id).require_draft(draft.id)
    with pytest.raises(NotFoundError, match="in 'other'"):
        _scope(workbench).draft_in(draft.id, "other")


@pytest.mark.parametrize(
    "pipeline",
    [
        AnswerPipeline,
        CalendarPipeline,
        CopyPipeline,
        FactCheckPipeline,
        RewritePipeline,
        SeoMetadataPipeline,
        SummaryPipeline,
    ],
)
def test_a_pipeline_is_built_from_its_context_alone(workbench: Workbench, pipeline: type) -> None:
    built = pipeline(workbench._context())
    assert isinstance(built, Pipeline)
    assert not any(value is workbench for value in vars(built).values())
