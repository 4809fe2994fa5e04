"""``aiwriter serve api|app|dashboard``: run a front end on this machine.

The command replaces itself (``exec``) with the server process, so Ctrl-C and a service
manager's SIGTERM reach uvicorn, Streamlit or Voilà directly and shut them down cleanly.
Everything binds to 127.0.0.1 unless ``--host`` says otherwise, with a warning then: the
workbench holds people's drafts and API keys and should not be exposed by accident.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import os
import sys
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from aiwriter_kernel.cli.output import stderr
from aiwriter_kernel.errors import ConfigError, ValidationError

LOOPBACK = "127.0.0.1"
API_FACTORY = "aiwriter_apps.api.app:create_app"


class Target(StrEnum):
    api = "api"
    app = "app"
    dashboard = "dashboard"


DEFAULT_PORTS = {Target.api: 8000, Target.app: 8501, Target.dashboard: 8866}
# Voilà's landing page as the dashboards' home (notebooks/voila/templates/aiwriter): each
# dashboard named with what it does, rather than a bare list of notebook files. The "classic"
# tree is the page a template can replace; the default one is a JupyterLab app.
DASHBOARD_HOME = ("--template=aiwriter", "--VoilaConfiguration.classic_tree=True")

# The app works offline and looks finished: no telemetry calls from the browser, no "Deploy"
# button or developer menu, no email prompt, no "ask Google" links. The same values ship in
# apps/streamlit/.streamlit/config.toml for runs that do not go through this command.
STREAMLIT_OFFLINE = (
    *("--browser.gatherUsageStats", "false"),
    *("--client.toolbarMode", "minimal"),
    *("--client.showErrorLinks", "false"),
    *("--server.showEmailPrompt", "false"),
)


def serve(
    target: Annotated[
        Target,
        typer.Argument(
            help="api: the HTTP API (uvicorn); app: the Streamlit app; "
            "dashboard: the Voilà dashboards.",
            show_default=False,
        ),
    ],
    host: Annotated[str, typer.Option(help="Address to bind; loopback by default.")] = LOOPBACK,
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Port (api 8000, app 8501, dashboard 8866)."),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="API worker processes (api only).")
    ] = 1,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the command as JSON instead of running it.")
    ] = False,
) -> None:
    """Run the API, the Streamlit app or the Voilà dashboards on this machine."""
    if workers > 1 and target is not Target.api:
        raise ValidationError("--workers applies to the api only; the app and dashboard run one")
    port = port or DEFAULT_PORTS[target]
    argv = command_for(target, host, port, workers)
    if dry_run:
        shown: dict[str, object] = {"argv": argv}
        if target is Target.dashboard:  # the argv alone would not find the home page template
            shown["env"] = {"JUPYTER_PATH": dashboard_environment({})["JUPYTER_PATH"]}
        print(json.dumps(shown))
        return
    for warning in warnings_for(target, host, workers):
        stderr.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    stderr.print(f"serving the {target.value} on http://{_url_host(host)}:{port}", highlight=False)
    sys.stdout.flush()
    sys.stderr.flush()
    env = dashboard_environment(os.environ) if target is Target.dashboard else dict(os.environ)
    os.execve(argv[0], argv, env)


def command_for(target: Target, host: str, port: int, workers: int = 1) -> list[str]:
    """The server's argv, run with this interpreter so it sees the same installation."""
    python = sys.executable
    if target is Target.api:
        return [
            python,
            *("-m", "uvicorn", API_FACTORY, "--factory"),
            *("--host", host, "--port", str(port), "--workers", str(workers)),
        ]
    if target is Target.app:
        return [
            python,
            *("-m", "streamlit", "run", str(_streamlit_entry())),
            *("--server.address", host, "--server.port", str(port)),
            *("--server.headless", "true"),
            *STREAMLIT_OFFLINE,
        ]
    return [
        python,
        *("-m", "voila", str(_dashboards()), "--no-browser"),
        f"--Voila.ip={host}",
        f"--port={port}",
        *DASHBOARD_HOME,
    ]


def dashboard_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` with ``notebooks/`` first on JUPYTER_PATH: Voilà looks for templates in
    the Jupyter data folders only, and the home page's template ships in the checkout."""
    shipped = str(_dashboards().parent)
    rest = environ.get("JUPYTER_PATH", "")
    return {**environ, "JUPYTER_PATH": os.pathsep.join(p for p in (shipped, rest) if p)}


def warnings_for(target: Target, host: str, workers: int) -> list[str]:
    """What the person starting the server should know before it runs."""
    warnings = []
    if not _is_loopback(host):
        warnings.append(
            f"binding to {host}: the {target.value} will be reachable from the network; "
            "put it behind TLS and a firewall"
        )
        if target is not Target.api:
            warnings.append(
                f"the {target.value} has no login: anyone who reaches it works as this home's "
                "operator, with its drafts and provider keys; keep it on 127.0.0.1 or put "
                "it behind an authenticating proxy"
            )
    if target is Target.api and workers > 1 and _database_is_sqlite():
        warnings.append(
            f"{workers} workers share one SQLite database, which serialises writes; "
            "use PostgreSQL (AIWRITER_DATABASE_URL) for many writers"
        )
    return warnings


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _database_is_sqlite() -> bool:
    from aiwriter_kernel.cli.settings_loader import load_settings

    return load_settings().effective_database_url().startswith("sqlite")


def _apps_dir() -> Path:
    """Where the ``apps`` package (the front ends) is installed; found without importing it."""
    spec = importlib.util.find_spec("aiwriter_apps")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the front ends (the 'aiwriter_apps' package) are not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _streamlit_entry() -> Path:
    return _apps_dir() / "streamlit" / "Home.py"


def _dashboards() -> Path:
    """The Voilà dashboards ship beside the package in a checkout (notebooks/dashboards)."""
    path = Path(__file__).resolve().parents[2] / "notebooks" / "dashboards"
    if not path.is_dir():
        raise ConfigError(f"the dashboards folder {path} is missing (run from a checkout)")
    return path
