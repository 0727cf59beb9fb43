"""Every page needs a signed-in user through Django's LoginRequiredMiddleware (issue 14
item 6), not a decorator on each view: the pages that do not are exactly the public ones."""

from __future__ import annotations

import pathlib

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "jisheng"
# The pages anyone may open: the login page and its language switch, the logout, the
# health check, the favicon, a certificate's verification page (its QR code,
# ``verify:public``); the API authenticates by token (its own 401).
PUBLIC = {"login", "logout", "set_language", "healthz", "favicon.ico", "public"}


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(_patterns(entry, route))
        else:
            found.append((route, entry))
    return found


def test_the_middleware_is_on_after_authentication():
    middleware = list(settings.MIDDLEWARE)
    login = middleware.index("django.contrib.auth.middleware.LoginRequiredMiddleware")
    assert login > middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")


def test_no_view_repeats_login_required():
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "login_required" in path.read_text(encoding="utf-8").replace("login_not_required", "")
    ]
    assert offenders == []


def test_only_the_public_pages_and_the_api_skip_the_login():
    open_pages = {
        (pattern.name or route)
        for route, pattern in _patterns(get_resolver())
        if not getattr(pattern.callback, "login_required", True) and not route.startswith("api/")
    }
    assert open_pages == PUBLIC


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/people/")


def test_the_public_pages_answer_without_a_login(client, db):
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/login/").status_code == 200
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_the_api_answers_401_not_a_login_redirect(client, db):
    response = client.get("/api/v1/persons")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
