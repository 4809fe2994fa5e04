"""Settings: the model provider, model, base URL and API key for this browser session.

A key typed here is kept in the session's memory, or (when "remember" is ticked and the OS
has a secure keyring) in the keyring under the service ``aiwriter``, filed under its provider
and base URL so it is only ever offered for that endpoint. It is never written to the
database, to a file under the home, or to a log, and never shown again. The app has no login:
a remembered key is offered to every visitor, so remembering suits a single-user machine.
"""

from __future__ import annotations

import streamlit as st
from aiwriter_apps.streamlit import keys
from aiwriter_apps.streamlit.safe_markdown import escape_html
from aiwriter_apps.streamlit.session import (
    ModelChoice,
    active_models,
    base_workbench,
    model_choice,
    page_header,
    provider_names,
    same_url,
    save_model_choice,
)
from pydantic import SecretStr
from pydantic import ValidationError as PydanticValidationError

from aiwriter_kernel.workbench import Workbench

NEEDS_KEY = ("openai", "gemini")
SHARED_KEYRING = (
    "This app has no login: a remembered key is offered to everyone who opens it with the same "
    "provider and base URL. Remember keys only on a single-user machine."
)


def main() -> None:
    """The page, as Streamlit runs it."""
    wb = page_header("Settings", "Which model writes for you in this session.")

    home = base_workbench().settings
    providers = provider_names(base_workbench())
    current = model_choice() or ModelChoice(
        provider=home.provider if home.provider in providers else "offline",
        model=home.model,
        base_url=home.openai_base_url,
    )
    keyring_problem = keys.backend_problem()

    with st.form("settings_models"):
        provider = st.selectbox(
            "Provider",
            providers,
            index=providers.index(current.provider) if current.provider in providers else 0,
            help="offline: no model, works everywhere; openai: OpenAI or any compatible server "
            "(Ollama, vLLM, llama.cpp); gemini: Google Gemini; hf: a local Hugging Face model.",
        )
        model = st.text_input(
            "Model", value=current.model or "", placeholder="the provider's default"
        )
        base_url = st.text_input(
            "Base URL (openai only)",
            value=current.base_url or "",
            placeholder="e.g. http://127.0.0.1:11434/v1 for Ollama",
        )
        typed_key = st.text_input(
            "API key",
            type="password",
            placeholder="leave empty to keep the current key",
            help="Kept in this session's memory only, unless you tick the box below.",
        )
        remember = st.checkbox(
            "Remember the key in the OS keyring",
            disabled=keyring_problem is not None,
            help=f"Not available: {keyring_problem}."
            if keyring_problem
            else "Stored by the operating system under the service 'aiwriter'.",
        )
        st.caption(SHARED_KEYRING)
        save = st.form_submit_button("Use these settings")

    # The endpoint the key is for: a key is never carried over, or recalled, for another one.
    endpoint = same_url(base_url.strip()) if provider == "openai" else None
    same_endpoint = current.provider == provider and same_url(current.base_url) == endpoint

    if save:
        key, source = None, "none"
        if typed_key.strip():
            key, source = typed_key.strip(), "session"
        elif same_endpoint and current.api_key is not None:
            key, source = current.api_key.get_secret_value(), current.key_source
        elif provider in NEEDS_KEY and (remembered := keys.recall(provider, endpoint)):
            key, source = remembered, "keyring"
        if key is not None and source == "session" and remember:
            try:
                keys.remember(provider, endpoint, key)
                source = "keyring"
            except keys.KeyringUnavailable as problem:
                st.warning(
                    f"The key could not be remembered: {problem}. It is kept for this session only."
                )
        try:
            choice = ModelChoice(
                provider=provider,
                model=model,
                base_url=base_url if provider == "openai" else None,
                api_key=SecretStr(key) if key is not None and provider in NEEDS_KEY else None,
                key_source=source if provider in NEEDS_KEY else "none",
            )
        except PydanticValidationError as error:
            st.error(f"Not saved: {error.errors()[0]['msg']}")
        else:
            save_model_choice(choice)
            st.success(f"This session now uses {choice.provider}.")
            st.rerun()

    st.subheader("Active")
    st.markdown(active_models(wb))
    if (missing := missing_setup(wb)) is not None:
        st.warning(missing)
    if keyring_problem is None:
        st.caption("A secure OS keyring is available: keys can be remembered there.")
    else:
        st.info(
            f"Keys cannot be remembered here: {keyring_problem}. A key you type is kept in "
            "this browser session's memory only, and is gone when the session ends."
        )

    left, right = st.columns(2)
    if left.button("Forget the remembered key", disabled=provider not in NEEDS_KEY):
        keys.forget(provider, endpoint)
        chosen = model_choice()
        if chosen is not None and chosen.key_source == "keyring" and same_endpoint:
            save_model_choice(chosen.model_copy(update={"api_key": None, "key_source": "none"}))
        st.success(
            f"No key is remembered for {provider} at {endpoint or 'its default URL'} any more."
        )
    if right.button("Back to the home's settings"):
        save_model_choice(None)
        st.rerun()


def missing_setup(wb: Workbench) -> str | None:
    """What the session's provider still needs before it can write (a key, usually) and how
    to give it, or None when it is ready: said at once, not at the first failed draft."""
    statuses = wb.model_statuses(probe=False)
    status = next((s for s in statuses if s.selected), None)
    if status is None or status.configured:
        return None
    missing = f"**{status.name}** cannot write yet: {status.detail}."
    if status.name in NEEDS_KEY:
        missing += (
            " Type the key into **API key** above and press **Use these settings**, or set it "
            "in the environment the app is started from."
        )
    return escape_html(missing)


# Streamlit runs a page as __main__; a worker process that Python spawns (batch rows,
# jobs) imports the running page as __mp_main__, and must not draw it again.
if __name__ == "__main__":
    main()
