"""A key sent in a query string is refused, and a real uvicorn's access log keeps the request
line with every query value masked, whether started as uvicorn itself or by
``aiwriter serve api``."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from aiwriter_kernel import Workbench

from .live_server import Command, LiveServer, live_api, serve_command, uvicorn_command

SECRETS = ("SECRET-api-key-0042", "SECRET-token-0043")


def _wait_for_log(server: LiveServer, text: str, timeout_s: float = 10.0) -> str:
    """The server's log once it holds ``text`` (uvicorn writes the access line as the answer
    starts, which the client may see first)."""
    deadline = time.monotonic() + timeout_s
    while text not in server.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    return server.log()


@pytest.mark.server
@pytest.mark.parametrize("command", [uvicorn_command, serve_command], ids=["uvicorn", "serve"])
def test_query_values_are_masked_in_the_access_log(home: Path, command: Command) -> None:
    Workbench.open(home=home).close()  # migrated before the server starts
    with live_api({"AIWRITER_HOME": str(home)}, command=command) as server:
        by_query = httpx.get(f"{server.url}/api/drafts", params={"api_key": SECRETS[0]})
        health = httpx.get(f"{server.url}/health", params={"token": SECRETS[1], "n": "2"})
        log = _wait_for_log(server, "GET /health?")

    assert by_query.status_code == 401  # a key in the query is no key at all
    assert health.status_code == 200
    assert '"GET /api/drafts?api_key=*** HTTP/1.1" 401' in log, log
    assert '"GET /health?token=***&n=*** HTTP/1.1" 200' in log, log
    for secret in SECRETS:
        assert secret not in log
