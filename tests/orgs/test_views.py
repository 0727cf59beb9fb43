"""Organisation pages: access (login, permission, data scope), happy paths with their audit
events, bad input, the working unit and its selector, and query-count baselines."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.test import override_settings
from django.urls import reverse

from jisheng.core.models import AuditEvent
from jisheng.orgs import services
from jisheng.orgs.middleware import SESSION_KEY
from jisheng.orgs.models import Committee, CommitteeMember, Position, Unit
from tests import factories

pytestmark = pytest.mark.django_db

START = datetime.date(2024, 1, 1)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def client(client):
    """Pages in English, so that messages can be asserted before the catalog exists."""
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def office_a(tree):
    """An editor (计生办) of village A: may edit, but only inside village A."""
    return factories.user("office_a", tree.village_a, "office")


@pytest.fixture
def records(tree):
    """A position, committee and member in each village."""

    def make(unit, tag):
        position = services.position_create(
            actor=None,
            unit=unit,
            role="specialist",
            holder_name=f"专干{tag}",
            phone="13800000000",
            start_date=START,
        )
        committee = services.committee_create(
            actor=None, unit=unit, name=f"{tag}村计生领导小组", kind="leading_group"
        )
        member = services.committee_member_add(
            actor=None,
            committee=committee,
            name=f"组长{tag}",
            role="chair",
            affiliation="村委会",
            duties="全面负责",
        )
        return SimpleNamespace(position=position, committee=committee, member=member)

    return SimpleNamespace(a=make(tree.village_a, "甲"), b=make(tree.village_b, "乙"))


def login(client, user):
    client.force_login(user)
    return client


def denied_events():
    return AuditEvent.objects.filter(action="denied")


# Pages addressed by a unit code, and those addressed by an object id.
UNIT_VIEW_PAGES = ["orgs:unit_detail", "orgs:unit_children"]
UNIT_EDIT_PAGES = [
    "orgs:unit_create",
    "orgs:unit_edit",
    "orgs:unit_move",
    "orgs:unit_delete",
    "orgs:position_create",
    "orgs:committee_create",
]
POSITION_PAGES = ["orgs:position_edit", "orgs:position_end", "orgs:position_delete"]
COMMITTEE_PAGES = ["orgs:committee_edit", "orgs:committee_delete", "orgs:member_add"]
MEMBER_PAGES = ["orgs:member_edit", "orgs:member_remove"]
ID_PAGES = [
    *[(name, "position") for name in POSITION_PAGES],
    *[(name, "committee") for name in COMMITTEE_PAGES],
    *[(name, "member") for name in MEMBER_PAGES],
]


def id_url(name: str, kind: str, group) -> str:
    return reverse(name, args=[getattr(group, kind).pk])


# --------------------------------------------------------------------------- access


class TestAnonymous:
    @pytest.mark.parametrize("name", UNIT_VIEW_PAGES + UNIT_EDIT_PAGES)
    def test_unit_pages_redirect_to_login(self, client, tree, name):
        url = reverse(name, args=[tree.town.code])
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize(("name", "kind"), ID_PAGES)
    def test_id_pages_redirect_to_login(self, client, records, name, kind):
        response = client.get(id_url(name, kind, records.b))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize("name", ["orgs:unit_tree", "orgs:unit_roots", "orgs:unit_search"])
    def test_tree_pages_redirect_to_login(self, client, tree, name):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_set_working_unit_redirects_to_login(self, client, tree):
        response = client.post(reverse("orgs:set_working_unit"), {"code": tree.town.code})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_post_to_edit_page_writes_nothing(self, client, tree):
        before = Unit.objects.count()
        client.post(
            reverse("orgs:unit_create", args=[tree.town.code]),
            {"code": "990100001003", "name": "丁村", "unit_type": "village"},
        )
        assert Unit.objects.count() == before


class TestReadOnlyUser:
    """A leader (领导) sees the whole county but may not change anything."""

    @pytest.mark.parametrize("name", UNIT_EDIT_PAGES)
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_unit_edit_pages_are_forbidden(self, client, users, tree, name, method):
        login(client, users.leader)
        response = getattr(client, method)(reverse(name, args=[tree.village_b.code]))
        assert response.status_code == 403

    @pytest.mark.parametrize(("name", "kind"), ID_PAGES)
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_id_edit_pages_are_forbidden(self, client, users, records, name, kind, method):
        login(client, users.leader)
        response = getattr(client, method)(id_url(name, kind, records.b))
        assert response.status_code == 403

    def test_forbidden_post_writes_nothing(self, client, users, records):
        login(client, users.leader)
        client.post(reverse("orgs:position_delete", args=[records.b.position.pk]))
        client.post(reverse("orgs:unit_delete", args=[records.b.committee.unit.code]))
        assert Position.objects.filter(pk=records.b.position.pk).exists()
        assert not AuditEvent.objects.filter(action="delete").exists()

    @pytest.mark.parametrize("name", UNIT_VIEW_PAGES)
    def test_view_pages_are_allowed(self, client, users, tree, name):
        login(client, users.leader)
        assert client.get(reverse(name, args=[tree.village_b.code])).status_code == 200

    def test_unit_page_shows_no_edit_buttons(self, client, users, tree, records):
        login(client, users.leader)
        html = client.get(reverse("orgs:unit_detail", args=[tree.village_b.code])).content
        for name in ("orgs:unit_edit", "orgs:unit_delete", "orgs:position_create"):
            assert reverse(name, args=[tree.village_b.code]).encode() not in html
        assert reverse("orgs:position_edit", args=[records.b.position.pk]).encode() not in html

    def test_user_without_view_permission_is_forbidden(self, client, tree):
        nobody = factories.user("nobody", tree.county)  # no role at all
        login(client, nobody)
        assert client.get(reverse("orgs:unit_tree")).status_code == 403
        assert client.get(reverse("orgs:unit_detail", args=[tree.county.code])).status_code == 403


class TestScope:
    """A user of village A asking for village B's things: 404, and the attempt is audited."""

    @pytest.fixture(params=["field_a", "office_a"])
    def village_a_user(self, request, users, office_a):
        return office_a if request.param == "office_a" else users.field_a

    @pytest.mark.parametrize(
        ("name", "method"),
        [(name, "get") for name in UNIT_VIEW_PAGES + UNIT_EDIT_PAGES]
        + [(name, "post") for name in UNIT_EDIT_PAGES],
    )
    def test_other_village_by_code(self, client, village_a_user, tree, name, method):
        login(client, village_a_user)
        response = getattr(client, method)(reverse(name, args=[tree.village_b.code]))
        assert response.status_code == 404
        event = denied_events().get()
        assert event.object_type == "orgs.unit"
        assert event.object_id == str(tree.village_b.pk)
        assert event.username == village_a_user.username

    @pytest.mark.parametrize(("name", "kind"), ID_PAGES)
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_other_village_by_id(self, client, village_a_user, records, name, kind, method):
        login(client, village_a_user)
        response = getattr(client, method)(id_url(name, kind, records.b))
        assert response.status_code == 404
        event = denied_events().get()
        assert event.object_id == str(getattr(records.b, kind).pk)

    def test_post_out_of_scope_writes_nothing(self, client, office_a, records):
        login(client, office_a)
        client.post(reverse("orgs:position_delete", args=[records.b.position.pk]))
        client.post(reverse("orgs:member_remove", args=[records.b.member.pk]))
        client.post(
            reverse("orgs:unit_edit", args=[records.b.committee.unit.code]),
            {"code": "990100001002", "name": "改名", "unit_type": "village"},
        )
        assert Position.objects.filter(pk=records.b.position.pk).exists()
        assert CommitteeMember.objects.filter(pk=records.b.member.pk).exists()
        assert Unit.objects.get(code="990100001002").name == "乙村"

    def test_own_village_is_allowed(self, client, office_a, tree, records):
        login(client, office_a)
        assert (
            client.get(reverse("orgs:unit_detail", args=[tree.village_a.code])).status_code == 200
        )
        assert client.get(reverse("orgs:unit_edit", args=[tree.village_a.code])).status_code == 200
        url = reverse("orgs:position_edit", args=[records.a.position.pk])
        assert client.get(url).status_code == 200
        assert not denied_events().exists()

    @pytest.mark.parametrize("name", UNIT_VIEW_PAGES + UNIT_EDIT_PAGES)
    def test_unknown_code_is_404_without_denied_event(self, client, users, name):
        login(client, users.admin)
        assert client.get(reverse(name, args=["990100009999"])).status_code == 404
        assert not denied_events().exists()

    @pytest.mark.parametrize(("name", "kind"), ID_PAGES)
    def test_unknown_id_is_404_without_denied_event(self, client, users, records, name, kind):
        login(client, users.admin)
        assert client.get(reverse(name, args=[999999])).status_code == 404
        assert not denied_events().exists()

    def test_town_user_cannot_see_street(self, client, users, tree):
        login(client, users.town_office)
        url = reverse("orgs:unit_detail", args=[tree.community.code])
        assert client.get(url).status_code == 404
        assert denied_events().count() == 1

    def test_search_only_finds_units_in_scope(self, client, users, tree):
        login(client, users.field_a)
        html = client.get(reverse("orgs:unit_search"), {"q": "村", "mode": "select"}).content
        assert b'data-unit-code="990100001001"' in html
        assert b"990100001002" not in html

    def test_table_parent_out_of_scope(self, client, users, tree):
        login(client, users.field_a)
        response = client.get(reverse("orgs:unit_tree"), {"parent": tree.town.code})
        assert response.status_code == 404
        assert denied_events().count() == 1


# --------------------------------------------------------------------------- working unit


class TestWorkingUnit:
    def test_defaults_to_own_unit(self, client, users, tree):
        login(client, users.town_office)
        response = client.get(reverse("orgs:unit_tree"))
        assert response.wsgi_request.working_unit == tree.town
        assert b'id="unit-selector"' in response.content
        assert b'data-working-unit-code="990100001000"' in response.content

    def test_anonymous_has_none(self, client, tree):
        response = client.get(reverse("login"))
        assert response.wsgi_request.working_unit is None

    def test_superuser_without_unit_gets_first_root(self, client, tree):
        from jisheng.orgs.models import User

        root = User.objects.create_superuser("root", password=factories.PASSWORD)
        login(client, root)
        response = client.get(reverse("orgs:unit_tree"))
        assert response.wsgi_request.working_unit == tree.county

    def test_set_and_redirect_back(self, client, users, tree):
        login(client, users.town_office)
        response = client.post(
            reverse("orgs:set_working_unit"),
            {"code": tree.village_a.code, "next": "/?tab=1"},
        )
        assert response.status_code == 302
        assert response["Location"] == "/?tab=1"
        assert client.session[SESSION_KEY] == tree.village_a.pk
        response = client.get(reverse("orgs:unit_tree"))
        assert response.wsgi_request.working_unit == tree.village_a
        assert response.context["root"] == tree.village_a

    def test_from_a_unit_page_goes_to_the_new_units_page(self, client, users, tree):
        login(client, users.town_office)
        response = client.post(
            reverse("orgs:set_working_unit"),
            {
                "code": tree.village_a.code,
                "next": reverse("orgs:unit_detail", args=[tree.town.code]),
            },
        )
        assert response["Location"] == reverse("orgs:unit_detail", args=[tree.village_a.code])

    def test_from_the_table_keeps_the_view_only(self, client, users, tree):
        login(client, users.town_office)
        response = client.post(
            reverse("orgs:set_working_unit"),
            {"code": tree.village_a.code, "next": "/orgs/?view=table&parent=990100001000"},
        )
        assert response["Location"] == "/orgs/?view=table"

    @pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", ""])
    def test_unsafe_or_missing_next(self, client, users, tree, target):
        login(client, users.town_office)
        response = client.post(
            reverse("orgs:set_working_unit"), {"code": tree.village_a.code, "next": target}
        )
        assert response["Location"] == reverse("orgs:unit_tree")

    def test_htmx_gets_hx_redirect(self, client, users, tree):
        login(client, users.town_office)
        response = client.post(
            reverse("orgs:set_working_unit"),
            {"code": tree.village_b.code, "next": "/"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        assert response["HX-Redirect"] == "/"

    def test_out_of_scope_is_404_and_audited(self, client, users, tree):
        login(client, users.field_a)
        response = client.post(reverse("orgs:set_working_unit"), {"code": tree.village_b.code})
        assert response.status_code == 404
        assert SESSION_KEY not in client.session
        assert denied_events().get().object_id == str(tree.village_b.pk)

    def test_unknown_code_is_404_without_denied_event(self, client, users):
        login(client, users.field_a)
        response = client.post(reverse("orgs:set_working_unit"), {"code": "nope"})
        assert response.status_code == 404
        assert not denied_events().exists()

    def test_get_is_not_allowed(self, client, users, tree):
        login(client, users.town_office)
        url = reverse("orgs:set_working_unit")
        assert client.get(url, {"code": tree.village_a.code}).status_code == 405

    def test_unit_no_longer_in_scope_is_ignored(self, client, users, tree):
        login(client, users.field_a)
        session = client.session
        session[SESSION_KEY] = tree.village_b.pk  # e.g. chosen before the user was moved
        session.save()
        response = client.get(reverse("orgs:unit_tree"))
        assert response.wsgi_request.working_unit == tree.village_a
        assert SESSION_KEY not in client.session

    def test_deleted_unit_is_ignored(self, client, users, tree):
        login(client, users.town_office)
        client.post(reverse("orgs:set_working_unit"), {"code": tree.village_a.code})
        session = client.session
        session[SESSION_KEY] = 987654
        session.save()
        response = client.get(reverse("orgs:unit_tree"))
        assert response.wsgi_request.working_unit == tree.town


class TestSelectorPartials:
    def test_roots_of_a_user(self, client, users, tree):
        login(client, users.town_office)
        response = client.get(reverse("orgs:unit_roots"), {"mode": "select"})
        html = response.content.decode()
        assert 'data-unit-code="990100001000"' in html
        assert 'form="unit-selector-form"' in html
        # the single root opens at once, loading its children
        assert reverse("orgs:unit_children", args=[tree.town.code]) in html
        assert "990100000000" not in html

    def test_children_rows(self, client, users, tree):
        login(client, users.admin)
        response = client.get(
            reverse("orgs:unit_children", args=[tree.county.code]), {"mode": "select"}
        )
        html = response.content.decode()
        for unit in (tree.town, tree.street, tree.mine):
            assert f'data-unit-code="{unit.code}"' in html
            assert f'data-expand-code="{unit.code}"' in html  # each has children
        assert tree.village_a.code not in html  # grandchildren load later

    def test_leaf_rows_have_no_expand_toggle(self, client, users, tree):
        login(client, users.admin)
        html = client.get(reverse("orgs:unit_children", args=[tree.town.code])).content.decode()
        assert f'data-tree-code="{tree.village_a.code}"' in html  # browse mode: links
        assert reverse("orgs:unit_detail", args=[tree.village_a.code]) in html
        assert "data-expand-code" not in html

    def test_search_by_name_and_code(self, client, users, tree):
        login(client, users.admin)
        url = reverse("orgs:unit_search")
        by_name = client.get(url, {"q": "社区", "mode": "select"}).content.decode()
        assert f'data-unit-code="{tree.community.code}"' in by_name
        assert "西城街道" in by_name  # the parent's name helps tell units apart
        by_code = client.get(url, {"q": "MINE01", "mode": "select"}).content.decode()
        assert f'data-unit-code="{tree.mine.code}"' in by_code
        assert f'data-unit-code="{tree.shaft.code}"' in by_code
        assert 'data-unit-code="990100000000"' not in by_code

    def test_empty_search_returns_nothing(self, client, users):
        login(client, users.admin)
        response = client.get(reverse("orgs:unit_search"), {"q": " "})
        assert response.status_code == 200
        assert b"data-unit-code" not in response.content


# --------------------------------------------------------------------------- tree page


class TestTreePage:
    def test_tree_from_working_unit(self, client, users, tree):
        login(client, users.town_office)
        response = client.get(reverse("orgs:unit_tree"))
        html = response.content.decode()
        assert response.context["view"] == "tree"
        assert response.context["subtree_count"] == 2
        assert f'data-tree-code="{tree.village_a.code}"' in html
        assert f'data-tree-code="{tree.village_b.code}"' in html
        assert tree.street.code not in html.split('id="unit-tree"')[1]

    def test_table_of_subtree(self, client, users, tree):
        login(client, users.admin)
        response = client.get(reverse("orgs:unit_tree"), {"view": "table"})
        codes = [u.code for u in response.context["table"].page.object_list.data]
        assert len(codes) == 8
        assert response.context["table"].page.object_list.data[0].code  # rows render

    def test_table_filters(self, client, users, tree):
        login(client, users.admin)
        url = reverse("orgs:unit_tree")

        def codes(**params):
            response = client.get(url, {"view": "table", **params})
            return sorted(u.code for u in response.context["table"].data)

        assert codes(unit_type="village") == [tree.village_a.code, tree.village_b.code]
        assert codes(q="东城") == [tree.town.code]
        assert codes(q="MINE01") == [tree.mine.code, tree.shaft.code]
        assert codes(parent=tree.town.code) == [tree.village_a.code, tree.village_b.code]
        services.unit_update(actor=None, unit=tree.shaft, data={"is_active": False})
        assert codes(is_active="false") == [tree.shaft.code]

    def test_table_shows_parent_and_sorts(self, client, users, tree):
        login(client, users.admin)
        response = client.get(reverse("orgs:unit_tree"), {"view": "table", "sort": "-code"})
        rows = list(response.context["table"].page.object_list)
        codes = [row.record.code for row in rows]
        assert codes == sorted(codes, reverse=True)
        html = response.content.decode()
        assert "东城镇" in html  # parent column
        assert reverse("orgs:unit_detail", args=[tree.village_a.code]) in html

    @override_settings(JISHENG_PAGE_SIZE=3)
    def test_table_paginates(self, client, users, tree):
        login(client, users.admin)
        response = client.get(reverse("orgs:unit_tree"), {"view": "table", "page": 3})
        assert response.status_code == 200
        assert len(response.context["table"].page.object_list) == 2  # 8 units, 3 a page

    def test_table_scope_for_village_user(self, client, users, tree):
        login(client, users.field_a)
        response = client.get(reverse("orgs:unit_tree"), {"view": "table"})
        assert [u.code for u in response.context["table"].data] == [tree.village_a.code]

    def test_user_without_unit_sees_empty_state(self, client, tree):
        from jisheng.orgs.models import User

        lost = User.objects.create_user("lost", password=factories.PASSWORD)
        from django.contrib.auth.models import Group

        lost.groups.add(Group.objects.get(name="leader"))
        login(client, lost)
        response = client.get(reverse("orgs:unit_tree"))
        assert response.status_code == 200
        assert response.context["root"] is None


# --------------------------------------------------------------------------- unit page


class TestUnitPage:
    def test_shows_fields_children_positions_committees_users(self, client, users, tree, records):
        login(client, users.town_office)
        response = client.get(reverse("orgs:unit_detail", args=[tree.village_b.code]))
        html = response.content.decode()
        assert response.status_code == 200
        assert "乙村" in html and tree.village_b.code in html
        assert "专干乙" in html and "13800000000" in html and "2024年1月1日" in html
        assert "乙村计生领导小组" in html and "组长乙" in html and "全面负责" in html
        assert "field_b" in html  # the user account of the unit
        # breadcrumbs only in scope: the county is outside 东城镇's scope
        ancestors = response.context["ancestors"]
        assert [u.code for u in ancestors] == [tree.town.code]

    def test_children_are_linked(self, client, users, tree):
        login(client, users.admin)
        html = client.get(reverse("orgs:unit_detail", args=[tree.town.code])).content.decode()
        assert reverse("orgs:unit_detail", args=[tree.village_a.code]) in html
        assert reverse("orgs:unit_detail", args=[tree.village_b.code]) in html

    def test_past_positions_toggle(self, client, users, tree, records):
        services.position_create(
            actor=None,
            unit=tree.village_b,
            role="propagandist",
            holder_name="前任宣传员",
            start_date=datetime.date(2020, 1, 1),
            end_date=datetime.date(2022, 12, 31),
        )
        login(client, users.admin)
        url = reverse("orgs:unit_detail", args=[tree.village_b.code])
        current = client.get(url)
        assert "前任宣传员" not in current.content.decode()
        assert current.context["past_count"] == 1
        everything = client.get(url, {"past": "1"})
        assert "前任宣传员" in everything.content.decode()

    def test_user_links_only_with_permission(self, client, users, tree):
        url = reverse("orgs:unit_detail", args=[tree.village_b.code])
        user_url = reverse("orgs:user_detail", args=[users.field_b.pk]).encode()
        assert user_url in login(client, users.admin).get(url).content
        html = login(client, users.leader).get(url).content  # leaders may not view users
        assert b"field_b" in html and user_url not in html

    def test_export_links(self, client, users, tree):
        login(client, users.town_office)
        export = reverse("orgs:unit_export", args=[tree.town.code]).encode()
        assert export in client.get(reverse("orgs:unit_tree"), {"view": "table"}).content
        assert export in client.get(reverse("orgs:unit_detail", args=[tree.town.code])).content

    def test_editor_sees_buttons(self, client, users, tree, records):
        login(client, users.office)
        html = client.get(reverse("orgs:unit_detail", args=[tree.village_b.code])).content
        for name in ("orgs:unit_edit", "orgs:unit_move", "orgs:unit_delete", "orgs:unit_create"):
            assert reverse(name, args=[tree.village_b.code]).encode() in html
        assert reverse("orgs:position_end", args=[records.b.position.pk]).encode() in html
        assert reverse("orgs:member_edit", args=[records.b.member.pk]).encode() in html


# --------------------------------------------------------------------------- units: edit


def last_event(action: str, obj) -> AuditEvent:
    return AuditEvent.objects.filter(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).latest("id")


def unit_data(**overrides):
    data = {
        "code": "990100001003",
        "name": "丁村",
        "unit_type": "village",
        "address": "",
        "phone": "",
        "notes": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


class TestUnitCreate:
    def test_creates_child_and_audits(self, client, users, tree):
        login(client, users.town_office)
        response = client.post(reverse("orgs:unit_create", args=[tree.town.code]), unit_data())
        unit = Unit.objects.get(code="990100001003")
        assert response.status_code == 302
        assert response["Location"] == reverse("orgs:unit_detail", args=[unit.code])
        assert unit.parent_unit == tree.town
        event = last_event("create", unit)
        assert event.username == "town_office"
        assert event.changes["name"] == [None, "丁村"]
        assert event.changes["code"] == [None, "990100001003"]

    def test_form_suggests_child_type(self, client, users, tree):
        login(client, users.town_office)
        response = client.get(reverse("orgs:unit_create", args=[tree.town.code]))
        assert response.context["form"].initial["unit_type"] == "village"
        assert 'type="date"' not in response.content.decode()  # no dates on a unit

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"code": "990100002005"}, "code"),  # not under 东城镇's prefix
            ({"code": "99010000100A"}, "code"),  # not digits
            ({"code": "990100001002"}, "code"),  # duplicate (乙村)
            ({"name": "   "}, "name"),  # blank name
            ({"unit_type": "planet"}, "unit_type"),  # no such type
        ],
    )
    def test_bad_input_writes_nothing(self, client, users, tree, overrides, field):
        login(client, users.town_office)
        before, events = Unit.objects.count(), AuditEvent.objects.count()
        response = client.post(
            reverse("orgs:unit_create", args=[tree.town.code]), unit_data(**overrides)
        )
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert Unit.objects.count() == before
        assert AuditEvent.objects.count() == events

    def test_code_error_names_the_rule(self, client, users, tree):
        login(client, users.town_office)
        response = client.post(
            reverse("orgs:unit_create", args=[tree.town.code]), unit_data(code="990100002005")
        )
        assert "990100001" in " ".join(response.context["form"].errors["code"])
        assert "is-invalid" in response.content.decode()


class TestUnitEdit:
    def test_edit_writes_change_and_audit(self, client, users, tree):
        login(client, users.town_office)
        response = client.post(
            reverse("orgs:unit_edit", args=[tree.village_a.code]),
            unit_data(code=tree.village_a.code, name="甲村（新）", phone="0000-1234567"),
        )
        assert response.status_code == 302
        tree.village_a.refresh_from_db()
        assert tree.village_a.name == "甲村（新）"
        event = last_event("update", tree.village_a)
        assert event.changes["name"] == ["甲村", "甲村（新）"]
        assert event.changes["phone"] == ["", "0000-1234567"]

    def test_form_is_prefilled(self, client, users, tree):
        login(client, users.town_office)
        response = client.get(reverse("orgs:unit_edit", args=[tree.village_a.code]))
        assert response.context["form"].initial["name"] == "甲村"
        assert 'value="990100001001"' in response.content.decode()

    def test_duplicate_code_is_refused(self, client, users, tree):
        login(client, users.town_office)
        response = client.post(
            reverse("orgs:unit_edit", args=[tree.village_a.code]),
            unit_data(code=tree.village_b.code, name="甲村"),
        )
        assert "code" in response.context["form"].errors
        tree.village_a.refresh_from_db()
        assert tree.village_a.code == "990100001001"
        assert not AuditEvent.objects.filter(action="update").exists()

    def test_code_that_breaks_children_is_refused(self, client, users, tree):
        login(client, users.admin)
        response = client.post(
            reverse("orgs:unit_edit", args=[tree.town.code]),
            unit_data(code="990100003000", name="东城镇", unit_type="township"),
        )
        assert response.status_code == 200
        assert "code" in response.context["form"].errors
        assert "甲村" in " ".join(response.context["form"].errors["code"])
        assert Unit.objects.filter(code="990100001000").exists()
        assert not AuditEvent.objects.filter(action="update").exists()
        # the page still shows the unit as it is
        assert response.context["unit"].code == "990100001000"

    def test_blank_name_is_refused(self, client, users, tree):
        login(client, users.town_office)
        response = client.post(
            reverse("orgs:unit_edit", args=[tree.village_a.code]),
            unit_data(code=tree.village_a.code, name=""),
        )
        assert "name" in response.context["form"].errors
        tree.village_a.refresh_from_db()
        assert tree.village_a.name == "甲村"


class TestUnitMove:
    def test_move_writes_change_and_audit(self, client, users, tree):
        login(client, users.admin)
        response = client.post(
            reverse("orgs:unit_move", args=[tree.shaft.code]), {"parent_code": tree.town.code}
        )
        assert response.status_code == 302
        shaft = Unit.objects.get(pk=tree.shaft.pk)
        assert shaft.parent_unit == tree.town
        event = last_event("update", shaft)
        assert event.changes == {"parent": [tree.mine.code, tree.town.code]}

    def test_code_not_fitting_new_parent(self, client, users, tree):
        login(client, users.admin)
        response = client.post(
            reverse("orgs:unit_move", args=[tree.village_b.code]),
            {"parent_code": tree.street.code},
        )
        assert response.status_code == 200
        assert "parent_code" in response.context["form"].errors
        assert Unit.objects.get(pk=tree.village_b.pk).parent_unit == tree.town

    def test_below_itself(self, client, users, tree):
        login(client, users.admin)
        response = client.post(
            reverse("orgs:unit_move", args=[tree.mine.code]), {"parent_code": tree.shaft.code}
        )
        assert "parent_code" in response.context["form"].errors
        assert not AuditEvent.objects.filter(action="update").exists()

    def test_parent_out_of_scope_looks_missing_and_is_audited(self, client, users, tree):
        login(client, users.town_office)
        response = client.post(
            reverse("orgs:unit_move", args=[tree.village_b.code]),
            {"parent_code": tree.street.code},
        )
        errors = response.context["form"].errors["parent_code"]
        assert "990100002000" in " ".join(errors)
        assert denied_events().get().object_id == str(tree.street.pk)
        # a code that does not exist gives the same message, without an audit event
        response = client.post(
            reverse("orgs:unit_move", args=[tree.village_b.code]),
            {"parent_code": "990100007000"},
        )
        assert "parent_code" in response.context["form"].errors
        assert denied_events().count() == 1


class TestUnitDelete:
    def test_confirm_then_delete(self, client, users, tree):
        login(client, users.admin)
        url = reverse("orgs:unit_delete", args=[tree.community.code])
        assert client.get(url).status_code == 200
        response = client.post(url)
        assert response["Location"] == reverse("orgs:unit_detail", args=[tree.street.code])
        assert not Unit.objects.filter(code=tree.community.code).exists()
        event = AuditEvent.objects.get(action="delete", object_type="orgs.unit")
        assert event.changes["code"] == [tree.community.code, None]
        street = Unit.objects.get(pk=tree.street.pk)
        assert street.numchild == 0

    def test_unit_with_children_is_kept_with_a_message(self, client, users, tree):
        login(client, users.admin)
        response = client.post(reverse("orgs:unit_delete", args=[tree.town.code]))
        assert response.status_code == 200
        assert "sub-units" in response.context["error"]
        assert Unit.objects.filter(code=tree.town.code).exists()
        assert not AuditEvent.objects.filter(action="delete").exists()

    def test_unit_with_users_is_kept_with_a_message(self, client, users, tree):
        login(client, users.admin)
        response = client.post(reverse("orgs:unit_delete", args=[tree.village_b.code]))
        assert "user accounts" in response.context["error"]
        assert b"delete-error" in response.content
        assert Unit.objects.filter(code=tree.village_b.code).exists()


# --------------------------------------------------------------------------- positions


def position_data(**overrides):
    data = {
        "role": "propagandist",
        "holder_name": "测试宣传员",
        "title": "村妇女主任",
        "phone": "13900000000",
        "user": "",
        "start_date": "2025-03-01",
        "end_date": "",
    }
    data.update(overrides)
    return data


class TestPositions:
    def test_add(self, client, users, tree):
        login(client, users.town_office)
        response = client.post(
            reverse("orgs:position_create", args=[tree.village_a.code]),
            position_data(user=str(users.field_a.pk)),
        )
        assert response.status_code == 302
        position = Position.objects.get(holder_name="测试宣传员")
        assert position.unit == tree.village_a
        assert position.user == users.field_a
        event = last_event("create", position)
        assert event.changes["start_date"] == [None, "2025-03-01"]

    def test_add_form_has_date_inputs(self, client, users, tree):
        login(client, users.town_office)
        html = client.get(reverse("orgs:position_create", args=[tree.village_a.code])).content
        assert html.count(b'type="date"') == 2

    def test_login_choices_are_limited_to_the_unit(self, client, users, tree):
        login(client, users.town_office)
        response = client.get(reverse("orgs:position_create", args=[tree.village_a.code]))
        choices = set(response.context["form"].fields["user"].queryset)
        assert choices == {users.field_a}
        response = client.post(
            reverse("orgs:position_create", args=[tree.village_a.code]),
            position_data(user=str(users.field_b.pk)),
        )
        assert "user" in response.context["form"].errors
        assert not Position.objects.exists()

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"end_date": "2025-02-01"}, "end_date"),  # before the start
            ({"holder_name": " "}, "holder_name"),
            ({"start_date": ""}, "start_date"),
            ({"start_date": "2025-13-01"}, "start_date"),
            ({"role": "king"}, "role"),
        ],
    )
    def test_bad_input_writes_nothing(self, client, users, tree, overrides, field):
        login(client, users.town_office)
        response = client.post(
            reverse("orgs:position_create", args=[tree.village_a.code]), position_data(**overrides)
        )
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert not Position.objects.exists()
        assert not AuditEvent.objects.filter(action="create", object_type="orgs.position").exists()

    def test_edit(self, client, users, records):
        login(client, users.town_office)
        position = records.b.position
        response = client.post(
            reverse("orgs:position_edit", args=[position.pk]),
            position_data(
                role="specialist",
                holder_name="专干乙",
                phone="13700000000",
                start_date="2024-01-01",
                title="",
            ),
        )
        assert response.status_code == 302
        position.refresh_from_db()
        assert position.phone == "13700000000"
        event = last_event("update", position)
        assert event.changes == {"phone": ["13800000000", "13700000000"]}

    def test_end(self, client, users, records):
        login(client, users.town_office)
        position = records.b.position
        url = reverse("orgs:position_end", args=[position.pk])
        assert client.get(url).status_code == 200
        response = client.post(url, {"end_date": "2025-06-30"})
        assert response.status_code == 302
        position.refresh_from_db()
        assert position.end_date == datetime.date(2025, 6, 30)
        assert last_event("update", position).changes == {"end_date": [None, "2025-06-30"]}

    def test_end_before_start_is_refused(self, client, users, records):
        login(client, users.town_office)
        position = records.b.position
        response = client.post(
            reverse("orgs:position_end", args=[position.pk]), {"end_date": "2023-12-31"}
        )
        assert response.status_code == 200
        errors = response.context["form"].errors["end_date"]
        assert "before the start date" in " ".join(errors)
        position.refresh_from_db()
        assert position.end_date is None
        assert not AuditEvent.objects.filter(action="update").exists()

    def test_delete(self, client, users, records):
        login(client, users.town_office)
        position = records.b.position
        url = reverse("orgs:position_delete", args=[position.pk])
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 302
        assert not Position.objects.filter(pk=position.pk).exists()
        event = AuditEvent.objects.get(action="delete", object_type="orgs.position")
        assert event.changes["holder_name"] == ["专干乙", None]


# --------------------------------------------------------------------------- committees


class TestCommittees:
    def test_add(self, client, users, tree):
        login(client, users.town_office)
        response = client.post(
            reverse("orgs:committee_create", args=[tree.town.code]),
            {"name": "人口与计划生育委员会", "kind": "committee", "established_on": "2024-02-01"},
        )
        assert response.status_code == 302
        committee = Committee.objects.get(unit=tree.town)
        assert last_event("create", committee).changes["name"] == [None, "人口与计划生育委员会"]

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"name": "", "kind": "committee"}, "name"),
            ({"name": "委员会", "kind": "club"}, "kind"),
            (
                {
                    "name": "委员会",
                    "kind": "committee",
                    "established_on": "2024-02-01",
                    "dissolved_on": "2024-01-01",
                },
                "dissolved_on",
            ),
        ],
    )
    def test_bad_input_writes_nothing(self, client, users, tree, data, field):
        login(client, users.town_office)
        response = client.post(reverse("orgs:committee_create", args=[tree.town.code]), data)
        assert field in response.context["form"].errors
        assert not Committee.objects.exists()

    def test_edit(self, client, users, records):
        login(client, users.town_office)
        committee = records.b.committee
        response = client.post(
            reverse("orgs:committee_edit", args=[committee.pk]),
            {"name": "乙村人口计生领导小组", "kind": "leading_group", "notes": "每月例会"},
        )
        assert response.status_code == 302
        event = last_event("update", committee)
        assert event.changes["name"] == ["乙村计生领导小组", "乙村人口计生领导小组"]
        assert event.changes["notes"] == ["", "每月例会"]

    def test_delete_removes_members_with_audit(self, client, users, records):
        login(client, users.town_office)
        committee = records.b.committee
        url = reverse("orgs:committee_delete", args=[committee.pk])
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 302
        assert not Committee.objects.filter(pk=committee.pk).exists()
        assert not CommitteeMember.objects.filter(pk=records.b.member.pk).exists()
        deleted = set(AuditEvent.objects.filter(action="delete").values_list("object_type"))
        assert deleted == {("orgs.committee",), ("orgs.committeemember",)}


class TestMembers:
    def test_add(self, client, users, records):
        login(client, users.town_office)
        committee = records.b.committee
        response = client.post(
            reverse("orgs:member_add", args=[committee.pk]),
            {"name": "委员丁", "role": "member", "affiliation": "卫生室", "duties": "药具发放"},
        )
        assert response.status_code == 302
        member = committee.members.get(name="委员丁")
        assert last_event("create", member).changes["duties"] == [None, "药具发放"]

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"name": "", "role": "member"}, "name"),
            ({"name": "委员丁", "role": "emperor"}, "role"),
            (
                {
                    "name": "委员丁",
                    "role": "member",
                    "start_date": "2025-01-01",
                    "end_date": "2024-01-01",
                },
                "end_date",
            ),
        ],
    )
    def test_bad_input_writes_nothing(self, client, users, records, data, field):
        login(client, users.town_office)
        committee = records.b.committee
        response = client.post(reverse("orgs:member_add", args=[committee.pk]), data)
        assert field in response.context["form"].errors
        assert committee.members.count() == 1

    def test_edit(self, client, users, records):
        login(client, users.town_office)
        member = records.b.member
        response = client.post(
            reverse("orgs:member_edit", args=[member.pk]),
            {"name": "组长乙", "role": "vice_chair", "affiliation": "村委会", "duties": "全面负责"},
        )
        assert response.status_code == 302
        assert last_event("update", member).changes == {"role": ["chair", "vice_chair"]}

    def test_remove(self, client, users, records):
        login(client, users.town_office)
        member = records.b.member
        url = reverse("orgs:member_remove", args=[member.pk])
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 302
        assert not CommitteeMember.objects.filter(pk=member.pk).exists()
        assert AuditEvent.objects.filter(
            action="delete", object_type="orgs.committeemember", object_id=str(member.pk)
        ).exists()


# --------------------------------------------------------------------------- query counts


def grow(tree, count: int = 20):
    """More children, positions, committees, members and users, to expose N+1 queries."""
    for i in range(count):
        unit = factories.unit(f"990100001{100 + i:03d}", f"新村{i}", "village", tree.town)
        services.position_create(
            actor=None,
            unit=tree.town,
            role="propagandist",
            holder_name=f"宣传员{i}",
            start_date=datetime.date(2018, 1, 1),
            end_date=datetime.date(2020 + i % 3, 1, 1) if i % 2 else None,
        )
        committee = services.committee_create(
            actor=None, unit=tree.town, name=f"小组{i}", kind="leading_group"
        )
        services.committee_member_add(actor=None, committee=committee, name=f"成员{i}")
        factories.user(f"staff{i}", tree.town, "field", "leader")
        assert unit.pk


class TestQueryCounts:
    """Baselines: the pages' query counts do not grow with the number of rows.

    About 10 queries are the shell (session, user, working unit, permissions, menu); the
    limits leave one or two spare so that a per-row query (20+ rows here) fails."""

    def test_tree_page(self, client, users, tree, django_assert_max_num_queries):
        grow(tree)
        login(client, users.admin)
        client.post(reverse("orgs:set_working_unit"), {"code": tree.town.code})
        with django_assert_max_num_queries(13):
            response = client.get(reverse("orgs:unit_tree"))
        assert len(response.context["children"]) == 22

    def test_tree_table(self, client, users, tree, django_assert_max_num_queries):
        grow(tree)
        login(client, users.admin)
        with django_assert_max_num_queries(13):
            response = client.get(reverse("orgs:unit_tree"), {"view": "table"})
        assert len(response.context["table"].page.object_list) == 28

    def test_children_partial(self, client, users, tree, django_assert_max_num_queries):
        grow(tree)
        login(client, users.admin)
        with django_assert_max_num_queries(12):
            response = client.get(
                reverse("orgs:unit_children", args=[tree.town.code]), {"mode": "select"}
            )
        assert response.content.count(b"data-unit-code") == 22

    def test_unit_page(self, client, users, tree, django_assert_max_num_queries):
        grow(tree)
        login(client, users.admin)
        with django_assert_max_num_queries(19):
            response = client.get(reverse("orgs:unit_detail", args=[tree.town.code]), {"past": "1"})
        assert len(response.context["positions"]) == 20
        assert len(response.context["committees"]) == 20
        assert response.content.decode().count("成员") >= 20


# --- Excel entry points on the unit page -------------------------------------------


def test_unit_page_offers_export_to_readers_and_import_to_editors(client, tree, users):
    url = reverse("orgs:unit_detail", args=[tree.town.code])
    export_url = reverse("orgs:unit_export", args=[tree.town.code])
    import_url = reverse("orgs:unit_import") + "?unit=" + tree.town.code

    login(client, users.leader)
    page = client.get(url).text
    assert export_url in page
    assert import_url not in page

    login(client, users.office)
    page = client.get(url).text
    assert export_url in page
    assert import_url.replace("&", "&amp;") in page
    assert client.get(import_url).status_code == 200
