"""``jisheng serve [--host H] [--port P] [--workers N] [--threads T]``: the real web server.

Replaces this process with gunicorn (``gunicorn jisheng.wsgi:application``) so that
signals (Ctrl+C, SIGTERM from a service manager) reach gunicorn directly. Threaded
workers (gthread) serve SQLite and PostgreSQL alike; on SQLite the default is a single
worker process so that one process owns the file's write lock at a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def is_sqlite() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def default_workers() -> int:
    if is_sqlite():
        return 1
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def gunicorn_argv(*, host: str, port: int, workers: int, threads: int) -> list[str]:
    """The command line that runs gunicorn with this interpreter."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "jisheng.wsgi:application",
        "--bind",
        bind_address(host, port),
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--graceful-timeout",
        "20",
        "--max-requests",
        "2000",
        "--max-requests-jitter",
        "200",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        # The access log never records query strings (search text, ID numbers).
        "--logger-class",
        "jisheng.core.gunicorn_logging.QuerylessLogger",
        # Long URLs reach Django, whose InputGuardMiddleware answers 414 in JSON under
        # /api/ (a Chinese page elsewhere) instead of gunicorn's HTML (0: no line limit
        # of its own beyond its 1 MB read buffer).
        "--limit-request-line",
        "0",
        # Several servers (tests, a demo beside production) must not fight over one
        # control socket in the home directory.
        *(["--no-control-socket"] if _has_setting("control_socket_disable") else []),
    ]


def _has_setting(name: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(setting.name == name for setting in KNOWN_SETTINGS)


def static_files_missing() -> bool:
    """True when the static files storage needs a manifest that was never collected."""
    storage = storages["staticfiles"]
    return isinstance(storage, ManifestFilesMixin) and not storage.exists(storage.manifest_name)


def task_worker_argv() -> list[str]:
    """The supervisor (:mod:`jisheng.core.supervisor`) that keeps ``jisheng worker``
    running: restarted with a back-off (1 s doubling to 60 s) whenever it ends."""
    return [
        sys.executable,
        "-m",
        "jisheng.core.supervisor",
        "--",
        sys.executable,
        "-m",
        "jisheng",
        "worker",
    ]


def start_task_worker() -> subprocess.Popen:
    """Run ``jisheng worker`` beside the web server, under its supervisor: queued tasks
    and nightly jobs.

    It shares the server's process group, so Ctrl+C (or a service manager stopping the
    group) stops both; the supervisor also ends with the server (its parent) on Linux.
    """
    return subprocess.Popen(task_worker_argv(), preexec_fn=_die_with_parent)


def _die_with_parent() -> None:
    """In the child: ask Linux to send SIGTERM when the server process ends."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the process group still stops both
        pass


class Command(BaseCommand):
    help = _("Serve jisheng over HTTP with gunicorn (not the development server).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--host",
            default=os.environ.get("JISHENG_HOST", DEFAULT_HOST),
            help=_("Address to listen on (default %(default)s; 0.0.0.0 for every interface)."),
        )
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("JISHENG_PORT", DEFAULT_PORT)),
            help=_("TCP port (default %(default)s)."),
        )
        parser.add_argument(
            "--no-task-worker",
            action="store_true",
            help=_("Do not start the background-task worker (imports) beside the server."),
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=_("Worker processes (default: 1 on SQLite, 2 × cores + 1 on PostgreSQL)."),
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=4,
            help=_("Threads per worker process (default %(default)s)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"]
        workers: int = default_workers() if options["workers"] is None else options["workers"]
        threads: int = options["threads"]
        if not 0 < port < 65536:
            raise CommandError(_("The port must be between 1 and 65535."))
        if workers < 1 or threads < 1:
            raise CommandError(_("--workers and --threads must be at least 1."))
        if static_files_missing():
            self.stdout.write(_("Collecting static files…"))
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = gunicorn_argv(host=host, port=port, workers=workers, threads=threads)
        if not options["no_task_worker"]:
            start_task_worker()
        shown = host if ":" not in host else f"[{host}]"
        self.stdout.write(
            _("Serving jisheng at http://%(addr)s/ (Ctrl+C stops the server).")
            % {"addr": f"{shown}:{port}"}
        )
        self.stdout.flush()
        sys.stderr.flush()
        connections.close_all()
        os.execv(argv[0], argv)
