"""The Voilà dashboards served for real and used through headless Chromium: type a topic,
press Write, see the draft and its analysis; open a finished batch run's results.

Screenshots are saved under ``artifacts/dashboards/`` for the CI run's record.
"""

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
CORPUS = REPO / "data" / "demo_corpus"
DASHBOARDS = REPO / "notebooks" / "dashboards"
ARTIFACTS = REPO / "artifacts" / "dashboards"
VOILA = Path(sys.executable).parent / "voila"
START_S, WORK_S = 120, 300  # generous bounds for a server to start and a draft to be written
TOPIC = "How to write readable web content"
UNCOVERED = "How to brew cold brew coffee"  # the demo corpus has nothing on it
THIN = "Headlines versus cold brew coffee"  # half covered: written only when allowed

pytestmark = browser_test_marks()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the demo corpus ingested and one finished batch run."""
    home = tmp_path_factory.mktemp("dashboards") / "home"
    topics = home.parent / "topics.csv"
    topics.write_text("id,topic,keywords\nhead,Readable headlines,readability\n", encoding="utf-8")
    with Workbench.open(home=home) as wb:
        assert wb.ingest(CORPUS).ok
        assert wb.batch(topics).totals["done"] == 1
    return home


@pytest.fixture(scope="module")
def voila(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Voilà serving the dashboards on a free local port; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIWRITER_", "OPENAI_"))}
    env["AIWRITER_HOME"] = str(home)
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [
                str(VOILA),
                str(DASHBOARDS),
                "--no-browser",
                "--Voila.ip=127.0.0.1",
                f"--port={port}",
                "--Voila.port_retries=0",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for_http(base, server, log, START_S)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Debian's headless Chromium through its own chromedriver (Selenium Manager is
    skipped because the driver path is given, so nothing is downloaded)."""
    driver = headless_chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()


def test_write_article_streams_a_draft_and_analyses_it(voila: str, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{voila}/voila/render/write_article.ipynb")
    topic = _visible(browser, ".aiw-topic input", START_S)
    assert "Write an article" in browser.find_element(By.TAG_NAME, "h1").text
    assert "Workbench.open()" not in browser.find_element(By.TAG_NAME, "body").text  # no code

    topic.send_keys(TOPIC)
    browser.find_element(By.CSS_SELECTOR, ".aiw-keyword input").send_keys("readability")
    browser.find_element(By.CSS_SELECTOR, "button.aiw-write").click()

    title = _visible(browser, ".aiw-draft-text h1", WORK_S)
    assert TOPIC.lower() in title.text.lower()  # the title may lead with the keyword
    assert browser.find_elements(By.CSS_SELECTOR, ".aiw-draft-text h2")  # the sections
    score = _visible(browser, ".aiw-seo-score", WORK_S)
    assert score.text.startswith("SEO score:") and "readability" in score.text
    _visible(browser, ".aiw-charts .js-plotly-plot", WORK_S)  # Plotly rendered, offline
    _screenshot(browser, "write_article.png")


def test_write_article_refuses_an_uncovered_topic_and_warns_of_a_thin_one(
    voila: str, browser
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{voila}/voila/render/write_article.ipynb")
    topic = _visible(browser, ".aiw-topic input", START_S)
    topic.send_keys(UNCOVERED)
    browser.find_element(By.CSS_SELECTOR, "button.aiw-write").click()
    status = browser.find_element(By.CSS_SELECTOR, ".aiw-status")
    wait_until(lambda: "✘" in status.text, WORK_S)
    assert "no sources on" in status.text and UNCOVERED in status.text
    assert "Allow a thin article" in browser.find_element(By.CSS_SELECTOR, ".aiw-allow-thin").text
    page = browser.find_element(By.TAG_NAME, "body").text
    assert "Traceback" not in page and "TopicNotCoveredError" not in page
    assert not browser.find_elements(By.CSS_SELECTOR, ".aiw-draft-text h1")  # nothing written
    _screenshot(browser, "write_article_refused.png")

    topic.clear()
    topic.send_keys(THIN)
    browser.find_element(By.CSS_SELECTOR, ".aiw-allow-thin input").click()
    browser.find_element(By.CSS_SELECTOR, "button.aiw-write").click()
    _visible(browser, ".aiw-draft-text h1", WORK_S)
    warning = _visible(browser, ".aiw-warnings li", WORK_S)
    assert "only thinly" in warning.text and THIN in warning.text
    wait_until(lambda: "✔" in status.text, WORK_S)
    _screenshot(browser, "write_article_thin.png")


def test_batch_results_shows_the_finished_run(voila: str, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{voila}/voila/render/batch_results.ipynb")
    table = _visible(browser, ".aiw-results-rows table", START_S)
    assert "Readable headlines" in table.text and "done" in table.text
    _visible(browser, ".aiw-results-charts .js-plotly-plot", WORK_S)
    wait_until(lambda: len(browser.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")) == 2, WORK_S)
    titles = browser.find_element(By.CSS_SELECTOR, ".aiw-results-charts").text
    assert "Rows per status" in titles and "SEO score per article" in titles
    _screenshot(browser, "batch_results.png")


# -- helpers -------------------------------------------------------------------------------


def _visible(browser, selector: str, seconds: float):
    from selenium.webdriver.common.by import By

    return visible(browser, By.CSS_SELECTOR, selector, seconds)


def _screenshot(browser, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / name))
