"""Secrets out of what people see: URLs without credentials, known secret strings removed.

A provider's base URL may carry a password (``http://user:pw@host``) or a token in its query
(``?token=...``). A message built from that URL, or from an HTTP client's exception that
quotes it, would reach every API user and be stored in the call log, the job and its
events. So the redaction is defined here once: ``redact_url`` for showing a URL,
``url_secrets`` for the secret parts of one, ``redact_text`` and ``redact_error`` for
messages that may quote a URL or a key, ``redact_http_client_logs`` for the log lines in
which HTTP clients write each request's full URL.

Server paths too: an error about a batch row or an upload may quote where the file lies on
the server's disk, and a message shown to an API or app user, or written into a summary that
is downloaded and passed around, should not tell its readers how the server is laid out.
``hide_paths`` shows the workbench home as ``<home>``, the server account's home folder as
``~`` and any other absolute path by its file name alone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, unquote_plus

MASK = "***"
# Shorter secrets are removed only inside URLs: replacing every "T" or "ab" in a message
# would garble it without protecting anything worth the name.
MIN_SECRET_CHARS = 4
# A URL runs to the next space or quote; punctuation ending a sentence is not part of it.
URL_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>`]+(?<![.,;:!?)\]])")
# httpx logs "HTTP Request: POST <full URL> ..." at INFO, user info and query included.
HTTP_CLIENT_LOGGERS = ("httpx", "httpx2")
HIDDEN_HOME = "<home>"
HIDDEN_DIRECTORY = "\u2026"  # "…/name": a path's folders hidden, its file name kept
# An absolute POSIX path of two names or more ("/C", a command's switch, is not one): not
# inside a URL ("://host/x"), a word ("and/or") or what was already hidden ("<home>/x").
ABSOLUTE_PATH = re.compile(r"(?<![\w.:/~>\u2026-])(?:/[\w.@+~-]+){2,}/?")


_PARTS = re.compile(r"^(?P<scheme>[^:/?#]+://)(?P<netloc>[^/?#]*)(?P<path>[^?#]*)(?P<rest>.*)$")


def redact_url(url: str) -> str:
    """``url`` fit for display: user info dropped, every query value masked, fragment
    masked; scheme, host, port and path kept. A string that is not a URL is returned as is."""
    parts = _PARTS.match(url)
    if parts is None:
        return url
    host = parts["netloc"].rpartition("@")[2]
    query, has_fragment, _ = parts["rest"].partition("#")
    shown = f"{parts['scheme']}{host}{parts['path']}"
    if query:
        shown += "?" + "&".join(_masked_parameter(p) for p in query[1:].split("&"))
    if has_fragment:
        shown += f"#{MASK}"
    return shown


def url_secrets(url: str | None) -> list[str]:
    """The secret parts of ``url`` (user, password, query values), raw and decoded, so a
    message quoting any of them can be cleaned by ``redact_text``."""
    parts = _PARTS.match(url or "")
    if parts is None:
        return []
    userinfo, _, _ = parts["netloc"].rpartition("@")
    values = [value for value in userinfo.split(":", 1) if value]
    query, _, fragment = parts["rest"].partition("#")
    for parameter in query[1:].split("&") if query else []:
        name, has_value, value = parameter.partition("=")
        values.append(value if has_value else name)
    values.append(fragment)
    decoded = [unquote(value) for value in values] + [unquote_plus(value) for value in values]
    return [value for value in dict.fromkeys(values + decoded) if value]


def redact_text(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every URL in it shown by ``redact_url`` and every known secret (of
    ``MIN_SECRET_CHARS`` or more) replaced by the mask; the longest secrets go first so a
    secret containing another is removed whole."""
    cleaned = URL_PATTERN.sub(lambda match: redact_url(match[0]), text)
    usable = {secret for secret in secrets if secret and len(secret) >= MIN_SECRET_CHARS}
    for secret in sorted(usable, key=len, reverse=True):
        cleaned = cleaned.replace(secret, MASK)
    return cleaned


def redact_error(error: BaseException, secrets: Iterable[str | None]) -> BaseException:
    """Rewrite ``error``'s message in place (and return it), so whoever shows, logs or stores
    it later, however far up the stack, sees no secret."""
    message = str(error)
    cleaned = redact_text(message, secrets)
    if cleaned != message:
        error.args = (cleaned,)
    return error


class UrlRedactingFilter(logging.Filter):
    """Rewrites a log record so every URL in it is shown by ``redact_url``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_text(message, ())
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_URL_FILTER = UrlRedactingFilter()


def redact_http_client_logs() -> None:
    """Install the URL filter on the HTTP clients' loggers; calling it again changes nothing.
    A logger's filters run only for records its level lets through, so this costs nothing
    while those loggers are quiet."""
    for name in HTTP_CLIENT_LOGGERS:
        logger = logging.getLogger(name)
        if _URL_FILTER not in logger.filters:
            logger.addFilter(_URL_FILTER)


def _masked_parameter(parameter: str) -> str:
    """``name=***`` for ``name=value``; a bare parameter may itself be a token."""
    name, has_value, _ = parameter.partition("=")
    if has_value:
        return f"{name}={MASK}"
    return MASK if parameter else ""


def hide_paths(text: str | None, home: Path | str | None = None) -> str | None:
    """``text`` (an error message, a note) without server paths: the workbench ``home`` as
    ``<home>``, the server account's home folder as ``~``, any other absolute path as
    ``…/file-name``. Relative paths and URLs are kept; ``None`` stays ``None``."""
    if text is None:
        return None
    if home is not None:
        text = text.replace(str(home), HIDDEN_HOME)
    account_home = str(Path.home())
    if account_home != "/":
        text = text.replace(account_home, "~")
    return ABSOLUTE_PATH.sub(_file_name_only, text)


def _file_name_only(match: re.Match[str]) -> str:
    path = match[0]
    ending = ""
    while path.endswith("."):  # the full stop of a sentence is not part of the name
        path, ending = path[:-1], ending + "."
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return f"{HIDDEN_DIRECTORY}/{name}{ending}" if name else match[0]
