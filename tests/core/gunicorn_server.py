"""A real gunicorn started with ``jisheng serve``'s options around a small WSGI module of a
test's own: for what only the server itself does (its log lines, its request-line limit)."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from jisheng.core.management.commands.serve import gunicorn_argv


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def real_gunicorn(
    tmp_path: Path,
    app_source: str,
    *,
    ready: Callable[[str], None],
    extra_argv: tuple[str, ...] = (),
) -> Iterator[tuple[str, Path]]:
    """Serve ``app_source`` (a module defining ``application``) and yield the base URL and
    the server's log file once ``ready(base)`` stops raising ``OSError`` (30 s at most)."""
    (tmp_path / "testapp.py").write_text(app_source)
    port = free_port()
    argv = gunicorn_argv(host="127.0.0.1", port=port, workers=1, threads=1)
    argv[argv.index("jisheng.wsgi:application")] = "testapp:application"
    argv += list(extra_argv)
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
                    ready(base)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            yield base, log
        finally:
            server.terminate()
            server.wait(timeout=20)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    """Status, content type and body of a GET, error answers included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()
