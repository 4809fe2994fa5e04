"""Web search adapters against a fake API server on 127.0.0.1, and provider selection.

The fake server records each request (method, path, query, headers, JSON body) and answers
whatever the test scripts, so the adapters run their real HTTP code with no network.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr

from aiwriter_kernel.config import Settings
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.research.web.search import (
    ExaSearch,
    SearxngSearch,
    SerperSearch,
    TavilySearch,
    WebResult,
    WebSearchProvider,
    WebSearchUnavailable,
    web_search_from_settings,
)

KEY = "sk-test-9f8e7d6c5b4a"
QUERY = "home composting on a balcony"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


class FakeApi(ThreadingHTTPServer):
    """Answers every request with ``status`` and ``body``; remembers what it was sent."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ApiHandler)
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.body: bytes = b"{}"
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FakeApi:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def reply(self, payload: Any, status: int = 200) -> None:
        self.status = status
        self.body = json.dumps(payload).encode()

    @property
    def last(self) -> dict[str, Any]:
        return self.requests[-1]


class ApiHandler(BaseHTTPRequestHandler):
    server: FakeApi

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        self.server.requests.append(
            {
                "method": self.command,
                "path": parts.path,
                "query": {name: values[0] for name, values in parse_qs(parts.query).items()},
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "json": json.loads(raw) if raw else None,
            }
        )
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx honours proxy variables; requests to the fake server must not go anywhere else."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def api() -> Iterator[FakeApi]:
    with FakeApi() as server:
        yield server


def settings(**values: Any) -> Settings:
    """Settings from explicit values only (no .env file; the environment is cleaned)."""
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


# --- each adapter: where the key goes, what is sent, what is parsed ------------------------


def test_tavily_sends_key_and_query_and_parses_results(api: FakeApi) -> None:
    api.reply(
        {
            "query": QUERY,
            "results": [
                {"title": "Balcony composting", "url": "https://a.example/1", "content": "Bins."},
                {"title": "Worm farms", "url": "https://b.example/2", "content": "Worms  eat."},
            ],
        }
    )
    results = TavilySearch(KEY, base_url=api.url).search(QUERY, max_results=2)

    assert results == [
        WebResult(
            title="Balcony composting",
            url="https://a.example/1",
            snippet="Bins.",
            provider="tavily",
        ),
        WebResult(
            title="Worm farms", url="https://b.example/2", snippet="Worms eat.", provider="tavily"
        ),
    ]
    sent = api.last
    assert (sent["method"], sent["path"]) == ("POST", "/search")
    assert sent["json"]["query"] == QUERY
    assert sent["json"]["max_results"] == 2
    assert sent["json"]["api_key"] == KEY
    assert sent["headers"]["authorization"] == f"Bearer {KEY}"


def test_exa_sends_key_header_and_uses_text_or_highlights(api: FakeApi) -> None:
    api.reply(
        {
            "results": [
                {"title": "Compost guide", "url": "https://c.example/", "text": "Full text."},
                {"title": "Hot composting", "url": "https://d.example/", "highlights": ["A", "B"]},
            ]
        }
    )
    results = ExaSearch(KEY, base_url=api.url).search(QUERY, max_results=3)

    assert [result.snippet for result in results] == ["Full text.", "A … B"]
    assert {result.provider for result in results} == {"exa"}
    sent = api.last
    assert (sent["method"], sent["path"]) == ("POST", "/search")
    assert sent["headers"]["x-api-key"] == KEY
    assert sent["json"]["query"] == QUERY
    assert sent["json"]["numResults"] == 3
    assert KEY not in json.dumps(sent["json"])


def test_serper_sends_key_header_and_parses_organic_results(api: FakeApi) -> None:
    api.reply(
        {
            "searchParameters": {"q": QUERY},
            "organic": [
                {"title": "Composting 101", "link": "https://e.example/", "snippet": "Start."},
                {"title": "No link"},
            ],
        }
    )
    results = SerperSearch(KEY, base_url=api.url).search(QUERY)

    assert results == [
        WebResult(
            title="Composting 101", url="https://e.example/", snippet="Start.", provider="serper"
        )
    ]
    sent = api.last
    assert (sent["method"], sent["path"]) == ("POST", "/search")
    assert sent["headers"]["x-api-key"] == KEY
    assert sent["json"] == {"q": QUERY, "num": 5}


def test_searxng_asks_for_json_and_cuts_to_max_results(api: FakeApi) -> None:
    api.reply(
        {
            "query": QUERY,
            "results": [
                {"title": f"Result {n}", "url": f"https://f.example/{n}", "content": "Text"}
                for n in range(10)
            ],
        }
    )
    results = SearxngSearch(api.url + "/").search(QUERY, max_results=3)

    assert [result.url for result in results] == [f"https://f.example/{n}" for n in range(3)]
    assert results[0].provider == "searxng"
    sent = api.last
    assert (sent["method"], sent["path"]) == ("GET", "/search")
    assert sent["query"] == {"q": QUERY, "format": "json"}


def test_adapters_satisfy_the_protocol() -> None:
    for provider in (
        TavilySearch(KEY),
        ExaSearch(KEY),
        SerperSearch(KEY),
        SearxngSearch("http://s"),
    ):
        assert isinstance(provider, WebSearchProvider)


# --- failures, in words, without the key ---------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "setting"),
    [
        (TavilySearch, "TAVILY_API_KEY"),
        (ExaSearch, "EXA_API_KEY"),
        (SerperSearch, "SERPER_API_KEY"),
    ],
)
@pytest.mark.parametrize("status", [401, 403])
def test_a_rejected_key_is_reported_without_the_key(
    api: FakeApi,
    provider: type[TavilySearch],
    setting: str,
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    api.reply({"detail": {"error": "Unauthorized: missing or invalid API key."}}, status=status)
    search = provider(KEY, base_url=api.url)
    with caplog.at_level(logging.DEBUG), pytest.raises(WebSearchUnavailable) as caught:
        search.search(QUERY)

    message = str(caught.value)
    assert f"rejected the API key (HTTP {status})" in message
    assert setting in message
    assert KEY not in message
    assert KEY not in caplog.text
    assert KEY not in repr(search)


def test_searxng_403_explains_the_json_format(api: FakeApi) -> None:
    api.reply({}, status=403)
    with pytest.raises(WebSearchUnavailable, match=r"add json to search\.formats"):
        SearxngSearch(api.url).search(QUERY)


def test_server_errors_and_bad_json_are_reported(api: FakeApi) -> None:
    api.reply({"error": "boom"}, status=500)
    with pytest.raises(WebSearchUnavailable, match="Serper answered HTTP 500"):
        SerperSearch(KEY, base_url=api.url).search(QUERY)

    api.status, api.body = 200, b"<html>not json</html>"
    with pytest.raises(WebSearchUnavailable, match="not JSON"):
        SerperSearch(KEY, base_url=api.url).search(QUERY)


def test_an_unreachable_provider_is_unavailable() -> None:
    with socket.socket() as probe:  # a port nobody listens on: bind, note it, close
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(WebSearchUnavailable, match="Tavily could not be reached") as caught:
        TavilySearch(KEY, base_url=f"http://127.0.0.1:{port}", timeout_s=2).search(QUERY)
    assert KEY not in str(caught.value)


def test_searxng_messages_hide_credentials_in_its_url() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    search = SearxngSearch(f"http://admin:hunter2@127.0.0.1:{port}/searx", timeout_s=2)
    with pytest.raises(WebSearchUnavailable, match="could not be reached") as caught:
        search.search(QUERY)
    assert "hunter2" not in str(caught.value)
    assert "hunter2" not in repr(search)


def test_empty_query_and_bad_max_results_are_refused() -> None:
    with pytest.raises(ValidationError, match="empty"):
        TavilySearch(KEY).search("   ")
    with pytest.raises(ValidationError, match="at least 1"):
        TavilySearch(KEY).search(QUERY, max_results=0)


# --- choosing a provider from settings -----------------------------------------------------


def test_nothing_configured_names_every_setting() -> None:
    with pytest.raises(WebSearchUnavailable) as caught:
        web_search_from_settings(settings())
    message = str(caught.value)
    assert message.startswith("web search is not configured")
    for name in ("TAVILY_API_KEY", "EXA_API_KEY", "SERPER_API_KEY", "AIWRITER_SEARXNG_URL"):
        assert name in message


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"tavily_api_key": "t", "exa_api_key": "e", "serper_api_key": "s", "searxng_url": "u"},
            TavilySearch,
        ),
        ({"exa_api_key": "e", "serper_api_key": "s", "searxng_url": "http://s"}, ExaSearch),
        ({"serper_api_key": "s", "searxng_url": "http://s"}, SerperSearch),
        ({"searxng_url": "http://searx.lan:8080"}, SearxngSearch),
        ({"tavily_api_key": "  ", "serper_api_key": "s"}, SerperSearch),
    ],
)
def test_the_first_configured_provider_wins(values: dict[str, Any], expected: type) -> None:
    assert type(web_search_from_settings(settings(**values))) is expected


def test_keys_are_read_from_their_usual_environment_names(
    monkeypatch: pytest.MonkeyPatch, api: FakeApi
) -> None:
    monkeypatch.setenv("EXA_API_KEY", KEY)
    provider = web_search_from_settings(settings())
    assert provider.name == "exa"
    assert KEY not in repr(provider)

    provider = ExaSearch(SecretStr(KEY), base_url=api.url)
    api.reply({"results": []})
    assert provider.search(QUERY) == []
    assert api.last["headers"]["x-api-key"] == KEY
