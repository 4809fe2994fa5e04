"""A Workbench scoped to a user sees only that user's work: the kernel side of API isolation.

Runs on SQLite and PostgreSQL. The front ends (API, app) only ever hand out scoped views, so
these are the checks that keep one user's sources, drafts and runs away from another.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import NotFoundError, ValidationError

NOTES = (
    b"# Readable pages\n\nShort sentences help readers on the web. Plain words beat jargon "
    b"in every survey of web readers. Headings let readers scan a page quickly.\n"
)


@pytest.fixture
def home_workbench(tmp_path: Path, database_url: str):
    with Workbench.open(home=tmp_path, database_url=database_url) as opened:
        opened.db.accounts.create_user("alice")
        opened.db.accounts.create_user("bob")
        yield opened


@pytest.fixture
def alice(home_workbench: Workbench) -> Workbench:
    return home_workbench.for_user(home_workbench.user_id("alice"))


@pytest.fixture
def bob(home_workbench: Workbench) -> Workbench:
    return home_workbench.for_user(home_workbench.user_id("bob"))


def test_sources_and_search_are_per_user(alice: Workbench, bob: Workbench) -> None:
    report = alice.ingest_bytes(NOTES, "notes.md")
    [item] = report.items
    assert item.status == "added" and item.origin == "upload:notes.md"
    assert [s.title for s in alice.sources()] == ["Readable pages"]
    assert bob.sources() == []
    assert alice.search("short sentences for web readers", k=3)
    assert bob.search("short sentences for web readers", k=3) == []
    with pytest.raises(NotFoundError, match=f"no source {item.source_id}"):
        bob.delete_source(item.source_id)
    assert len(alice.sources()) == 1  # bob's attempt removed nothing
    alice.delete_source(item.source_id)
    assert alice.sources() == []
    assert alice.search("short sentences for web readers", k=3) == []


def test_the_same_workspace_name_is_a_different_workspace_per_user(
    home_workbench: Workbench, alice: Workbench, bob: Workbench
) -> None:
    mine, theirs = alice.workspace("research"), bob.workspace("research")
    assert mine.id != theirs.id
    assert (mine.owner_id, theirs.owner_id) == (alice.owner_id, bob.owner_id)
    assert home_workbench.workspace("research").owner_id is None


def test_drafts_of_another_user_look_missing(alice: Workbench, bob: Workbench) -> None:
    alice.ingest_bytes(NOTES, "notes.md")
    article = alice.write("Readable web pages", target_words=200)
    assert [d.id for d in alice.drafts()] == [article.draft_id]
    assert bob.drafts() == []
    for attempt in (
        lambda: bob.versions(article.draft_id),
        lambda: bob.version(article.draft_id),
        lambda: bob.diff(article.draft_id, 1),
        lambda: bob.export(article.draft_id, "md"),
        lambda: bob.draft(article.draft_id),
        lambda: bob.rewrite(draft_id=article.draft_id, channel="linkedin"),
        lambda: bob.seo_metadata(draft_id=article.draft_id),
        lambda: bob.fact_check(draft_id=article.draft_id),
        lambda: bob.delete_draft(article.draft_id),
    ):
        with pytest.raises(NotFoundError, match=f"no draft {article.draft_id}"):
            attempt()
    assert alice.version(article.draft_id).content == article.markdown  # nothing lost


def test_the_operator_sees_a_users_draft_by_id_and_a_user_opens_the_home_by_name(
    tmp_path: Path, home_workbench: Workbench, alice: Workbench, database_url: str
) -> None:
    alice.ingest_bytes(NOTES, "notes.md")
    draft_id, _ = alice.outline("Readable web pages", target_words=200)
    assert home_workbench.require_draft(draft_id).id == draft_id
    with Workbench.open(home=tmp_path, database_url=database_url, user="alice") as as_alice:
        assert [d.id for d in as_alice.drafts()] == [draft_id]
    with pytest.raises(NotFoundError, match="user 'carol' does not exist"):
        Workbench.open(home=tmp_path, database_url=database_url, user="carol")


def test_deleting_a_draft_removes_its_history(alice: Workbench) -> None:
    alice.ingest_bytes(NOTES, "notes.md")
    draft_id, _ = alice.outline("Readable web pages", target_words=200)
    alice.delete_draft(draft_id)
    assert alice.drafts() == []
    with pytest.raises(NotFoundError):
        alice.versions(draft_id)


def test_closing_a_users_view_leaves_the_home_open(home_workbench: Workbench) -> None:
    view = home_workbench.for_user(home_workbench.user_id("alice"))
    view.close()
    home_workbench.check_ready()  # still answers
    assert view.kb is home_workbench.kb and view.llm is home_workbench.llm


def test_model_settings_for_one_session_stay_in_that_view(home_workbench: Workbench) -> None:
    view = home_workbench.with_models(
        provider="openai", model="gpt-4o-mini", openai_api_key=SecretStr("sk-session-only")
    )
    assert view.settings.provider == "openai"
    assert view.settings.openai_api_key.get_secret_value() == "sk-session-only"
    assert home_workbench.settings.provider == "offline"
    assert home_workbench.settings.openai_api_key is None
    assert view.llm is not home_workbench.llm and view.kb is home_workbench.kb
    with pytest.raises(ValidationError, match="not a model setting: home"):
        home_workbench.with_models(home="/elsewhere")


def test_an_upload_needs_a_name_and_a_supported_type(alice: Workbench) -> None:
    with pytest.raises(ValidationError, match="file name"):
        alice.ingest_bytes(NOTES, "  ")
    [item] = alice.ingest_bytes(b"\x00\x01binary", "blob.exe").items
    assert item.status == "failed" and item.error
    assert alice.sources() == []


def test_a_user_may_only_name_models_this_home_serves(alice: Workbench) -> None:
    alice.ingest_bytes(NOTES, "notes.md")
    for fields, message in (
        ({"provider": "hf", "model": "/etc"}, "the model '/etc' is not served here"),
        ({"model": "../../secrets"}, "is not served here"),
        ({"provider": "gemini"}, "the provider 'gemini' is not served here"),
        ({"provider": "hf", "model": "composer"}, "served by 'offline'"),
    ):
        with pytest.raises(ValidationError, match=message):
            alice.outline("Readable web pages", target_words=200, **fields)
        with pytest.raises(ValidationError, match=message):
            alice.rewrite(text="Short words win.", channel="linkedin", **fields)
        with pytest.raises(ValidationError, match=message):  # a job checks as its method does
            alice.submit_job("article", {"topic": "Readable web pages", **fields})
    assert alice.drafts() == [] and alice.jobs() == []  # refused before any work
    draft_id, _ = alice.outline("Readable web pages", provider="offline", model="composer")
    assert alice.require_draft(draft_id).kind == "article"


def test_over_long_names_are_refused_on_every_backend(alice: Workbench) -> None:
    with pytest.raises(ValidationError, match="at most 100 characters"):
        alice.sources(workspace="w" * 101)
    with pytest.raises(ValidationError, match="workspace"):
        alice.outline("Readable web pages", workspace="w" * 101)
    with pytest.raises(ValidationError, match="model"):
        alice.rewrite(text="Short words.", channel="linkedin", model="m" * 201)


def test_reading_a_workspace_never_creates_it(home_workbench: Workbench, alice: Workbench) -> None:
    def names() -> set[str]:
        return {space.name for space in home_workbench.db.workspaces.list(alice.owner_id)}

    before = names()
    assert alice.sources(workspace="nowhere") == []
    assert alice.drafts(workspace="nowhere") == []
    assert alice.search("anything at all", workspace="nowhere") == []
    assert alice.personas(workspace="nowhere") == []
    with pytest.raises(NotFoundError, match="no persona 'brand'"):
        alice.delete_persona("brand", workspace="nowhere")
    with pytest.raises(ValidationError, match="none are saved yet"):
        alice.analyze("Short words.", persona="brand", workspace="nowhere")
    assert names() == before
    alice.ingest_bytes(NOTES, "notes.md", workspace="research")  # writing does create it
    assert names() == before | {"research"}
