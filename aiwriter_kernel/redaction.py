"""Secrets out of what people see: URLs without credentials, known secret strings removed.

A provider's base URL may carry a password (``http://user:pw@host``) or a token in its query
(``?token=...``). A message built from that URL, or from an HTTP client's exception that
quotes it, would reach every API user and be stored in the call log, the job and its
events. So the redaction is defined here once: ``redact_url`` for showing a URL,
``url_secrets`` for the secret parts of one, ``redact_text`` and ``redact_error`` for
messages that may quote a URL or a key, ``redact_http_client_logs`` for the log lines in
which HTTP clients write each request's full URL, and ``redact_server_logs`` for the access
log lines in which uvicorn writes each request's path and query: a client that puts its key
in the query string (``?api_key=...``) is refused, but the line would still keep the key.

Server paths too: an error about a batch row or an upload may quote where the file lies on
the server's disk, and a message shown to an API or app user, or written into a summary that
is downloaded and passed around, should not tell its readers how the server is laid out.
``hide_paths`` shows the workbench home as ``<home>``, the server account's home folder as
``~`` and any other absolute path by its file name alone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
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
# uvicorn writes "GET /path?query HTTP/1.1" to its access log, and request details to its
# error log (invalid requests, exceptions in the app).
SERVER_LOGGERS = ("uvicorn.access", "uvicorn.error")
# A request target as a server logs it: a path and a non-empty query, standing alone (after a
# space, a quote, a bracket or at the start), so a URL's own path is left to URL_PATTERN.
TARGET_PATTERN = re.compile(r"(?:^|(?<=[\s'\"(\[=]))/[^\s?#'\"<>`]*\?[^\s'\"<>`]+")
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
    return f"{parts['scheme']}{host}{redact_request_target(parts['path'] + parts['rest'])}"


def redact_request_target(target: str) -> str:
    """A path as requested (``/api/drafts?api_key=...#top``) with every query value and the
    fragment masked; the path kept, so a log line still says what was asked for."""
    before_fragment, has_fragment, _ = target.partition("#")
    path, has_query, query = before_fragment.partition("?")
    shown = path
    if has_query:
        shown += "?" + "&".join(_masked_parameter(p) for p in query.split("&"))
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


def redact_log_text(text: str) -> str:
    """``text`` with every URL shown by ``redact_url`` and every request target standing
    alone (``/path?query``, as servers log it) shown by ``redact_request_target``."""
    cleaned = URL_PATTERN.sub(lambda match: redact_url(match[0]), text)
    return TARGET_PATTERN.sub(lambda match: redact_request_target(match[0]), cleaned)


class UrlRedactingFilter(logging.Filter):
    """Rewrites a log record so no query value of a URL or request target in it is shown.

    The arguments are cleaned one by one and keep their places, because formatters may read
    them: uvicorn's access formatter unpacks (client, method, path, version, status) to build
    ``%(request_line)s``. Only a message whose format string itself holds a URL is formatted
    here and stored whole.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted_argument(value) for value in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {name: _redacted_argument(v) for name, v in record.args.items()}
        template = str(record.msg)
        if redact_log_text(template) != template:
            record.msg, record.args = redact_log_text(record.getMessage()), None
        return True


_URL_FILTER = UrlRedactingFilter()


def redact_http_client_logs() -> None:
    """Install the URL filter on the HTTP clients' loggers; calling it again changes nothing.
    A logger's filters run only for records its level lets through, so this costs nothing
    while those loggers are quiet."""
    _install_filter(HTTP_CLIENT_LOGGERS)


def redact_server_logs() -> None:
    """Install the URL filter on uvicorn's access and error loggers; calling it again changes
    nothing. uvicorn configures its loggers before it loads the app, and logging.config
    never removes a logger's filters, so installing it when the app is made is enough."""
    _install_filter(SERVER_LOGGERS)


def _install_filter(names: Iterable[str]) -> None:
    for name in names:
        logger = logging.getLogger(name)
        if _URL_FILTER not in logger.filters:
            logger.addFilter(_URL_FILTER)


def _redacted_argument(value: object) -> object:
    """A log argument with its query values masked; numbers and unchanged values as they
    were, so ``%d`` and the formatters reading them still work."""
    if value is None or isinstance(value, (int, float)):
        return value
    text = str(value)
    cleaned = redact_log_text(text)
    return value if cleaned == text else cleaned


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
