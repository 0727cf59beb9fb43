"""Requests refused before any view sees them, with an answer in the user's language:

- a URL (path and query string) longer than :data:`MAX_URL_BYTES`: 414 (gunicorn's
  request-line limit is raised so that such a URL reaches this answer, not gunicorn's
  HTML page — see ``jisheng serve``);
- a NUL character (``\\x00``) in the path, a query parameter, a form field or a cookie:
  400 — PostgreSQL cannot store one, and no name, code or search holds one.

Under ``/api/`` the answer is the API's JSON error body (``{"code", "message"}``);
elsewhere a short Chinese page. JSON request bodies are checked by the API schemas
(:class:`jisheng.api.inputs.InputModel`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

MAX_URL_BYTES = 4096
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _url_bytes(request: HttpRequest) -> int:
    path = request.META.get("RAW_URI") or request.META.get("PATH_INFO", "")
    query = request.META.get("QUERY_STRING", "")
    if request.META.get("RAW_URI"):
        return len(path.encode("latin-1", "replace"))
    return len(path.encode("utf-8")) + (len(query.encode("latin-1", "replace")) + 1 if query else 0)


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info:
        return True
    query = request.META.get("QUERY_STRING", "")
    if "\x00" in query or b"\x00" in unquote_to_bytes(query):
        return True
    if any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items()):
        return True
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method == "POST" and content_type.startswith(_FORMS):
        for key, values in request.POST.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


def _form_error(request: HttpRequest) -> tuple[int, str] | None:
    """Why a form body cannot be parsed (a multipart body without its boundary, too
    big …), as (status, message); None when it can (or is not a form)."""
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method != "POST" or not content_type.startswith(_FORMS):
        return None
    try:
        request.POST  # noqa: B018 - parsed here, once, for the check
    except RequestDataTooBig:
        return 413, _("The request body is too large.")
    except Exception:  # MultiPartParserError, TooManyFieldsSent, a bad encoding …
        return 400, _("The request body cannot be read: check its format (Content-Type).")
    return None


def _answer(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        response = HttpResponse(
            json.dumps({"code": code, "message": message}, ensure_ascii=False),
            status=status,
            content_type="application/json; charset=utf-8",
        )
    else:
        title = _("The request was refused")
        home = _("Back to the home page")
        response = HttpResponse(
            f'<!doctype html><html lang="{escape(get_language() or "zh-hans")}"><head>'
            f'<meta charset="utf-8"><title>{escape(title)}</title></head><body>'
            f"<h1>{escape(title)}</h1><p>{escape(message)}</p>"
            f'<p><a href="/">{escape(home)}</a></p></body></html>',
            status=status,
            content_type="text/html; charset=utf-8",
        )
    response["Content-Language"] = get_language() or "zh-hans"
    return response


class InputGuardMiddleware:
    """See the module's docstring. Place it after the language middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _url_bytes(request) > MAX_URL_BYTES:
            return _answer(
                request,
                414,
                "uri_too_long",
                _("The address is too long (more than %(limit)s bytes).")
                % {"limit": MAX_URL_BYTES},
            )
        if error := _form_error(request):
            return _answer(request, error[0], "invalid", error[1])
        if _has_nul(request):
            return _answer(
                request,
                400,
                "invalid",
                _("The request contains a NUL character (\\x00), which is not allowed."),
            )
        return self.get_response(request)
