"""`aiwriter kb reindex` reaches API users' workspaces and never creates one.

Two users' workspaces are made through the Workbench as the API makes them; their vectors
are deleted (a lost vector store), and the command rebuilds them: ``--user`` one user's,
``--all`` every workspace of the home. Dense search, which needs the vectors, proves it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import run_aiwriter
from typer.testing import CliRunner

from aiwriter_kernel import Workbench
from aiwriter_kernel.cli.main import app
from aiwriter_kernel.errors import VectorStoreError

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
runner = CliRunner()


@pytest.fixture
def two_users(home: Path) -> Path:
    """Alice's "default" and Bob's "notes" workspaces, each with one source, vectors lost."""
    with Workbench.open() as workbench:
        alice = workbench.for_user(workbench.db.accounts.create_user("alice").id)
        bob = workbench.for_user(workbench.db.accounts.create_user("bob").id)
        alice.ingest(CORPUS / "seo-basics.md")
        bob.ingest(CORPUS / "headlines.md", workspace="notes")
        for space in workbench.db.workspaces.list():
            workbench.kb.vectors.delete_workspace(space.id)
    return home


def reindex(*args: str) -> dict:
    result = runner.invoke(app, ["kb", "reindex", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def dense_finds(user: str, query: str, workspace: str = "default") -> str | None:
    """The origin of the best dense hit in the user's workspace; None if its vectors are lost."""
    with Workbench.open(user=user) as workbench:
        try:
            hits = workbench.search(query, k=1, workspace=workspace, mode="dense")
        except VectorStoreError:
            return None
    return hits[0].origin if hits else None


def workspaces(home: Path) -> list[tuple[str, int | None]]:
    with Workbench.open() as workbench:
        return [(space.name, space.owner_id) for space in workbench.db.workspaces.list()]


def test_user_reindexes_only_that_users_workspace(two_users: Path) -> None:
    before = workspaces(two_users)
    assert dense_finds("alice", "keyword stuffing") is None  # the vectors are gone

    rebuilt = reindex("--user", "alice")

    assert [(w["workspace"], w["owner"]) for w in rebuilt["workspaces"]] == [("default", "alice")]
    assert rebuilt["chunks"] > 0
    assert dense_finds("alice", "keyword stuffing").endswith("seo-basics.md")
    assert dense_finds("bob", "puns in headlines", "notes") is None  # not Bob's
    assert workspaces(two_users) == before  # no operator workspace appeared


def test_user_by_id_and_workspace(two_users: Path) -> None:
    with Workbench.open() as workbench:
        bob_id = workbench.user_id("bob")
    rebuilt = reindex("--user", str(bob_id), "--workspace", "notes")
    assert [(w["workspace"], w["owner"]) for w in rebuilt["workspaces"]] == [("notes", "bob")]
    assert dense_finds("bob", "puns in headlines", "notes").endswith("headlines.md")


def test_all_reindexes_every_users_workspaces(two_users: Path) -> None:
    before = workspaces(two_users)

    rebuilt = reindex("--all")

    owners = sorted((w["owner"], w["workspace"]) for w in rebuilt["workspaces"])
    assert owners == [("alice", "default"), ("bob", "notes")]
    assert rebuilt["chunks"] == sum(w["chunks"] for w in rebuilt["workspaces"])
    assert dense_finds("alice", "keyword stuffing").endswith("seo-basics.md")
    assert dense_finds("bob", "puns in headlines", "notes").endswith("headlines.md")
    assert workspaces(two_users) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "there is no workspace 'default'"),  # the operator never had one
        (("--user", "alice", "--workspace", "drafts"), "there is no workspace 'drafts'"),
        (("--user", "carol"), "user 'carol' does not exist"),
        (("--all", "--workspace", "notes"), "leave out --workspace"),
    ],
)
def test_a_missing_workspace_is_an_error_and_creates_nothing(
    two_users: Path, args: tuple[str, ...], message: str
) -> None:
    before = workspaces(two_users)

    result = run_aiwriter("kb", "reindex", *args)

    assert result.returncode == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert workspaces(two_users) == before
