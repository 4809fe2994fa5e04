"""Run the API as a real server process for tests that need a socket: SSE, the OpenAI SDK,
several workers, load.

Use it as a context manager; the server is stopped (its whole process group: uvicorn's
supervisor and its workers) when the block ends, even when the test fails::

    from .live_server import live_api, uvicorn_command  # tests/api is a package

    env = {"AIWRITER_HOME": str(home)}                       # settings go in through env
    with live_api(env) as server:                            # uvicorn, 1 worker, a free port
        httpx.get(f"{server.url}/health")
    with live_api(env, workers=2) as server: ...             # uvicorn --workers 2
    with live_api(env, command=serve_command) as server: ... # through `aiwriter serve api`

- ``env``: added to the test process's environment minus its ``AIWRITER_*`` and provider
  variables (see ``inherited_environment``). Put settings here
  (``AIWRITER_HOME``, ``AIWRITER_DATABASE_URL``, ``AIWRITER_REDIS_URL``,
  ``AIWRITER_API_RATE_LIMIT_PER_MINUTE``...), never in ``os.environ``.
- ``command``: ``(port, workers) -> argv``; ``uvicorn_command`` (default) or
  ``serve_command``. ``extra_args`` are appended (e.g. ``["--log-config", path]``).
- The server is ready when ``GET ready_path`` (``/health``) answers 200; if the process
  dies or ``startup_timeout_s`` passes first, ``ServerFailedToStart`` carries its log.
- ``server.url`` (``http://127.0.0.1:PORT``), ``server.port``, ``server.process``,
  ``server.log()`` (everything the server printed so far).

Do not create the database schema from several workers at once: open the database once in
the test (``Workbench.open(...)`` migrates it, and you need it anyway to create users and
keys) before starting a multi-worker server.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from support import free_port, is_leaky

HOST = "127.0.0.1"
APP_FACTORY = "aiwriter_apps.api.app:create_app"
STOP_TIMEOUT_S = 15.0

Command = Callable[[int, int], list[str]]


class ServerFailedToStart(RuntimeError):
    """The server exited or did not become ready; the message ends with its log."""


def uvicorn_command(port: int, workers: int = 1) -> list[str]:
    """``python -m uvicorn aiwriter_apps.api.app:create_app --factory`` on 127.0.0.1:``port``."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        APP_FACTORY,
        "--factory",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def serve_command(port: int, workers: int = 1) -> list[str]:
    """The same server through the command line: ``aiwriter serve api``."""
    return [
        sys.executable,
        "-m",
        "aiwriter_kernel",
        "serve",
        "api",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def inherited_environment() -> dict[str, str]:
    """This process's environment without workbench settings or provider keys, so a server
    sees only the settings a test hands it (even from a module-scoped fixture, which runs
    before the autouse fixture that cleans the environment)."""
    return {name: value for name, value in os.environ.items() if not is_leaky(name)}


@dataclass
class LiveServer:
    """A started server process and where to reach it."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def live_api(
    env: Mapping[str, str],
    *,
    workers: int = 1,
    command: Command = uvicorn_command,
    extra_args: Sequence[str] = (),
    ready_path: str = "/health",
    startup_timeout_s: float = 60.0,
) -> Iterator[LiveServer]:
    """Start the API on a free port, wait until it is ready, yield it, stop it."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="aiwriter-live-") as scratch:
        log_path = Path(scratch) / "server.log"
        with log_path.open("wb") as log_file:
            # cwd is a scratch directory, so a developer's .env in the repository is not read.
            process = subprocess.Popen(
                [*command(port, workers), *extra_args],
                cwd=scratch,
                env={**inherited_environment(), **env},
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            server = LiveServer(f"http://{HOST}:{port}", port, process, log_path)
            try:
                _wait_until_ready(server, ready_path, startup_timeout_s)
                yield server
            finally:
                stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group we started (a clean uvicorn shutdown: the supervisor waits
    for its workers), SIGKILL the whole group if it hangs."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT_S)


def _wait_until_ready(server: LiveServer, path: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerFailedToStart(
                f"the server exited with {server.process.returncode}:\n{server.log()}"
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.url + path, timeout=2.0).status_code == 200:
                return
        time.sleep(0.1)
    raise ServerFailedToStart(f"no 200 from {path} after {timeout_s:g} s:\n{server.log()}")
