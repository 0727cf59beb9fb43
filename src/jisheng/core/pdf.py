"""Printing a page to PDF: headless Chromium through Playwright, with the Noto CJK
fonts, and the one way views answer a "PDF" link (the print page when Chromium is not
installed). Letters of inquiry, contracts, assessment reports and the dashboard use it.

Each render starts a Chromium (about 1.4 s and a few hundred MB), so:

- **at most ``JISHENG_PDF_CONCURRENCY`` renders run at once** (default 2) on the whole
  machine: a semaphore in each process and, across the processes of the server, one of
  as many lock files (``fcntl.flock`` on ``var/pdf-slots/slot-N.lock``; a lock dies with
  its process, so a killed worker never keeps a slot). A request that finds every slot
  taken waits up to ``JISHENG_PDF_WAIT_SECONDS`` (default 15) and then gets 503 with a
  Chinese message (:class:`PdfBusy`);
- **a document's PDF is kept in Django's cache until its data changes**: the key is the
  SHA-256 of the HTML that is printed (with the per-request CSP nonce and CSRF token taken
  out), so any change of the data makes another key and the same data never starts
  Chromium twice (``JISHENG_PDF_CACHE_SECONDS``, default 7 days).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction

logger = logging.getLogger(__name__)

PDF_TIMEOUT_S = 60
CACHE_PREFIX = "jisheng:pdf:"
# How often a waiting request looks for a free slot of another process.
_POLL_S = 0.1
# Per-request values that change the HTML but not the printed page.
_VOLATILE = re.compile(
    r'\snonce="[^"]*"|(name="csrfmiddlewaretoken"\s+value=)"[^"]*"', re.IGNORECASE
)


class PdfUnavailable(RuntimeError):
    """Chromium (or the playwright package) is not installed: print the HTML page."""


class PdfBusy(RuntimeError):
    """Every render slot stayed taken for ``JISHENG_PDF_WAIT_SECONDS``: answer 503."""


def chromium_path() -> str:
    return settings.JISHENG_CHROMIUM


def concurrency() -> int:
    return max(1, int(settings.JISHENG_PDF_CONCURRENCY))


def wait_seconds() -> float:
    return max(0.0, float(settings.JISHENG_PDF_WAIT_SECONDS))


def cache_key(html: str) -> str:
    """The cache key of the PDF of ``html``: its hash, per-request values left out."""
    stable = _VOLATILE.sub(lambda m: m.group(1) + '""' if m.group(1) else "", html)
    return CACHE_PREFIX + hashlib.sha256(stable.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------ the concurrency cap

_semaphore_lock = threading.Lock()
_semaphore: tuple[int, threading.BoundedSemaphore] | None = None


def _process_semaphore(size: int) -> threading.BoundedSemaphore:
    global _semaphore
    with _semaphore_lock:
        if _semaphore is None or _semaphore[0] != size:
            _semaphore = (size, threading.BoundedSemaphore(size))
        return _semaphore[1]


def slot_dir() -> Path:
    configured = settings.JISHENG_PDF_SLOT_DIR
    path = Path(configured) if configured else Path(settings.VAR_DIR) / "pdf-slots"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _take_file_slot(size: int, deadline: float) -> int | None:
    """An open, exclusively locked slot file (its descriptor), or ``None`` at the
    deadline. Without ``fcntl`` (not POSIX) the process semaphore alone caps."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - jisheng runs on Linux
        return -1
    folder = slot_dir()
    while True:
        for number in range(size):
            fd = os.open(folder / f"slot-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            return fd
        if time.monotonic() >= deadline:
            return None
        time.sleep(_POLL_S)


def _release_file_slot(fd: int) -> None:
    if fd < 0:  # pragma: no cover
        return
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def render_slot() -> Iterator[None]:
    """Hold one of the ``JISHENG_PDF_CONCURRENCY`` render slots; :class:`PdfBusy` when
    none frees up within ``JISHENG_PDF_WAIT_SECONDS``."""
    size = concurrency()
    wait = wait_seconds()
    deadline = time.monotonic() + wait
    semaphore = _process_semaphore(size)
    if not semaphore.acquire(timeout=wait):
        raise PdfBusy("every PDF render slot of this process is taken")
    try:
        fd = _take_file_slot(size, deadline)
        if fd is None:
            raise PdfBusy("every PDF render slot of the server is taken")
        try:
            yield
        finally:
            _release_file_slot(fd)
    finally:
        semaphore.release()


# ------------------------------------------------------------------ rendering


def _cache_get(key: str) -> bytes | None:
    try:
        return cache.get(key)
    except Exception:
        logger.warning("PDF cache unavailable", exc_info=True)
        return None


def _cache_set(key: str, pdf: bytes) -> None:
    try:
        cache.set(key, pdf, int(settings.JISHENG_PDF_CACHE_SECONDS))
    except Exception:
        logger.warning("PDF cache unavailable", exc_info=True)


def render_pdf(html: str) -> bytes:
    """Print ``html`` (a complete page, styles inline, no outside resources) to an A4
    PDF with headless Chromium through Playwright; Chinese text is set in the Noto CJK
    fonts installed with it (``fonts-noto-cjk``). The same HTML is printed once and then
    served from the cache; at most ``JISHENG_PDF_CONCURRENCY`` Chromiums run at once.
    Raises :class:`PdfUnavailable` and :class:`PdfBusy`."""
    key = cache_key(html)
    cached = _cache_get(key)
    if cached is not None:
        return cached
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise PdfUnavailable(f"Chromium not found at {path}")
    with render_slot():
        cached = _cache_get(key)  # printed by another request while this one waited
        if cached is not None:
            return cached
        pdf = chromium_render(html, path)
    _cache_set(key, pdf)
    return pdf


def chromium_render(html: str, path: str) -> bytes:
    """Start a headless Chromium at ``path`` and print ``html`` (no cache, no cap)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is installed with jisheng
        raise PdfUnavailable("the playwright package is not installed") from exc

    def render() -> bytes:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=path,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            try:
                page = browser.new_page()
                # no network: everything the letter needs is in the HTML
                page.route("**/*", lambda route: route.abort())
                page.set_content(html, wait_until="load")
                return page.pdf(format="A4", print_background=True)
            finally:
                browser.close()

    # In a thread of its own: Playwright's sync API refuses to run in a thread that
    # already has an event loop running (an ASGI server, a test's browser session).
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(render).result(timeout=PDF_TIMEOUT_S)
        except (PlaywrightError, TimeoutError) as exc:
            raise PdfUnavailable(f"Chromium could not print the page: {exc}") from exc


def pdf_response(
    request: HttpRequest,
    html: str,
    *,
    filename: str,
    obj: Any,
    message: str,
    fallback: str,
) -> HttpResponse:
    """``html`` printed to PDF (shown inline as ``filename``), the export audited with
    ``message`` against ``obj``; when Chromium is missing, a warning and a redirect to
    the ``fallback`` URL (the HTML print page)."""
    try:
        pdf = render_pdf(html)
    except PdfUnavailable:
        messages.warning(request, _("PDF printing is not available here; print this page."))
        return redirect(fallback)
    except PdfBusy:
        return pdf_busy_response(request, fallback=fallback)
    audit.record(actor=request.user, action=AuditAction.EXPORT, obj=obj, message=message)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def pdf_busy_response(request: HttpRequest, *, fallback: str = "") -> HttpResponse:
    """503: every render slot stayed taken; says so in Chinese and when to retry."""
    response = render(
        request,
        "core/pdf_busy.html",
        {
            "message": _("The server is printing other PDFs; try again in a minute."),
            "fallback": fallback,
        },
        status=503,
    )
    response["Retry-After"] = "30"
    return response
