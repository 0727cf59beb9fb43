"""Printing a page to PDF: headless Chromium through Playwright, with the Noto CJK
fonts, and the one way views answer a "PDF" link (the print page when Chromium is not
installed). Letters of inquiry, contracts, assessment reports and the dashboard use it."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction

PDF_TIMEOUT_S = 60


class PdfUnavailable(RuntimeError):
    """Chromium (or the playwright package) is not installed: print the HTML page."""


def chromium_path() -> str:
    return os.environ.get("JISHENG_CHROMIUM", "/usr/bin/chromium")


def render_pdf(html: str) -> bytes:
    """Print ``html`` (a complete page, styles inline, no outside resources) to an A4
    PDF with headless Chromium through Playwright; Chinese text is set in the Noto CJK
    fonts installed with it (``fonts-noto-cjk``). Raises :class:`PdfUnavailable`."""
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise PdfUnavailable(f"Chromium not found at {path}")
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
    audit.record(actor=request.user, action=AuditAction.EXPORT, obj=obj, message=message)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
