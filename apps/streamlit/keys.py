"""Provider keys remembered in the OS keyring (service ``aiwriter``), when the user asks.

A key typed into Settings lives in the session's memory; ticking "remember" also puts it
in the operating system's keyring, so the next session finds it. It is never written to the
database, to files under the home, or to a log. Where no secure keyring exists (a CI box,
a container), or only a plain-text file "keyring" would take it, remembering is refused
with a reason and the key stays in the session.

The app has no login, so the keyring is shared by every visitor of the process. A key is
therefore filed under its provider *and* the base URL it was typed for
(``openai@http://127.0.0.1:11434/v1``, ``gemini@default``): a key remembered for one
endpoint is never offered for, and so never sent to, another one.
"""

from __future__ import annotations

import contextlib

SERVICE = "aiwriter"
INSECURE_BACKENDS = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")
SECURE_KEYRINGS = "such as GNOME Keyring, KWallet, the macOS Keychain or Windows Credential Manager"


class KeyringUnavailable(Exception):
    """No secure OS keyring answers here; the message says why in plain words."""


def backend_problem() -> str | None:
    """Why keys cannot be remembered here, or None when a secure keyring is available."""
    try:
        import keyring
    except ImportError:
        return "the keyring package is not installed"
    backend = keyring.get_keyring()
    module = type(backend).__module__
    if module.startswith("keyrings.alt"):
        return "the only keyring installed here (keyrings.alt) would keep keys in a readable file"
    if module.startswith(INSECURE_BACKENDS) or ("chainer" in module and not _chained(backend)):
        return f"this machine has no secure keyring ({SECURE_KEYRINGS})"
    return None


def account(provider: str, base_url: str | None) -> str:
    """The keyring user name of a key: its provider and the endpoint it is meant for."""
    return f"{provider}@{base_url or 'default'}"


def remember(provider: str, base_url: str | None, key: str) -> None:
    """Store ``key`` for ``provider`` at ``base_url``; ``KeyringUnavailable`` when that
    cannot be done."""
    problem = backend_problem()
    if problem is not None:
        raise KeyringUnavailable(problem)
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, account(provider, base_url), key)
    except KeyringError as error:
        raise KeyringUnavailable(f"the OS keyring refused the key: {error}") from None


def recall(provider: str, base_url: str | None) -> str | None:
    """The key remembered for ``provider`` at exactly ``base_url``, or None (also when there
    is no keyring)."""
    if backend_problem() is not None:
        return None
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(SERVICE, account(provider, base_url))
    except KeyringError:
        return None


def forget(provider: str, base_url: str | None) -> None:
    """Remove the key remembered for ``provider`` at ``base_url``, if there is one."""
    if backend_problem() is not None:
        return
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    with contextlib.suppress(PasswordDeleteError, KeyringError):
        keyring.delete_password(SERVICE, account(provider, base_url))


def _chained(backend: object) -> bool:
    """A chainer is secure only when it chains at least one secure backend."""
    backends = getattr(backend, "backends", ())
    return any(not type(b).__module__.startswith(INSECURE_BACKENDS) for b in backends)
