"""Helpers several test folders share: what a test must keep out of its environment, a
throwaway PostgreSQL schema, Debian's headless Chromium, hand-made DOCX files and hostile
CSV cells. (Plain functions and constants, imported by conftest files and tests; pytest
puts this folder on ``sys.path``.)"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url

from aiwriter_kernel.store.engine import create_engine_for

LEAKY_PREFIXES = ("AIWRITER_", "OPENAI_")
LEAKY_NAMES = (
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "TAVILY_API_KEY",
    "EXA_API_KEY",
    "SERPER_API_KEY",
)
POSTGRES_SESSION_TIME_ZONE = "Pacific/Kiritimati"  # UTC+14
# Cells a spreadsheet would run as formulas: the topics of the security probe (issue 14).
FORMULA_CELLS = (
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
)
CHROMIUM = Path("/usr/bin/chromium")
WORD_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCX_RELATIONSHIPS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def browser_test_marks() -> list:
    """The marks of a test that starts a server and drives the real Chromium (skipped, with
    the way to install it, when Chromium is missing)."""
    import pytest

    missing = pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (run `make browser`)"
    )
    return [pytest.mark.slow, pytest.mark.browser, pytest.mark.server, missing]


def is_leaky(name: str) -> bool:
    """A developer's own setting or key, which must never reach a test or its servers."""
    return name.startswith(LEAKY_PREFIXES) or name in LEAKY_NAMES


def scrubbed_environ(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``environ`` (default: this process's) without the developer's settings and keys."""
    source = os.environ if environ is None else environ
    return {name: value for name, value in source.items() if not is_leaky(name)}


def postgres_schema(server_url: str) -> Iterator[str]:
    """Create a schema, yield a URL whose connections start in it, then drop it.

    psycopg hands "options" to the server: every connection starts in the schema, and in a
    time zone far from UTC so that any time not normalised to UTC shows up.
    """
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine_for(server_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        options = f"-csearch_path={schema} -ctimezone={POSTGRES_SESSION_TIME_ZONE}"
        url = make_url(server_url).update_query_dict({"options": options})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def headless_chromium(profile: Path, *, network_log: bool = False):
    """Debian's Chromium through its own chromedriver, headless, with a fresh profile and the
    background networking a closed machine refuses switched off (nothing is downloaded).
    With ``network_log``, the DevTools network events are kept for
    ``driver.get_log("performance")``, so a test can see every request the page made."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1400,2400",
    ):
        options.add_argument(argument)
    if network_log:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


def run_aiwriter(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess:
    """``aiwriter ARGS`` in a fresh process, as a user runs it (this environment, or ``env``):
    where the exit code and the one-line error on stderr are what is tested."""
    return subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ if env is None else env),
    )


def run_doctor(home: Path) -> tuple[int, dict[str, dict]]:
    """``aiwriter doctor --json`` on ``home`` in a fresh process: its exit code and its
    checks by name."""
    result = run_aiwriter("doctor", "--json", env={**os.environ, "AIWRITER_HOME": str(home)})
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    return result.returncode, checks


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_http(url: str, server: subprocess.Popen, log: Path, seconds: float) -> None:
    """Wait until ``url`` answers 200; fail with the server's log if it exits or never does."""
    import pytest

    name = Path(str(server.args[0] if isinstance(server.args, list) else server.args)).name
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"{name} exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {seconds} s:\n{log.read_text()}")


def wait_until(condition, seconds: float) -> None:
    """Poll ``condition`` every half second until it is true (selenium's wait, no browser)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(None, seconds, poll_frequency=0.5).until(lambda _: condition())


def visible(browser, by: str, selector: str, seconds: float):
    """The element once it is visible."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, seconds, poll_frequency=0.5).until(
        expected_conditions.visibility_of_element_located((by, selector))
    )


def minimal_docx(
    body: str, *, compression: int = zipfile.ZIP_DEFLATED, encoding: str = "utf-8"
) -> bytes:
    """The smallest DOCX python-docx opens: content types, one relationship and a document
    whose ``<w:body>`` holds ``body`` (XML with the ``w`` prefix)."""
    document = (
        f'<?xml version="1.0" encoding="{encoding}"?><w:document xmlns:w="{WORD_NAMESPACE}">'
        f"<w:body>{body}</w:body></w:document>"
    ).encode(encoding)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        archive.writestr("_rels/.rels", DOCX_RELATIONSHIPS)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def docx_bomb() -> bytes:
    """The probe's DOCX of issue 14: 2,000,000 empty paragraphs in a few kilobytes."""
    return minimal_docx("<w:p/>" * 2_000_000)


@contextlib.contextmanager
def sql_statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement ``engine`` runs inside the block: a test of how much work a
    request costs counts statements, which a loaded machine cannot make flaky."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
