"""The Voilà dashboards served for real and used through headless Chromium: the home page
names each dashboard; type a topic, press Write, see the draft and its analysis with one word
count; open a finished batch run's results, charts labelled by topic.

Screenshots are saved under ``artifacts/dashboards/`` for the CI run's record.
"""

from __future__ import annotations

import os
import re
import subprocess
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

from aiwriter_kernel.cli.serve_cmd import Target, command_for, dashboard_environment
from aiwriter_kernel.workbench import Workbench

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "data" / "demo_corpus"
ARTIFACTS = REPO / "artifacts" / "dashboards"
START_S, WORK_S = 120, 300  # generous bounds for a server to start and a draft to be written
TOPIC = "How to write readable web content"
UNCOVERED = "How to brew cold brew coffee"  # the demo corpus has nothing on it
THIN = "Headlines versus cold brew coffee"  # half covered: written only when allowed
# Symbols that show as an empty box where the font lacks them; status is said in words.
FONT_GLYPHS = "\u2714\u2718\u26a0\u23f3\u2191\u2193\u2715\u25cf\u2713\u2717"

pytestmark = browser_test_marks()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the demo corpus ingested and one finished batch run."""
    home = tmp_path_factory.mktemp("dashboards") / "home"
    topics = home.parent / "topics.csv"
    topics.write_text(
        "id,topic,keywords\nhead,Readable headlines,readability\nplain,Writing headlines,\n",
        encoding="utf-8",
    )
    with Workbench.open(home=home) as wb:
        assert wb.ingest(CORPUS).ok
        assert wb.batch(topics).totals["done"] == 2
    return home


@pytest.fixture(scope="module")
def voila(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Voilà serving the dashboards on a free local port as `aiwriter serve dashboard` runs
    it (same command, same home page template); yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIWRITER_", "OPENAI_"))}
    env["AIWRITER_HOME"] = str(home)
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [*command_for(Target.dashboard, "127.0.0.1", port), "--Voila.port_retries=0"],
            env=dashboard_environment(env),
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


def test_the_home_page_names_each_dashboard_and_what_it_does(voila: str, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{voila}/")
    entries = _visible(browser, ".aiw-home-dashboards", START_S)
    assert "AI-Writer dashboards" in browser.find_element(By.TAG_NAME, "h1").text
    items = entries.find_elements(By.CSS_SELECTOR, ".aiw-home-dashboard")
    names = [item.find_element(By.CSS_SELECTOR, ".aiw-home-name").text for item in items]
    assert names == ["Write an article", "Batch results"]
    for item in items:  # each says what it does, in a sentence
        assert len(item.find_element(By.CSS_SELECTOR, ".aiw-home-what").text.split()) > 8
    assert ".ipynb" not in entries.text  # names, not file names
    _screenshot(browser, "home.png")
    items[0].find_element(By.TAG_NAME, "a").click()
    _visible(browser, ".aiw-topic input", START_S)
    assert browser.current_url.startswith(f"{voila}/voila/render/write_article.ipynb")


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
    wait_until(lambda: len(_chart_titles(browser, ".aiw-charts")) == 4, WORK_S)
    _screenshot(browser, "write_article.png")

    # one word count on the screen: the draft's status, the readability table, the SEO
    # length check and the key phrase chart show the same number
    page = browser.find_element(By.TAG_NAME, "body").text
    titles = " ".join(_chart_titles(browser, ".aiw-charts"))
    shown: dict[str, list[str]] = {
        "status": re.findall(r"saved: (\d+) words", page),
        "readability": re.findall(r"^Words (\d+)$", page, re.M),
        "seo": re.findall(r"The page has (\d+) words\.", page),
        "chart": re.findall(r"\((\d+) words\)", titles),
    }
    assert all(len(found) == 1 for found in shown.values()), shown
    assert len({found[0] for found in shown.values()}) == 1, shown

    # the status is said in words and drawn with CSS: no symbol a font may lack
    assert "done" in browser.find_element(By.CSS_SELECTOR, ".aiw-status").text
    assert not set(FONT_GLYPHS) & set(page)

    # the topic box takes the row's width (it was a narrow box hiding long topics)
    row = browser.find_element(By.CSS_SELECTOR, ".aiw-topic").find_element(By.XPATH, "..")
    assert topic.size["width"] >= 0.45 * row.size["width"]


def test_write_article_refuses_an_uncovered_topic_and_warns_of_a_thin_one(
    voila: str, browser
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{voila}/voila/render/write_article.ipynb")
    topic = _visible(browser, ".aiw-topic input", START_S)
    topic.send_keys(UNCOVERED)
    browser.find_element(By.CSS_SELECTOR, "button.aiw-write").click()
    status = browser.find_element(By.CSS_SELECTOR, ".aiw-status")
    wait_until(lambda: status.text.startswith("error"), WORK_S)
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
    wait_until(lambda: status.text.startswith("done"), WORK_S)
    _screenshot(browser, "write_article_thin.png")


def test_batch_results_shows_the_finished_run(voila: str, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{voila}/voila/render/batch_results.ipynb")
    table = _visible(browser, ".aiw-results-rows table", START_S)
    assert "Readable headlines" in table.text and "done" in table.text
    # the row without a focus keyword says so instead of a blank SEO cell
    plain = next(r for r in table.find_elements(By.TAG_NAME, "tr") if "Writing headlines" in r.text)
    assert "no keyword" in plain.text
    _visible(browser, ".aiw-results-charts .js-plotly-plot", WORK_S)
    wait_until(lambda: len(browser.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")) == 2, WORK_S)
    assert _chart_titles(browser, ".aiw-results-charts") == [
        "Rows per status",
        "SEO score per article",
    ]
    status_ticks, seo_ticks = _ticks(browser, ".aiw-results-charts")
    assert status_ticks["x"] == ["done"]
    assert status_ticks["y"] and all(re.fullmatch(r"\d+", t) for t in status_ticks["y"])
    assert seo_ticks["x"] == ["Readable headlines"]  # bars named by topic, not row number
    status = browser.find_element(By.CSS_SELECTOR, ".aiw-status").text
    assert "2 rows of run" in status and not set(FONT_GLYPHS) & set(status)
    _screenshot(browser, "batch_results.png")


# -- helpers -------------------------------------------------------------------------------


def _visible(browser, selector: str, seconds: float):
    from selenium.webdriver.common.by import By

    return visible(browser, By.CSS_SELECTOR, selector, seconds)


def _chart_titles(browser, selector: str) -> list[str]:
    """The titles of the Plotly charts under ``selector``, as drawn (SVG text)."""
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' .js-plotly-plot .gtitle')]"
        ".map(e => e.textContent)",
        selector,
    )


def _ticks(browser, selector: str) -> list[dict[str, list[str]]]:
    """Each chart's axis tick labels as drawn: {"x": [...], "y": [...]}."""
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' .js-plotly-plot')].map(p => ({"
        "x: [...p.querySelectorAll('.xtick text')].map(t => t.textContent),"
        "y: [...p.querySelectorAll('.ytick text')].map(t => t.textContent)}))",
        selector,
    )


def _screenshot(browser, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / name))
