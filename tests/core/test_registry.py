"""Issue 14 item 1: one registry that every app fills from its own ``ready()``.

The jisheng apps give exactly what the central tables gave before (role permissions,
API paths, menu order, shortcuts); a test app (``tests.plugin_app``, installed by the
test settings only) plugs in a menu item, a grant, an API router, an importer, a job, a
worklist source and a page with no central edit.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from jisheng.api.urls import api as jisheng_api
from jisheng.core import periodic
from jisheng.core import registry as reg
from jisheng.core.menu import menu_for, registered_menu, shortcuts_for
from jisheng.core.registry import (
    MenuItem,
    MenuSection,
    RegistryConflict,
    WorkItem,
    WorklistSource,
    registry,
)
from jisheng.indicators import catalogue, engine
from jisheng.orgs.management.commands.demo import run_demo_loaders
from jisheng.orgs.roles import role_permissions, sync_role_groups
from jisheng.services import selectors
from jisheng.services.presentation import visible_kinds
from jisheng.services.selectors import WorkKind
from tests import factories
from tests.api.conftest import ApiClient
from tests.core.registry_today import (
    TODAY_API_PATHS,
    TODAY_MENU,
    TODAY_ROLE_PERMISSIONS,
    TODAY_SHORTCUTS,
)
from tests.plugin_app import importers as plugin_importers
from tests.plugin_app import tasks as plugin_tasks
from tests.plugin_app import worklist as plugin_worklist
from tests.plugin_app.models import Widget
from tests.registry_utils import replaced_store

PLUGIN = "plugin_app"


def _not_plugin(names):
    """Leave out the test app's permissions, URL names and API operations."""
    return [
        n for n in names if not n.startswith((f"{PLUGIN}.", f"{PLUGIN}:")) and "/plugin/" not in n
    ]


# --------------------------------------------------------------------------- the stores


def test_the_stores_are_fixed():
    with pytest.raises(KeyError, match="invalid store"):
        registry["menu"]
    with pytest.raises(TypeError):
        registry["new"] = {}
    with pytest.raises(TypeError):
        del registry["jobs"]


def test_a_second_claim_on_a_key_is_an_error_and_the_same_one_a_no_op():
    item = registry["menu_items"][0]
    assert reg.register_menu_item(item) is item  # ready() run again
    with pytest.raises(RegistryConflict):
        reg.register_menu_item(MenuItem(item.url_name, "Other", section=item.section))
    with pytest.raises(ValueError, match="names no section"):
        reg.register_menu_item(MenuItem("x:y", "No section"))
    source = registry["worklist_sources"][WorkKind.DUE]
    reg.register_worklist_source(source)
    with pytest.raises(RegistryConflict):
        reg.register_worklist_source(WorklistSource(WorkKind.DUE, "Other", source.collect))


# --------------------------------------------------------------------------- same as before


def test_every_role_has_exactly_todays_permissions():
    granted = {role: set(_not_plugin(perms)) for role, perms in role_permissions().items()}
    assert granted == {role: set(perms) for role, perms in TODAY_ROLE_PERMISSIONS.items()}


def test_grants_to_an_unknown_role_are_refused():
    grants = {**registry["role_grants"], "nobody": {"x.y"}}
    with replaced_store("role_grants", grants), pytest.raises(ValueError, match="nobody"):
        role_permissions()


def test_the_role_groups_get_the_registry_grants(db):
    with replaced_store("role_grants", {"auditor": {"core.view_auditevent"}}):
        sync_role_groups()
        auditor = Group.objects.get(name="auditor")
        assert [p.codename for p in auditor.permissions.all()] == ["view_auditevent"]
        assert not Group.objects.get(name="field").permissions.exists()
    sync_role_groups()
    assert Group.objects.get(name="auditor").permissions.count() > 1


def test_the_api_has_todays_paths_in_order():
    schema = jisheng_api.get_openapi_schema()
    operations = [f"{m} {path}" for path, item in schema["paths"].items() for m in item]
    assert sorted(_not_plugin(operations)) == sorted(TODAY_API_PATHS)
    prefixes = [(r.prefix, r.order) for r in reg.api_routers()]
    assert [p for p, _o in prefixes[:31]] == [
        "",
        "/units",
        "/commodities",
        "/persons",
        # before /certificates, whose /{id} would take "verify" for an id
        "/certificates/verify",
        "/certificates",
        # issue 17: arrivals 37, teams 37, people away 38, housing and sweeps 39
        "/floating/arrivals",
        "/floating/teams",
        "/floating/outflows",
        "/floating/properties",
        "/floating/sweeps",
        "/policy",
        "/exchange",
        # issue 18 / eligibility: 42
        "/benefits/eligibility",
        # issue 18 / flow: batches, objections, findings (43)
        "/benefits/batches",
        "/benefits/objections",
        "/benefits/findings",
        # issue 18 / payments: payment lines 44, bank files 45
        "/benefits/payments",
        "/benefits/bank-files",
        # issue 18 / changes: entitlements 46, overpayments 47, staff allowances 48
        "/benefits/entitlements",
        "/benefits/overpayments",
        "/benefits/allowances",
        "/services",
        "",
        "/indicators",
        "/quality/lists",
        "/statforms",
        "/reporting",
        "/quality/underreporting",
        "/plugin",
        "/quality",
    ]


def test_the_menu_comes_out_in_todays_order():
    menu = [
        (section.key, [item.url_name for item in items])
        for section, items in registered_menu()
        if section.key != "plugin"
    ]
    assert menu == [(key, names) for key, names in TODAY_MENU]


def test_the_shortcuts_are_todays():
    shortcuts = {role: [n for _o, n in pairs] for role, pairs in registry["shortcuts"].items()}
    assert shortcuts == TODAY_SHORTCUTS


def test_the_indicator_names_are_views_of_the_stores():
    assert engine.POPULATIONS is registry["populations"]
    assert catalogue.BY_ID is registry["indicators"]
    assert "births" in registry["populations"] and "tfr" in registry["indicators"]
    # the apps' own register in ready()
    assert "migrant_verification_rate" in registry["indicators"]


def test_the_jobs_are_the_registry_store():
    assert periodic.jobs() is registry["jobs"]
    assert {"services.rebuild_schedules", "reports.dashboard_refresh"} <= set(periodic.jobs())
    with pytest.raises(ValueError):
        periodic.register("bad@name", dt.time(1, 0), plugin_tasks.count_widgets)


def test_the_demo_loaders_run_in_order_orgs_first():
    assert [loader.name for loader in registry["demo_loaders"]] == [
        "orgs",
        "people",
        "services",
        "commodities",
        "certificates",
        "floating",
        "benefits_eligibility",
        "reporting",
        "crosscheck",
        "late_entries",
        "logic_rules",
    ]
    ran = []
    with replaced_store("demo_loaders", []):
        reg.register_demo_loader("late", lambda: ran.append("late") or 2, order=50)
        reg.register_demo_loader("orgs", lambda: ran.append("orgs") or 1, order=0)
        reg.register_demo_loader("orgs", lambda: ran.append("again"), order=0)  # no-op
        assert run_demo_loaders() == {"orgs": 1, "late": 2}
    assert ran == ["orgs", "late"]


def test_the_menu_skips_sections_without_items_for_the_user(users):
    menu = [(MenuSection("empty", "Empty", "bi-x"), [])]
    assert menu_for(users.admin, "/", menu) == []


# --------------------------------------------------------------------------- the worklist


def test_the_worklist_kinds_are_the_registered_sources():
    kinds = [source.kind for source in reg.worklist_sources()]
    # what was returned to the user first (core.workflow), then the services app's own
    assert kinds[0] == "returned"
    assert [k for k in kinds if k in WorkKind.ORDER] == list(WorkKind.ORDER)
    assert kinds[-1] == plugin_worklist.KIND  # the test app's, registered last (order 900)


def test_the_worklist_follows_kinds_and_each_sources_permission(users):
    today = dt.date(2026, 7, 15)
    work = selectors.worklist(users.office, today=today, kinds=(WorkKind.LETTER, WorkKind.DUE))
    assert [g.kind for g in work.groups] == [WorkKind.LETTER, WorkKind.DUE]
    assert selectors.worklist(users.office, today=today, kinds=("no_such_kind",)).groups == []
    # field staff hold no letters of inquiry, nor the plugin's permission
    field = [g.kind for g in selectors.worklist(users.field_a, today=today).groups]
    assert WorkKind.LETTER not in field and plugin_worklist.KIND not in field
    assert WorkKind.DUE in field
    assert plugin_worklist.KIND not in visible_kinds(users.office)


def test_a_source_of_records_without_a_person(users):
    collected = []

    def collect(user, *, unit, today, limit):
        collected.append((user, unit, today, limit))
        item = WorkItem(None, "2026Q2 report", "甲村", today, "Correct", "/x/", message="补全")
        return 3, [item][:limit]

    source = WorklistSource("test_records", "Records", collect, order=1)
    with replaced_store("worklist_sources", {"test_records": source}):
        work = selectors.worklist(users.field_a, today=dt.date(2026, 7, 1), limit=5)
    assert [(g.kind, g.count) for g in work.groups] == [("test_records", 3)]
    assert work.groups[0].items[0].person_id is None
    assert collected == [(users.field_a, None, dt.date(2026, 7, 1), 5)]


# --------------------------------------------------------------------------- the test app


@pytest.fixture
def assessor(tree):
    return factories.user("assessor1", tree.county, "assessor")


def test_the_plugin_menu_item_shows_to_the_role_with_its_grant(assessor, users):
    with translation.override("en"):
        modules = {m.key: [str(i.label) for i in m.items] for m in menu_for(assessor, "/")}
        assert modules["plugin"] == ["Widgets"]
        assert "plugin" not in {m.key for m in menu_for(users.office, "/")}
    assert all(s.url != "/plugin/" for s in shortcuts_for(assessor))


def test_the_plugin_grant_is_in_the_role_group(assessor, users):
    perms = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name="assessor").permissions.all()
    }
    assert "plugin_app.view_widget" in perms
    assert assessor.has_perm("plugin_app.view_widget")
    assert not users.office.has_perm("plugin_app.view_widget")


def test_the_plugin_router_is_in_the_schema_and_answers(assessor, users):
    from jisheng.core.tokens import token_create

    assert "/api/v1/plugin/widgets" in jisheng_api.get_openapi_schema()["paths"]
    Widget.objects.create(name="b")
    Widget.objects.create(name="a")
    _t, secret = token_create(actor=None, user=assessor, name="test")
    response = ApiClient(secret, language="en").get("/plugin/widgets")
    assert response.status_code == 200
    assert response.json() == {"names": ["a", "b"]}
    _t, other = token_create(actor=None, user=users.office, name="test")
    denied = ApiClient(other, language="en").get("/plugin/widgets")
    assert denied.status_code == 403 and denied.json()["code"]
    assert ApiClient(None).get("/plugin/widgets").status_code == 401


def test_the_plugin_page_is_included_from_its_app_config(client, assessor, users):
    assert reverse("plugin_app:widgets") == "/plugin/"
    assert client.get("/plugin/").status_code == 302  # to the login page
    client.force_login(users.office)
    assert client.get("/plugin/").status_code == 403
    client.force_login(assessor)
    response = client.get("/plugin/")
    assert response.status_code == 200 and response.content == b"plugin widgets"
    # and the sidebar links it
    assert 'href="/plugin/"' in client.get("/").content.decode()


def test_the_plugin_importer_is_registered():
    # get_importer still reads settings.JISHENG_IMPORTERS on this branch (helper
    # "imports" switches it to the registry): the store is what is asserted here.
    assert registry["importers"]["plugin_widgets"] is plugin_importers.IMPORTER
    with pytest.raises(RegistryConflict):
        reg.register_importer(
            plugin_importers.Importer(
                kind="plugin_widgets",
                sheet_name="other",
                headers=(),
                required_headers=(),
                permissions=(),
                run=plugin_importers.run,
            )
        )


def test_the_plugin_job_is_scheduled(db, settings):
    job = periodic.jobs()[plugin_tasks.JOB]
    assert job.task is plugin_tasks.count_widgets and job.at == dt.time(4, 30)
    settings.PLUGIN_APP_JOB_ON = True
    out = io.StringIO()
    call_command("worker", "--jobs", stdout=out)
    assert f"{plugin_tasks.JOB}\t04:30 nightly" in out.getvalue().splitlines()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    day = timezone.localdate()
    at = timezone.make_aware(dt.datetime(day.year, day.month, day.day, 4, 31))
    assert plugin_tasks.JOB in periodic.enqueue_due(at)
    settings.PLUGIN_APP_JOB_ON = False
    assert not job.is_on()


def test_the_plugin_worklist_source_shows_items_without_a_person(client, assessor, users):
    Widget.objects.create(name="w1")
    work = selectors.worklist(assessor, today=dt.date(2026, 7, 1))
    group = next(g for g in work.groups if g.kind == plugin_worklist.KIND)
    assert group.count == 1
    assert group.items[0].person_id is None
    assert group.items[0].message == "Returned: w1 was miscounted"
    assert plugin_worklist.KIND in visible_kinds(assessor)

    client.force_login(assessor)
    html = client.get(reverse("services:worklist")).content.decode()
    assert "Widgets to recount" in html
    assert "Returned: w1 was miscounted" in html
    assert "退回意见：" in html  # the return's message, labelled in Chinese
    assert 'data-person=""' not in html and 'data-person="None"' not in html
    page = client.get(reverse("services:worklist_group", args=[plugin_worklist.KIND]))
    assert page.status_code == 200 and "Widget w1" in page.content.decode()

    from jisheng.core.tokens import token_create

    _t, secret = token_create(actor=None, user=assessor, name="test")
    body = ApiClient(secret, language="en").get("/worklist").json()
    plugin = next(g for g in body["groups"] if g["kind"] == plugin_worklist.KIND)
    assert plugin["items"][0]["person_id"] is None
    assert plugin["items"][0]["message"] == "Returned: w1 was miscounted"
    client.force_login(users.office)
    page = client.get(reverse("services:worklist_group", args=[plugin_worklist.KIND]))
    assert page.status_code == 404
