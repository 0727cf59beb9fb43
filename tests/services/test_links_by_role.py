"""Issue 13 item 16: links and buttons a role cannot use are not shown — every link on the
worklist, the dashboard and a person's card answers 200 for the role that sees it
(领导 and 考核员 no 登记随访 on the worklist; 药具管理员 no 待指导的新婚人员)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jisheng.orgs.demo import DEMO_PASSWORD, load_demo
from jisheng.people.demo import load_demo_persons
from jisheng.services.demo import load_demo_services
from jisheng.services.presentation import visible_kinds
from jisheng.services.selectors import WorkKind

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)"')


@pytest.fixture
def demo():
    load_demo()
    load_demo_persons(count=300)
    load_demo_services()


def login(client, username: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def links(html: str) -> list[str]:
    return sorted({h.replace("&amp;", "&") for h in HREF.findall(html)} - {"/logout/"})


def broken(client, hrefs: list[str]) -> dict[str, int]:
    bad = {}
    for href in hrefs:
        if href.startswith(("/static/", "/i18n/")) or href.endswith((".xlsx", ".pdf")):
            continue
        status = client.get(href).status_code
        if status >= 400:
            bad[href] = status
    return bad


@pytest.mark.parametrize("username", ["lingdao", "kaohe"])
def test_read_only_roles_get_no_visit_form_on_the_worklist(client, demo, username):
    login(client, username)
    html = client.get(reverse("services:worklist")).content.decode()
    assert 'data-testid="work-item"' in html  # the worklist is not empty
    assert "/visit/" not in html  # no 登记随访 form
    assert not broken(client, [h for h in links(html) if "/services/" in h or "/people/" in h])


def test_the_commodity_keeper_sees_no_worklist_group(client, demo):
    from jisheng.orgs.models import User

    keeper = User.objects.get(username="yaoju")
    assert keeper.has_perm("people.view_person")
    assert WorkKind.NEWLYWED not in visible_kinds(keeper)
    login(client, "yaoju")
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert "待指导的新婚人员" not in html
    assert reverse("services:worklist_group", args=[WorkKind.NEWLYWED]) not in html
    assert not broken(client, links(html))


def test_a_person_card_links_only_to_what_the_role_may_open(client, demo):
    from jisheng.people.models import Birth

    mother = Birth.objects.filter(mother__isnull=False).first().mother
    login(client, "yaoju")
    html = client.get(reverse("people:person_detail", args=[mother.pk])).content.decode()
    assert "/people/births/" not in html and "/people/households/" not in html
    assert reverse("services:person", args=[mother.pk]) not in html
    assert not broken(client, links(html))
