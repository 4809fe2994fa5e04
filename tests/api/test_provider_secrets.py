"""A provider URL's credentials never reach API users (issue 14).

The home's OpenAI-compatible endpoint carries a password and a query token, and nothing
listens at it. A user's chat completion, job, job events, every stored row and the logs
must name the server (host, port, path) but never show the password, the token or the key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from support import free_port

from aiwriter_kernel import Workbench

from .conftest import ApiUser, wait_for_job

PASSWORD = "pw-probe-7731"
TOKEN = "tok-probe-4413"
KEY = "sk-probe-key-5521"
MODEL = "probe-model"
CHAT = {"model": MODEL, "messages": [{"role": "user", "content": "hello"}]}


@pytest.fixture(scope="module")
def port() -> int:
    """Where the provider should be: nothing listens there."""
    return free_port()


@pytest.fixture(scope="module")
def api_workbench(
    clean_module_environment: None, api_home: Path, api_database_url: str, port: int
) -> Iterator[Workbench]:
    """The home's provider is the OpenAI-compatible server at a URL with credentials."""
    url = f"http://writer:{PASSWORD}@127.0.0.1:{port}/v1?token={TOKEN}"
    with Workbench.open(
        home=api_home,
        database_url=api_database_url,
        provider="openai",
        model=MODEL,
        openai_api_key=KEY,
        openai_base_url=url,
    ) as workbench:
        yield workbench


def assert_no_secret(text: str) -> None:
    for secret in (PASSWORD, TOKEN, KEY):
        assert secret not in text


def stored_values(workbench: Workbench) -> list[str]:
    """Every non-empty value of every row of every table, as text."""
    engine = workbench.db.engine
    values: list[str] = []
    with engine.connect() as connection:
        for name in sa.inspect(engine).get_table_names():
            table = sa.Table(name, sa.MetaData(), autoload_with=connection)
            for row in connection.execute(sa.select(table)):
                values.extend(str(value) for value in row if value is not None)
    return values


def test_a_failed_chat_completion_names_the_server_without_its_credentials(
    client: TestClient,
    api_workbench: Workbench,
    alice: ApiUser,
    port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    whole = client.post("/v1/chat/completions", json=CHAT, headers=alice.headers)
    streamed = client.post(
        "/v1/chat/completions", json={**CHAT, "stream": True}, headers=alice.headers
    )

    assert whole.status_code == 502 and streamed.status_code == 502
    message = whole.json()["error"]["message"]
    assert f"http://127.0.0.1:{port}/v1?token=***" in message  # still says which server
    assert_no_secret(whole.text + streamed.text)
    assert_no_secret(caplog.text)
    logged = [g.error for g in api_workbench.db.generations.list_recent() if g.error]
    assert any(f"127.0.0.1:{port}" in error for error in logged)
    assert_no_secret(" ".join(logged))


def test_a_failed_job_its_events_and_every_stored_row_hold_no_credentials(
    client: TestClient, api_workbench: Workbench, alice: ApiUser, port: int
) -> None:
    body = {"kind": "copy", "request": {"framework": "aida", "text": "Green tea, brewed cool."}}
    accepted = client.post("/api/jobs", json=body, headers=alice.headers)
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["id"]

    job = wait_for_job(client, job_id, alice.headers)
    listed = client.get(f"/api/jobs/{job_id}/events/list", headers=alice.headers)
    streamed = client.get(f"/api/jobs/{job_id}/events", headers=alice.headers)

    assert job["status"] == "failed"
    assert f"127.0.0.1:{port}" in job["error"]
    failure: list[Any] = [e for e in listed.json() if e["data"].get("status") == "failed"]
    assert failure and failure[0]["data"]["error"] == job["error"]
    assert_no_secret(str(job) + listed.text + streamed.text)
    values = stored_values(api_workbench)
    assert any(job["error"] in value for value in values)  # the scan sees the job's error
    assert_no_secret("\n".join(values))
