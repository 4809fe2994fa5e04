"""API keys typed into Settings: used by the session's model calls, kept in memory or the OS
keyring, and never written to the database, the home's files or the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from aiwriter_apps.streamlit import keys
from aiwriter_apps.streamlit.session import CHOICE_KEY, ModelChoice
from app_pages import button, messages, page, selectbox, shown_text, text_input
from keyring.backend import KeyringBackend
from keyring.backends import fail
from pydantic import SecretStr

from aiwriter_kernel.llm.messages import ChatMessage
from aiwriter_kernel.workbench import Workbench

KEY = "sk-streamlit-test-9f8e7d6c5b4a"


class MemoryKeyring(KeyringBackend):
    """A secure-looking keyring that keeps passwords in this process only."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")


class PlainTextKeyring(MemoryKeyring):
    """Stands for keyrings.alt's file backends, which store keys as readable files."""


PlainTextKeyring.__module__ = "keyrings.alt.file"


@pytest.fixture
def use_keyring() -> Iterator[object]:
    """Swap the process's keyring backend for the test, then put the original back."""
    original = keyring.get_keyring()
    chosen: list[KeyringBackend] = []

    def use(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        chosen.append(backend)
        return backend

    yield use
    keyring.set_keyring(original)


def settings_page():
    at = page("Home.py").run()
    return at.switch_page("pages/7_Settings.py").run()


def save(at, *, provider: str, key: str = "", base_url: str = "", remember: bool = False):
    selectbox(at, "Provider").set_value(provider)
    text_input(at, "API key").set_value(key)
    text_input(at, "Base URL (openai only)").set_value(base_url)
    box = at.checkbox[0]
    if not box.disabled:
        box.set_value(remember)
    button(at, "Use these settings").click()
    return at.run()


def files_containing(root: Path, secret: str) -> list[Path]:
    """Every file under ``root`` whose bytes contain ``secret`` (database files included)."""
    needle = secret.encode()
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_without_a_keyring_the_key_stays_in_the_session(home: Path, use_keyring) -> None:
    use_keyring(fail.Keyring())
    at = settings_page()
    assert at.checkbox[0].disabled
    assert any("Keys cannot be remembered here" in i for i in messages(at, "info"))

    at = save(at, provider="openai", key=KEY, base_url="http://127.0.0.1:9/v1")
    assert not at.exception and not at.error
    choice = at.session_state[CHOICE_KEY]
    assert choice.api_key.get_secret_value() == KEY and choice.key_source == "session"
    assert "API key from this session" in shown_text(at)
    assert KEY not in shown_text(at)
    assert files_containing(home, KEY) == []


def test_a_secure_keyring_remembers_the_key_for_the_next_session(home: Path, use_keyring) -> None:
    backend = use_keyring(MemoryKeyring())
    at = save(settings_page(), provider="gemini", key=KEY, remember=True)
    assert not at.exception and not at.error
    assert backend.passwords == {(keys.SERVICE, "gemini@default"): KEY}
    assert "API key from the OS keyring" in shown_text(at)

    later = save(settings_page(), provider="gemini")  # a new session, no key typed
    choice = later.session_state[CHOICE_KEY]
    assert choice.api_key.get_secret_value() == KEY and choice.key_source == "keyring"

    button(later, "Forget the remembered key").click()
    later.run()
    assert backend.passwords == {}
    assert later.session_state[CHOICE_KEY].api_key is None
    assert files_containing(home, KEY) == []


def test_a_plain_text_keyring_is_refused_and_the_key_kept_in_the_session(
    home: Path, use_keyring
) -> None:
    backend = use_keyring(PlainTextKeyring())
    assert keys.backend_problem() is not None
    with pytest.raises(keys.KeyringUnavailable):
        keys.remember("openai", None, KEY)
    at = save(settings_page(), provider="openai", key=KEY)
    assert at.session_state[CHOICE_KEY].key_source == "session"
    assert backend.passwords == {}


@pytest.mark.slow
def test_the_session_key_reaches_the_provider_but_never_the_home(
    corpus_home: Path, fake_openai, use_keyring
) -> None:
    use_keyring(fail.Keyring())
    at = save(settings_page(), provider="openai", key=KEY, base_url=fake_openai.base_url)
    assert not at.exception and not at.error
    assert "provider **openai**" in shown_text(at)

    at.switch_page("pages/2_Write.py").run()
    text_input(at, "Topic").set_value("Readable headlines")
    button(at, "Plan the outline").click()
    at.run()
    button(at, "Write the draft").click()
    at.run()
    assert not at.exception and not at.error, shown_text(at)

    assert fake_openai.requests, "the session's provider was never called"
    assert {r.headers.get("authorization") for r in fake_openai.requests} == {f"Bearer {KEY}"}
    assert files_containing(corpus_home, KEY) == []  # database, vectors, logs, uploads
    assert KEY not in shown_text(at)


def test_a_remembered_key_is_offered_only_for_the_endpoint_it_was_typed_for(
    home: Path, use_keyring
) -> None:
    """The app has no login, so the keyring is every visitor's: a key remembered for one
    server must not be sent to a base URL another visitor types."""
    backend = use_keyring(MemoryKeyring())
    first = settings_page()
    assert "no login" in shown_text(first) and "single-user machine" in shown_text(first)
    mine = "http://127.0.0.1:9/v1"
    save(first, provider="openai", key=KEY, base_url=mine, remember=True)
    assert backend.passwords == {(keys.SERVICE, f"openai@{mine}"): KEY}

    other = save(settings_page(), provider="openai", base_url="http://127.0.0.1:8/v1")
    assert not other.exception and not other.error
    assert other.session_state[CHOICE_KEY].api_key is None
    assert other.session_state[CHOICE_KEY].key_source == "none"

    same = save(settings_page(), provider="openai", base_url=mine + "/")  # the same endpoint
    assert same.session_state[CHOICE_KEY].api_key.get_secret_value() == KEY

    # a session's own key does not follow it to another endpoint either
    moved = save(same, provider="openai", base_url="http://127.0.0.1:7/v1")
    assert moved.session_state[CHOICE_KEY].api_key is None


def test_the_home_key_never_goes_to_a_base_url_the_visitor_typed(home: Path, fake_openai) -> None:
    """The server's own OpenAI key belongs to the server's endpoint: a visitor who points
    the session at another URL without a key sends no key of the home's there."""
    with Workbench.open(home, openai_api_key=SecretStr("sk-home")) as wb:
        choice = ModelChoice(provider="openai", model="gpt-test", base_url=fake_openai.base_url)
        assert choice.overrides(wb.settings)["openai_api_key"] is None
        view = wb.with_models(**choice.overrides(wb.settings))
        completion = view.chat([ChatMessage(role="user", content="hello")], model="gpt-test")
        assert completion.text

        at_home = ModelChoice(provider="openai", base_url=None)  # the home's own endpoint
        assert "openai_api_key" not in at_home.overrides(wb.settings)

    assert fake_openai.requests, "the visitor's server was never called"
    sent = [str(r.headers) for r in fake_openai.requests]
    assert not any("sk-home" in headers for headers in sent)


@pytest.fixture
def no_provider_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """No provider key in the environment the app runs in."""
    for name in ("OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("provider, variable", [("openai", "OPENAI_API_KEY"), ("gemini", "GEMINI")])
def test_a_provider_without_its_key_is_said_at_once_with_how_to_set_it(
    home: Path, use_keyring, no_provider_keys, provider: str, variable: str
) -> None:
    use_keyring(fail.Keyring())
    at = save(settings_page(), provider=provider)
    assert not at.exception and not at.error
    assert f"provider **{provider}**" in shown_text(at)  # accepted, and what is missing said
    (warning,) = messages(at, "warning")
    assert f"**{provider}** cannot write yet" in warning
    assert variable in warning and "**API key**" in warning

    at = save(at, provider=provider, key=KEY)  # the key typed: nothing is missing any more
    assert messages(at, "warning") == []


def test_an_openai_compatible_server_needs_no_key_and_gets_no_warning(
    home: Path, use_keyring, no_provider_keys
) -> None:
    use_keyring(fail.Keyring())
    at = save(settings_page(), provider="openai", base_url="http://127.0.0.1:11434/v1")
    assert not at.exception and messages(at, "warning") == []


def test_the_keyring_notice_says_plainly_where_a_key_is_kept(home: Path, use_keyring) -> None:
    use_keyring(fail.Keyring())
    (notice,) = [i for i in messages(settings_page(), "info") if "Keys cannot be remembered" in i]
    assert "this machine has no secure keyring" in notice
    assert "this browser session's memory only" in notice
    assert "(Keyring)" not in notice  # the backend's class name says nothing to a reader

    use_keyring(PlainTextKeyring())
    (notice,) = [i for i in messages(settings_page(), "info") if "Keys cannot be remembered" in i]
    assert "readable file" in notice
