"""The Workbench's draft history: listing, versions and diffs, as every front end reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import NotFoundError


@pytest.fixture
def workbench(tmp_path: Path):
    with Workbench.open(home=tmp_path) as opened:
        yield opened


def make_draft(workbench: Workbench, workspace: str, kind: str, text: str) -> int:
    space = workbench.db.workspaces.get_or_create(workspace)
    draft, _ = workbench.db.drafts.create_draft(
        space.id, kind=kind, title=text.splitlines()[0], topic="t", content=text
    )
    return draft.id


def test_drafts_are_listed_per_workspace_and_kind(workbench: Workbench) -> None:
    article = make_draft(workbench, "default", "article", "# A\n")
    post = make_draft(workbench, "default", "rewrite:linkedin", "Post\n")
    make_draft(workbench, "other", "article", "# Elsewhere\n")
    assert {d.id for d in workbench.drafts()} == {article, post}
    assert [d.id for d in workbench.drafts(kind="article")] == [article]
    assert [d.title for d in workbench.drafts(workspace="other")] == ["# Elsewhere"]


def test_versions_and_a_diff_between_them(workbench: Workbench) -> None:
    draft_id = make_draft(workbench, "default", "article", "# Title\n\nFirst line.\nKept line.\n")
    workbench.db.drafts.add_version(
        draft_id, content="# Title\n\nSecond line.\nKept line.\n", stage="edit"
    )
    assert [v.version for v in workbench.versions(draft_id)] == [1, 2]
    assert workbench.version(draft_id).version == 2
    diff = workbench.diff(draft_id, 1)
    assert "-First line.\n" in diff and "+Second line.\n" in diff
    assert " Kept line.\n" in diff and "v1" in diff and "v2" in diff
    assert workbench.diff(draft_id, 2, 2) == ""


def test_unknown_drafts_and_versions_are_not_found(workbench: Workbench) -> None:
    draft_id = make_draft(workbench, "default", "article", "# A\n")
    with pytest.raises(NotFoundError, match="version 7"):
        workbench.version(draft_id, 7)
    with pytest.raises(NotFoundError):
        workbench.versions(999)
    with pytest.raises(NotFoundError):
        workbench.diff(999, 1)
