"""A small crawler for the browser tests of every page type (issue 13, items 11 and the
closing test): logs a role in, collects the pages its menu and home link to and the links
one level below them, loads one page of each type (one per URL pattern) and records
console errors, Content-Security-Policy violations and horizontal overflow; checks every
link a page shows with the role's own session over HTTP (sampled per URL pattern).

A page's "type" is the name of the URL pattern its path resolves to.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

from django.urls import Resolver404, resolve

# Collected in the page itself: violations are events, not always console messages.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") +
    " @" + (e.sourceFile || "") + ":" + (e.lineNumber || 0) + " " + (e.sample || ""));
});
"""

# Waits (up to 3 s) for htmx's requests on load: the worklist card, a tree's first level.
# A function called by the driver, not a string the page evaluates: the policy forbids eval.
HTMX_SETTLED = """async () => {
  for (let i = 0; i < 30; i++) {
    if (!document.querySelector('.htmx-request')) return true;
    await new Promise(r => setTimeout(r, 100));
  }
  return false;
}"""

# Not pages: they log out, switch a setting by POST, or send a file.
SKIP_PAGE_SUFFIXES = (".xlsx", ".pdf", ".csv", ".zip")
SKIP_PAGE_PARTS = ("/logout/", "/i18n/", "/pdf/", "/export/", "/api/", "/static/", "/media/")
# Links whose target is not fetched for the status check: a PDF starts a Chromium each.
SKIP_LINK_PARTS = ("/pdf/", ".pdf", "/logout/", "/i18n/setlang")


def page_type(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def is_page(url: str) -> bool:
    path = urlsplit(url).path
    return not path.endswith(SKIP_PAGE_SUFFIXES) and not any(p in path for p in SKIP_PAGE_PARTS)


@dataclass
class PageResult:
    url: str
    status: int | None
    console_errors: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    overflow: int | None = None  # scrollWidth when wider than the window
    overflow_at: dict[int, int] = field(default_factory=dict)  # other window widths
    links: list[str] = field(default_factory=list)


@dataclass
class Crawler:
    """One browser context (one role, one window size) on ``base`` (the live server)."""

    context: object
    base: str
    links_per_type: int = 1
    viewport: dict[str, int] | None = None
    also_sizes: tuple[dict[str, int], ...] = ()

    def __post_init__(self) -> None:
        self.context.add_init_script(CSP_LISTENER)
        self.page = self.context.new_page()
        self._console: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self._console.append(f"pageerror: {exc}"))
        self.link_status: dict[str, int] = {}
        self._per_type: dict[str, int] = {}
        self.seconds = {"visits": 0.0, "links": 0.0}

    def _on_console(self, message) -> None:
        if message.type == "error":
            location = message.location.get("url", "") if message.location else ""
            self._console.append(f"{message.text} ({location})")

    def overflow(self) -> int | None:
        width = self.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        return width[0] if width[0] > width[1] else None

    def login(self, username: str, password: str) -> None:
        page = self.page
        page.goto(f"{self.base}/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(password)
        page.locator("input[name=password]").press("Enter")
        page.wait_for_url(lambda url: "/login/" not in url)
        self._console.clear()

    def same_origin(self, url: str) -> str | None:
        url = urldefrag(url)[0]
        if not url.startswith(self.base + "/"):
            return None
        return url

    def visit(self, url: str) -> PageResult:
        page = self.page
        self._console.clear()
        started = time.monotonic()
        response = page.goto(url, wait_until="load")
        page.evaluate(HTMX_SETTLED)
        result = PageResult(url=url, status=response.status if response else None)
        # a page loaded is a link checked: its type needs no other sample
        if result.status is not None and url not in self.link_status:
            self.link_status[url] = result.status
            kind = page_type(urlsplit(url).path) or url
            self._per_type[kind] = self._per_type.get(kind, 0) + 1
        result.overflow = self.overflow()
        for size in self.also_sizes:  # the same page in other windows (resized, not reloaded)
            page.set_viewport_size(size)
            page.evaluate(HTMX_SETTLED)
            wide = self.overflow()
            if wide:
                result.overflow_at[size["width"]] = wide
        if self.also_sizes:
            page.set_viewport_size(self.viewport)
        result.csp = page.evaluate("window.__cspViolations || []")
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
        result.links = sorted({u for u in (self.same_origin(h) for h in hrefs) if u})
        result.console_errors = list(self._console)
        self.seconds["visits"] += time.monotonic() - started
        return result

    def check_links(self, urls: Iterable[str]) -> dict[str, int]:
        """Status of each link (followed redirects; a bounce to the login page is 401)."""
        started = time.monotonic()
        bad: dict[str, int] = {}
        per_type = self._per_type
        for url in urls:
            if any(part in url for part in SKIP_LINK_PARTS):
                continue
            if url not in self.link_status:
                kind = page_type(urlsplit(url).path) or url
                if per_type.get(kind, 0) >= self.links_per_type:
                    continue
                per_type[kind] = per_type.get(kind, 0) + 1
                response = self.page.request.get(url, timeout=30_000)
                status = response.status
                if "/login/" in urlsplit(response.url).path and "/login/" not in url:
                    status = 401
                self.link_status[url] = status
            if self.link_status[url] >= 400:
                bad[url] = self.link_status[url]
        self.seconds["links"] += time.monotonic() - started
        return bad


def one_per_type(urls: Iterable[str], seen: set[str]) -> list[str]:
    """The first URL of each page type not in ``seen`` (which it extends)."""
    chosen = []
    for url in urls:
        if not is_page(url):
            continue
        kind = page_type(urlsplit(url).path)
        if kind is None or kind in seen:
            continue
        seen.add(kind)
        chosen.append(url)
    return chosen
