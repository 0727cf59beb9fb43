"""Issue 13 item 12: behind a real gunicorn started with ``jisheng serve``'s options, an API
URL over 4 KB (and over gunicorn's own default limit of 4,094 bytes, and over 8 KB) is
answered by Django's input guard — 414 JSON with a Chinese message — not by gunicorn's
HTML error page."""

from __future__ import annotations

import json
from pathlib import Path

import jisheng
from tests.core.gunicorn_server import get, real_gunicorn

LOCALE = Path(jisheng.__file__).parent / "locale"

APP = f"""
import django
from django.conf import settings

settings.configure(
    USE_I18N=True, LANGUAGE_CODE="zh-hans", LOCALE_PATHS=[{str(LOCALE)!r}], ALLOWED_HOSTS=["*"]
)
django.setup()

from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.utils import translation

from jisheng.core.middleware_input import InputGuardMiddleware

guard = InputGuardMiddleware(lambda request: HttpResponse(b"ok"))


def application(environ, start_response):
    translation.activate("zh-hans")
    response = guard(WSGIRequest(environ))
    start_response(f"{{response.status_code}} X", list(response.items()))
    return [response.content]
"""


def test_a_real_gunicorn_lets_long_api_urls_reach_the_json_answer(tmp_path: Path):
    def ready(base: str) -> None:
        assert get(f"{base}/api/v1/units?q=a")[0] == 200

    with real_gunicorn(tmp_path, APP, ready=ready) as (base, log):
        for length in (5_000, 9_000):
            status, content_type, body = get(f"{base}/api/v1/persons?q=" + "a" * length)
            assert status == 414, (length, body[:300], log.read_text()[-2000:])
            assert content_type.startswith("application/json")
            assert "网址过长" in json.loads(body)["message"]
        status, content_type, body = get(f"{base}/people/?q=" + "a" * 5_000)
        assert status == 414 and content_type.startswith("text/html")
        assert "网址过长" in body.decode()
