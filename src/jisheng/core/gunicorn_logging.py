"""gunicorn's access log without query strings (``jisheng serve`` passes
``--logger-class jisheng.core.gunicorn_logging.QuerylessLogger``).

Search text — a name, a phone number, an ID number — must never land in a server log
(SPEC §0). jisheng's own searches no longer put an ID number in a URL (the person list
posts its search, the API has ``POST /api/v1/persons/search``), but any query string may
carry personal data, and so may the ``Referer`` of the next request. This logger writes
every request line, referer and the ``{…}i`` / ``{…}e`` atoms a custom
``--access-logformat`` could name without their query strings, on every path.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

# "/path?query" (or "http://host/path?query") inside a message: the query is dropped
_URL_QUERY = re.compile(r"((?:https?://[^\s/?#\"']+)?/[^\s?#\"']*)\?[^\s\"']*")

# atoms that hold a whole URL (cut at "?") or a query string (emptied)
_URL_ATOMS = {"{referer}i", "{referrer}i", "{raw_uri}e", "{request_uri}e", "{http_referer}e"}
_QUERY_ATOMS = {"{query_string}e"}


def strip_query(url: Any) -> Any:
    """``url`` without ``?…`` (and without a ``#…`` fragment); other values unchanged."""
    if not isinstance(url, str):
        return url
    for mark in ("?", "#"):
        if mark in url:
            url = url.split(mark, 1)[0]
    return url


def scrub(value: Any) -> Any:
    """A log message or argument with the query strings of the URLs in it dropped."""
    if isinstance(value, str) and "?" in value:
        return _URL_QUERY.sub(r"\1", value)
    return value


class QuerylessLogger(Logger):
    """gunicorn's logger whose access-log atoms hold no query string; the error log's
    messages (e.g. "Error handling request /people/?q=…") are scrubbed the same way."""

    def _scrubbed(self, method: Any, msg: Any, args: tuple, kwargs: dict) -> None:
        method(scrub(msg), *(scrub(arg) for arg in args), **kwargs)

    def critical(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self._scrubbed(super().critical, msg, args, kwargs)

    def error(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self._scrubbed(super().error, msg, args, kwargs)

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self._scrubbed(super().warning, msg, args, kwargs)

    def info(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self._scrubbed(super().info, msg, args, kwargs)

    def debug(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self._scrubbed(super().debug, msg, args, kwargs)

    def exception(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self._scrubbed(super().exception, msg, args, kwargs)

    def log(self, lvl: Any, msg: Any, *args: Any, **kwargs: Any) -> None:
        super().log(lvl, scrub(msg), *(scrub(arg) for arg in args), **kwargs)

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        path = strip_query(environ.get("RAW_URI") or environ.get("PATH_INFO") or "")
        atoms["r"] = "{} {} {}".format(
            environ.get("REQUEST_METHOD", "-"), path, environ.get("SERVER_PROTOCOL", "-")
        )
        atoms["q"] = ""
        referer = environ.get("HTTP_REFERER")
        atoms["f"] = strip_query(referer) if referer else "-"
        for key in list(atoms):
            lowered = key.lower()
            if lowered in _URL_ATOMS:
                atoms[key] = strip_query(atoms[key])
            elif lowered in _QUERY_ATOMS:
                atoms[key] = ""
        return atoms
