"""Every demo role, on a phone (390 × 844) and a laptop (1366 × 768), loads every page type
its menu and home lead to (and the pages one link below each menu page): no console
error, no Content-Security-Policy violation, no horizontal overflow, and no link shown
that the role cannot follow (each target fetched with the role's own session).

The demo county of README (orgs.demo and the people, services and commodities demo
loaders, with fewer persons) is what the roles see. To stay within a few minutes: one
page of each type (URL pattern) is loaded per role, at 390 px and then resized to
1366 px (not loaded twice); a page loaded counts as its type's link check, and links of
other types are fetched once per type (HTTP, the role's session, cached per role).
``JISHENG_CRAWL_ROLES=zhuangan,yaoju`` narrows a run while debugging.
"""

from __future__ import annotations

import os
import time

import pytest

from jisheng.orgs.demo import DEMO_PASSWORD
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, in_flight
from tests.browser.crawl import Crawler, one_per_type

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROLES = ("admin", "jsb", "zhen", "kuang", "zhuangan", "lingdao", "yaoju", "kaohe", "shenji")
ROLES = tuple(os.environ.get("JISHENG_CRAWL_ROLES", ",".join(ROLES)).split(","))
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def demo_county(transactional_db):
    factories.demo_county(persons=300)


def crawl_role(browser, base: str, username: str) -> list[str]:
    """Problems found for one role, one line each.

    Each page is loaded on the phone and then shown at the laptop's size by resizing the
    window (media queries and the charts' resize handlers apply; half the page loads).
    """
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    size = f"{PHONE['width']}px"
    try:
        crawler = Crawler(context, base, viewport=PHONE, also_sizes=(LAPTOP,))
        crawler.login(username, DEMO_PASSWORD)
        seen: set[str] = set()
        home = crawler.visit(f"{base}/")
        results = [home]
        seen.update(one_per_type([home.url], set()))
        menu_pages = [crawler.visit(url) for url in one_per_type(home.links, seen)]
        results += menu_pages
        below = [link for result in menu_pages for link in result.links]
        results += [crawler.visit(url) for url in one_per_type(below, seen)]
        for result in results:
            where = f"{username} {result.url.removeprefix(base)}"
            if result.status is None or result.status >= 400:
                problems.append(f"{where}: answered {result.status}")
            problems += [f"{where}: console error {e}" for e in result.console_errors]
            problems += [f"{where}: CSP violation {v}" for v in result.csp]
            if result.overflow:
                problems.append(f"{where}: {result.overflow}px wide in a {size} window")
            for width, wide in result.overflow_at.items():
                problems.append(f"{where}: {wide}px wide in a {width}px window")
            bad = crawler.check_links(result.links)
            problems += [
                f"{where}: shows a link to {url.removeprefix(base)} that answers {status}"
                for url, status in bad.items()
            ]
    finally:
        context.close()
    print(f"{username}: {len(crawler.link_status)} addresses, {crawler.seconds}")
    return problems


def test_every_role_sees_only_pages_and_links_that_work(browser, live_server, demo_county):
    started = time.monotonic()
    problems: list[str] = []
    for username in ROLES:
        start = time.monotonic()
        problems += crawl_role(browser, live_server.url, username)
        print(f"{username}: {time.monotonic() - start:.1f}s")
    in_flight(live_server).wait_idle()
    took = time.monotonic() - started
    print(f"crawled {len(ROLES)} roles × 2 window sizes in {took:.0f}s")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(sorted(set(problems)))
