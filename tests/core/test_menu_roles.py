"""Issue 13 item 18: each role's menu and home show its work; no duplicate headings, no
"coming soon", shortcuts per role from the pages the role may open."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from jisheng.core.menu import menu_for, registered_menu, shortcuts_for
from jisheng.core.registry import registry
from jisheng.orgs.demo import DEMO_PASSWORD, load_demo
from jisheng.orgs.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_demo()
    return {u.username: u for u in User.objects.all()}


def labels(user, lang="zh-hans") -> list[tuple[str, list[str]]]:
    """(heading, items) of each module; a flat module (home) shows no heading."""
    with translation.override(lang):
        return [
            ("" if m.flat else str(m.label), [str(i.label) for i in m.items])
            for m in menu_for(user, "/")
        ]


def test_village_specialist_sees_her_work_and_not_the_county_tools(demo, client):
    zhuangan = demo["zhuangan"]
    menu = labels(zhuangan)
    items = [label for _module, entries in menu for label in entries]
    for wanted in ("待办工作", "人员", "人员建档", "生育情况", "孕情", "药具库存"):
        assert wanted in items, (wanted, items)
    urls = [i.url for m in menu_for(zhuangan, "/") for i in m.items]
    for hidden in ("orgs:unit_tree", "commodities:transfers"):
        assert reverse(hidden) not in urls, hidden
    assert reverse("commodities:stores") in urls

    client.post(reverse("login"), {"username": "zhuangan", "password": DEMO_PASSWORD})
    html = client.get("/").content.decode()
    assert "组织机构树" not in html
    assert "建议调拨" not in html
    assert "API 令牌" not in html
    assert "即将推出" not in html
    shortcuts = [i.url for i in client.get("/").context["quick_links"]]
    assert shortcuts[:2] == [reverse("services:worklist"), reverse("people:person_list")]
    assert reverse("people:birth_list") in shortcuts
    assert reverse("commodities:stores") in shortcuts
    assert len(shortcuts) <= 8


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_no_module_repeats_its_only_item_or_heading(demo, lang):
    for user in demo.values():
        for module, entries in labels(user, lang):
            assert module not in entries, (user.username, module, entries)


def test_nothing_is_coming_soon(demo):
    for user in demo.values():
        assert not [m.key for m in menu_for(user, "/") if m.coming_soon]


def test_shortcuts_are_few_and_only_pages_the_role_may_open(demo):
    for user in demo.values():
        shortcuts = shortcuts_for(user)
        assert 1 <= len(shortcuts) <= 8, user.username
        menu_urls = {i.url for m in menu_for(user, "") for i in m.items}
        assert {s.url for s in shortcuts} <= menu_urls, user.username
    leader = [s.url for s in shortcuts_for(demo["lingdao"])]
    assert leader[0] == reverse("reports:dashboard")
    keeper = [s.url for s in shortcuts_for(demo["yaoju"])]
    assert keeper[0] == reverse("commodities:stores")
    auditor = [s.url for s in shortcuts_for(demo["shenji"])]
    assert auditor[0] == reverse("core:audit_list")


def test_every_shortcut_names_a_menu_item():
    names = {item.url_name for _module, items in registered_menu() for item in items}
    for role, shortcuts in registry["shortcuts"].items():
        for _order, name in shortcuts:
            assert name in names, (role, name)
