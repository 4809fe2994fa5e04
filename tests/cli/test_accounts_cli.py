"""`aiwriter users ...` and `aiwriter keys ...` as a user runs them: a real process, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiwriter_kernel.store.accounts import hash_api_key
from aiwriter_kernel.workbench import Workbench


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `aiwriter ARGS` in a fresh interpreter with the test's environment."""
    return subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )


def run_json(*args: str) -> object:
    result = run_cli(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]


def verify(home: Path, key: str) -> str | None:
    """The name of the user the key belongs to, per the database, or None."""
    with Workbench.open(home) as workbench:
        user = workbench.db.accounts.verify_api_key(key)
    return None if user is None else user.name


def test_a_key_is_printed_once_stored_only_hashed_and_revocable(home: Path) -> None:
    created = run_json("users", "create", "alice")
    assert created["name"] == "alice" and created["disabled"] is False

    issued = run_json("keys", "create", "alice", "--name", "laptop", "--expires-days", "30")
    assert set(issued) == {"key", "id", "prefix", "expires_at"}
    key = issued["key"]
    assert key.startswith(issued["prefix"]) and len(key) > len(issued["prefix"])
    assert issued["expires_at"] is not None
    assert verify(home, key) == "alice"

    listed = run_cli("keys", "list", "alice", "--json")
    assert listed.returncode == 0, listed.stderr
    assert key not in listed.stdout and hash_api_key(key) not in listed.stdout
    [shown] = json.loads(listed.stdout)
    assert shown["id"] == issued["id"] and shown["name"] == "laptop"
    assert shown["last_used_at"] is not None  # the verify above was recorded
    assert shown["revoked_at"] is None
    as_text = run_cli("keys", "list", "alice")
    assert as_text.returncode == 0 and key not in as_text.stdout
    assert hash_api_key(key) not in as_text.stdout

    for stored in home.rglob("*"):
        if stored.is_file():
            assert key.encode() not in stored.read_bytes(), stored

    revoked = run_json("keys", "revoke", str(issued["id"]))
    assert revoked["revoked_at"] is not None
    assert verify(home, key) is None
    [shown] = run_json("keys", "list", "alice")
    assert shown["revoked_at"] is not None


def test_text_mode_prints_the_key_and_says_it_will_not_be_shown_again(home: Path) -> None:
    assert run_cli("users", "create", "bob").returncode == 0
    result = run_cli("keys", "create", "bob")
    assert result.returncode == 0, result.stderr
    key = result.stdout.splitlines()[0].strip()
    assert "not be shown again" in result.stdout
    assert verify(home, key) == "bob"


def test_a_disabled_users_keys_stop_verifying_until_enabled(home: Path) -> None:
    assert run_cli("users", "create", "carol").returncode == 0
    key = run_json("keys", "create", "carol")["key"]
    assert verify(home, key) == "carol"

    assert run_json("users", "disable", "carol")["disabled"] is True
    assert verify(home, key) is None
    [listed] = run_json("users", "list")
    assert listed["name"] == "carol" and listed["disabled"] is True

    assert run_json("users", "enable", "carol")["disabled"] is False
    assert verify(home, key) == "carol"


def test_users_list_shows_every_user_by_name(home: Path) -> None:
    assert run_json("users", "list") == []
    for name in ("zed", "amy"):
        assert run_cli("users", "create", name).returncode == 0
    assert [user["name"] for user in run_json("users", "list")] == ["amy", "zed"]
    text = run_cli("users", "list")
    assert text.returncode == 0 and "amy" in text.stdout and "zed" in text.stdout


@pytest.mark.parametrize("days", ["0", "-3"])
def test_expiry_must_be_at_least_a_day(home: Path, days: str) -> None:
    assert run_cli("users", "create", "dave").returncode == 0
    assert_one_line_error(run_cli("keys", "create", "dave", f"--expires-days={days}"), "1 or more")
    assert run_json("keys", "list", "dave") == []


def test_an_absurd_expiry_is_a_one_line_error(home: Path) -> None:
    assert run_cli("users", "create", "erin").returncode == 0
    result = run_cli("keys", "create", "erin", "--expires-days", "999999999")
    assert_one_line_error(result, "too far")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["keys", "create", "nobody"], "'nobody' does not exist"),
        (["keys", "list", "nobody"], "'nobody' does not exist"),
        (["users", "disable", "nobody"], "'nobody' does not exist"),
        (["users", "enable", "nobody"], "'nobody' does not exist"),
        (["keys", "revoke", "4242"], "4242 does not exist"),
        (["users", "create", "   "], "must not be empty"),
    ],
)
def test_bad_input_is_a_one_line_error(home: Path, args: list[str], needle: str) -> None:
    assert_one_line_error(run_cli(*args), needle)


def test_a_duplicate_user_is_a_one_line_error(home: Path) -> None:
    assert run_cli("users", "create", "frank").returncode == 0
    assert_one_line_error(run_cli("users", "create", "frank"), "already exists")


@pytest.mark.parametrize(
    "command", [["users"], ["users", "create"], ["keys"], ["keys", "create"], ["keys", "revoke"]]
)
def test_commands_have_help(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
