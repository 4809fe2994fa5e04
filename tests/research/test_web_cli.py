"""`aiwriter web`: clear when not configured, results through the configured provider."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Searx(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(
            {
                "results": [
                    {
                        "title": "Title tags",
                        "url": "https://example.org/title",
                        "content": "About titles.",
                    }
                ]
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def searx() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Searx)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def run_cli(*args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_not_configured_is_one_clear_line(home) -> None:
    result = run_cli("web", "title tags")
    assert result.returncode == 1
    assert "web search is not configured" in result.stderr and "Traceback" not in result.stderr


def test_results_come_from_the_configured_provider(home, searx) -> None:
    result = run_cli("web", "title tags", "--json", env={"AIWRITER_SEARXNG_URL": searx})
    assert result.returncode == 0, result.stderr
    (found,) = json.loads(result.stdout)["results"]
    assert found["url"] == "https://example.org/title" and found["provider"] == "searxng"
