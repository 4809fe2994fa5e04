"""``aiwriter serve``: the API really served through the command, and its arguments checked."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from aiwriter_kernel.cli import app
from aiwriter_kernel.cli.serve_cmd import Target, command_for, dashboard_environment, warnings_for

from .live_server import live_api, serve_command

runner = CliRunner()


def _init_home(home: Path) -> None:
    from aiwriter_kernel import Workbench

    Workbench.open(home=home).close()  # migrated once, before any worker starts


@pytest.mark.server
def test_serve_api_answers_health_and_becomes_the_server_process(home: Path) -> None:
    _init_home(home)
    with live_api({"AIWRITER_HOME": str(home)}, command=serve_command) as server:
        health = httpx.get(f"{server.url}/health")
        cmdline = Path(f"/proc/{server.process.pid}/cmdline").read_bytes().split(b"\0")
        log = server.log()

    assert health.status_code == 200
    assert f"serving the api on http://127.0.0.1:{server.port}" in log
    assert "warning" not in log
    # exec, not a child: signals sent to the command reach uvicorn itself.
    assert b"uvicorn" in cmdline
    assert b"aiwriter_kernel" not in cmdline


@pytest.mark.server
def test_serve_api_with_two_workers_on_sqlite_warns_and_serves(home: Path) -> None:
    _init_home(home)
    with live_api({"AIWRITER_HOME": str(home)}, command=serve_command, workers=2) as server:
        ready = httpx.get(f"{server.url}/ready")
        log = server.log()

    assert ready.status_code == 200
    assert "SQLite" in log
    assert "serialises writes" in log


def test_help_lists_the_three_targets() -> None:
    result = runner.invoke(app, ["serve", "--help"])

    assert result.exit_code == 0
    for target in ("api", "app", "dashboard", "--host", "--port", "--workers"):
        assert target in result.output


def test_an_unknown_target_is_a_clear_error() -> None:
    result = runner.invoke(app, ["serve", "database"])

    assert result.exit_code == 2
    words = " ".join(re.sub(r"[\u2500-\u257f]", " ", result.output).split())  # no box drawing
    assert "'database' is not one of 'api', 'app', 'dashboard'" in words


def test_workers_apply_to_the_api_only(home: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", "serve", "app", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: --workers applies to the api only")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (
            "api",
            ["-m", "uvicorn", "aiwriter_apps.api.app:create_app", "--factory", "--port", "8000"],
        ),
        ("app", ["-m", "streamlit", "run", "--server.address", "--server.headless", "true"]),
        ("dashboard", ["-m", "voila", "--no-browser", "--Voila.ip=127.0.0.1", "--port=8866"]),
    ],
)
def test_each_target_runs_its_server_on_loopback_by_default(
    home: Path, target: str, expected: list[str]
) -> None:
    result = runner.invoke(app, ["serve", target, "--dry-run"])

    assert result.exit_code == 0, result.output
    argv = json.loads(result.stdout)["argv"]
    assert all(part in argv for part in expected)
    if target == "app":
        entry = Path(argv[argv.index("run") + 1])
        assert entry.parts[-3:] == ("apps", "streamlit", "Home.py")
        assert argv[argv.index("--server.address") + 1] == "127.0.0.1"
    if target == "dashboard":
        assert Path(argv[3]).parts[-2:] == ("notebooks", "dashboards")
        shown_path = json.loads(result.stdout)["env"]["JUPYTER_PATH"]
        assert shown_path == dashboard_environment({})["JUPYTER_PATH"]
    if target == "api":
        assert argv[argv.index("--host") + 1] == "127.0.0.1"


def test_binding_beyond_loopback_warns_that_the_network_can_reach_it(home: Path) -> None:
    assert warnings_for(Target.api, "127.0.0.1", 1) == []
    assert warnings_for(Target.api, "::1", 1) == []
    [warning] = warnings_for(Target.api, "0.0.0.0", 1)
    assert "reachable from the network" in warning
    app_warning, no_login = warnings_for(Target.app, "192.168.1.20", 1)
    assert "app will be reachable" in app_warning
    assert "the app has no login" in no_login and "operator" in no_login


def test_the_dashboard_opens_on_its_home_page_template() -> None:
    """Voilà finds templates on JUPYTER_PATH only: the shipped one must be first there."""
    argv = command_for(Target.dashboard, "127.0.0.1", 8866)
    assert "--template=aiwriter" in argv and "--VoilaConfiguration.classic_tree=True" in argv
    env = dashboard_environment({"JUPYTER_PATH": "/elsewhere", "HOME": "/h"})
    first, rest = env["JUPYTER_PATH"].split(os.pathsep)
    assert rest == "/elsewhere" and env["HOME"] == "/h"
    assert (Path(first) / "voila" / "templates" / "aiwriter" / "tree.html").is_file()
    assert dashboard_environment({})["JUPYTER_PATH"] == first
