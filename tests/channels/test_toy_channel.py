"""README, "Adding a channel", followed step by step: a toy SMS channel written as one module,
registered, and picked up by the CLI, the ``channel`` validation, the rewrite prompt, the
offline rewrite through a real Workbench and the limits enforcement. Unregistered after."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from collections.abc import Iterator
from types import ModuleType

import pydantic
import pytest
from typer.testing import CliRunner

from aiwriter_kernel import Workbench
from aiwriter_kernel.channels import get, names, unregister
from aiwriter_kernel.cli import app
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.llm.tasks import RewriteTask
from aiwriter_kernel.llm.templates import render_task
from aiwriter_kernel.pipelines.rewrite import RewriteResult
from aiwriter_kernel.text.sentences import split_sentences

# Steps 1-4: one file holding the parts, the channel, and its registration.
SMS_MODULE = """
from __future__ import annotations

from typing import Literal, Self

from aiwriter_kernel.channels import Channel, ChannelRules, OfflineMaterial, Parts, register
from aiwriter_kernel.channels.common import take, unlabelled


class SmsParts(Parts):
    channel: Literal["sms"] = "sms"
    text: str = ""

    def render(self) -> str:
        return self.text

    def map_texts(self, edit) -> Self:
        return self.model_copy(update={"text": edit(self.text)})


class Sms(Channel):
    rules = ChannelRules(name="sms", max_chars=160, target_chars=140)
    parts = SmsParts
    aliases = ("text message",)
    shrink_order = ("text",)

    def read(self, text: str) -> SmsParts:
        return SmsParts(text=" ".join(unlabelled(text).split()))

    def shape(self) -> str:
        return "<the message: one or two plain sentences>"

    def offline_format(self, material: OfflineMaterial) -> str:
        return " ".join(take(material.sentences, material.target, material.reading))


SMS = register(Sms())
"""
TEXT = textwrap.dedent(
    """\
    # Short messages

    Short messages get read. A text message has room for one idea and a link.
    People answer a text within minutes, while an email waits for hours.
    Keep the message under the limit so it arrives as one piece.
    """
)


@pytest.fixture(scope="module")
def sms(tmp_path_factory) -> Iterator[ModuleType]:
    """The toy channel's module, imported (which registers it); unregistered afterwards."""
    path = tmp_path_factory.mktemp("plugin") / "sms_channel.py"
    path.write_text(SMS_MODULE, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("sms_channel", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["sms_channel"] = module
    spec.loader.exec_module(module)
    yield module
    unregister("sms")
    sys.modules.pop("sms_channel", None)


def test_the_registry_and_the_channel_type_know_it(sms) -> None:
    assert names()[-1] == "sms" and get("Text  Message") is sms.SMS
    assert RewriteTask(text="Hi.", channel="sms").channel == "sms"
    with pytest.raises(pydantic.ValidationError, match=r"use one of linkedin, .*, sms"):
        RewriteTask(text="Hi.", channel="fax")
    schema = RewriteTask.model_json_schema()["properties"]["channel"]
    assert schema["enum"][-1] == "sms"


def test_the_cli_lists_it(sms, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AIWRITER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    assert "youtube or sms (also thread" in runner.invoke(app, ["rewrite", "--help"]).output
    assert "youtube or sms" in runner.invoke(app, ["write", "--help"]).output
    text_file = tmp_path / "text.md"
    text_file.write_text(TEXT, encoding="utf-8")
    shown = runner.invoke(app, ["rewrite", "--channel", "sms", "--text-file", str(text_file)])
    assert shown.exit_code == 0, shown.output
    assert "ok characters:" in shown.output


def test_the_rewrite_prompt_states_its_limit_and_shape(sms) -> None:
    prompt = render_task(RewriteTask(text="Hi.", channel="sms", max_chars=150)).messages[-1]
    assert "Rewrite the text below for the sms channel." in prompt.content
    assert "Hard limits: at most 150 characters in total." in prompt.content
    assert "<the message: one or two plain sentences>" in prompt.content


def test_an_offline_rewrite_through_the_workbench(sms, tmp_path) -> None:
    from aiwriter_widgets import RewritePanel  # a front end: imported by the one test that uses it

    notes = tmp_path / "short-messages.md"
    notes.write_text(TEXT, encoding="utf-8")
    with Workbench.open(home=tmp_path / "home") as workbench:
        workbench.ingest([notes])
        result = workbench.rewrite(channel="text message", topic="short messages")
        assert result.channel == "sms" and isinstance(result.parts, sms.SmsParts)
        assert 0 < len(result.text) <= 160 and result.text == result.parts.render()
        assert all(check.passed for check in result.checks)
        assert split_sentences(result.text)[0] in TEXT  # the sources' own sentences
        assert workbench.version(result.draft_id).content == result.text
        assert list(RewritePanel(workbench).channels)[-1] == "sms"  # the widget's checkboxes
    dumped = result.model_dump(mode="json")
    assert dumped["parts"] == {"channel": "sms", "text": result.text}
    assert RewriteResult.model_validate(dumped).parts == result.parts


def test_its_limits_are_enforced_and_checked(sms) -> None:
    channel = get("sms")
    parts = channel.parse("**Body:** " + " ".join(["A sentence that goes on."] * 12))
    assert {c.name for c in channel.check(parts, 160) if not c.passed} == {"characters"}
    fixed, warnings = channel.enforce(parts, 160)
    assert len(fixed.render()) <= 160 and fixed.render().endswith(".")
    assert all(c.passed for c in channel.check(fixed, 160))
    assert warnings == ["shortened the post to keep it within 160 characters"]


def test_unregistering_removes_it_everywhere(sms) -> None:
    unregister("sms")
    try:
        assert "sms" not in names()
        with pytest.raises(ValidationError, match="unknown channel 'text message'"):
            get("text message")
        with pytest.raises(pydantic.ValidationError, match="unknown channel 'sms'"):
            RewriteTask(text="Hi.", channel="sms")
    finally:
        sms.SMS = sms.register(sms.Sms())
