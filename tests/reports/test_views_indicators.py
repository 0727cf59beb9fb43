"""The catalogue page and the drill-down from a figure to the persons behind it:
scoped (another unit: 404, audited; persons now outside the scope never listed),
audited (every view and export), bad input (400), the export needs the permission to
export personal data."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jisheng.core.models import AuditEvent
from jisheng.indicators import catalogue
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind
from tests.indicators.conftest import period, world  # noqa: F401  (fixtures)

D = datetime.date
DRILL = "/reports/drill/"


def english(client):
    client.cookies["django_language"] = "en"


def query(unit, indicator="contraceptive_prevalence", side="numerator", **extra):
    return {"unit": unit.code, "period": "2026Q3", "indicator": indicator, "side": side, **extra}


def names(response) -> list[str]:
    return sorted(row.record.name for row in response.context["table"].page.object_list)


# --------------------------------------------------------------------------- catalogue


def test_catalogue_lists_every_indicator_with_its_definition(client, users):
    client.force_login(users.field_a)
    response = client.get(reverse("reports:catalogue"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="catalogue-item"') == len(catalogue.CATALOGUE)
    for indicator in catalogue.CATALOGUE:
        assert f'data-indicator="{indicator.id}"' in page
        assert indicator.name_zh in page
    assert catalogue.get("contraceptive_prevalence").definition_zh in page
    assert "常住人口（期末，在册与流入）" in page  # a population


def test_catalogue_export(client, users):
    client.force_login(users.office)
    response = client.get(reverse("reports:catalogue_export"))
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["指标目录"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [i.id for i in catalogue.CATALOGUE]


def test_catalogue_needs_the_permission(client, users):
    client.force_login(users.auditor)
    assert client.get(reverse("reports:catalogue")).status_code == 403


# --------------------------------------------------------------------------- drill-down


def test_numerator_and_denominator_of_a_figure(client, users, tree, world):  # noqa: F811
    client.force_login(users.office)
    english(client)
    response = client.get(DRILL, query(world.a))
    assert response.status_code == 200
    assert names(response) == ["甲一", "甲二", "甲六"]
    page = response.content.decode()
    assert 'data-testid="drill-figure">60.00%<' in page
    assert f'href="/people/{world.w1.pk}/"' in page  # each person links to the person page
    assert 'data-testid="other-side"' in page
    denominator = client.get(DRILL, query(world.a, side="denominator"))
    assert names(denominator) == ["乙迁", "甲一", "甲二", "甲六", "甲四"]
    births = client.get(DRILL, query(world.a, indicator="births"))
    assert names(births) == ["甲二"] and 'data-testid="other-side"' not in births.content.decode()


def test_every_view_is_audited(client, users, tree, world):  # noqa: F811
    client.force_login(users.office)
    client.get(DRILL, query(world.a))
    event = AuditEvent.objects.filter(action="view", username="office").latest("pk")
    assert event.object_id == str(world.a.pk)
    assert event.changes["indicator"] == "contraceptive_prevalence"
    assert event.changes["side"] == "numerator" and event.changes["rows"] == 3
    assert event.changes["period"] == "2026Q3"


def test_another_units_figure_is_404_and_audited(client, users, tree, world):  # noqa: F811
    client.force_login(users.field_b)
    response = client.get(DRILL, query(world.a))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action="denied", username="field_b", object_id=str(world.a.pk)
    ).exists()
    assert client.get(reverse("reports:drill_export"), query(world.a)).status_code in (403, 404)


def test_persons_now_outside_the_scope_are_never_listed(client, users, tree, world):  # noqa: F811
    people_services.event_record(
        actor=None,
        person=world.w1,
        kind=EventKind.INTERNAL_TRANSFER,
        date=D(2026, 10, 15),
        data={"unit": tree.community},
    )
    client.force_login(users.town_office)
    response = client.get(DRILL, query(world.a))
    assert names(response) == ["甲二", "甲六"]
    assert "甲一" not in response.content.decode()
    client.force_login(users.office)
    assert "甲一" in names(client.get(DRILL, query(world.a)))


@pytest.mark.parametrize(
    "params",
    [
        {"indicator": "no_such_indicator"},
        {"indicator": ""},
        {"side": "sideways"},
        {"indicator": "births", "side": "denominator"},  # a count has no denominator
        {"period": "2026Q9"},
    ],
)
def test_bad_input_is_400(client, users, tree, world, params):  # noqa: F811
    client.force_login(users.office)
    english(client)
    response = client.get(DRILL, {**query(world.a), **params})
    assert response.status_code == 400
    assert 'data-testid="bad-input"' in response.content.decode()


def test_the_root_must_be_above_the_unit(client, users, tree, world):  # noqa: F811
    client.force_login(users.office)
    ok = client.get(DRILL, query(world.a, root=tree.town.code))
    assert ok.status_code == 200 and names(ok) == ["甲一", "甲二", "甲六"]
    assert client.get(DRILL, query(world.a, root=tree.street.code)).status_code == 400
    client.force_login(users.field_a)
    assert client.get(DRILL, query(world.a, root=tree.town.code)).status_code == 404


def test_export_of_the_persons_behind_a_figure(client, users, tree, world):  # noqa: F811
    client.force_login(users.office)
    response = client.get(reverse("reports:drill_export"), query(world.a, side="denominator"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["指标人员名单"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows) == ["乙迁", "甲一", "甲二", "甲六", "甲四"]
    assert all("*" in r[4] for r in rows)  # masked ID numbers
    event = AuditEvent.objects.filter(action="export", username="office").latest("pk")
    assert event.changes["rows"] == 5 and event.changes["side"] == "denominator"


def test_export_needs_the_export_permission(client, users, tree, world):  # noqa: F811
    client.force_login(users.field_a)  # sees the list, may not export personal data
    assert client.get(DRILL, query(world.a)).status_code == 200
    assert client.get(reverse("reports:drill_export"), query(world.a)).status_code == 403
    assert not AuditEvent.objects.filter(action="export", username="field_a").exists()


def test_a_figure_with_a_threshold_of_the_roots_pack(client, users, tree, world):  # noqa: F811
    """晚婚率 reads the late-marriage age of the pack in force at the root: the figure
    of a village opened from its township's dashboard is computed through the township."""
    from jisheng.reports.views_indicators import _uses_root

    assert _uses_root(catalogue.get("late_marriage_rate"))
    assert not _uses_root(catalogue.get("contraceptive_prevalence"))
    client.force_login(users.office)
    response = client.get(
        DRILL, query(world.a, indicator="late_marriage_rate", root=tree.town.code)
    )
    assert response.status_code == 200
    assert response.context["figure"].text == "—"  # no marriage in the period
