"""Sample verification pages: permissions, the draw form and its bad input, the sheet,
the entry of a record (and on a closed check), closing, the printed sheet, the results
and their export, and another unit's check (404, audited)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jisheng.core.models import AuditEvent
from jisheng.reports.models import Verification, VerificationRecord
from tests.reports.test_verification import by_person, draw, enter, ledger  # noqa: F401


def english(client):
    client.cookies["django_language"] = "en"


def result_data(record, **overrides):
    data = {
        "field_present": "yes",
        "field_marital_status": record.ledger_marital_status,
        "field_method": record.ledger_method,
        "field_children": str(record.ledger_children),
        "checked_on": timezone.localdate().isoformat(),
        "note": "",
    }
    data.update(overrides)
    return data


def test_pages_need_login_and_permission(client, users, ledger, tree):  # noqa: F811
    check = draw(tree, size=2)
    urls = [
        reverse("reports:verification_list"),
        reverse("reports:verification_detail", args=[check.pk]),
        reverse("reports:verification_results", args=[check.pk]),
        reverse("reports:verification_record", args=[check.records.first().pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(users.field_a)  # field staff do not see the sample of their ledgers
    for url in [*urls, reverse("reports:verification_create")]:
        assert client.get(url).status_code == 403
    client.force_login(users.leader)  # leaders read, they do not draw or enter
    assert client.get(urls[1]).status_code == 200
    assert client.get(reverse("reports:verification_create")).status_code == 403
    record = check.records.first()
    assert client.post(urls[3], result_data(record)).status_code == 403
    assert client.post(reverse("reports:verification_close", args=[check.pk])).status_code == 403


def test_draw_from_the_form(client, users, ledger, tree):  # noqa: F811
    client.force_login(users.town_office)
    english(client)
    url = reverse("reports:verification_create")
    page = client.get(url)
    assert page.status_code == 200 and tree.town.code in page.content.decode()
    response = client.post(url, {"frame": "married_wra", "size": "3", "seed": "77"})
    check = Verification.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:verification_detail", args=[check.pk])
    assert (check.unit, check.seed, check.records.count()) == (tree.town, 77, 3)
    sheet = client.get(response["Location"]).content.decode()
    assert "77" in sheet and "3 of 6 records" in sheet
    assert sheet.count('data-record="') == 3
    # a percentage, for a village by code
    client.post(url, {"unit": ledger.b.code, "frame": "married_wra", "percent": "50"})
    assert Verification.objects.get(unit=ledger.b).records.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"size": "0"}, "at least one record"),
        ({"size": "7"}, "larger than the records to sample from (6)"),
        ({}, "number of records or a percentage"),
        ({"size": "2", "percent": "10"}, "not both"),
        ({"percent": "0"}, "more than 0"),
        ({"percent": "120"}, "more than 0"),
        ({"size": "abc"}, "whole number"),
        ({"size": "2", "unit": "NOPE"}, "No unit with this code"),
    ],
)
def test_bad_draws_show_their_error(client, users, ledger, tree, data, message):  # noqa: F811
    client.force_login(users.town_office)
    english(client)
    response = client.post(reverse("reports:verification_create"), {"frame": "married_wra", **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Verification.objects.exists()


def test_drawing_for_a_unit_outside_the_scope(client, users, ledger, tree):  # noqa: F811
    client.force_login(users.town_office)
    english(client)
    response = client.post(
        reverse("reports:verification_create"),
        {"frame": "residents", "size": "1", "unit": tree.street.code},
    )
    assert response.status_code == 200 and "No unit with this code" in response.content.decode()
    assert AuditEvent.objects.filter(action="denied", username="town_office").exists()
    assert not Verification.objects.exists()


def test_enter_results_record_by_record(client, users, ledger, tree):  # noqa: F811
    check = draw(tree, size=3)
    first, second, third = check.records.order_by("position")
    client.force_login(users.office)
    english(client)
    url = reverse("reports:verification_record", args=[first.pk])
    page = client.get(url).content.decode()
    assert first.person.name in page and 'data-testid="result-form"' in page
    response = client.post(url, {**result_data(first), "then": "next"})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:verification_record", args=[second.pk])
    first.refresh_from_db()
    assert first.accurate is True and first.checked_by == users.office
    response = client.post(
        reverse("reports:verification_record", args=[second.pk]),
        result_data(second, field_present="no", field_children=""),
    )
    assert response.status_code == 302 and f"#record-{second.pk}" in response["Location"]
    second.refresh_from_db()
    assert second.accurate is False and second.field_present is False
    # bad input stays on the page with its error, nothing saved
    bad = client.post(
        reverse("reports:verification_record", args=[third.pk]),
        result_data(third, field_children="-2"),
    )
    assert bad.status_code == 200 and "greater than or equal to 0" in bad.content.decode()
    bad = client.post(
        reverse("reports:verification_record", args=[third.pk]),
        result_data(third, field_method=""),
    )
    assert bad.status_code == 200 and "Choose the method found" in bad.content.decode()
    third.refresh_from_db()
    assert third.checked_on is None
    sheet = client.get(reverse("reports:verification_detail", args=[check.pk])).content.decode()
    assert 'data-verdict="accurate"' in sheet and 'data-verdict="inaccurate"' in sheet
    assert "2/3" in sheet


def test_a_closed_check_refuses_results(client, users, ledger, tree):  # noqa: F811
    check = draw(tree, size=2)
    first, second = check.records.order_by("position")
    enter(first)
    client.force_login(users.office)
    english(client)
    response = client.post(reverse("reports:verification_close", args=[check.pk]))
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.status == Verification.Status.CLOSED
    sheet = client.get(reverse("reports:verification_detail", args=[check.pk])).content.decode()
    assert 'data-testid="closed-badge"' in sheet and 'data-testid="close"' not in sheet
    page = client.get(reverse("reports:verification_record", args=[second.pk])).content.decode()
    assert 'data-testid="closed-note"' in page and 'data-testid="save-result"' not in page
    response = client.post(
        reverse("reports:verification_record", args=[second.pk]), result_data(second)
    )
    assert response.status_code == 200 and "is closed" in response.content.decode()
    second.refresh_from_db()
    assert second.checked_on is None
    again = client.post(reverse("reports:verification_close", args=[check.pk]), follow=True)
    assert "already closed" in again.content.decode()


def test_closing_without_checks_is_refused(client, users, ledger, tree):  # noqa: F811
    check = draw(tree, size=2)
    client.force_login(users.office)
    english(client)
    response = client.post(reverse("reports:verification_close", args=[check.pk]), follow=True)
    assert "No record has been checked yet" in response.content.decode()
    check.refresh_from_db()
    assert check.is_open


def test_another_units_check_is_not_found_and_audited(client, users, ledger, tree):  # noqa: F811
    county = draw(tree, size=2, unit=tree.county)
    record = county.records.first()
    client.force_login(users.town_office)
    for url in (
        reverse("reports:verification_detail", args=[county.pk]),
        reverse("reports:verification_results", args=[county.pk]),
        reverse("reports:verification_print", args=[county.pk]),
        reverse("reports:verification_export", args=[county.pk]),
        reverse("reports:verification_record", args=[record.pk]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("reports:verification_record", args=[record.pk]), result_data(record)
        ).status_code
        == 404
    )
    assert client.post(reverse("reports:verification_close", args=[county.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="town_office").count() == 7
    record.refresh_from_db()
    county.refresh_from_db()
    assert record.checked_on is None and county.is_open
    listed = client.get(reverse("reports:verification_list")).content.decode()
    assert f'data-verification="{county.pk}"' not in listed
    # a unit outside the check's subtree in ?unit= is not found either
    own = draw(tree, size=2, unit=ledger.a)
    url = reverse("reports:verification_results", args=[own.pk])
    assert client.get(url, {"unit": ledger.b.code}).status_code == 404


def test_print_results_and_export(client, users, ledger, tree):  # noqa: F811
    check = draw(tree, size=6)
    rows = by_person(check)
    enter(rows[ledger.a1.pk])
    enter(rows[ledger.a2.pk], method="none")
    enter(rows[ledger.b1.pk])
    client.force_login(users.town_office)
    english(client)
    printed = client.get(reverse("reports:verification_print", args=[check.pk]))
    text = printed.content.decode()
    assert printed.status_code == 200 and text.count("<tr>") == 6 + 2  # 2 header rows
    assert ledger.a1.name in text and ledger.a1.id_masked in text
    assert AuditEvent.objects.filter(action="export", object_type="reports.verification").exists()
    results = client.get(reverse("reports:verification_results", args=[check.pk]))
    html = results.content.decode()
    assert results.status_code == 200
    assert 'data-unit="990100001001"' in html and "50.0%" in html
    assert html.split('data-testid="accuracy-total"')[1].startswith(">66.7%")
    down = client.get(
        reverse("reports:verification_results", args=[check.pk]), {"unit": ledger.a.code}
    )
    assert down.status_code == 200 and "up" in down.content.decode()
    export = client.get(reverse("reports:verification_export", args=[check.pk]))
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:5] == ["Unit", "Records", "Checked", "Accurate", "Information accuracy"]
    assert values[-1][0] == "Total" and values[-1][4] == "66.7%"
    assert AuditEvent.objects.filter(action="export").count() == 2


def test_list_shows_progress(client, users, ledger, tree):  # noqa: F811
    check = draw(tree, size=2)
    enter(check.records.order_by("position").first())
    client.force_login(users.office)
    english(client)
    page = client.get(reverse("reports:verification_list")).content.decode()
    assert f'data-verification="{check.pk}"' in page and "1/2" in page and "100%" in page
    assert VerificationRecord.objects.count() == 2
