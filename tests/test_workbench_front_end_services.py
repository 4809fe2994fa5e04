"""What front ends ask the Workbench for besides the pipelines: accounts, usage, a prompt,
the providers, and the write → analyze → export sequence of ``aiwriter write``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import NotFoundError
from aiwriter_kernel.llm.offline_provider import create as create_offline


@pytest.fixture
def wb(tmp_path: Path) -> Workbench:
    with Workbench.open(home=tmp_path) as opened:
        yield opened


def test_users_and_keys_decide_who_the_api_lets_in(wb: Workbench) -> None:
    alice = wb.users.create("alice")
    assert [user.name for user in wb.users.list()] == ["alice"]
    issued = wb.keys.create("alice", name="laptop")
    assert wb.authenticate(issued.key) == alice

    (listed,) = wb.keys.list("alice")
    assert listed.id == issued.record.id and issued.key.startswith(listed.prefix)
    assert issued.key not in listed.model_dump_json()  # a key is shown only once

    assert wb.users.disable("alice").disabled
    assert wb.authenticate(issued.key) is None
    assert not wb.users.enable("alice").disabled
    assert wb.authenticate(issued.key) == wb.users.get("alice")

    assert wb.keys.revoke(issued.record.id).revoked_at is not None
    assert wb.authenticate(issued.key) is None


def test_an_expired_key_lets_nobody_in(wb: Workbench) -> None:
    wb.users.create("bob")
    past = datetime.now(UTC) - timedelta(minutes=1)
    assert wb.authenticate(wb.keys.create("bob", expires_at=past).key) is None
    with pytest.raises(NotFoundError):
        wb.keys.list("nobody")


def test_a_prompt_is_answered_streamed_and_counted_in_usage(wb: Workbench) -> None:
    answer = wb.prompt("Write me a poem", cache=False)
    assert answer.provider == "offline" and answer.finish_reason == "no_evidence"

    stream = wb.stream_prompt("Write me a poem", cache=False)
    pieces = list(stream)
    assert "".join(pieces) == stream.completion.text == answer.text

    (today,) = wb.usage(days=1)
    assert today.provider == "offline" and today.calls == 2
    assert wb.usage() == [today]


def test_providers_come_from_the_registry_so_plugins_appear(wb: Workbench) -> None:
    assert {"offline", "openai", "gemini", "hf"} <= set(wb.providers())
    wb.llm.registry.register("toy", create_offline)  # as a plugin's entry point would
    assert "toy" in wb.providers()

    statuses = {status.name: status for status in wb.model_statuses(probe=False)}
    assert set(statuses) == set(wb.providers())
    assert statuses["offline"].selected and statuses["offline"].models == ["composer"]
    assert statuses["toy"].configured and statuses["toy"].detail == "not probed"


@pytest.mark.slow
def test_write_and_export_leaves_the_article_and_its_analysis(corpus_home: Path) -> None:
    with Workbench.open(home=corpus_home) as wb:
        published = wb.write_and_export(
            "How to write readable web content", keywords=(" readability ",)
        )
        exports = wb.settings.exports_path
    article, files = published.result, published.files
    assert files.folder.parent == exports
    assert files.markdown.read_text(encoding="utf-8") == article.markdown
    assert files.html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    stored = json.loads(files.analysis.read_text(encoding="utf-8"))
    assert stored == published.analysis.model_dump(mode="json")
    assert published.analysis.seo is not None and published.analysis.seo.keyword == "readability"
    assert published.analysis.citations is not None  # checked against the draft's sources


@pytest.mark.slow
def test_post_and_export_names_the_files_after_the_channel(corpus_home: Path) -> None:
    with Workbench.open(home=corpus_home) as wb:
        published = wb.post_and_export(
            channel="linkedin", topic="How to write readable web content", keyword="readability"
        )
    assert published.files.markdown.name == "linkedin.md"
    assert published.files.markdown.read_text(encoding="utf-8") == published.result.text
    assert published.analysis.seo is not None
