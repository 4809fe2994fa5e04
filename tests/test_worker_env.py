"""Worker processes get the home and model choice of the workbench that starts them, and
never carry the home's OpenAI key to an endpoint a session chose."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from aiwriter_kernel import Workbench
from aiwriter_kernel.config import Settings
from aiwriter_kernel.worker_env import worker_env


@pytest.fixture
def workbench(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-home")
    with Workbench.open(home=tmp_path / "home", provider="openai", model="gpt-x") as opened:
        yield opened


def test_the_home_and_model_choice_travel_but_no_key(workbench: Workbench) -> None:
    env = worker_env(workbench.settings)
    assert env["AIWRITER_HOME"] == str(workbench.settings.home)
    assert (env["AIWRITER_PROVIDER"], env["AIWRITER_MODEL"]) == ("openai", "gpt-x")
    assert "sk-home" not in env.values()
    assert "OPENAI_API_KEY" not in env  # the home's own endpoint: the inherited key is fine


def test_a_session_endpoint_without_a_key_blanks_the_inherited_key(workbench: Workbench) -> None:
    view = workbench.with_models(openai_base_url="http://127.0.0.1:9/v1")
    assert view.settings.openai_api_key is None  # the home's key stays with the home's URL
    env = worker_env(view.settings)
    assert env["AIWRITER_OPENAI_BASE_URL"] == "http://127.0.0.1:9/v1"
    assert env["OPENAI_API_KEY"] == ""
    # ...and a worker reading its environment with that value has no key at all
    blanked = Settings(_env_file=None, **{"OPENAI_API_KEY": env["OPENAI_API_KEY"]})
    assert blanked.openai_api_key is None


def test_a_session_key_for_its_own_endpoint_is_kept_in_memory_only(workbench: Workbench) -> None:
    view = workbench.with_models(
        openai_base_url="http://127.0.0.1:9/v1", openai_api_key=SecretStr("sk-session")
    )
    assert view.settings.openai_api_key.get_secret_value() == "sk-session"
    assert "sk-session" not in worker_env(view.settings).values()


def test_the_batch_row_limit_travels_to_the_worker_that_reads_the_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Workbench.open(home=tmp_path / "home", max_batch_rows=5) as opened:
        env = worker_env(opened.settings)
    monkeypatch.setenv("AIWRITER_MAX_BATCH_ROWS", env["AIWRITER_MAX_BATCH_ROWS"])
    assert Settings(_env_file=None).max_batch_rows == 5  # what the worker reads
