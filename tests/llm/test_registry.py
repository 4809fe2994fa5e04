"""Providers by name: built-ins, ones registered in code, and installed plugins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aiwriter_kernel.errors import UnknownProviderError
from aiwriter_kernel.llm.offline_provider import OfflineProvider
from aiwriter_kernel.llm.registry import ENTRY_POINT_GROUP, ProviderConfig, ProviderRegistry

PLUGIN_CODE = """
from aiwriter_kernel.llm.messages import Completion
from aiwriter_kernel.llm.provider import BaseProvider


class ShoutProvider(BaseProvider):
    name = "shout"
    default_model = "loud-1"

    def complete(self, request):
        text = request.messages[-1].content.upper()
        return Completion(text=text, provider=self.name, model=request.model)


def create(config):
    return ShoutProvider()
"""


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real installed distribution (dist-info with entry_points.txt) on sys.path."""
    (tmp_path / "shout_plugin.py").write_text(PLUGIN_CODE)
    dist_info = tmp_path / "shout_plugin-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: shout-plugin\nVersion: 0.1\n")
    (dist_info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nshout = shout_plugin:create\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_builtins_are_listed_without_importing_their_sdks() -> None:
    code = textwrap.dedent("""
        import json, sys
        from aiwriter_kernel.llm.registry import ProviderRegistry
        print(json.dumps(ProviderRegistry().names()))
        heavy = ("openai", "google.genai", "torch")
        print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
    """)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert {"offline", "openai", "gemini", "hf"} <= set(json.loads(out[0]))
    assert json.loads(out[1]) == []


def test_unknown_names_are_refused_with_the_choices() -> None:
    with pytest.raises(UnknownProviderError, match=r"choose one of .*offline"):
        ProviderRegistry().create("nope")


def test_providers_can_be_registered_in_code() -> None:
    registry = ProviderRegistry(load_plugins=False)
    registry.register("mine", lambda config: OfflineProvider())
    assert isinstance(registry.create("mine", ProviderConfig()), OfflineProvider)


def test_installed_plugins_are_found_through_entry_points(installed_plugin, tmp_path) -> None:
    from aiwriter_kernel.workbench import Workbench

    registry = ProviderRegistry()
    assert "shout" in registry.names()
    with Workbench.open(home=tmp_path / "home") as workbench:
        workbench.llm.registry = registry
        completion = workbench.llm.complete("quiet words", provider="shout")
    assert completion.text == "QUIET WORDS" and completion.provider == "shout"


def test_the_cli_uses_an_installed_plugin(installed_plugin, home) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed_plugin), "AIWRITER_PROVIDER": "shout"}
    result = subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", "prompt", "hi", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["text"] == "HI"
