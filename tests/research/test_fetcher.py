"""SafeFetcher: the address guard, redirects, limits, robots.txt and the polite rate.

Everything runs against a server on 127.0.0.1 that the tests start themselves. The autouse
``connections`` fixture wraps ``socket.create_connection`` (what httpcore connects with):
it records every connection attempt and refuses anything but 127.0.0.1, so no test can send
traffic off the machine even if the guard were broken, and tests can prove that refused
addresses were never even tried.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import re
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from aiwriter_kernel.errors import AIWriterError
from aiwriter_kernel.research.web.fetcher import (
    FetchError,
    FetchPolicy,
    HostRateLimiter,
    SafeFetcher,
)

ARTICLE = (
    b"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    b"<title>Home composting in small spaces</title></head><body><article>"
    b"<h1>Home composting in small spaces</h1>"
    b"<p>A balcony bin turns kitchen scraps into compost in about ten weeks.</p>"
    b"<p>Keep a ratio of roughly three parts browns to one part greens.</p>"
    b"</article></body></html>"
)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
ROBOTS = b"User-agent: *\nDisallow: /private/\n"

PAGES: dict[str, tuple[str, bytes]] = {
    "/article": ("text/html; charset=utf-8", ARTICLE),
    "/paper.pdf": ("application/pdf", PDF),
    "/image.png": ("image/png", PNG),
    "/private/report.html": ("text/html", ARTICLE),
}
REDIRECTS = {
    "/go/article": "/article",
    "/go/metadata": "http://169.254.169.254/latest/meta-data/",
    "/go/private": "http://10.0.0.1/",
    "/go/file": "file:///etc/passwd",
    "/loop/a": "/loop/b",
    "/loop/b": "/loop/a",
    **{f"/chain/{n}": f"/chain/{n - 1}" for n in range(1, 10)},
    "/chain/0": "/article",
}


class LocalSite(ThreadingHTTPServer):
    """A small website on 127.0.0.1 that records the paths it was asked for."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SiteHandler)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.robots_status = 200
        self.stopping = threading.Event()
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> LocalSite:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()  # wakes slow handlers so they end promptly
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


class SiteHandler(BaseHTTPRequestHandler):
    server: LocalSite

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers.items())))
        path = self.path.split("?", 1)[0]
        # The fetcher hangs up on purpose when a size or time limit trips.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route(path)

    def _route(self, path: str) -> None:
        if path == "/robots.txt":
            self._send(self.server.robots_status, "text/plain", ROBOTS)
        elif path in PAGES:
            self._send(200, *PAGES[path])
        elif path in REDIRECTS:
            self.send_response(302)
            self.send_header("Location", REDIRECTS[path])
            self.end_headers()
        elif path == "/huge":
            self._stream(b"x" * 65_536, times=200, pause_s=0)
        elif path == "/declared-huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "50000000")
            self.end_headers()
            self.wfile.write(b"only the beginning")
        elif path == "/slow":
            self.server.stopping.wait(5)
            self._send(200, "text/html", ARTICLE)
        elif path == "/drip":
            self._stream(b"<p>a little more</p>\n", times=200, pause_s=0.05)
        else:
            self._send(404, "text/html", b"<h1>Not found</h1>")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, chunk: bytes, *, times: int, pause_s: float) -> None:
        """A body without Content-Length, written piece by piece until the client leaves."""
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        for _ in range(times):
            self.wfile.write(chunk)
            self.wfile.flush()
            if self.server.stopping.wait(pause_s):
                return


class FakeClock:
    """Drives the rate limiter: ``sleep`` records the wait and moves time forward."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def numeric_only(host: str, port: int, **kwargs: Any) -> list[tuple[Any, ...]]:
    """The real resolver, limited to numeric hosts so no test ever sends a DNS query."""
    return socket.getaddrinfo(host, port, flags=socket.AI_NUMERICHOST, **kwargs)


def fake_dns(table: dict[str, list[str]]) -> Callable[..., list[tuple[Any, ...]]]:
    """A resolver answering from ``table``, as getaddrinfo would."""

    def resolve(host: str, port: int, **kwargs: Any) -> list[tuple[Any, ...]]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in ip else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (ip, port),
            )
            for ip in table[host]
        ]

    return resolve


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every TCP connection attempt in the test; only 127.0.0.1 is let through."""
    attempts: list[tuple[str, int]] = []
    real_create_connection = socket.create_connection

    def guarded(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        attempts.append((address[0], address[1]))
        if address[0] != "127.0.0.1":
            raise OSError(f"test refused a connection to {address[0]}")
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    return attempts


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def local_fetcher(clock: FakeClock) -> Iterator[Callable[..., SafeFetcher]]:
    """Make fetchers allowed to reach 127.0.0.1 (and only that), with a recorded sleep."""
    made: list[SafeFetcher] = []

    def make(**policy: Any) -> SafeFetcher:
        policy.setdefault("allow_hosts", ("127.0.0.1",))
        fetcher = SafeFetcher(FetchPolicy(**policy), sleep=clock.sleep, clock=clock.clock)
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


# --- fetching from the local site (allow-list open for 127.0.0.1) --------------------------


def test_fetches_a_page(site: LocalSite, local_fetcher: Callable[..., SafeFetcher]) -> None:
    page = local_fetcher().fetch(site.url("/article"))

    assert page.content == ARTICLE
    assert page.status == 200
    assert page.url == site.url("/article")
    assert page.content_type == "text/html; charset=utf-8"
    assert page.media_type == "text/html"
    assert page.fetched_at.tzinfo is not None
    path, headers = site.requests[-1]
    assert path == "/article"
    assert headers["Host"] == f"127.0.0.1:{site.port}"
    assert headers["User-Agent"] == "aiwriter/0.1 (+research workbench)"


def test_reports_the_final_url_after_a_redirect(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher]
) -> None:
    page = local_fetcher().fetch(site.url("/go/article"))

    assert page.url == site.url("/article")
    assert page.content == ARTICLE
    assert site.paths == ["/robots.txt", "/go/article", "/article"]


def test_fetches_binary_pdf_unchanged(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher]
) -> None:
    page = local_fetcher().fetch(site.url("/paper.pdf"))

    assert page.content == PDF
    assert page.media_type == "application/pdf"


def test_stops_reading_a_body_past_max_bytes(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher]
) -> None:
    with pytest.raises(FetchError, match="larger than 100000 bytes"):
        local_fetcher(max_bytes=100_000).fetch(site.url("/huge"))


def test_refuses_a_declared_oversize_body_before_reading(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher]
) -> None:
    with pytest.raises(FetchError, match=r"larger than 1000 bytes \(50000000\)"):
        local_fetcher(max_bytes=1_000).fetch(site.url("/declared-huge"))


def test_gives_up_on_a_server_that_does_not_answer(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher]
) -> None:
    with pytest.raises(FetchError, match=r"gave up on .*/slow: no answer within 0.3 s"):
        local_fetcher(timeout_s=0.3).fetch(site.url("/slow"))


def test_time_limit_covers_the_whole_fetch_not_each_read(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher]
) -> None:
    """A body trickling in faster than any read timeout still stops at the overall limit."""
    with pytest.raises(FetchError, match=r"took longer than 0.4 s"):
        local_fetcher(timeout_s=0.4).fetch(site.url("/drip"))


def test_refuses_a_content_type_outside_the_list(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher]
) -> None:
    with pytest.raises(FetchError, match="content type 'image/png'"):
        local_fetcher().fetch(site.url("/image.png"))


def test_http_errors_carry_the_status(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher]
) -> None:
    with pytest.raises(FetchError, match="answered HTTP 404") as caught:
        local_fetcher().fetch(site.url("/missing"))
    assert caught.value.status == 404
    assert isinstance(caught.value, AIWriterError)


def test_respects_robots_disallow(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher]
) -> None:
    with pytest.raises(FetchError, match=r"robots\.txt disallows it"):
        local_fetcher().fetch(site.url("/private/report.html"))
    assert site.paths == ["/robots.txt"]  # the page itself was never requested


def test_reads_robots_once_per_host(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher]
) -> None:
    fetcher = local_fetcher()
    fetcher.fetch(site.url("/article"))
    fetcher.fetch(site.url("/paper.pdf"))

    assert site.paths == ["/robots.txt", "/article", "/paper.pdf"]


def test_missing_robots_allows_everything(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher]
) -> None:
    site.robots_status = 404
    assert local_fetcher().fetch(site.url("/private/report.html")).content == ARTICLE


def test_broken_robots_allows_with_a_warning(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher], caplog: pytest.LogCaptureFixture
) -> None:
    site.robots_status = 500
    with caplog.at_level(logging.WARNING, logger="aiwriter_kernel.research.web.fetcher"):
        page = local_fetcher().fetch(site.url("/private/report.html"))
    assert page.content == ARTICLE
    assert "robots.txt unavailable" in caplog.text


def test_robots_can_be_ignored_by_policy(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher]
) -> None:
    local_fetcher(respect_robots=False).fetch(site.url("/private/report.html"))
    assert site.paths == ["/private/report.html"]


def test_refuses_a_redirect_loop(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher]
) -> None:
    with pytest.raises(FetchError, match="redirects in a loop"):
        local_fetcher().fetch(site.url("/loop/a"))


def test_refuses_too_many_redirects(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher]
) -> None:
    with pytest.raises(FetchError, match="more than 2 redirects"):
        local_fetcher(max_redirects=2).fetch(site.url("/chain/5"))
    assert local_fetcher(max_redirects=6).fetch(site.url("/chain/5")).content == ARTICLE


def test_spaces_requests_to_one_host(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher], clock: FakeClock
) -> None:
    fetcher = local_fetcher(min_interval_per_host_s=1.0)
    fetcher.fetch(site.url("/article"))
    fetcher.fetch(site.url("/article"))

    # robots.txt goes first without waiting; each page then waits its turn.
    assert clock.waits == [1.0, 1.0]


def test_rate_limiter_queues_concurrent_callers() -> None:
    clock = FakeClock()
    limiter = HostRateLimiter(1.0, sleep=lambda _: None, clock=clock.clock)
    waits: list[float] = []
    threads = [
        threading.Thread(target=lambda: waits.append(limiter.wait("example.org"))) for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(waits) == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert limiter.wait("other.example") == 0.0


# --- the address guard, with the default policy (no allow-list) ----------------------------


def test_refuses_loopback_before_connecting(
    site: LocalSite, connections: list[tuple[str, int]]
) -> None:
    with SafeFetcher() as fetcher, pytest.raises(FetchError, match="loopback address"):
        fetcher.fetch(site.url("/article"))
    assert site.requests == []
    assert connections == []


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://localhost:{port}/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://2130706433/", "loopback"),
        ("http://0x7f000001/", "loopback"),
        ("http://0x7f.1/", "loopback"),
        ("http://017700000001/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://10.1.2.3/", "private"),
        ("http://172.16.5.4/", "private"),
        ("http://192.168.0.1/", "private"),
        ("http://[fd00::1]/", "private"),
        ("http://100.64.0.1/", r"shared \(carrier-grade NAT\)"),
        ("http://224.0.0.1/", "multicast"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://240.0.0.1/", "(private|reserved)"),  # Python versions disagree on 240/4
    ],
)
def test_refuses_non_public_addresses(
    url: str, kind: str, site: LocalSite, connections: list[tuple[str, int]]
) -> None:
    hosts = fake_dns({"localhost": ["127.0.0.1", "::1"]})

    def resolver(host: str, port: int, **kwargs: Any) -> list[tuple[Any, ...]]:
        return hosts(host, port) if host == "localhost" else numeric_only(host, port, **kwargs)

    with SafeFetcher(resolver=resolver) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(url.format(port=site.port))
    assert re.search(f"{kind} address", str(caught.value))
    assert "only public ones are fetched" in str(caught.value)
    assert connections == []
    assert site.requests == []


def test_default_resolver_sees_through_numeric_hosts(connections: list[tuple[str, int]]) -> None:
    """socket.getaddrinfo reads 2130706433 as 127.0.0.1 by itself (no DNS query)."""
    with SafeFetcher() as fetcher, pytest.raises(FetchError, match=r"\(127.0.0.1\) is a loopback"):
        fetcher.fetch("http://2130706433/")
    assert connections == []


def test_refuses_a_name_that_resolves_to_a_private_address(
    connections: list[tuple[str, int]],
) -> None:
    resolver = fake_dns({"intranet.example": ["10.0.0.5"]})
    with SafeFetcher(resolver=resolver) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch("http://intranet.example/wiki")
    assert "intranet.example (10.0.0.5) is a private address" in str(caught.value)
    assert connections == []


def test_refuses_a_name_with_any_private_address(connections: list[tuple[str, int]]) -> None:
    resolver = fake_dns({"mixed.example": ["93.184.216.34", "10.0.0.5"]})
    with SafeFetcher(resolver=resolver) as fetcher, pytest.raises(FetchError, match="private"):
        fetcher.fetch("https://mixed.example/")
    assert connections == []


def test_refuses_a_name_that_does_not_resolve() -> None:
    with (
        SafeFetcher(resolver=fake_dns({})) as fetcher,
        pytest.raises(FetchError, match=r"could not resolve nowhere\.example"),
    ):
        fetcher.fetch("https://nowhere.example/")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/file.txt",
        "file:///etc/passwd",
        "data:text/html,<h1>hi</h1>",
        "gopher://127.0.0.1:70/",
        "javascript:alert(1)",
    ],
)
def test_refuses_other_schemes(url: str, connections: list[tuple[str, int]]) -> None:
    with SafeFetcher() as fetcher, pytest.raises(FetchError, match="only http and https"):
        fetcher.fetch(url)
    assert connections == []


def test_refuses_credentials_in_urls_without_repeating_them(
    site: LocalSite, local_fetcher: Callable[..., SafeFetcher]
) -> None:
    with pytest.raises(FetchError, match="user name or password") as caught:
        local_fetcher().fetch(f"http://alice:s3cr3t@127.0.0.1:{site.port}/article")
    assert "s3cr3t" not in str(caught.value)
    assert "alice" not in str(caught.value)
    assert site.requests == []


def test_messages_leave_out_query_strings() -> None:
    with SafeFetcher() as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch("http://10.1.2.3/report?token=abc123#frag")
    assert "abc123" not in str(caught.value)
    assert "http://10.1.2.3/report" in str(caught.value)


# --- redirects to forbidden places (allow-list open for 127.0.0.1 only) -------------------


@pytest.mark.parametrize(
    ("path", "message", "forbidden_host"),
    [
        ("/go/metadata", "169.254.169.254 is a link-local address", "169.254.169.254"),
        ("/go/private", "10.0.0.1 is a private address", "10.0.0.1"),
        ("/go/file", "only http and https", None),
    ],
)
def test_refuses_a_redirect_to_a_forbidden_place_before_connecting(
    path: str,
    message: str,
    forbidden_host: str | None,
    site: LocalSite,
    local_fetcher: Callable[..., SafeFetcher],
    connections: list[tuple[str, int]],
) -> None:
    with pytest.raises(FetchError, match=message) as caught:
        local_fetcher().fetch(site.url(path))
    assert f"redirected from {site.url(path)}" in str(caught.value)
    assert site.paths == ["/robots.txt", path]
    assert connections  # the local hops did connect...
    assert {host for host, _ in connections} == {"127.0.0.1"}  # ...and nothing else did
    if forbidden_host:
        assert all(host != forbidden_host for host, _ in connections)


# --- DNS rebinding: the request goes to the address that was checked -----------------------


def test_connects_to_the_checked_address_with_the_original_host_name(
    connections: list[tuple[str, int]],
) -> None:
    """The resolver answers a public address once, then a private one (a rebinding attack).

    The fetcher resolves once, checks, and sends the request to that very address with the
    site's name in Host and SNI; the second answer is never asked for. A MockTransport
    stands in for the network, so no connection is made at all.
    """
    answers = iter([["93.184.216.34"], ["10.0.0.5"], ["10.0.0.5"]])
    calls: list[str] = []

    def rebinding(host: str, port: int, **kwargs: Any) -> list[tuple[Any, ...]]:
        calls.append(host)
        return fake_dns({host: next(answers)})(host, port)

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=ARTICLE)

    with SafeFetcher(
        resolver=rebinding, sleep=lambda _: None, transport=httpx.MockTransport(handler)
    ) as fetcher:
        page = fetcher.fetch("https://example.org/articles/compost?ref=1")

    assert page.url == "https://example.org/articles/compost?ref=1"
    assert calls == ["example.org"]
    assert [request.url.path for request in seen] == ["/robots.txt", "/articles/compost"]
    for request in seen:
        assert request.url.host == "93.184.216.34"
        assert request.headers["Host"] == "example.org"
        assert request.extensions["sni_hostname"] == "example.org"
    assert connections == []


def test_policy_lists_are_normalised() -> None:
    policy = FetchPolicy(allow_hosts=(" Intranet.Example. ", "10.0.0.0/8"))
    assert policy.allow_hosts == ("intranet.example", "10.0.0.0/8")


def test_allow_list_accepts_host_names_and_networks(connections: list[tuple[str, int]]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": "text/plain"}, content=b"ok")

    resolver = fake_dns({"intranet.example": ["10.0.0.5"], "wiki.lan": ["192.168.1.9"]})
    policy = FetchPolicy(allow_hosts=("intranet.example", "192.168.1.0/24"), respect_robots=False)
    with SafeFetcher(
        policy, resolver=resolver, sleep=lambda _: None, transport=httpx.MockTransport(handler)
    ) as fetcher:
        assert fetcher.fetch("http://intranet.example/").content == b"ok"
        assert fetcher.fetch("http://wiki.lan/").content == b"ok"
        with pytest.raises(FetchError, match="private address"):
            fetcher.fetch("http://10.9.9.9/")
    assert connections == []


# --- https: the pinned connection still speaks TLS to the site's own name ------------------


def _tls_contexts(tmp_path: Path, name: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A throwaway CA and a certificate for ``name``: (server context, client context)."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def issue(subject: str, key: Any, issuer: Any, issuer_key: Any, *, ca: bool) -> Any:
        now = datetime.datetime.now(datetime.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False
            )
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, site_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aiwriter test CA")])
    ca_cert = issue("aiwriter test CA", ca_key, ca_name, ca_key, ca=True)
    site_cert = issue(name, site_key, ca_name, ca_key, ca=False)
    pem = serialization.Encoding.PEM
    (tmp_path / "site.pem").write_bytes(
        site_cert.public_bytes(pem)
        + site_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(tmp_path / "site.pem")
    client = ssl.create_default_context(cadata=ca_cert.public_bytes(pem).decode())
    return server, client


@pytest.fixture
def tls_site(tmp_path: Path) -> Iterator[tuple[LocalSite, ssl.SSLContext, list[str]]]:
    """The local site over https with a certificate for ``site.test``; records SNI names."""
    server_context, client_context = _tls_contexts(tmp_path, "site.test")
    sni_names: list[str] = []

    def record_sni(_socket: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        sni_names.append(name or "")

    server_context.sni_callback = record_sni
    site = LocalSite()
    site.socket = server_context.wrap_socket(site.socket, server_side=True)
    with site:
        yield site, client_context, sni_names


def test_https_goes_to_the_checked_address_with_sni_and_certificate_of_the_name(
    tls_site: tuple[LocalSite, ssl.SSLContext, list[str]],
    connections: list[tuple[str, int]],
) -> None:
    site, client_context, sni_names = tls_site
    resolver = fake_dns({"site.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    policy = FetchPolicy(allow_hosts=("127.0.0.1",), min_interval_per_host_s=0)
    transport = httpx.HTTPTransport(verify=client_context)
    with SafeFetcher(policy, resolver=resolver, transport=transport) as fetcher:
        page = fetcher.fetch(f"https://site.test:{site.port}/article")
        assert page.content == ARTICLE
        assert page.url == f"https://site.test:{site.port}/article"
        assert sni_names == ["site.test", "site.test"]  # robots.txt, then the page
        assert site.requests[-1][1]["Host"] == f"site.test:{site.port}"

        # Same address, another name: the certificate is checked against the name.
        with pytest.raises(FetchError, match="CERTIFICATE_VERIFY_FAILED"):
            fetcher.fetch(f"https://other.test:{site.port}/article")
    assert {host for host, _ in connections} == {"127.0.0.1"}
