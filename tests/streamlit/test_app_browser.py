"""The app for real: ``streamlit run`` on 127.0.0.1 and headless Chromium, as a person sees it.

Chromium writes an article on the Write page, and visits every page to check that the app is
finished and offline: no "Deploy" button, and no request to any host but the app's own. The
server is started the plain way (``streamlit run Home.py`` from another directory, no flags)
so what is tested is the ``.streamlit/config.toml`` shipped beside ``Home.py``. A screenshot of
every page is saved under ``artifacts/streamlit/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support import (
    browser_test_marks,
    free_port,
    headless_chromium,
    visible,
    wait_for_http,
    wait_until,
)

from aiwriter_kernel.workbench import Workbench

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "streamlit"
START_S, WORK_S = 120, 300  # generous bounds for the server to start and a draft to be written
TOPIC = "How to write readable web content"
PAGES = (  # (URL path, the page's title): every page of the app
    ("", "AI Writer"),
    ("Research", "Research"),
    ("Write", "Write"),
    ("Repurpose", "Repurpose"),
    ("SEO_and_readability", "SEO & readability"),
    ("Batch", "Batch"),
    ("Library", "Library"),
    ("Settings", "Settings"),
)

pytestmark = browser_test_marks()


@pytest.fixture
def app_url(corpus_home: Path, tmp_path: Path) -> Iterator[str]:
    """The app served by ``streamlit run`` on a free local port; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIWRITER_", "OPENAI_"))}
    env["AIWRITER_HOME"] = str(corpus_home)
    log = tmp_path / "streamlit.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO / "apps" / "streamlit" / "Home.py"),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
    ]  # telemetry and the toolbar are left to the app's own config.toml, read from any cwd
    with log.open("w") as output:
        server = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for_http(f"{base}/_stcore/health", server, log, START_S)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    """Debian's headless Chromium through its own chromedriver (nothing is downloaded)."""
    driver = headless_chromium(tmp_path / "chromium-profile", network_log=True)
    try:
        yield driver
    finally:
        driver.quit()


def test_write_page_writes_an_article_in_a_real_browser(
    app_url: str, browser, corpus_home: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{app_url}/Write")
    topic = visible(browser, By.CSS_SELECTOR, "input[aria-label='Topic']", START_S)
    topic.send_keys(TOPIC)
    _button(browser, "Plan the outline").click()

    outline = visible(browser, By.CSS_SELECTOR, "textarea", WORK_S)
    wait_until(lambda: outline.get_attribute("value").startswith("# "), WORK_S)
    _button(browser, "Write the draft").click()

    article = visible(browser, By.CSS_SELECTOR, ".st-key-aiw-article h2", WORK_S)
    with Workbench.open(home=corpus_home) as wb:
        (draft,) = wb.drafts()
        stored = wb.version(draft.id)
    assert stored.stage == "draft"
    container = browser.find_element(By.CSS_SELECTOR, ".st-key-aiw-article")
    title = container.find_element(By.TAG_NAME, "h1").text
    assert title and title.lower() == draft.title.lower()
    first_heading = next(line[3:] for line in stored.content.splitlines() if line.startswith("## "))
    assert article.text.strip() == first_heading.strip()
    assert not container.find_elements(By.CSS_SELECTOR, "script, img, iframe")
    browser.execute_script("arguments[0].scrollIntoView();", container)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "write_article.png"))


def test_every_page_is_finished_and_offline(app_url: str, browser, corpus_home: Path) -> None:
    """Each page renders with no "Deploy" button and no developer menu, and the browser
    asks nothing of any host but the app's own (no telemetry, fonts or CDN)."""
    from selenium.webdriver.common.by import By

    with Workbench.open(home=corpus_home) as wb:  # a draft, so the Library has one to show
        wb.write(TOPIC)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requested: list[str] = []
    for path, title in PAGES:
        browser.get(f"{app_url}/{path}")
        heading = visible(browser, By.CSS_SELECTOR, "h1", START_S)
        wait_until(lambda: heading.text.strip() == title, START_S)  # noqa: B023
        _wait_for_the_run(browser)
        if path == "Research":
            _search(browser, "readable headlines")
        assert not _deploy_buttons(browser), f"a Deploy button on {path or 'Home'}"
        assert browser.save_screenshot(str(ARTIFACTS / f"page_{path or 'Home'}.png"))
        requested += requested_urls(browser)

    assert any(url.startswith(app_url) for url in requested), "the network log is empty"
    off_loopback = sorted({url for url in requested if not _is_local(url)})
    assert off_loopback == [], f"requests off 127.0.0.1: {off_loopback}"


def test_settings_says_at_once_that_openai_needs_a_key(app_url: str, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{app_url}/Settings")
    visible(browser, By.CSS_SELECTOR, "input[aria-label='Provider']", START_S).click()
    visible(browser, By.XPATH, "//*[@role='option'][normalize-space(.)='openai']", 30).click()
    _button(browser, "Use these settings").click()

    warning = visible(browser, By.CSS_SELECTOR, "[data-testid='stAlertContentWarning']", WORK_S)
    assert "openai cannot write yet" in warning.text
    assert "OPENAI_API_KEY" in warning.text and "API key" in warning.text
    _wait_for_the_run(browser)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "page_Settings_openai_without_key.png"))


def requested_urls(browser) -> list[str]:
    """The URLs of the requests and WebSockets the page made since the last call, from
    Chromium's DevTools network events (``goog:loggingPrefs`` performance log)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
            params = message["params"]
            urls.append(params["request"]["url"] if "request" in params else params["url"])
    return urls


# -- helpers -------------------------------------------------------------------------------


def _is_local(url: str) -> bool:
    """A loopback URL, or one that never goes on the network (data:, blob:, and chrome:
    pages such as the new tab the browser starts on)."""
    parsed = urlsplit(url)
    if parsed.scheme not in ("http", "https", "ws", "wss"):
        return True
    return parsed.hostname in ("127.0.0.1", "localhost", "::1")


def _deploy_buttons(browser) -> list:
    """Streamlit's developer toolbar: the "Deploy" button and the main menu that holds it."""
    from selenium.webdriver.common.by import By

    found = browser.find_elements(By.XPATH, "//button[normalize-space(.)='Deploy']")
    return found + browser.find_elements(
        By.CSS_SELECTOR, "[data-testid='stAppDeployButton'], [data-testid='stMainMenu']"
    )


def _wait_for_the_run(browser) -> None:
    """Until the page's script has finished (Streamlit's "running" indicator is gone)."""
    from selenium.webdriver.common.by import By

    time.sleep(1)  # the indicator shows a moment after the page's first paint
    wait_until(
        lambda: not browser.find_elements(By.CSS_SELECTOR, "[data-testid='stStatusWidget']"),
        WORK_S,
    )


def _search(browser, query: str) -> None:
    """Search the knowledge base on the Research page, so its hits are on the screenshot."""
    from selenium.webdriver.common.by import By

    visible(browser, By.CSS_SELECTOR, "input[aria-label='Query']", START_S).send_keys(query)
    _button(browser, "Search").click()
    visible(browser, By.CSS_SELECTOR, ".st-key-research_hit_1", WORK_S)
    _wait_for_the_run(browser)


def _button(browser, label: str):
    """The enabled, clickable button whose text is ``label``."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    xpath = f"//button[normalize-space(.)='{label}']"
    return WebDriverWait(browser, START_S, poll_frequency=0.5).until(
        expected_conditions.element_to_be_clickable((By.XPATH, xpath))
    )
