"""The shell (base layout, menu, language switch), the home page and the audit-log pages."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.menu import MenuItem, MenuSection, menu_for, registered_menu
from jisheng.core.models import AuditEvent, ImmutableError
from jisheng.core.selectors import audit_events_for, change_rows
from jisheng.orgs import services
from tests import factories

# --- base layout ---------------------------------------------------------------------------


def test_base_layout_assets_are_local_and_htmx_has_csrf(client, users):
    client.force_login(users.office)
    html = client.get("/").content.decode()
    for asset in (
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap/bootstrap.bundle.min.js",
        "vendor/bootstrap-icons/bootstrap-icons.min.css",
        "vendor/htmx/htmx.min.js",
        "jisheng/css/jisheng.css",
    ):
        assert f'/static/{asset}"' in html
    # nothing is loaded from another host
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'", html)
    # the left menu becomes an offcanvas drawer below the lg breakpoint
    assert 'class="offcanvas-lg offcanvas-start"' in html
    assert 'data-bs-target="#js-sidebar"' in html
    # logout is a POST form
    assert re.search(r'<form action="/logout/" method="post"', html)


def test_static_css_has_a_cjk_font_stack():
    from pathlib import Path

    import jisheng

    css = (Path(jisheng.__file__).parent / "static/jisheng/css/jisheng.css").read_text()
    for font in ("PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "sans-serif"):
        assert font in css


def test_page_is_chinese_by_default_and_english_can_be_chosen(client, users):
    client.force_login(users.office)
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans"' in html
    assert 'action="/i18n/setlang/"' in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "Hello, office" in html


def test_unit_selector_is_included_when_installed(client, users):
    from jisheng.core.context_processors import UNIT_SELECTOR_TEMPLATE, _template_exists

    client.force_login(users.office)
    response = client.get("/")
    names = [t.name for t in response.templates]
    assert (UNIT_SELECTOR_TEMPLATE in names) == _template_exists(UNIT_SELECTOR_TEMPLATE)


def test_messages_are_shown_as_bootstrap_alerts(client, users):
    client.force_login(users.admin)
    response = client.post(
        reverse("orgs:user_roles", args=[users.field_a.pk]), {"roles": ["field"]}, follow=True
    )
    assert 'class="alert alert-success' in response.content.decode()


# --- menu ------------------------------------------------------------------------------------


def _menu_labels(user) -> dict[str, list[str]]:
    with translation.override("en"):
        return {m.key: [str(i.label) for i in m.items] for m in menu_for(user, "/")}


def test_menu_hides_items_without_permission(users):
    field = _menu_labels(users.field_a)
    # issue 13 item 18: a village's field staff have no use for the organisation tree
    assert "orgs" not in field
    assert "system" not in field  # no audit log for field staff

    admin = _menu_labels(users.admin)
    assert admin["orgs"] == ["Organisation tree", "Import units", "Users"]
    assert admin["system"] == ["Audit log", "Policy packs", "System status"]
    assert _menu_labels(users.office)["system"] == ["Policy packs"]

    auditor = _menu_labels(users.auditor)
    assert auditor["system"] == ["Audit log"]


def test_menu_lists_no_coming_soon_modules(users):
    # issue 13 item 18: nothing greyed out that cannot be opened
    modules = menu_for(users.field_a, "/")
    assert not [m.key for m in modules if m.coming_soon]
    assert all(m.items for m in modules)
    services = next(m for m in modules if m.key == "services")
    assert [str(i.url) for i in services.items] == [
        reverse("services:worklist"),
        reverse("services:campaign_list"),  # field staff: no letters of inquiry
    ]


def test_assessment_menu_follows_permissions(users):
    def items(user):
        module = next(m for m in menu_for(user, "/") if m.key == "indicators")
        return [str(i.url) for i in module.items]

    figures = [reverse("reports:dashboard"), reverse("reports:catalogue")]
    assert items(users.field_a)[:2] == figures
    assert reverse("indicators:assessment_list") not in items(users.field_a)
    office = items(users.office)
    for name in ("indicators:contract_list", "indicators:assessment_list"):
        assert reverse(name) in office
    assert reverse("reports:verification_list") in office


def test_menu_marks_the_longest_matching_item_active(users):
    modules = menu_for(users.admin, reverse("orgs:user_list") + "?page=2")
    active = [str(i.url) for m in modules for i in m.items if i.active]
    assert active == [reverse("orgs:user_list")]
    assert [m.key for m in modules if m.active] == ["orgs"]
    home = menu_for(users.admin, "/")
    assert [i.url for m in home for i in m.items if i.active] == ["/"]


def test_menu_skips_pages_that_are_not_installed(users):
    menu = (
        (MenuSection("x", "X", "bi-x"), [MenuItem("nope:missing", "Missing", section="x")]),
        (MenuSection("y", "Y", "bi-y"), [MenuItem("home", "Home", section="y")]),
    )
    assert [m.key for m in menu_for(users.field_a, "/", menu)] == ["y"]


def test_menu_is_empty_for_anonymous():
    from django.contrib.auth.models import AnonymousUser

    assert menu_for(AnonymousUser(), "/") == []
    assert menu_for(None, "/") == []


def test_menu_items_all_name_real_urls():
    for _module, items in registered_menu():
        for item in items:
            reverse(item.url_name)


def test_sidebar_renders_permitted_items_only(client, users):
    client.force_login(users.field_a)
    html = client.get("/").content.decode()
    assert f'href="{reverse("people:person_list")}"' in html
    assert f'href="{reverse("orgs:unit_tree")}"' not in html
    assert f'href="{reverse("core:audit_list")}"' not in html
    assert f'href="{reverse("orgs:user_list")}"' not in html
    assert "js-coming-soon" not in html


# --- home --------------------------------------------------------------------------------------


def test_home_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_home_shows_greeting_unit_quick_links_and_worklist_placeholder(client, users):
    client.force_login(users.field_a)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hello, field_a" in html
    assert response.context["unit"] == users.field_a.unit
    assert "990100001001" in html
    assert 'data-testid="worklist"' in html
    links = [i.url for i in response.context["quick_links"]]
    assert links[0] == reverse("services:worklist")
    assert reverse("people:person_list") in links
    assert reverse("orgs:unit_tree") not in links
    assert reverse("core:audit_list") not in links


def test_home_for_a_user_without_unit(client, db):
    from jisheng.orgs.models import User

    lonely = User.objects.create_user("lonely", password=factories.PASSWORD)
    client.force_login(lonely)
    client.cookies["django_language"] = "en"
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["unit"] is None


# --- audit log: access ---------------------------------------------------------------------


AUDIT_URLS = ["core:audit_list", "core:audit_detail"]


def _audit_url(name: str, event: AuditEvent) -> str:
    return reverse(name, args=[event.pk]) if name.endswith("detail") else reverse(name)


@pytest.fixture
def event(tree, users):
    return audit.record(
        actor=users.field_a,
        action=AuditAction.UPDATE,
        obj=tree.village_a,
        changes={"name": ["甲村", "甲村村委会"], "phone": [None, "0000-1234567"]},
    )


@pytest.mark.parametrize("name", AUDIT_URLS)
def test_audit_pages_require_login(client, event, name):
    url = _audit_url(name, event)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("name", AUDIT_URLS)
@pytest.mark.parametrize("who", ["field_a", "office", "leader", "town_office"])
def test_audit_pages_need_the_view_permission(client, users, event, name, who):
    client.force_login(getattr(users, who))
    assert client.get(_audit_url(name, event)).status_code == 403


@pytest.mark.parametrize("name", AUDIT_URLS)
@pytest.mark.parametrize("who", ["auditor", "admin"])
def test_audit_pages_open_for_auditor_and_admin(client, users, event, name, who):
    client.force_login(getattr(users, who))
    assert client.get(_audit_url(name, event)).status_code == 200


@pytest.mark.parametrize("name", AUDIT_URLS)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_audit_pages_refuse_writes(client, users, event, name, method):
    client.force_login(users.auditor)
    url = _audit_url(name, event)
    count = AuditEvent.objects.count()
    response = getattr(client, method)(url, {"message": "tampered"})
    assert response.status_code == 405
    assert AuditEvent.objects.count() == count
    event.refresh_from_db()
    assert event.message == ""


def test_audit_log_cannot_be_changed_through_querysets_or_instances(event):
    with pytest.raises(ImmutableError):
        AuditEvent.objects.filter().update(message="tampered")
    with pytest.raises(ImmutableError):
        AuditEvent.objects.filter().delete()
    with pytest.raises(ImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.VIEW)
    with pytest.raises(ImmutableError):
        event.delete()
    event.message = "tampered"
    with pytest.raises(ImmutableError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).message == ""


# --- audit log: scope ----------------------------------------------------------------------


@pytest.fixture
def town_auditor(tree):
    return factories.user("town_auditor", tree.town, "auditor")


def test_auditor_sees_events_of_their_subtree_only(client, tree, users, town_auditor):
    inside_obj = audit.record(actor=None, action=AuditAction.VIEW, obj=tree.village_b)
    inside_user = audit.record(actor=users.field_a, action=AuditAction.LOGIN)
    outside_obj = audit.record(actor=None, action=AuditAction.VIEW, obj=tree.community)
    outside_user = audit.record(actor=users.office, action=AuditAction.LOGIN)  # county staff
    system = audit.record(actor=None, action=AuditAction.IMPORT, message="system job")

    visible = set(audit_events_for(town_auditor).values_list("pk", flat=True))
    assert {inside_obj.pk, inside_user.pk} <= visible
    assert not {outside_obj.pk, outside_user.pk, system.pk} & visible

    client.force_login(town_auditor)
    response = client.get(reverse("core:audit_list"))
    shown = {row.record.pk for row in response.context["table"].rows}
    assert {inside_obj.pk, inside_user.pk} <= shown
    assert not {outside_obj.pk, outside_user.pk, system.pk} & shown


def test_auditor_sees_events_of_units_without_users(tree, town_auditor):
    # an event whose acting user's unit code lies in the subtree, with no object
    event = AuditEvent.objects.create(
        username="moved-away", unit_code=tree.village_b.code, action=AuditAction.LOGIN
    )
    assert audit_events_for(town_auditor).filter(pk=event.pk).exists()


def test_county_auditor_and_superuser_see_more(tree, users, town_auditor):
    from jisheng.orgs.models import User

    outside = audit.record(actor=None, action=AuditAction.VIEW, obj=tree.community)
    system = audit.record(actor=None, action=AuditAction.IMPORT, message="system job")
    assert audit_events_for(users.auditor).filter(pk=outside.pk).exists()
    assert not audit_events_for(users.auditor).filter(pk=system.pk).exists()
    root = User.objects.create_superuser("root", password=factories.PASSWORD)
    assert audit_events_for(root).filter(pk=system.pk).exists()


def test_audit_events_for_nobody(db):
    from django.contrib.auth.models import AnonymousUser

    from jisheng.orgs.models import User

    AuditEvent.objects.create(username="x", action=AuditAction.LOGIN)
    assert not audit_events_for(AnonymousUser()).exists()
    no_unit = User.objects.create_user("no_unit", password=factories.PASSWORD)
    assert not audit_events_for(no_unit).exists()


def test_out_of_scope_audit_event_is_404_and_denied(client, tree, users, town_auditor):
    outside = audit.record(actor=None, action=AuditAction.VIEW, obj=tree.community)
    client.force_login(town_auditor)
    response = client.get(reverse("core:audit_detail", args=[outside.pk]))
    assert response.status_code == 404
    denied = AuditEvent.objects.filter(action=AuditAction.DENIED, username="town_auditor")
    assert denied.count() == 1
    assert denied.get().object_id == str(outside.pk)
    assert denied.get().object_type == "core.auditevent"


def test_missing_audit_event_is_404_without_denied_event(client, users):
    client.force_login(users.auditor)
    response = client.get(reverse("core:audit_detail", args=[999999]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DENIED).exists()


# --- audit log: list, filters, sorting, paging, detail -----------------------------------


def _shown(response) -> list[int]:
    return [row.record.pk for row in response.context["table"].paginated_rows]


def test_audit_list_filters(client, tree, users):
    created = services.unit_create(
        actor=users.office, parent=tree.village_a, code="G01", name="第一小组", unit_type="group"
    )
    login = audit.record(actor=users.field_b, action=AuditAction.LOGIN)
    client.force_login(users.auditor)
    url = reverse("core:audit_list")

    by_action = _shown(client.get(url, {"action": "login"}))
    assert login.pk in by_action
    assert all(AuditEvent.objects.get(pk=pk).action == "login" for pk in by_action)

    by_user = _shown(client.get(url, {"username": "field_b"}))
    assert login.pk in by_user
    assert all(AuditEvent.objects.get(pk=pk).username == "field_b" for pk in by_user)

    by_user_id = _shown(client.get(url, {"user": users.field_b.pk}))
    assert by_user_id == [login.pk]

    create_event = AuditEvent.objects.get(action="create", object_id=str(created.pk))
    by_type = _shown(client.get(url, {"object_type": "orgs.unit", "action": "create"}))
    assert create_event.pk in by_type
    assert login.pk not in by_type

    by_text = _shown(client.get(url, {"q": "第一小组"}))
    assert by_text == [create_event.pk]

    today = timezone.localdate()
    in_range = _shown(
        client.get(url, {"date_from": today.isoformat(), "date_to": today.isoformat()})
    )
    assert login.pk in in_range
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert _shown(client.get(url, {"date_from": tomorrow})) == []
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert _shown(client.get(url, {"date_to": yesterday})) == []


def test_audit_list_object_type_choices_are_readable(client, tree, users):
    services.unit_create(
        actor=users.office, parent=tree.village_a, code="G01", name="第一小组", unit_type="group"
    )
    client.force_login(users.auditor)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        response = client.get(reverse("core:audit_list"))
        choices = dict(response.context["filterset"].form.fields["object_type"].choices)
        assert choices["orgs.unit"] == "organisation unit"


def test_audit_list_bad_filter_input_is_reported_not_fatal(client, users, event):
    client.force_login(users.auditor)
    response = client.get(
        reverse("core:audit_list"), {"date_from": "2026-13-45", "action": "no-such-action"}
    )
    assert response.status_code == 200
    errors = response.context["filterset"].form.errors
    assert "date_from" in errors and "action" in errors


def test_audit_list_sorts_and_paginates(client, tree, users, settings):
    settings.JISHENG_PAGE_SIZE = 5
    for index in range(12):
        audit.record(
            actor=users.field_a,
            action=AuditAction.VIEW,
            obj=tree.village_a,
            message=f"view {index}",
        )
    client.force_login(users.auditor)
    url = reverse("core:audit_list")
    first = client.get(url)
    assert len(_shown(first)) == 5
    assert first.context["table"].paginator.num_pages >= 3
    newest_first = _shown(first)
    assert newest_first == sorted(newest_first, reverse=True)

    page2 = client.get(url, {"page": 2})
    assert set(_shown(page2)).isdisjoint(newest_first)

    oldest_first = _shown(client.get(url, {"sort": "timestamp"}))
    assert oldest_first == sorted(oldest_first)
    by_user = client.get(url, {"sort": "username"})
    assert by_user.status_code == 200
    names = [row.record.username for row in by_user.context["table"].paginated_rows]
    assert names == sorted(names)
    # a page number past the end shows a page instead of an error
    beyond = client.get(url, {"page": 999})
    assert beyond.status_code == 200
    assert _shown(beyond)


def test_audit_list_renders_table_markup(client, users, event):
    client.force_login(users.auditor)
    html = client.get(reverse("core:audit_list")).content.decode()
    assert "table-responsive" in html
    assert reverse("core:audit_detail", args=[event.pk]) in html
    assert 'data-testid="filter-form"' in html


def test_audit_detail_shows_changes_as_table(client, users, event):
    client.force_login(users.auditor)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        response = client.get(reverse("core:audit_detail", args=[event.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="changes"' in html
    rows = {row.field: row for row in response.context["change_rows"]}
    assert rows["name"].before == "甲村" and rows["name"].after == "甲村村委会"
    assert rows["name"].label == "name"
    assert rows["phone"].before == "—"
    assert "甲村村委会" in html


def test_change_rows_handles_odd_shapes(tree, users):
    event = audit.record(
        actor=users.admin,
        action=AuditAction.UPDATE,
        obj=users.field_a,
        changes={
            "roles": [["field"], ["field", "leader"]],
            "note": "text",
            "is_active": [True, False],
            "extra": [{"a": 1}, None],
        },
    )
    rows = {row.field: row for row in change_rows(event)}
    assert rows["roles"].after == "field, leader"
    assert rows["note"].before == "—" and rows["note"].after == "text"
    assert rows["extra"].before == '{"a": 1}'
    with translation.override("en"):
        rows = {row.field: row for row in change_rows(event)}
        assert rows["is_active"].after == "no"
        assert rows["is_active"].label == "active"


def test_change_rows_show_choice_labels_and_local_times(tree, users):
    event = audit.record(
        actor=users.admin,
        action=AuditAction.UPDATE,
        obj=tree.village_a,
        changes={
            "unit_type": ["village", "community"],
            "updated_at": [None, "2026-01-01T00:00:00+00:00"],
        },
    )
    with translation.override("en"):
        rows = {row.field: row for row in change_rows(event)}
    assert rows["unit_type"].before == "Village (village)"
    assert rows["unit_type"].after == "Community (community)"
    assert rows["updated_at"].after == "2026-01-01 08:00:00"  # Asia/Shanghai


def test_language_switch_returns_to_the_page_or_home_after_a_post(client, users):
    client.force_login(users.admin)
    html = client.get(reverse("orgs:user_list") + "?q=field").content.decode()
    assert '<input type="hidden" name="next" value="/orgs/users/?q=field">' in html
    response = client.post(reverse("orgs:token_create", args=[users.admin.pk]), {"name": "x"})
    assert '<input type="hidden" name="next" value="/">' in response.content.decode()


@pytest.mark.parametrize("url_name", ["core:audit_list", "orgs:user_list"])
def test_list_pages_without_an_export_show_no_greyed_export_button(client, users, url_name):
    """Issue 13 (items 16, 18): nothing greyed "coming soon" — a list without an export
    (the audit log, the users) shows no export button at all."""
    client.force_login(users.admin)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="result-count"' in html
    assert "即将推出" not in html and "bi-download" not in html


def test_a_list_with_an_export_shows_it_only_to_who_may_export(client, users):
    client.force_login(users.office)
    assert "bi-download" in client.get(reverse("people:person_list")).content.decode()
    client.force_login(users.field_a)
    assert "bi-download" not in client.get(reverse("people:person_list")).content.decode()
