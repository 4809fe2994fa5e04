"""The OpenAI-compatible endpoint, driven by the real ``openai`` SDK against a real uvicorn,
plus its error shapes for bad input (through the in-process TestClient of conftest.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openai
import pytest
from fake_openai_server import FakeOpenAIServer, status
from fastapi.testclient import TestClient

from aiwriter_kernel import Workbench
from aiwriter_kernel.llm.messages import ChatMessage

from .conftest import ApiUser
from .live_server import LiveServer, live_api

SOURCE_PROMPT = (
    '<source id="1" title="Brewing tea" origin="notes/tea.md">\n'
    "Green tea is best brewed at about 80 degrees Celsius for two minutes. "
    "Boiling water makes green tea bitter because it extracts more tannins.\n"
    "</source>\n"
    "How should green tea be brewed?"
)
USER_MESSAGE = [{"role": "user", "content": SOURCE_PROMPT}]


@dataclass
class Live:
    server: LiveServer
    home: Path
    keys: dict[str, str]

    def client(self, user: str = "alice") -> openai.OpenAI:
        # max_retries=0: a retried request would hide the status under test.
        return openai.OpenAI(
            base_url=f"{self.server.url}/v1", api_key=self.keys[user], max_retries=0
        )


def _users(home: Path, *names: str, **settings: str) -> dict[str, str]:
    """Users with one key each, created in ``home`` (which this also migrates)."""
    with Workbench.open(home=home, **settings) as wb:
        keys = {}
        for name in names:
            wb.db.accounts.create_user(name)
            keys[name] = wb.db.accounts.create_api_key(name)[1]
        return keys


@pytest.fixture(scope="module")
def offline_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """One server for the module: the default (offline) provider, users alice and bob."""
    home = tmp_path_factory.mktemp("openai-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AIWRITER_DATABASE_URL", raising=False)
        patch.delenv("AIWRITER_PROVIDER", raising=False)
        keys = _users(home, "alice", "bob")
    with live_api({"AIWRITER_HOME": str(home)}) as server:
        yield Live(server, home, keys)


def _expected_offline_answer(home: Path) -> str:
    """What the offline composer answers to SOURCE_PROMPT, asked directly in this process."""
    with Workbench.open(home=home) as wb:
        messages = [ChatMessage(role="user", content=SOURCE_PROMPT)]
        return wb.llm.complete(messages, provider="offline", cache=False).text


# -- the real SDK against a real server ------------------------------------------------------


@pytest.mark.server
def test_sdk_chat_completion_is_the_offline_composers_answer(offline_api: Live) -> None:
    answer = offline_api.client().chat.completions.create(model="composer", messages=USER_MESSAGE)

    assert answer.object == "chat.completion"
    assert answer.model == "composer"
    [choice] = answer.choices
    assert choice.message.role == "assistant"
    assert choice.message.content == _expected_offline_answer(offline_api.home)
    assert "80 degrees" in choice.message.content
    assert choice.finish_reason == "stop"
    assert answer.usage is not None
    assert answer.usage.prompt_tokens > 0
    assert answer.usage.completion_tokens > 0
    assert answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens


@pytest.mark.server
def test_sdk_streaming_gives_the_same_text_then_stop_and_usage(offline_api: Live) -> None:
    client = offline_api.client()
    whole = client.chat.completions.create(model="composer", messages=USER_MESSAGE)

    chunks = list(
        client.chat.completions.create(
            model="composer",
            messages=USER_MESSAGE,
            stream=True,
            stream_options={"include_usage": True},
        )
    )

    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert len({chunk.id for chunk in chunks}) == 1
    with_choices = [chunk for chunk in chunks if chunk.choices]
    assert with_choices[0].choices[0].delta.role == "assistant"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in with_choices)
    assert text == whole.choices[0].message.content
    assert with_choices[-1].choices[0].finish_reason == "stop"
    assert all(chunk.choices[0].finish_reason is None for chunk in with_choices[:-1])
    usage_chunk = chunks[-1]
    assert usage_chunk.choices == []
    assert usage_chunk.usage is not None
    assert usage_chunk.usage.total_tokens == whole.usage.total_tokens


@pytest.mark.server
def test_raw_stream_is_server_sent_events_ending_with_done(offline_api: Live) -> None:
    import httpx

    body = {"model": "composer", "messages": USER_MESSAGE, "stream": True}
    headers = {"Authorization": f"Bearer {offline_api.keys['bob']}"}
    with httpx.stream(
        "POST", f"{offline_api.server.url}/v1/chat/completions", json=body, headers=headers
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]

    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    events = [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]
    assert [e["choices"][0]["finish_reason"] for e in events][-1] == "stop"
    assert "usage" not in events[-1]  # usage only when stream_options asks for it


@pytest.mark.server
def test_sdk_lists_and_retrieves_the_served_models(offline_api: Live) -> None:
    client = offline_api.client()

    models = {model.id: model for model in client.models.list()}

    assert models["composer"].owned_by == "offline"
    assert client.models.retrieve("composer").id == "composer"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("no-such-model")


@pytest.mark.server
def test_sdk_gets_authentication_error_for_bad_and_revoked_keys(offline_api: Live) -> None:
    bad = openai.OpenAI(
        base_url=f"{offline_api.server.url}/v1", api_key="aiw_not-a-key", max_retries=0
    )
    with pytest.raises(openai.AuthenticationError) as raised:
        bad.chat.completions.create(model="composer", messages=USER_MESSAGE)
    assert raised.value.code == "invalid_api_key"

    with Workbench.open(home=offline_api.home) as wb:
        wb.db.accounts.create_user("carol")
        record, key = wb.db.accounts.create_api_key("carol")
        wb.db.accounts.revoke_api_key(record.id)
    revoked = openai.OpenAI(base_url=f"{offline_api.server.url}/v1", api_key=key, max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        revoked.models.list()


@pytest.mark.server
def test_sdk_gets_not_found_for_an_unknown_model(offline_api: Live) -> None:
    client = offline_api.client()

    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model="gpt-imaginary", messages=USER_MESSAGE)
    assert raised.value.code == "model_not_found"
    assert "composer" in raised.value.message  # says which models exist

    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="gpt-imaginary", messages=USER_MESSAGE, stream=True)


def _logged_by_workspace(home) -> tuple[int, dict[int | None, list[str]]]:
    with Workbench.open(home=home) as wb:
        bobs_space = wb.for_user(wb.user_id("bob")).workspace().id
        logged: dict[int | None, list[str]] = {}
        for generation in wb.db.generations.list_recent(1000):
            logged.setdefault(generation.workspace_id, []).append(generation.output)
    return bobs_space, logged


@pytest.mark.server
def test_answers_are_logged_in_the_callers_workspace(offline_api: Live) -> None:
    bobs_space, before = _logged_by_workspace(offline_api.home)
    client = offline_api.client("bob")
    question = [{"role": "user", "content": SOURCE_PROMPT + " Answer for the call log."}]
    answer = client.chat.completions.create(model="composer", messages=question)
    streamed_question = [{"role": "user", "content": SOURCE_PROMPT + " Stream for the log."}]
    streamed = "".join(
        chunk.choices[0].delta.content or ""
        for chunk in client.chat.completions.create(
            model="composer", messages=streamed_question, stream=True
        )
        if chunk.choices
    )

    _, after = _logged_by_workspace(offline_api.home)
    new_for_bob = after[bobs_space][: len(after[bobs_space]) - len(before.get(bobs_space, []))]
    assert sorted(new_for_bob) == sorted([answer.choices[0].message.content, streamed])
    for workspace, outputs in after.items():  # nobody else's log grew
        if workspace != bobs_space:
            assert len(outputs) == len(before.get(workspace, []))


# -- routed to the configured provider --------------------------------------------------------


@pytest.mark.server
def test_calls_go_through_the_configured_openai_provider(
    tmp_path: Path, fake_openai: FakeOpenAIServer
) -> None:
    home = tmp_path / "home"
    keys = _users(home, "alice")
    env = {
        "AIWRITER_HOME": str(home),
        "AIWRITER_PROVIDER": "openai",
        "AIWRITER_MODEL": "fake-model",
        "AIWRITER_OPENAI_API_KEY": "sk-test",
        "AIWRITER_OPENAI_BASE_URL": fake_openai.base_url,
    }
    with live_api(env) as server:
        client = Live(server, home, keys).client()
        served = [model.id for model in client.models.list()]
        whole = client.chat.completions.create(
            model="fake-model", messages=[{"role": "user", "content": "hello there"}]
        )
        streamed = client.chat.completions.create(
            model="fake-model",
            messages=[{"role": "user", "content": "hello again"}],
            temperature=0.5,
            stream=True,
        )
        pieces = [c.choices[0].delta.content or "" for c in streamed if c.choices]
        fake_openai.script(status(401, message="upstream key rejected"))
        with pytest.raises(openai.APIStatusError) as raised:
            client.chat.completions.create(
                model="fake-model", messages=[{"role": "user", "content": "third"}]
            )

    assert served[0] == "fake-model"  # the configured provider's model comes first
    assert "composer" in served
    assert whole.choices[0].message.content == "echo: hello there"
    assert whole.usage.completion_tokens == 3
    assert len([p for p in pieces if p]) > 1  # streamed piece by piece, not in one go
    assert "".join(pieces) == "echo: hello again"
    upstream = [r.json for r in fake_openai.requests if r.path.endswith("/chat/completions")]
    assert [r["model"] for r in upstream] == ["fake-model"] * 3
    assert upstream[1]["temperature"] == 0.5
    assert upstream[1]["stream"] is True
    # The upstream's refusal of *our* key is the provider failing (502), not the caller's
    # key being bad (401): the caller must not think their own key was rejected.
    assert raised.value.status_code == 502
    assert raised.value.body["type"] == "server_error"


# -- bad input, in process (the app and users of tests/api/conftest.py) --------------------


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"n": 2}, "n"),
        ({"tools": [{"type": "function", "function": {"name": "f"}}]}, "tools"),
        ({"messages": [{"role": "tool", "content": "x"}]}, "messages.0.role"),
        ({"messages": []}, "messages"),
        ({"temperature": 9}, "temperature"),
        ({"response_format": {"type": "json_object"}}, "response_format"),
        ({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}, None),
        ({"seed": 2**70}, "seed"),
        ({"seed": -1}, "seed"),
        ({"n": 2**70}, "n"),
        ({"max_tokens": 2**70}, "max_tokens"),
    ],
    ids=[
        "n",
        "tools",
        "role",
        "no-messages",
        "temperature",
        "json-format",
        "image",
        "huge-seed",
        "negative-seed",
        "huge-n",
        "huge-max-tokens",
    ],
)
def test_unsupported_requests_are_400_in_openai_shape(
    client: TestClient, alice: ApiUser, change: dict, param: str | None
) -> None:
    headers = alice.headers
    body = {"model": "composer", "messages": USER_MESSAGE, **change}

    response = client.post("/v1/chat/completions", json=body, headers=headers)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"]
    if param is not None:
        assert error["param"] == param


def test_the_largest_seed_is_accepted(client: TestClient, alice: ApiUser) -> None:
    body = {"model": "composer", "messages": USER_MESSAGE, "seed": 2**63 - 1}

    response = client.post("/v1/chat/completions", json=body, headers=alice.headers)

    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"]


def test_malformed_json_and_empty_prompt_are_400(client: TestClient, alice: ApiUser) -> None:
    headers = alice.headers
    json_headers = {**headers, "Content-Type": "application/json"}

    broken = client.post("/v1/chat/completions", content=b'{"model": ', headers=json_headers)
    empty = client.post(
        "/v1/chat/completions",
        json={"model": "composer", "messages": [{"role": "user", "content": "   "}]},
        headers=headers,
    )

    assert broken.status_code == 400
    assert "not valid JSON" in broken.json()["error"]["message"]
    assert empty.status_code == 400
    assert "empty" in empty.json()["error"]["message"]


def test_missing_key_is_401_in_openai_shape(client: TestClient) -> None:
    response = client.get("/v1/models")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["type"] == "authentication_error"


def test_openapi_documents_the_openai_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    chat = paths["/v1/chat/completions"]["post"]
    assert "text/event-stream" in chat["responses"]["200"]["content"]
    assert {"400", "401", "404", "429"} <= set(chat["responses"])
    assert "/v1/models" in paths
