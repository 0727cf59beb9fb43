"""The dashboard kept warm: the shared cache's settings and table, the refresh job
(reports.tasks / dashboard.warm_*) writing exactly what the page then reads without
computing, the ended months, the cold path, "recompute now" and the jobs' schedule.

Data: the hand-built 2026Q3 world of the indicator tests (tests/indicators/conftest.py);
the job runs "on" 2026-09-20, so its current quarter is 2026Q3.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from jisheng.core import periodic, periods
from jisheng.indicators import engine
from jisheng.orgs.models import Unit
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind
from jisheng.reports import dashboard, tasks
from jisheng.services.presentation import visible_kinds
from jisheng.settings.base import CACHE_MAX_ENTRIES, CACHE_TABLE, cache_settings
from tests import factories
from tests.indicators.conftest import period, world  # noqa: F401  (fixtures)
from tests.reports.test_dashboard import load_pack

D = datetime.date
TODAY = D(2026, 9, 20)  # inside 2026Q3
URL = "/reports/dashboard/"


@pytest.fixture(autouse=True)
def _cached(settings):
    settings.JISHENG_DASHBOARD_CACHE_SECONDS = 300
    settings.JISHENG_DASHBOARD_CLOSED_CACHE_SECONDS = 6 * 3600
    settings.JISHENG_DASHBOARD_REFRESH_MINUTES = 5
    cache.clear()
    yield
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        cache.clear()  # a database cache's table goes with the test's transaction


class EngineCalled(AssertionError):
    pass


@pytest.fixture
def no_engine(monkeypatch):
    """Every way the dashboard computes figures now fails, and so do the worklist counts
    of the units the job keeps them for (depth ≤ 2; a village's are counted live)."""
    from jisheng.services import selectors as service_selectors

    real_worklist = service_selectors.worklist

    def fail(*args, **kwargs):
        raise EngineCalled("computed instead of read from the cache")

    def worklist(user, *, unit=None, **kwargs):
        if unit is None or unit.depth <= dashboard.WORK_WARM_DEPTH:
            fail()
        return real_worklist(user, unit=unit, **kwargs)

    def patch() -> None:
        for name in ("compute_tree", "compute", "compute_units"):
            monkeypatch.setattr(engine, name, fail)
        monkeypatch.setattr(service_selectors, "worklist", worklist)

    return patch


def units_to_depth(depth: int = dashboard.WARM_DEPTH) -> list[Unit]:
    return list(Unit.objects.filter(depth__lte=depth).order_by("path"))


def snapshot(data: dashboard.Dashboard) -> dict:
    """What the page shows of a dashboard, comparable between two computations."""
    return {
        "ids": [i.id for i in data.indicators],
        "figures": {f.indicator.id: (f.value, f.status) for f in data.figures},
        "children": [
            (r.unit.pk, r.rank, {i: f.value for i, f in r.figures.items()}) for r in data.children
        ],
        "trends": [
            (t.indicator.id, [(p.period.code, p.value) for p in t.points]) for t in data.trends
        ],
        "work": None
        if data.worklist is None
        else [(g.kind, g.count) for g in data.worklist.groups],
    }


# --------------------------------------------------------------------------- settings


def test_cache_urls_choose_the_backend():
    db = cache_settings("")["default"]
    assert db["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert db["LOCATION"] == CACHE_TABLE and db["OPTIONS"]["MAX_ENTRIES"] == CACHE_MAX_ENTRIES
    assert CACHE_MAX_ENTRIES >= 50000
    assert cache_settings("db://")["default"] == db
    redis = cache_settings("redis://127.0.0.1:6379/1")["default"]
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert cache_settings("rediss://h:6380/0")["default"]["BACKEND"].endswith("RedisCache")
    assert cache_settings("locmem://")["default"]["BACKEND"].endswith("LocMemCache")
    assert cache_settings("dummy://")["default"]["BACKEND"].endswith("DummyCache")
    with pytest.raises(ImproperlyConfigured):
        cache_settings("memcached://127.0.0.1:11211")


def test_test_settings_keep_a_cache_in_memory(settings):
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


def _base_settings(tmp_path: Path, **env: str) -> dict:
    """The base settings' CACHES and refresh interval, read in a fresh process."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps([settings.CACHES, settings.JISHENG_DASHBOARD_REFRESH_MINUTES]))"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("JISHENG_", "DJANGO_"))}
    environ.update(
        DJANGO_SETTINGS_MODULE="jisheng.settings.base", JISHENG_VAR_DIR=str(tmp_path), **env
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    caches, minutes = json.loads(out.stdout.strip().splitlines()[-1])
    return {"backend": caches["default"]["BACKEND"], "caches": caches, "minutes": minutes}


def test_the_environment_chooses_the_shared_cache(tmp_path):
    default = _base_settings(tmp_path)
    assert default["backend"] == "django.core.cache.backends.db.DatabaseCache"
    assert default["minutes"] == 5
    redis = _base_settings(
        tmp_path, JISHENG_REDIS_URL="redis://cache:6379/2", JISHENG_DASHBOARD_REFRESH_MINUTES="0"
    )
    assert redis["backend"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["caches"]["default"]["LOCATION"] == "redis://cache:6379/2"
    assert redis["minutes"] == 0
    other = _base_settings(tmp_path, JISHENG_CACHE_URL="redis://other:6379/0")
    assert other["backend"] == "django.core.cache.backends.redis.RedisCache"


DB_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "jisheng_cache_test",
        "OPTIONS": {"MAX_ENTRIES": 50000},
    }
}


def test_migrate_creates_the_cache_table(db, settings):
    from jisheng.core.apps import create_cache_table

    settings.CACHES = DB_CACHE
    assert "jisheng_cache_test" not in connection.introspection.table_names()
    create_cache_table(sender=None, using="default")
    assert "jisheng_cache_test" in connection.introspection.table_names()
    create_cache_table(sender=None, using="default")  # again: nothing to do
    cache.set("k", {"a": 1}, 60)
    assert cache.get("k") == {"a": 1}


def test_the_job_and_the_page_share_a_database_cache(world, tree, users, settings, no_engine):  # noqa: F811
    """Through a real database cache (pickled values, lazy labels of the worklist)."""
    from jisheng.core.apps import create_cache_table

    settings.CACHES = DB_CACHE
    create_cache_table(sender=None, using="default")
    live = snapshot(dashboard.dashboard(users.office, tree.town, period_q3(), today=TODAY))
    cache.clear()
    report = dashboard.warm_current(TODAY)
    assert report.entries > 0
    no_engine()
    warm = dashboard.dashboard(users.office, tree.town, period_q3(), today=TODAY)
    assert warm.from_cache and snapshot(warm) == live
    assert [str(g.label) for g in warm.worklist.groups]


def period_q3() -> periods.Period:
    return periods.parse("2026Q3")


# --------------------------------------------------------------------------- the job


def test_the_job_writes_what_every_page_reads_without_computing(world, tree, users, no_engine):  # noqa: F811
    load_pack(tree.county, target=62)  # a target: its indicators join the key ones
    q3 = period_q3()
    readers = {
        tree.county: users.office,
        tree.town: users.office,
        tree.village_a: users.field_a,
        tree.street: users.office,
        tree.community: users.office,
        tree.mine: users.admin,
        tree.shaft: users.admin,
    }
    other = factories.unit("990200000000", "邻县", "county")  # a second top-level unit
    readers[other] = users.admin
    live = {u.pk: snapshot(dashboard.dashboard(r, u, q3, today=TODAY)) for u, r in readers.items()}
    cache.clear()

    report = dashboard.warm_current(TODAY)
    # for each top-level unit: the period, this month, 11 ended months; 9 units written
    assert report.passes == 2 * (1 + 1 + 11)
    # + the worklist counts of the units of depth ≤ 2: the counties, town, street, mine
    assert report.entries == 9 * 13 + 5
    assert sorted(report.months) == [m.code for m in dashboard.trend_months(q3, TODAY)]

    no_engine()
    for unit, reader in readers.items():
        data = dashboard.dashboard(reader, unit, q3, today=TODAY)
        assert data.from_cache, unit
        assert data.computed_at is not None
        assert snapshot(data) == live[unit.pk], unit
    assert (
        "followup_rate"
        in snapshot(dashboard.dashboard(users.office, tree.county, q3, today=TODAY))["ids"]
    )


def test_groups_below_the_villages_are_not_written(world, tree, users):  # noqa: F811
    group = factories.unit("990100001001-X01", "一组", "group", tree.village_a)
    assert group.depth == 4
    dashboard.warm_current(TODAY)
    data = dashboard.dashboard(users.office, group, period_q3(), today=TODAY, with_trends=False)
    assert not data.from_cache  # computed live, then cached
    assert dashboard.dashboard(
        users.office, group, period_q3(), today=TODAY, with_trends=False
    ).from_cache
    # the village's entry holds its group, as its own dashboard would
    village = dashboard.dashboard(users.field_a, tree.village_a, period_q3(), today=TODAY)
    assert village.from_cache and [r.unit.pk for r in village.children] == [group.pk]


def test_the_page_reads_the_warm_figures(client, world, tree, users, no_engine):  # noqa: F811
    today = timezone.localdate()
    dashboard.warm_current(today)
    no_engine()
    client.force_login(users.office)
    client.cookies["django_language"] = "en"
    for unit in (tree.county, tree.town):
        response = client.get(URL, {"unit": unit.code})
        assert response.status_code == 200
        data = response.context["data"]
        assert data.from_cache and data.period == periods.current(today=today)
        assert 'data-testid="computed-at"' in response.content.decode()
        assert 'data-testid="refresh"' in response.content.decode()


def test_recompute_now_still_computes(world, tree, users):  # noqa: F811
    dashboard.warm_current(TODAY)
    people_services.event_record(
        actor=None, person=world.w5, kind=EventKind.DEATH, date=D(2026, 9, 1)
    )
    warm = dashboard.dashboard(users.office, tree.town, period_q3(), today=TODAY)
    assert warm.from_cache and warm.figure("deaths").value.value == 1
    fresh = dashboard.dashboard(users.office, tree.town, period_q3(), today=TODAY, refresh=True)
    assert not fresh.from_cache and fresh.figure("deaths").value.value == 2
    assert fresh.computed_at >= warm.computed_at
    # the next run of the job brings the figures of every unit up to date
    dashboard.warm_current(TODAY)
    county = dashboard.dashboard(users.office, tree.county, period_q3(), today=TODAY)
    assert county.from_cache and county.figure("deaths").value.value == 2


def test_a_cold_cache_computes_live_then_caches(world, tree, users):  # noqa: F811
    dashboard.warm_current(TODAY)
    warm = snapshot(dashboard.dashboard(users.office, tree.town, period_q3(), today=TODAY))
    cache.clear()
    cold = dashboard.dashboard(users.office, tree.town, period_q3(), today=TODAY)
    assert not cold.from_cache and snapshot(cold) == warm
    again = dashboard.dashboard(users.office, tree.town, period_q3(), today=TODAY)
    assert again.from_cache and snapshot(again) == warm


def test_ended_months_missing_are_filled_and_the_night_recomputes_them(world, tree, users):  # noqa: F811
    dashboard.warm_current(TODAY)
    ids = list(dashboard.TREND_IDS)
    july = dashboard._cache_key("month", tree.town, ["2026-07"], ids)
    cache.delete(july)
    again = dashboard.warm_current(TODAY)
    # the period, this month, and one pass for the missing July (its entry alone)
    assert again.passes == 1 + 1 + 1
    assert again.entries == 8 + 8 + 1 + 4  # + the worklist counts (depth ≤ 2)
    assert "2026-07" in again.months and cache.get(july) is not None
    night = dashboard.warm_ended_months(TODAY)
    assert night.months == [m.code for m in dashboard.trend_months(period_q3(), TODAY)[:-1]]
    assert night.passes == 11 and night.entries == 8 * 11


def test_entries_last_until_the_next_run_and_longer_for_ended_months(settings):
    assert dashboard.refresh_minutes() == 5
    assert dashboard.warm_seconds() == 300 + 5 * 60
    assert dashboard.ENDED_MONTHS_SECONDS > 24 * 3600
    settings.JISHENG_DASHBOARD_REFRESH_MINUTES = 0
    assert dashboard.refresh_minutes() == 0 and dashboard.warm_seconds() == 300
    settings.JISHENG_DASHBOARD_REFRESH_MINUTES = 5
    settings.JISHENG_DASHBOARD_CACHE_SECONDS = 0  # no cache: no refresh either
    assert dashboard.refresh_minutes() == 0


def test_without_a_cache_the_job_does_nothing(world, tree, settings):  # noqa: F811
    settings.JISHENG_DASHBOARD_CACHE_SECONDS = 0
    assert dashboard.warm_current(TODAY).entries == 0
    assert dashboard.warm_ended_months(TODAY).entries == 0


def test_a_unit_with_its_own_pack_gets_its_own_pass(world, tree, users, no_engine):  # noqa: F811
    from jisheng.policy.services import PACKS_DIR, pack_load

    text = (PACKS_DIR / "default-2026.yaml").read_text(encoding="utf-8")
    text = text.replace("id: default-2026\n", "id: test-town\n", 1)
    text = text.replace(
        "late_marriage_age: {male: 25, female: 23}", "late_marriage_age: {male: 30, female: 30}"
    )
    pack_load(actor=None, text=text, unit=tree.town)
    units = units_to_depth()
    county_units = [u for u in units if u.path.startswith(tree.county.path)]
    passes = dashboard.pass_roots(tree.county, county_units, dashboard._attachment_paths())
    roots = {root.pk: {u.pk for u in served} for root, served in passes}
    assert roots[tree.town.pk] == {tree.town.pk, tree.village_a.pk, tree.village_b.pk}
    assert tree.town.pk not in roots[tree.county.pk] and tree.street.pk in roots[tree.county.pk]
    assert dashboard.pass_roots(tree.county, county_units, [])[0][1] == county_units

    live = snapshot(dashboard.dashboard(users.office, tree.town, period_q3(), today=TODAY))
    cache.clear()
    report = dashboard.warm_current(TODAY)
    assert report.passes == 2 * 13  # from the county, and from the town (its own pack)
    no_engine()
    assert snapshot(dashboard.dashboard(users.office, tree.town, period_q3(), today=TODAY)) == live


def test_each_user_sees_the_worklist_groups_of_their_permissions(world, tree, users):  # noqa: F811
    dashboard.warm_current(TODAY)
    for user in (users.office, users.field_a, users.leader):
        unit = user.unit
        data = dashboard.dashboard(user, unit, period_q3(), today=TODAY, with_trends=False)
        kinds = visible_kinds(user)
        # the dashboard's counts are the unit's: a per-user kind ("returned") is left out
        per_unit = [k for k in kinds if k in dashboard.unit_work_kinds()]
        assert "returned" in kinds and "returned" not in per_unit
        if not kinds:
            assert data.worklist is None
        else:
            assert [g.kind for g in data.worklist.groups] == per_unit


# --------------------------------------------------------------------------- the schedule


def test_the_jobs_are_registered_and_follow_the_setting(settings):
    refresh = periodic.jobs()[tasks.REFRESH_JOB]
    months = periodic.jobs()[tasks.MONTHS_JOB]
    assert refresh.is_interval and refresh.minutes() == 5 and refresh.is_on()
    assert months.at == tasks.MONTHS_AT and months.is_on()
    settings.JISHENG_DASHBOARD_REFRESH_MINUTES = 10
    assert refresh.minutes() == 10
    settings.JISHENG_DASHBOARD_REFRESH_MINUTES = 0
    assert not refresh.is_on() and not months.is_on()


def _at(hour: int, minute: int) -> datetime.datetime:
    day = timezone.localdate()
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))


def test_the_worker_runs_the_refresh_once_a_slot(world, tree, users, monkeypatch):  # noqa: F811
    from jisheng.core.models import ScheduledRun

    only_refresh = {k: v for k, v in periodic.jobs().items() if k == tasks.REFRESH_JOB}
    monkeypatch.setattr(periodic, "jobs", lambda: only_refresh)
    runs = []
    real = dashboard.warm_current
    monkeypatch.setattr(dashboard, "warm_current", lambda today=None: runs.append(1) or real(TODAY))
    assert periodic.enqueue_due(_at(10, 1)) == [tasks.REFRESH_JOB]  # the immediate backend
    assert periodic.enqueue_due(_at(10, 4)) == []
    assert periodic.enqueue_due(_at(10, 5)) == [tasks.REFRESH_JOB]
    assert len(runs) == 2
    assert ScheduledRun.objects.filter(name__startswith=tasks.REFRESH_JOB).count() == 2
    assert dashboard.dashboard(users.office, tree.town, period_q3(), today=TODAY).from_cache


def test_the_tasks_return_their_report(world, tree):  # noqa: F811
    result = tasks.refresh_dashboards.call()
    assert result["entries"] > 0 and result["passes"] >= 2
    night = tasks.refresh_ended_months.call()
    assert set(night) == {"entries", "passes", "seconds", "months"}
