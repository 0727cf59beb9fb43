"""Issue 13 item 12: behind a real gunicorn started with ``jisheng serve``'s options, an API
URL over 4 KB (and over gunicorn's own default limit of 4,094 bytes, and over 8 KB) is
answered by Django's input guard — 414 JSON with a Chinese message — not by gunicorn's
HTML error page."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import jisheng
from jisheng.core.management.commands.serve import gunicorn_argv

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def test_a_real_gunicorn_lets_long_api_urls_reach_the_json_answer(tmp_path: Path):
    (tmp_path / "guardapp.py").write_text(APP)
    port = _free_port()
    argv = gunicorn_argv(host="127.0.0.1", port=port, workers=1, threads=1)
    argv[argv.index("jisheng.wsgi:application")] = "guardapp:application"
    log = tmp_path / "out.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        server = subprocess.Popen(
            argv, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, env={"PATH": "/usr/bin:/bin"}
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    assert _get(f"{base}/api/v1/units?q=a")[0] == 200
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            for length in (5_000, 9_000):
                status, content_type, body = _get(f"{base}/api/v1/persons?q=" + "a" * length)
                assert status == 414, (length, body[:300], log.read_text()[-2000:])
                assert content_type.startswith("application/json")
                assert "网址过长" in json.loads(body)["message"]
            status, content_type, body = _get(f"{base}/people/?q=" + "a" * 5_000)
            assert status == 414 and content_type.startswith("text/html")
            assert "网址过长" in body.decode()
        finally:
            server.terminate()
            server.wait(timeout=20)
