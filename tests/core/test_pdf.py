"""Issue 13 item 14: PDFs — at most JISHENG_PDF_CONCURRENCY Chromiums at once (in a
process and across processes), 503 in Chinese when no slot frees up in time, and a
document's PDF cached until its data (its HTML) changes."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from jisheng.core import pdf as core_pdf
from jisheng.core.pdf import PdfBusy, cache_key, render_pdf, render_slot

PAGE = '<html><head><style nonce="{nonce}">p{{}}</style></head><body><p>{text}</p></body></html>'


class FakeChromium:
    """Counts starts; each print takes ``seconds`` and tracks how many run at once."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.starts = 0
        self.running = 0
        self.most = 0
        self._lock = threading.Lock()

    def __call__(self, html: str, path: str) -> bytes:
        with self._lock:
            self.starts += 1
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(self.seconds)
            return b"%PDF-1.7 " + html.encode()[-40:]
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture
def chromium(monkeypatch, settings, tmp_path):
    settings.JISHENG_PDF_SLOT_DIR = str(tmp_path / "slots")
    settings.JISHENG_PDF_CONCURRENCY = 2
    settings.JISHENG_PDF_WAIT_SECONDS = 5
    cache.clear()
    fake = FakeChromium()
    monkeypatch.setattr(core_pdf, "chromium_path", lambda: sys.executable)
    monkeypatch.setattr(core_pdf, "chromium_render", fake)
    yield fake
    cache.clear()


def test_the_same_document_starts_chromium_once(chromium):
    first = render_pdf(PAGE.format(nonce="aaa", text="王芳"))
    # another request: another CSP nonce, the same data
    second = render_pdf(PAGE.format(nonce="bbb", text="王芳"))
    assert first == second and chromium.starts == 1
    # the data changed: a new PDF
    render_pdf(PAGE.format(nonce="ccc", text="王芳芳"))
    assert chromium.starts == 2


def test_cache_key_ignores_per_request_values_only():
    a = PAGE.format(nonce="n1", text="x") + '<input name="csrfmiddlewaretoken" value="t1">'
    b = PAGE.format(nonce="n2", text="x") + '<input name="csrfmiddlewaretoken" value="t2">'
    c = PAGE.format(nonce="n2", text="y") + '<input name="csrfmiddlewaretoken" value="t2">'
    assert cache_key(a) == cache_key(b) != cache_key(c)


def test_at_most_the_configured_number_render_at_once(chromium, settings):
    chromium.seconds = 0.3
    settings.JISHENG_PDF_CONCURRENCY = 2
    errors: list[BaseException] = []

    def one(n: int) -> None:
        try:
            render_pdf(PAGE.format(nonce="", text=f"document {n}"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert chromium.starts == 6
    assert chromium.most == 2


def test_busy_after_the_wait(chromium, settings):
    settings.JISHENG_PDF_CONCURRENCY = 1
    settings.JISHENG_PDF_WAIT_SECONDS = 0.2
    started = time.monotonic()
    with render_slot(), pytest.raises(PdfBusy):
        render_pdf(PAGE.format(nonce="", text="busy"))
    assert 0.15 < time.monotonic() - started < 3
    assert chromium.starts == 0
    render_pdf(PAGE.format(nonce="", text="busy"))  # the slot is free again
    assert chromium.starts == 1


def test_the_cap_holds_across_processes(chromium, settings, tmp_path):
    """Another server process holding the only slot (its lock file) makes this one wait."""
    settings.JISHENG_PDF_CONCURRENCY = 1
    settings.JISHENG_PDF_WAIT_SECONDS = 0.3
    slot = core_pdf.slot_dir() / "slot-0.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys\n"
            f"fd = os.open({str(slot)!r}, os.O_RDWR | os.O_CREAT, 0o600)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(PdfBusy):
            render_pdf(PAGE.format(nonce="", text="other process"))
        assert chromium.starts == 0
    finally:
        holder.stdin.close()  # the holder ends; its lock goes with it
        holder.wait(timeout=10)
    render_pdf(PAGE.format(nonce="", text="other process"))
    assert chromium.starts == 1


# --- through a view ----------------------------------------------------------------------


def test_dashboard_pdf_twice_starts_chromium_once_and_busy_is_503(
    client, users, tree, chromium, settings
):
    client.force_login(users.office)
    query = {"unit": tree.town.code, "period": "2026Q3"}
    url = reverse("reports:dashboard_pdf")
    first = client.get(url, query)
    second = client.get(url, query)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.content.startswith(b"%PDF")
    assert chromium.starts == 1
    # every slot taken for longer than the wait: 503 with a Chinese message
    cache.clear()
    settings.JISHENG_PDF_CONCURRENCY = 1
    settings.JISHENG_PDF_WAIT_SECONDS = 0.1
    with render_slot():
        busy = client.get(url, query)
    assert busy.status_code == 503
    assert busy["Retry-After"] == "30"
    page = busy.content.decode()
    assert 'data-testid="pdf-busy"' in page and "服务器正在生成其他 PDF" in page
    assert chromium.starts == 1
