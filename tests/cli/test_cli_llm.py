"""`aiwriter prompt`, `models` and `usage` as a user runs them, against a local server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fake_openai_server import status
from support import free_port

SECRET = "sk-cli-secret-5521"


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def openai_env(home: Path, fake_openai) -> dict[str, str]:
    return {
        "AIWRITER_PROVIDER": "openai",
        "AIWRITER_MODEL": "gpt-4o-mini",
        "OPENAI_API_KEY": SECRET,
        "OPENAI_BASE_URL": fake_openai.base_url,
    }


def test_prompt_streams_the_answer(openai_env, fake_openai) -> None:
    result = run_cli("prompt", "tell me about tea", "--system", "Be brief.", env=openai_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "echo: tell me about tea"
    sent = fake_openai.requests[0].json
    assert sent["stream"] is True and sent["model"] == "gpt-4o-mini"
    assert sent["messages"][0] == {"role": "system", "content": "Be brief."}


def test_prompt_json_then_cache_then_no_cache(openai_env, fake_openai) -> None:
    first = json.loads(run_cli("prompt", "hi", "--json", env=openai_env).stdout)
    second = json.loads(run_cli("prompt", "hi", "--json", env=openai_env).stdout)
    third = json.loads(run_cli("prompt", "hi", "--json", "--no-cache", env=openai_env).stdout)
    assert (first["cache_hit"], second["cache_hit"], third["cache_hit"]) == (False, True, False)
    assert first["text"] == second["text"] == "echo: hi"
    assert len(fake_openai.requests) == 2


def test_prompt_reads_standard_input_and_flags_override_settings(openai_env, fake_openai) -> None:
    result = run_cli("prompt", "-", "--model", "gpt-4.1-mini", env=openai_env, stdin="from stdin")
    assert result.stdout.strip() == "echo: from stdin"
    assert fake_openai.requests[0].json["model"] == "gpt-4.1-mini"


def test_usage_counts_calls_tokens_cost_and_hits(openai_env, fake_openai) -> None:
    run_cli("prompt", "one two three", env=openai_env)
    run_cli("prompt", "one two three", env=openai_env)
    fake_openai.script(status(400))
    assert run_cli("prompt", "bad", env=openai_env).returncode == 1
    (row,) = json.loads(run_cli("usage", "--json", env=openai_env).stdout)
    assert (row["provider"], row["calls"], row["cache_hits"], row["errors"]) == ("openai", 3, 1, 1)
    assert row["prompt_tokens"] > 0 and row["cost_usd"] > 0


def test_errors_are_one_line_without_the_key(openai_env, fake_openai) -> None:
    fake_openai.script(status(401))
    result = run_cli("prompt", "hello", env=openai_env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and SECRET not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


CREDENTIAL_VIEWS = [
    ("config", "show", "--json"),
    ("config", "show"),
    ("models", "--json"),
    ("usage",),
]


def test_credentials_in_the_base_url_show_in_no_output(home) -> None:
    """The provider is down: the error names the server, never its password or token."""
    port = free_port()  # nothing listens there
    password, token = "pw-cli-6120", "tok-cli-8841"
    env = {
        "AIWRITER_PROVIDER": "openai",
        "AIWRITER_MODEL": "gpt-4o-mini",
        "OPENAI_API_KEY": SECRET,
        "OPENAI_BASE_URL": f"http://user:{password}@127.0.0.1:{port}/v1?token={token}",
    }
    prompt = run_cli("prompt", "hello", env=env)
    shown = [prompt, *(run_cli(*args, env=env) for args in CREDENTIAL_VIEWS)]

    assert prompt.returncode == 1
    assert f"http://127.0.0.1:{port}/v1?token=***" in prompt.stderr
    assert json.loads(shown[1].stdout)["openai_base_url"] == f"http://127.0.0.1:{port}/v1?token=***"
    for result in shown:
        output = result.stdout + result.stderr
        assert password not in output and token not in output and SECRET not in output


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["prompt", "hi", "--provider", "nope"], {}, "unknown provider 'nope'"),
        (["prompt", "hi", "--provider", "gemini"], {}, "GEMINI_API_KEY"),
        (["prompt", "   "], {}, "empty"),
        (["prompt", "hi", "--model", "gpt-4o"], {}, "composer"),
    ],
)
def test_bad_input_fails_before_any_call(home, args, env, message) -> None:
    result = run_cli(*args, env=env)
    assert result.returncode == 1
    assert message in result.stderr


def test_offline_prompt_without_sources_says_so(home) -> None:
    result = run_cli("prompt", "Write me a poem", "--json")
    completion = json.loads(result.stdout)
    assert completion["provider"] == "offline" and completion["finish_reason"] == "no_evidence"
    assert "writes only from sources" in completion["text"]


def test_models_lists_every_provider_with_its_state(openai_env) -> None:
    result = run_cli("models", "--json", env=openai_env)
    assert result.returncode == 0, result.stderr
    by_name = {status["name"]: status for status in json.loads(result.stdout)}
    assert set(by_name) >= {"offline", "openai", "gemini", "hf"}
    assert by_name["openai"]["selected"] and by_name["openai"]["reachable"] is True
    assert by_name["gemini"]["configured"] is False
    assert by_name["offline"]["models"] == ["composer"]
    assert SECRET not in result.stdout
