"""Content-Security-Policy: one policy on every response that does not set its own.

Scripts come only from our own static files (no inline script element, no ``on…=``
handlers: ``static/jisheng/js`` binds behaviour through ``data-`` attributes; data for a
script travels as ``json_script``, which is data, not code). Styles come from our own
files too; the one exception is a ``<style nonce="…">`` block of a print page (letters,
contracts, cards, ledgers): those layouts carry page sizes chosen per document and must
also work inline when core.pdf prints them with every network request blocked, so each
such block carries the request's nonce and nothing else inline is allowed — no ``style=``
attribute anywhere.

Django ships its own CSP only from 6.0; this is the 5.2 stand-in (a fixed header, so no
library is needed for it).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

HEADER = "Content-Security-Policy"

DIRECTIVES: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def policy(nonce: str | None = None) -> str:
    """The header's value; ``nonce`` (when a page used one) joins ``style-src``."""
    parts = []
    for name, value in DIRECTIVES.items():
        if name == "style-src" and nonce:
            value = f"{value} 'nonce-{nonce}'"
        parts.append(f"{name} {value}")
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Adds the policy; ``request.csp_nonce`` is made only when a template asks for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        made: list[str] = []

        def make() -> str:
            made.append(secrets.token_urlsafe(16))
            return made[0]

        request.csp_nonce = SimpleLazyObject(make)  # type: ignore[attr-defined]
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = policy(made[0] if made else None)
        return response
