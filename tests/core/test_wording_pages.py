"""Issue 13 item 19: the pages speak Chinese. Every page type that the demo roles reach from
their menu and home page (and one link below) is rendered in zh-hans and its visible text
(text, option labels, titles, placeholders) searched for internal ids and developer
text, Django's "---------" empty choice (请选择 instead) and ISO dates (one style on
pages: 2026年12月7日; ISO only in inputs and exports).

The policy pack's "changes" page is left out on purpose: it shows the differences of the
pack's file itself, line by line.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import Resolver404, resolve

from tests import factories

ROLES = ("admin", "jsb", "zhuangan", "yaoju", "kaohe", "lingdao")
FORBIDDEN = (
    "married_wra",
    "[married, with_method]",
    "with_method",
    "per woman",
    "couple-years",
    "default-2026",
    "jisheng policy load",
    "SPEC.md",
    "SHA-256",
    "condom-10",
    "（count）",
    "---------",
    "late_marriage_age",
)
ISO_DATE = re.compile(r"\b(?:19|20)\d\d-[01]\d-[0-3]\d\b")
SKIP = re.compile(
    r"/logout/|/i18n/|\.xlsx|\.pdf|/pdf/|/print/|/api/|/static/|/media/|/diff/|/sheet/|"
    r"/evidence/|/healthz"
)
MAX_PAGES = 120


class Visible(HTMLParser):
    """The text a reader sees: text nodes (not scripts, styles or text areas), the labels
    of options and the titles, placeholders and labels of elements; links to follow."""

    ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.texts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "style", "textarea", "template"):
            self.hidden += 1
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        self.texts += [values[a] or "" for a in self.ATTRIBUTES if values.get(a)]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "textarea", "template"):
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.texts.append(data.strip())


def page_type(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


@pytest.fixture
def demo_county(db):
    factories.demo_county(persons=120)


def crawl(client: Client, visited: set[str] | None = None) -> dict[str, list[str]]:
    """``{path: problems}`` over one page of each type reachable from the home page
    (``visited`` collects the page types read)."""
    problems: dict[str, list[str]] = {}
    queue, seen = ["/"], set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        kind = page_type(path)
        if kind is None or kind in seen or SKIP.search(url):
            continue
        seen.add(kind)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        if visited is not None:
            visited.add(kind)
        parser = Visible()
        parser.feed(response.content.decode())
        found = []
        for text in parser.texts:
            found += [f"{word!r} in {text[:80]!r}" for word in FORBIDDEN if word in text]
            found += [f"ISO date in {text[:80]!r}" for _ in ISO_DATE.finditer(text)][:1]
        if found:
            problems[url] = found
        queue += [link for link in parser.links if link.startswith("/") and "#" not in link]
    return problems


def test_pages_speak_chinese(demo_county):
    report = []
    for username in ROLES:  # one demo county for every role: loading it is the slow part
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(get_user_model().objects.get(username=username))
        visited: set[str] = set()
        problems = crawl(client, visited)
        report += [f"{username} {url}: {p}" for url, found in problems.items() for p in found]
        if username == "jsb":  # the office reaches most of the system
            assert {"reports:catalogue", "policy:pack_detail", "commodities:products"} <= visited
            assert len(visited) > 60, sorted(visited)
    assert not report, "\n".join(report)


def test_selects_offer_please_choose(db, client):
    """One place (core.forms): Django's "---------" becomes 请选择 in every select."""
    from django import forms

    from jisheng.orgs.models import Unit

    class Choose(forms.Form):
        unit = forms.ModelChoiceField(queryset=Unit.objects.none())
        kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")])

    html = str(Choose())
    assert "---------" not in html and html.count("请选择") == 2


def test_dates_have_one_style():
    import datetime

    from django.template import Context, Template
    from django.utils import timezone

    at = timezone.make_aware(datetime.datetime(2026, 12, 7, 9, 5, 3))
    text = Template("{{ d|cn_date }}|{{ at|cn_datetime }}|{{ at|cn_datetime:'s' }}").render(
        Context({"d": datetime.date(2026, 12, 7), "at": at})
    )  # builtins: no {% load %}
    assert text == "2026年12月7日|2026年12月7日 09:05|2026年12月7日 09:05:03"
