"""Redaction: URLs shown without credentials, messages and logs without known secrets, and
messages without server paths."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from aiwriter_kernel.errors import RateLimitedError
from aiwriter_kernel.redaction import (
    hide_paths,
    redact_error,
    redact_http_client_logs,
    redact_log_text,
    redact_request_target,
    redact_server_logs,
    redact_text,
    redact_url,
    url_secrets,
)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:PW@127.0.0.1:9/v1?token=T", "http://127.0.0.1:9/v1?token=***"),
        ("https://TOKEN@host/v1", "https://host/v1"),
        ("http://h/v1?a=1&b=&bare#frag", "http://h/v1?a=***&b=***&***#***"),
        ("postgresql+psycopg://writer:hunter2@db:5432/aiw", "postgresql+psycopg://db:5432/aiw"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("sqlite:////tmp/a.db", "sqlite:////tmp/a.db"),
        ("not a url", "not a url"),
    ],
)
def test_urls_are_shown_without_user_info_or_query_values(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_url_secrets_are_the_credentials_and_query_values_raw_and_decoded() -> None:
    secrets = url_secrets("http://me:p%40ss@h:1/v1?token=a%2Bb&key=c+d")
    assert {"me", "p%40ss", "p@ss", "a%2Bb", "a+b", "c+d", "c d"} <= set(secrets)
    assert "h" not in secrets and "token" not in secrets
    assert url_secrets(None) == [] and url_secrets("http://h:1/v1") == []


def test_text_loses_urls_credentials_and_every_long_enough_secret() -> None:
    text = "at http://u:PW@h:1/v1?token=T: key sk-1234 echoed; Tea is fine"
    cleaned = redact_text(text, ["sk-1234", "PW", "T", None, ""])
    assert cleaned == "at http://h:1/v1?token=***: key *** echoed; Tea is fine"


def test_a_secret_containing_another_is_removed_whole() -> None:
    assert redact_text("key=abcd-efgh", ["abcd", "abcd-efgh"]) == "key=***"


def test_an_error_is_redacted_in_place_and_keeps_its_type_and_data() -> None:
    error = RateLimitedError("slow down, sk-secret-77", retry_after_s=3.0)
    assert redact_error(error, ["sk-secret-77"]) is error
    assert str(error) == "slow down, ***" and error.retry_after_s == 3.0


def test_http_client_log_lines_show_urls_redacted(caplog: pytest.LogCaptureFixture) -> None:
    redact_http_client_logs()
    redact_http_client_logs()  # a second call adds nothing
    caplog.set_level(logging.INFO)
    logging.getLogger("httpx").info("HTTP Request: %s %s", "POST", "http://u:PW@h/v1?token=T")
    assert caplog.messages == ["HTTP Request: POST http://h/v1?token=***"]
    assert len(logging.getLogger("httpx").filters) == 1


@pytest.mark.parametrize(
    ("target", "shown"),
    [
        ("/api/drafts?api_key=SECRET", "/api/drafts?api_key=***"),
        ("/v1/models?token=T&x=1#frag", "/v1/models?token=***&x=***#***"),
        ("/health?aiw_bare", "/health?***"),
        ("/health", "/health"),
    ],
)
def test_request_targets_keep_their_path_and_lose_query_values(target: str, shown: str) -> None:
    assert redact_request_target(target) == shown


def test_log_text_loses_query_values_of_urls_and_request_targets_alone() -> None:
    line = '127.0.0.1:5 - "GET /api/drafts?api_key=SECRET HTTP/1.1" 401; http://h/v1?token=T'
    assert redact_log_text(line) == (
        '127.0.0.1:5 - "GET /api/drafts?api_key=*** HTTP/1.1" 401; http://h/v1?token=***'
    )
    assert redact_log_text("and/or? fine, and /path?") == "and/or? fine, and /path?"


def test_server_log_records_keep_their_arguments_for_uvicorns_access_formatter(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from uvicorn.logging import AccessFormatter

    redact_server_logs()
    redact_server_logs()  # a second call adds nothing
    caplog.set_level(logging.INFO)
    access = logging.getLogger("uvicorn.access")
    access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", "/a?token=SECRET", "1.1", 401)
    logging.getLogger("uvicorn.error").info("bad request to http://h/v1?api_key=SECRET")

    [access_record, error_record] = caplog.records
    formatter = AccessFormatter(fmt="%(request_line)s %(status_code)s", use_colors=False)
    assert formatter.format(access_record) == "GET /a?token=*** HTTP/1.1 401 Unauthorized"
    assert error_record.getMessage() == "bad request to http://h/v1?api_key=***"
    assert len(access.filters) == 1


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "cannot read /srv/aiw/uploads/u/t.csv: no topic",
            "cannot read <home>/uploads/u/t.csv: no topic",
        ),
        ("see /home/bob/notes/t.md.", "see ~/notes/t.md."),  # the account's name hidden
        ("kernel died in /usr/lib/python3/site.py", "kernel died in \u2026/site.py"),
        ("'/opt/app/notebooks/article.ipynb' failed", "'\u2026/article.ipynb' failed"),
        ("https://host/a/b, and/or 1/2, ./rel/x.csv", "https://host/a/b, and/or 1/2, ./rel/x.csv"),
        ("cmd /C calc, 1 / 2", "cmd /C calc, 1 / 2"),  # one name: a switch, not a path
        (None, None),
    ],
)
def test_hide_paths_shows_no_server_path(
    text: str | None, shown: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: Path("/home/bob")))
    assert hide_paths(text, Path("/srv/aiw")) == shown


def test_a_batch_row_in_an_api_answer_shows_no_server_path() -> None:
    from aiwriter_apps.api.batch_views import BatchRowView

    from aiwriter_kernel.batch.models import ReportRow

    row = ReportRow(
        row_key="r1",
        topic="Tea",
        status="failed",
        error=f"{Path.home()}/x/article.ipynb: cell 3 raised; log in /srv/aiw/batches/r1/log.txt",
        note="template /var/lib/aiwriter/article.ipynb",
    )
    view = BatchRowView.of(row, Path("/srv/aiw"))
    assert view.error == "~/x/article.ipynb: cell 3 raised; log in <home>/batches/r1/log.txt"
    assert view.note == "template \u2026/article.ipynb"
