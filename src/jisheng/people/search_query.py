"""How a search text reaches :mod:`jisheng.people.search` without passing through a URL.

An ID number must never be in a URL (SPEC §0: URLs land in server logs, proxies and
browser histories). So:

- the person list's search form is posted; the view keeps the text in the user's session
  under an opaque random token and redirects to the list with ``?s=<token>`` (filters,
  sorting, paging and the export carry the token, never the text);
- ``GET /api/v1/persons`` refuses a ``q`` that looks like an ID number
  (:func:`looks_like_id_number`); ``POST /api/v1/persons/search`` takes it in the body.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Any

from django.http import QueryDict

# 14 digits or more (a 15- or 18-character ID, or most of one; the last may be X).
# Phone numbers have at most 13 digits (+86 and 11 digits), so they stay searchable by GET.
_ID_LIKE = re.compile(r"\d{13,}[\dX]")
_SEPARATORS = re.compile(r"[\s\-_.,/·]+")

SEARCH_PARAM = "s"
SESSION_KEY = "jisheng_searches"
# Searches one session keeps (the oldest are dropped first).
MAX_SEARCHES = 30
# The fields a posted search form may carry into the list's URL (never the text).
_NEVER_IN_URL = {"q", "csrfmiddlewaretoken", SEARCH_PARAM, "page"}


def looks_like_id_number(text: str | None) -> bool:
    """True when ``text`` is (or is most of) a resident ID number: 14+ digits, the last
    one possibly X, whatever the spaces, dashes or full-width characters."""
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).upper()
    return bool(_ID_LIKE.fullmatch(compact))


def stash(session: Any, text: str) -> str:
    """Keep ``text`` in the session; returns the opaque token that names it."""
    searches: dict[str, str] = dict(session.get(SESSION_KEY) or {})
    for token, value in searches.items():
        if value == text:
            return token
    token = secrets.token_urlsafe(12)
    searches[token] = text
    while len(searches) > MAX_SEARCHES:
        searches.pop(next(iter(searches)))
    session[SESSION_KEY] = searches
    return token


def resolve(session: Any, token: str) -> str | None:
    """The text a token names in this session (``None``: unknown or expired)."""
    searches = session.get(SESSION_KEY) or {}
    value = searches.get(token)
    return value if isinstance(value, str) else None


def list_query(session: Any, data: QueryDict) -> str:
    """The list's query string for a submitted search form ``data``: its filters as they
    are, the search text replaced by a token (empty values left out)."""
    query = QueryDict(mutable=True)
    for key, values in data.lists():
        if key in _NEVER_IN_URL:
            continue
        kept = [value for value in values if value not in ("", None)]
        if kept:
            query.setlist(key, kept)
    text = (data.get("q") or "").strip()
    if text:
        query[SEARCH_PARAM] = stash(session, text)
    return query.urlencode()


def filter_data(session: Any, data: QueryDict) -> tuple[QueryDict, bool]:
    """The filter values of a list URL with the token's text put back as ``q``; the
    second value is False when the URL names a search this session does not know."""
    result = data.copy()
    token = result.pop(SEARCH_PARAM, [None])[-1]
    if not token:
        return result, True
    result.pop("q", None)
    text = resolve(session, token)
    if text is None:
        return result, False
    result["q"] = text
    return result, True
