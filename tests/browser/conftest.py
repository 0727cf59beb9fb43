"""Browser tests: Debian's Chromium, headless, driven by Playwright's sync API against
pytest-django's ``live_server`` (which serves static files through the finders, like
``StaticLiveServerTestCase``, so no collectstatic is needed).

Without ``/usr/bin/chromium`` (or ``JISHENG_CHROMIUM``) the tests skip and say why,
unless ``JISHENG_REQUIRE_BROWSER=1`` (set in CI), which turns the skip into a failure.
A failing test leaves a screenshot and the page's HTML in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# inside one unless told that this is safe (it is: the loop never runs Django code).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("JISHENG_CHROMIUM", "/usr/bin/chromium")
REQUIRE = os.environ.get("JISHENG_REQUIRE_BROWSER", "").lower() in {"1", "true", "yes"}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _missing_reason() -> str | None:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        return "the playwright Python package is not installed (uv sync)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    reason = _missing_reason()
    if reason:
        if REQUIRE:
            pytest.fail(f"JISHENG_REQUIRE_BROWSER is set but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:150]


class _InFlight:
    """Counts the live server's requests still being answered.

    A browser drops a request it no longer needs (a card loading when the test navigates
    away, a page closed at teardown), but the server goes on answering it, and with
    ``SESSION_SAVE_EVERY_REQUEST`` that answer writes the session. If the test's database
    is flushed meanwhile, that write fails on the connection the server shares with the
    test (in-memory SQLite) and the flush after it with it. ``wait_idle`` at teardown lets
    such answers finish first.
    """

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.changed = threading.Condition()

    def _add(self, delta: int) -> None:
        with self.changed:
            self.count += delta
            self.changed.notify_all()

    def __call__(self, environ, start_response) -> Iterable[bytes]:
        self._add(1)
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self._add(-1)
            raise
        return _Body(body, lambda: self._add(-1))

    def wait_idle(self, timeout: float = 30.0) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.count == 0, timeout=timeout)


class _Body:
    """A response body that reports once when the server closes it (as WSGI requires,
    also when the client went away before the first byte)."""

    def __init__(self, body: Iterable[bytes], done) -> None:
        self.body = body
        self.done = done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            done, self.done = self.done, None
            if done is not None:
                done()


def in_flight(live_server) -> _InFlight:
    """The live server's request counter, installed on its first use."""
    httpd = live_server.thread.httpd
    app = httpd.get_app()
    if not isinstance(app, _InFlight):
        app = _InFlight(app)
        httpd.set_app(app)
    return app


def _new_page(browser, request: pytest.FixtureRequest, viewport: dict[str, int]):
    requests = in_flight(request.getfixturevalue("live_server"))
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = _artifact_name(request.node.nodeid)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # the page may be gone; never hide the real failure
            print(f"could not save a screenshot for {request.node.nodeid}: {exc}")
    context.close()
    requests.wait_idle()


@pytest.fixture
def page(browser, live_server, request):
    """A desktop-sized page (1280 × 800) in a fresh browser context."""
    yield from _new_page(browser, request, DESKTOP)


@pytest.fixture
def phone_page(browser, live_server, request):
    """A phone-sized page (375 × 740) in a fresh browser context."""
    yield from _new_page(browser, request, PHONE)


@pytest.fixture
def login(live_server):
    """``login(page, username, password)``: log in through the login page."""

    def _login(page, username: str, password: str) -> None:
        page.goto(f"{live_server.url}/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(password)
        page.locator("input[name=password]").press("Enter")
        page.wait_for_url(lambda url: "/login/" not in url)

    return _login
