"""The workbench behind every page, and this browser session's model settings.

One ``Workbench`` per home is opened per process (``st.cache_resource``) and shared by all
sessions, so the app sees the same drafts as the notebooks and the CLI of that home. What a
user picks in Settings (provider, model, base URL, key) applies to their session only,
through ``Workbench.with_models``: keys stay in memory and never reach the database.
"""

from __future__ import annotations

from typing import Any, Literal

import streamlit as st
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from aiwriter_kernel.config import Settings
from aiwriter_kernel.errors import AIWriterError, one_line
from aiwriter_kernel.workbench import Workbench

CHOICE_KEY = "aiw_models"  # session_state: the session's ModelChoice, once Settings saved one
VIEW_KEY = "aiw_models_view"  # session_state: (choice, base, workbench view) built from them


class ModelChoice(BaseModel):
    """Model settings for one session; ``api_key`` is a SecretStr so it never prints."""

    model_config = ConfigDict(frozen=True)

    provider: str = Field(default="offline", min_length=1)  # one of provider_names()
    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = None
    key_source: Literal["none", "session", "keyring"] = "none"

    @field_validator("model", "base_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return value.strip() or None if isinstance(value, str) else value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("http://", "https://")):
            raise ValueError("the base URL must start with http:// or https://")
        return url

    def overrides(self, home: Settings) -> dict[str, Any]:
        """The ``Workbench.with_models`` arguments this choice stands for, over ``home``.

        A base URL other than the home's is one a visitor typed: the key sent there is always
        given explicitly (the visitor's, or none), so the home's own key never rides along
        to a server the visitor picked.
        """
        settings: dict[str, Any] = {"provider": self.provider, "model": self.model}
        if self.provider == "openai":
            if self.base_url is not None:
                settings["openai_base_url"] = self.base_url
            if self.api_key is not None or self.leaves_home_endpoint(home):
                settings["openai_api_key"] = self.api_key
        if self.provider == "gemini" and self.api_key is not None:
            settings["gemini_api_key"] = self.api_key
        return settings

    def leaves_home_endpoint(self, home: Settings) -> bool:
        """Whether this choice sends OpenAI calls somewhere other than the home does."""
        return self.base_url is not None and same_url(self.base_url) != same_url(
            home.openai_base_url
        )


def provider_names(wb: Workbench) -> list[str]:
    """The providers a session may pick: every registered one, plugins included, with
    ``offline`` (works with no key, the default) first."""
    names = wb.providers()
    return ["offline", *(name for name in names if name != "offline")]


def same_url(url: str | None) -> str | None:
    """A base URL as compared: ``http://h/v1`` and ``http://h/v1/`` are one endpoint."""
    return url.rstrip("/") if url else None


@st.cache_resource(show_spinner="Opening the workbench…", on_release=lambda wb: wb.close())
def shared_workbench(home: str) -> Workbench:
    """The process's workbench of ``home`` (settings otherwise from the environment)."""
    return Workbench.open(home=home)


def base_workbench() -> Workbench:
    """The shared workbench of the home named by ``AIWRITER_HOME`` (or the default)."""
    return shared_workbench(str(Settings().home))


def model_choice() -> ModelChoice | None:
    """The session's saved model settings, or None: the home's own settings apply."""
    return st.session_state.get(CHOICE_KEY)


def save_model_choice(choice: ModelChoice | None) -> None:
    st.session_state[CHOICE_KEY] = choice
    st.session_state.pop(VIEW_KEY, None)


def workbench() -> Workbench:
    """The workbench for this session: the shared one, seen with the session's models."""
    base = base_workbench()
    choice = model_choice()
    if choice is None:
        return base
    cached = st.session_state.get(VIEW_KEY)
    if cached is not None and cached[0] == choice and cached[1] is base:
        return cached[2]
    view = base.with_models(**choice.overrides(base.settings))
    st.session_state[VIEW_KEY] = (choice, base, view)
    return view


def active_models(wb: Workbench) -> str:
    """Which provider and model this session uses, and where its key is kept (never the key)."""
    settings = wb.settings
    text = f"provider **{settings.provider}**"
    if settings.model:
        text += f", model `{settings.model}`"
    choice = model_choice()
    if choice is not None and choice.key_source != "none":
        where = "this session" if choice.key_source == "session" else "the OS keyring"
        text += f", API key from {where}"
    return text


def page_header(title: str, caption: str) -> Workbench:
    """Set up a page: its title and what it is for, the active models; return the workbench."""
    st.set_page_config(page_title=f"{title} · AI Writer", layout="wide")
    st.title(title)
    st.caption(caption)
    try:
        wb = workbench()
    except AIWriterError as error:
        st.error(f"The workbench cannot be opened: {one_line(error)}")
        st.stop()
    st.sidebar.markdown(f"Models: {active_models(wb)}")
    return wb
