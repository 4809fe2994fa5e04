"""The app for real: ``streamlit run`` on 127.0.0.1 and headless Chromium writing an article
on the Write page. A screenshot is saved as ``artifacts/streamlit/write_article.png``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

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
        "--browser.gatherUsageStats",
        "false",
    ]
    with log.open("w") as output:
        server = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT
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
    driver = headless_chromium(tmp_path / "chromium-profile")
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


# -- helpers -------------------------------------------------------------------------------


def _button(browser, label: str):
    """The enabled, clickable button whose text is ``label``."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    xpath = f"//button[normalize-space(.)='{label}']"
    return WebDriverWait(browser, START_S, poll_frequency=0.5).until(
        expected_conditions.element_to_be_clickable((By.XPATH, xpath))
    )
