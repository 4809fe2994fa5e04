"""The few typed errors the kernel raises.

Every error carries a plain-language message meant for the person at the keyboard:
front ends print ``str(error)`` as one line instead of a traceback.
"""

from __future__ import annotations

from typing import Any


class AIWriterError(Exception):
    """Base class: something the user can act on, described in one line."""


class ConfigError(AIWriterError):
    """A setting is malformed or points somewhere unusable (home, database URL...)."""


class StoreError(AIWriterError):
    """The database cannot be opened or used as it is."""


class VectorStoreError(StoreError):
    """The vector store is missing, unreadable or out of step with the database: a fault of
    the server's files, not of the request, and said without naming them (front ends show it
    to remote callers; ``aiwriter doctor`` names the folder)."""


class SchemaTooNewError(StoreError):
    """The database was migrated by a newer version of aiwriter than this one."""


class SchemaOutdatedError(StoreError):
    """The database exists but needs ``aiwriter db upgrade`` before use."""


class NotFoundError(AIWriterError):
    """A record the caller named (draft, user, key...) does not exist."""


PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")
"""What pydantic puts before the message of a validator's ``ValueError``/``assert``."""


def plain_reason(detail: Any) -> str:
    """The message of one pydantic error detail, without pydantic's own wording."""
    message = str(detail["msg"])
    for prefix in PYDANTIC_PREFIXES:
        message = message.removeprefix(prefix)
    return message


class ValidationError(AIWriterError):
    """The caller's input cannot be used (empty name, duplicate, out of range...).

    ``field`` and ``reason`` are set when the complaint is about one named input, so a front
    end can name it in its own terms (the CLI says ``--channel``, not ``channel``).
    """

    def __init__(self, message: str, *, field: str | None = None, reason: str | None = None):
        super().__init__(message)
        self.field = field
        self.reason = reason if reason is not None else message

    @classmethod
    def from_pydantic(cls, error: Any, model_name: str, prefix: str = "") -> ValidationError:
        """pydantic's first complaint as one line naming the field (``prefix.field: msg``)."""
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or model_name
        reason = plain_reason(first)
        field = where if len(first["loc"]) == 1 else None
        return cls(f"{prefix}{where}: {reason}", field=field, reason=reason)


class TopicNotCoveredError(ValidationError):
    """The knowledge base has too little on the topic to write about it honestly."""


class ProviderError(AIWriterError):
    """A model provider call failed; subclasses say how, in words a writer understands."""

    retryable = False


class UnknownProviderError(ProviderError):
    """No provider (or model) of that name is registered."""


class ProviderNotConfiguredError(ProviderError):
    """The provider needs a key, URL or model that is not set."""


class BadCredentialsError(ProviderError):
    """The provider rejected the key."""


class BadRequestError(ProviderError):
    """The provider refused the request as malformed; retrying cannot help."""


class RateLimitedError(ProviderError):
    """The provider asked us to slow down."""

    retryable = True

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ProviderUnavailableError(ProviderError):
    """The provider is down, unreachable or its circuit breaker is open."""

    retryable = True


class ProviderTimeoutError(ProviderError):
    """The provider did not answer within the call's timeout."""

    retryable = True


class ContentRefusedError(ProviderError):
    """The provider refused the content (safety filter, policy)."""


class PromptError(ProviderError):
    """The prompt cannot be sent: empty, too long, or its template is missing a variable."""


def one_line(error: BaseException, *, limit: int | None = None) -> str:
    """An error as one readable line, for a panel, a table cell or a job row.

    A kernel error's own message is already written for the user (all of it, joined);
    anything else is its type and first line, since its message alone ("list index out of
    range") rarely says where it came from and its later lines are usually a trace.
    ``limit`` cuts the line with "…" where space is short.
    """
    lines = [" ".join(line.split()) for line in str(error).splitlines() if line.strip()]
    if isinstance(error, AIWriterError):
        message = " ".join(lines) or type(error).__name__
    else:  # a third-party message's later lines are usually a trace
        message = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    if limit is not None and len(message) > limit:
        return message[: limit - 1] + "…"
    return message


def named_one_line(name: str, message: str, *, limit: int | None = None) -> str:
    """``Name: first line`` for an error known only by its type name and message (a
    failure reported by a notebook kernel or a dead worker process)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    text = f"{name}: {lines[0]}" if lines else name
    if limit is not None and len(text) > limit:
        return text[: limit - 1] + "…"
    return text
