"""Pluggable web search: a query in, a short list of result links out.

Four adapters speak to Tavily, Exa, Serper and a SearXNG instance. Each is a small class
over httpx with an overridable ``base_url`` (tests point it at a local fake server) and its
key passed explicitly, never read from ``os.environ``; ``web_search_from_settings`` picks
the first one the settings configure. Keys are kept as ``SecretStr`` and scrubbed from
every message, so they never reach logs, tracebacks or ``repr``.

Result URLs come from third parties: fetch them only through ``fetcher.SafeFetcher``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr

from aiwriter_kernel.config import Settings
from aiwriter_kernel.errors import AIWriterError, ValidationError

DEFAULT_TIMEOUT_S = 20.0
SNIPPET_MAX_CHARS = 1_000
NOT_CONFIGURED = (
    "web search is not configured: set TAVILY_API_KEY, EXA_API_KEY, SERPER_API_KEY "
    "or AIWRITER_SEARXNG_URL"
)


class WebSearchUnavailable(AIWriterError):
    """Web search cannot be used: not configured, unreachable, or the key was refused."""


class WebResult(BaseModel):
    """One search hit: a link to fetch and cite, with the provider's snippet."""

    model_config = ConfigDict(frozen=True)

    title: str
    url: str
    snippet: str = ""
    provider: str


@runtime_checkable
class WebSearchProvider(Protocol):
    """What the research layer needs from a search engine."""

    name: str

    def search(self, query: str, *, max_results: int = 5) -> list[WebResult]:
        """Return at most ``max_results`` results, best first."""
        ...


class _HttpSearchProvider:
    """Shared plumbing: one HTTP call, errors in plain words, secrets kept out of them."""

    name = "web search"
    label = "Web search"
    key_setting = ""
    default_base_url = ""

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        *,
        base_url: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        key = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key or "")
        self._api_key = key
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={display_base(self.base_url)!r})"

    def search(self, query: str, *, max_results: int = 5) -> list[WebResult]:
        """Search, then cut the provider's answer to ``max_results`` well-formed results."""
        query = query.strip()
        if not query:
            raise ValidationError("the search query is empty")
        if max_results < 1:
            raise ValidationError("max_results must be at least 1")
        payload = self._call(query, max_results)
        results = [result for result in self._parse(payload) if result.url]
        return results[:max_results]

    def _call(self, query: str, max_results: int) -> Any:
        raise NotImplementedError

    def _parse(self, payload: Any) -> list[WebResult]:
        raise NotImplementedError

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one request and return its JSON, or raise ``WebSearchUnavailable``."""
        try:
            with httpx.Client(timeout=self.timeout_s) as client:
                response = client.request(method, f"{self.base_url}{path}", **kwargs)
        except httpx.TimeoutException as exc:
            raise self._unavailable(f"did not answer within {self.timeout_s:g} s") from exc
        except httpx.HTTPError as exc:
            raise self._unavailable(f"could not be reached: {_reason(exc)}") from exc
        self._check_status(response)
        try:
            return response.json()
        except ValueError as exc:
            raise self._unavailable("returned an answer that is not JSON") from exc

    def _check_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status in (401, 403):
            raise self._unavailable(
                f"rejected the API key (HTTP {status}): check {self.key_setting}"
            )
        if status == 429:
            raise self._unavailable("is rate limiting us (HTTP 429): try again later")
        if status >= 400:
            raise self._unavailable(f"answered HTTP {status}")

    def _unavailable(self, problem: str) -> WebSearchUnavailable:
        return WebSearchUnavailable(self._scrub(f"{self.label} {problem}"))

    def _scrub(self, text: str) -> str:
        """Belt and braces: a key must never appear in a message, whatever produced it."""
        secret = self._api_key.get_secret_value()
        return text.replace(secret, "********") if secret else text


class TavilySearch(_HttpSearchProvider):
    """Tavily: ``POST /search``; the key goes as a Bearer token and, for older API
    versions, as ``api_key`` in the JSON body; results are ``results[].title/url/content``.
    """

    name = "tavily"
    label = "Tavily"
    key_setting = "TAVILY_API_KEY"
    default_base_url = "https://api.tavily.com"

    def _call(self, query: str, max_results: int) -> Any:
        key = self._api_key.get_secret_value()
        body = {"api_key": key, "query": query, "max_results": max_results}
        headers = {"Authorization": f"Bearer {key}"}
        return self._request("POST", "/search", json=body, headers=headers)

    def _parse(self, payload: Any) -> list[WebResult]:
        return [
            _result(item.get("title"), item.get("url"), item.get("content"), self.name)
            for item in _items(payload, "results")
        ]


class ExaSearch(_HttpSearchProvider):
    """Exa: ``POST /search`` with an ``x-api-key`` header; asks for page text and uses
    ``results[].text`` (or ``highlights``, or ``summary``) as the snippet.
    """

    name = "exa"
    label = "Exa"
    key_setting = "EXA_API_KEY"
    default_base_url = "https://api.exa.ai"

    def _call(self, query: str, max_results: int) -> Any:
        body = {
            "query": query,
            "numResults": max_results,
            "contents": {"text": {"maxCharacters": SNIPPET_MAX_CHARS}},
        }
        headers = {"x-api-key": self._api_key.get_secret_value()}
        return self._request("POST", "/search", json=body, headers=headers)

    def _parse(self, payload: Any) -> list[WebResult]:
        return [
            _result(item.get("title"), item.get("url"), _exa_snippet(item), self.name)
            for item in _items(payload, "results")
        ]


class SerperSearch(_HttpSearchProvider):
    """Serper (Google results): ``POST /search`` with ``X-API-KEY``; ``organic[]`` holds
    ``title/link/snippet``.
    """

    name = "serper"
    label = "Serper"
    key_setting = "SERPER_API_KEY"
    default_base_url = "https://google.serper.dev"

    def _call(self, query: str, max_results: int) -> Any:
        headers = {"X-API-KEY": self._api_key.get_secret_value()}
        body = {"q": query, "num": max_results}
        return self._request("POST", "/search", json=body, headers=headers)

    def _parse(self, payload: Any) -> list[WebResult]:
        return [
            _result(item.get("title"), item.get("link"), item.get("snippet"), self.name)
            for item in _items(payload, "organic")
        ]


class SearxngSearch(_HttpSearchProvider):
    """A SearXNG instance: ``GET /search?q=…&format=json``; no key. The instance must list
    ``json`` under ``search.formats`` in its settings.yml, or it answers 403.
    """

    name = "searxng"
    label = "SearXNG"
    key_setting = "AIWRITER_SEARXNG_URL"

    def __init__(self, base_url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        super().__init__(None, base_url=base_url, timeout_s=timeout_s)
        self.label = f"SearXNG at {display_base(self.base_url)}"

    def _call(self, query: str, max_results: int) -> Any:
        return self._request("GET", "/search", params={"q": query, "format": "json"})

    def _check_status(self, response: httpx.Response) -> None:
        if response.status_code == 403:
            raise self._unavailable(
                "refused JSON output (HTTP 403): add json to search.formats in its settings.yml"
            )
        super()._check_status(response)

    def _parse(self, payload: Any) -> list[WebResult]:
        return [
            _result(item.get("title"), item.get("url"), item.get("content"), self.name)
            for item in _items(payload, "results")
        ]


def web_search_from_settings(
    settings: Settings, *, timeout_s: float = DEFAULT_TIMEOUT_S
) -> WebSearchProvider:
    """The first configured provider, in the order Tavily, Exa, Serper, SearXNG."""
    keyed: list[tuple[SecretStr | None, type[_HttpSearchProvider]]] = [
        (settings.tavily_api_key, TavilySearch),
        (settings.exa_api_key, ExaSearch),
        (settings.serper_api_key, SerperSearch),
    ]
    for key, provider in keyed:
        if key is not None and key.get_secret_value().strip():
            return provider(SecretStr(key.get_secret_value().strip()), timeout_s=timeout_s)
    if settings.searxng_url and settings.searxng_url.strip():
        return SearxngSearch(settings.searxng_url.strip(), timeout_s=timeout_s)
    raise WebSearchUnavailable(NOT_CONFIGURED)


def display_base(url: str) -> str:
    """A base URL fit for messages: scheme, host and port only (no user info or path)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return "<invalid URL>"
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"


def _items(payload: Any, key: str) -> list[dict[str, Any]]:
    """The list under ``key`` in a JSON object, keeping only objects."""
    items = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict)]


def _exa_snippet(item: dict[str, Any]) -> Any:
    """Exa returns ``text`` when asked; ``highlights`` or ``summary`` when so configured."""
    highlights = item.get("highlights")
    if isinstance(highlights, list):
        joined = " … ".join(h for h in highlights if isinstance(h, str))
    else:
        joined = ""
    return item.get("text") or joined or item.get("summary")


def _result(title: Any, url: Any, snippet: Any, provider: str) -> WebResult:
    url_text = url.strip() if isinstance(url, str) else ""
    title_text = title.strip() if isinstance(title, str) and title.strip() else url_text
    snippet_text = " ".join(snippet.split()) if isinstance(snippet, str) else ""
    return WebResult(
        title=title_text,
        url=url_text,
        snippet=snippet_text[:SNIPPET_MAX_CHARS],
        provider=provider,
    )


def _reason(exc: httpx.HTTPError) -> str:
    """A short cause for a network failure, without the request URL."""
    return str(exc) or type(exc).__name__
