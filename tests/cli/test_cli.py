"""The `aiwriter` command as a user runs it: a real process, real files, real exit codes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from aiwriter_kernel.store.schema import head_revision


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `aiwriter ARGS` in a fresh interpreter with the test's environment."""
    return subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize(
    "command",
    [[], ["config"], ["config", "show"], ["db"], ["db", "upgrade"], ["db", "current"], ["doctor"]],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


def test_config_show_masks_secrets_in_both_forms(home: Path) -> None:
    secret = "sk-do-not-print-me-991"
    env = {"OPENAI_API_KEY": secret, "GEMINI_API_KEY": secret}
    as_json = run_cli("config", "show", "--json", env=env)
    as_text = run_cli("config", "show", env=env)
    assert as_json.returncode == 0 and as_text.returncode == 0
    for result in (as_json, as_text):
        assert secret not in result.stdout + result.stderr
    shown = json.loads(as_json.stdout)
    assert shown["home"] == str(home)
    assert shown["openai_api_key"] == "********"
    assert shown["tavily_api_key"] is None


def test_db_upgrade_migrates_a_fresh_home_then_is_a_no_op(home: Path) -> None:
    first = run_cli("db", "upgrade", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) | {"database": None} == {
        "database": None,
        "from": None,
        "to": head_revision(),
        "changed": True,
    }
    assert (home / "aiwriter.db").is_file()
    second = json.loads(run_cli("db", "upgrade", "--json").stdout)
    assert second["changed"] is False and second["to"] == head_revision()
    current = json.loads(run_cli("db", "current", "--json").stdout)
    assert current["state"] == "current" and current["revision"] == head_revision()


def test_doctor_passes_on_a_migrated_home(home: Path) -> None:
    assert run_cli("db", "upgrade").returncode == 0
    result = run_cli("doctor", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    by_name = {check["name"]: check for check in report["checks"]}
    assert report["ok"] is True
    assert by_name["home"]["status"] == "ok"
    assert by_name["database"]["status"] == "ok"
    assert by_name["embedding model"]["status"] == "ok"
    assert by_name["provider"]["detail"] == "offline selected"


def test_doctor_fails_on_an_unknown_provider(home: Path) -> None:
    result = run_cli("doctor", "--json", env={"AIWRITER_PROVIDER": "nonsense"})
    assert result.returncode == 1
    report = json.loads(result.stdout)
    provider = next(check for check in report["checks"] if check["name"] == "provider")
    assert provider["status"] == "fail" and "nonsense" in provider["detail"]


def test_doctor_fails_when_the_selected_provider_has_no_key(home: Path) -> None:
    result = run_cli("doctor", "--json", env={"AIWRITER_PROVIDER": "gemini"})
    assert result.returncode == 1
    assert "not set" in result.stdout


def test_doctor_reports_a_configured_provider_that_cannot_be_reached(home: Path) -> None:
    env = {"OPENAI_API_KEY": "sk-secret-unreachable", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    result = run_cli("doctor", "--json", env=env)
    openai = next(c for c in json.loads(result.stdout)["checks"] if c["name"] == "openai")
    assert openai["status"] == "warn" and "not reachable" in openai["detail"]
    assert "sk-secret-unreachable" not in result.stdout + result.stderr


def test_malformed_database_url_is_one_clear_line(home: Path) -> None:
    result = run_cli("db", "upgrade", env={"AIWRITER_DATABASE_URL": "not a url at all"})
    assert_one_line_error(result, "AIWRITER_DATABASE_URL")


def test_home_that_is_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me")
    result = run_cli("db", "upgrade", env={"AIWRITER_HOME": str(blocker)})
    assert_one_line_error(result, "AIWRITER_HOME", str(blocker))
    assert blocker.read_text() == "keep me"


def test_home_that_cannot_be_created_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me")
    result = run_cli("db", "upgrade", env={"AIWRITER_HOME": str(blocker / "home")})
    assert_one_line_error(result, "AIWRITER_HOME", "not writable")


def test_corrupted_sqlite_file_is_reported_and_left_untouched(home: Path) -> None:
    database = home / "aiwriter.db"
    garbage = os.urandom(8192)
    database.write_bytes(garbage)
    result = run_cli("db", "upgrade")
    assert_one_line_error(result, str(database))
    assert database.read_bytes() == garbage


def test_database_from_a_newer_aiwriter_is_refused_and_kept(home: Path) -> None:
    assert run_cli("db", "upgrade").returncode == 0
    database = home / "aiwriter.db"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        connection.execute(
            "INSERT INTO users (name, created_at, disabled) VALUES ('ada', '2026-01-01', 0)"
        )
    result = run_cli("db", "upgrade")
    assert_one_line_error(result, "9999_from_the_future", "newer")
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT name FROM users").fetchall() == [("ada",)]
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "9999_from_the_future",
        )


def test_debug_flag_shows_the_traceback(home: Path) -> None:
    result = run_cli("--debug", "db", "upgrade", env={"AIWRITER_DATABASE_URL": "not a url"})
    assert result.returncode != 0
    assert "Traceback" in result.stderr
