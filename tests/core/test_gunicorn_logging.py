"""Issue 13 item 8: gunicorn's access log records no query string (an ID number searched
for must never land in a server log) — the logger class ``jisheng serve`` passes."""

from __future__ import annotations

import time
from pathlib import Path

from jisheng.core.gunicorn_logging import QuerylessLogger, strip_query
from jisheng.core.management.commands.serve import gunicorn_argv
from tests.core.gunicorn_server import get, real_gunicorn

ID = "11010519491231002X"


def test_serve_passes_the_logger_class():
    argv = gunicorn_argv(host="127.0.0.1", port=8000, workers=1, threads=1)
    index = argv.index("--logger-class")
    assert argv[index + 1] == "jisheng.core.gunicorn_logging.QuerylessLogger"


def test_strip_query():
    assert strip_query(f"/people/?q={ID}&page=2") == "/people/"
    assert (
        strip_query(f"https://x.example/api/v1/persons?q={ID}#top")
        == "https://x.example/api/v1/persons"
    )
    assert strip_query("/people/") == "/people/"
    assert strip_query(None) is None


APP = """
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


def test_a_real_gunicorn_logs_no_query_string(tmp_path: Path):
    def ready(base: str) -> None:
        status, _type, body = get(
            f"{base}/people/?q={ID}&page=2",
            headers={"Referer": f"{base}/api/v1/persons?q={ID}"},
        )
        assert (status, body) == (200, b"ok")

    # a format that names every atom that could carry the URL
    log_format = (
        '%(h)s "%(r)s" %(s)s q=[%(q)s] "%(f)s" ref=[%({referer}i)s] raw=[%({raw_uri}e)s] '
        "qs=[%({query_string}e)s] U=%(U)s"
    )
    with real_gunicorn(
        tmp_path, APP, ready=ready, extra_argv=("--access-logformat", log_format)
    ) as (_base, log):
        time.sleep(0.5)
    text = log.read_text()
    assert '"GET /people/ HTTP/1.1" 200' in text, text
    assert "/api/v1/persons" in text  # the referer, without its query
    assert ID not in text and "page=2" not in text and "q=" + ID not in text


def test_atoms_of_the_logger(monkeypatch):
    class Cfg:
        access_log_format = '%(h)s "%(r)s" %(s)s "%(f)s"'

    class Resp:
        status = "200 OK"
        sent = 2
        headers = []

    class Req:
        headers = [("REFERER", f"/people/?q={ID}")]

    class Delta:
        seconds = 0
        microseconds = 5

    logger = QuerylessLogger.__new__(QuerylessLogger)
    logger.cfg = Cfg()
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/v1/persons?q={ID}",
        "PATH_INFO": "/api/v1/persons",
        "QUERY_STRING": f"q={ID}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"/people/?q={ID}",
    }
    atoms = logger.atoms(Resp(), Req(), environ, Delta())
    assert atoms["r"] == "GET /api/v1/persons HTTP/1.1"
    assert ID not in repr(atoms)


def test_error_log_messages_are_scrubbed():
    from jisheng.core.gunicorn_logging import scrub

    assert scrub(f"Error handling request /people/?q={ID}") == "Error handling request /people/"
    assert (
        scrub(f'Invalid request from ip=1.2.3.4: "GET /api/v1/persons?q={ID} HTTP/1.1"')
        == 'Invalid request from ip=1.2.3.4: "GET /api/v1/persons HTTP/1.1"'
    )
    assert scrub(f"see http://h.example/x?q={ID}&a=1 now") == "see http://h.example/x now"
    assert scrub("What? no URL here") == "What? no URL here"
    assert scrub(3) == 3

    class Sink:
        def __init__(self):
            self.lines = []

        def exception(self, msg, *args, **kwargs):
            self.lines.append(msg % args)

        error = warning = info = debug = critical = exception

    logger = QuerylessLogger.__new__(QuerylessLogger)
    logger.error_log = Sink()
    logger.exception("Error handling request %s", f"/people/?q={ID}")
    logger.error("Error handling request %s %s", "GET", f"/people/?q={ID}")
    assert logger.error_log.lines == [
        "Error handling request /people/",
        "Error handling request GET /people/",
    ]
