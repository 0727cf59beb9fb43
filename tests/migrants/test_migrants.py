"""In-migrants' marriage and childbearing certificate checks (婚育证明查验): the service,
the list and form pages, and ``migrant_verification_rate`` on hand-built data (2026Q3).

甲村 (village A), in-migrant women: v1 (valid check 2026-03-01), v2 (valid check on
2025-09-30, a year before the period's last day: too old), v3 (invalid check in the
window), v4 (never checked), old (aged 50 on 2026-08-01, valid check), local (a
registered woman, no in-migrant). 乙村 (village B): mover (valid check, moves to A on
2026-08-10), leaver (valid check, moves out on 2026-09-15).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from jisheng.core.models import AuditEvent
from jisheng.core.periods import parse
from jisheng.indicators import catalogue, engine
from jisheng.migrants import selectors
from jisheng.migrants.models import CheckResult, MigrantCheck
from jisheng.migrants.services import check_record
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind, PersonStatus
from tests import factories

D = datetime.date
IN = PersonStatus.IN_MIGRANT
INDICATOR = "migrant_verification_rate"


@pytest.fixture(autouse=True)
def _english():
    """The messages are matched in English (the interface language in tests is zh-hans)."""
    with translation.override("en"):
        yield


def check(person, day, result=CheckResult.VALID, number="440104-2025-001", place="广州市某街道"):
    return check_record(
        actor=None,
        person=person,
        checked_on=day,
        result=result,
        certificate_number=number if result != CheckResult.MISSING else "",
        issuing_place=place if result == CheckResult.VALID else "",
    )


@pytest.fixture
def migrants(tree):
    a, b = tree.village_a, tree.village_b
    seq = iter(range(300, 400))

    def woman(unit, name, born=None, status=IN):
        return factories.person(
            unit,
            name=name,
            sex="F",
            birth_date=born or D(1992, 3, 3),
            seq=next(seq),
            status=status,
            registered_on=D(2024, 1, 1),
        )

    v1, v2, v3, v4 = (woman(a, n) for n in ("流一", "流二", "流三", "流四"))
    old = woman(a, "流老", born=D(1976, 8, 1))
    local = woman(a, "本地", status=PersonStatus.REGISTERED)
    mover = woman(b, "流迁")
    leaver = woman(b, "流走")
    check(v1, D(2026, 3, 1))
    check(v2, D(2025, 9, 30))
    check(v3, D(2026, 2, 1), CheckResult.INVALID)
    check(old, D(2026, 1, 1))
    check(mover, D(2026, 6, 1))
    check(leaver, D(2026, 6, 1))
    people_services.event_record(
        actor=None,
        person=mover,
        kind=EventKind.INTERNAL_TRANSFER,
        date=D(2026, 8, 10),
        data={"unit": a},
    )
    people_services.event_record(
        actor=None, person=leaver, kind=EventKind.MOVE_OUT, date=D(2026, 9, 15)
    )
    return SimpleNamespace(
        a=a, b=b, v1=v1, v2=v2, v3=v3, v4=v4, old=old, local=local, mover=mover, leaver=leaver
    )


def values(root, period, level=engine.CHILDREN):
    rows = engine.compute(catalogue.select([INDICATOR]), root, period, level)
    return {r.unit.code: r.values[INDICATOR] for r in rows}


# --------------------------------------------------------------------------- the indicator


def test_migrant_verification_rate(migrants, tree):
    q3 = values(tree.town, parse("2026Q3"))
    a = q3[migrants.a.code]
    # in-migrant women 15–49 living in A on 30 September: v1, v2, v3, v4 and the mover
    # (the old one is 50); verified: v1 and the mover
    assert (a.numerator, a.denominator, a.value) == (2, 5, 40.0)
    b = q3[migrants.b.code]  # the mover left for A, the leaver moved out
    assert (b.value, b.numerator, b.denominator) == (None, 0, 0)
    assert b.display() == "—"
    indicator = catalogue.get(INDICATOR)
    assert indicator.semantics == engine.AS_OF_END and "12 个月" in indicator.definition_zh


def test_moves_and_the_twelve_months_window(migrants, tree):
    # at the end of July the mover and the leaver still lived in B and the old woman was
    # 49; v2's check of 2025-09-30 was within the 12 months: v1, v2 and the old one
    jul = values(tree.town, parse("2026-07"))
    assert (jul[migrants.a.code].numerator, jul[migrants.a.code].denominator) == (3, 5)
    assert (jul[migrants.b.code].numerator, jul[migrants.b.code].denominator) == (2, 2)
    # on 2026-09-29 v2's check of 2025-09-30 is still within the 12 months
    first, last = selectors.verified_window(D(2026, 9, 29))
    assert (first, last) == (D(2025, 9, 30), D(2026, 9, 29))
    assert selectors.verified_window(D(2026, 9, 30))[0] == D(2025, 10, 1)
    # a check dated after the period's last day does not count for it
    check(migrants.v4, D(2026, 10, 2))
    assert values(tree.town, parse("2026Q3"))[migrants.a.code].numerator == 2
    assert values(tree.town, parse("2026Q4"))[migrants.a.code].numerator == 3


def test_persons_behind(migrants, tree):
    indicator = catalogue.get(INDICATOR)
    behind = set(engine.persons_behind(indicator, "numerator", migrants.a, parse("2026Q3")))
    assert behind == {migrants.v1, migrants.mover}


# --------------------------------------------------------------------------- the service


def test_a_check_is_recorded_and_audited(migrants, users):
    row = check_record(
        actor=users.field_a,
        person=migrants.v4,
        checked_on=D(2026, 10, 1),
        result=CheckResult.VALID,
        certificate_number=" 440104-2026-088 ",
        issuing_place="广州市越秀区",
        note="本人持证",
    )
    assert (row.unit, row.certificate_number, row.checked_by) == (
        migrants.a,
        "440104-2026-088",
        users.field_a,
    )
    event = AuditEvent.objects.get(
        action="create", object_type="migrants.migrantcheck", object_id=str(row.pk)
    )
    assert event.changes["result"] == [None, "valid"]
    missing = check(migrants.v4, D(2026, 10, 5), CheckResult.MISSING)
    assert (missing.certificate_number, missing.issuing_place) == ("", "")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"result": "maybe"}, "result"),
        ({"checked_on": None}, "checked_on"),
        ({"checked_on": D(2999, 1, 1)}, "checked_on"),
        ({"checked_on": D(1980, 1, 1)}, "checked_on"),
        ({"checked_on": D(2023, 6, 1)}, "checked_on"),  # before she arrived
        ({"certificate_number": ""}, "certificate_number"),
        ({"issuing_place": ""}, "issuing_place"),
        ({"result": CheckResult.INVALID, "certificate_number": ""}, "certificate_number"),
        ({"note": "x" * 501}, "note"),
    ],
)
def test_bad_checks_are_refused(migrants, kwargs, field):
    data = {
        "checked_on": D(2026, 10, 1),
        "result": CheckResult.VALID,
        "certificate_number": "A-1",
        "issuing_place": "某地",
        **kwargs,
    }
    with pytest.raises(ValidationError) as exc:
        check_record(actor=None, person=migrants.v4, **data)
    assert field in exc.value.message_dict
    assert not MigrantCheck.objects.filter(person=migrants.v4).exists()


def test_only_in_migrants_are_checked(migrants):
    with pytest.raises(ValidationError, match="not registered as an in-migrant"):
        check(migrants.local, D(2026, 10, 1))


def test_out_of_scope_is_refused_and_audited(migrants, users):
    with pytest.raises(PermissionDenied):
        check_record(
            actor=users.field_b,
            person=migrants.v1,
            checked_on=D(2026, 10, 1),
            result=CheckResult.MISSING,
        )
    assert AuditEvent.objects.filter(action="denied", username="field_b").exists()


def test_the_list_selector(migrants, users):
    today = timezone.localdate()
    rows = list(selectors.in_migrant_women(users.town_office, unit=migrants.a, day=today))
    by_name = {r.person.name: r for r in rows}
    # today: v1…v4 and the mover in A (the old one is over 49, the local not in-migrant)
    assert set(by_name) == {"流一", "流二", "流三", "流四", "流迁"}
    assert by_name["流一"].verified and by_name["流一"].last_result == "valid"
    assert by_name["流三"].last_result == "invalid" and not by_name["流三"].verified
    assert by_name["流四"].last_checked_on is None
    unverified = selectors.in_migrant_women(
        users.town_office, unit=migrants.a, day=today, unverified_only=True
    )
    assert {r.person.name for r in unverified} == {"流二", "流三", "流四"}
    assert list(selectors.in_migrant_women(users.field_b, unit=migrants.a, day=today)) == []


# --------------------------------------------------------------------------- pages


def test_pages(client, migrants, users):
    client.cookies["django_language"] = "en"
    list_url = reverse("migrants:check_list")
    form_url = reverse("migrants:check_create", args=[migrants.v4.pk])
    assert client.get(list_url).status_code == 302
    client.force_login(users.auditor)
    assert client.get(list_url).status_code == 403
    client.force_login(users.field_a)
    page = client.get(list_url).content.decode()
    assert "流四" in page and "Never checked" in page and "流老" not in page
    assert client.get(list_url, {"unverified": "1"}).status_code == 200
    assert client.get(form_url).status_code == 200
    bad = client.post(form_url, {"result": "valid", "checked_on": "2026-10-01"})
    assert bad.status_code == 200 and "Give the number of the certificate" in bad.content.decode()
    response = client.post(
        form_url,
        {
            "result": "valid",
            "checked_on": "2026-10-01",
            "certificate_number": "X-9",
            "issuing_place": "某镇",
        },
    )
    assert response.status_code == 302
    assert MigrantCheck.objects.filter(person=migrants.v4, certificate_number="X-9").exists()
    assert "X-9" in client.get(form_url).content.decode()
    # another village's person: 404 and audited
    client.force_login(users.field_b)
    assert client.get(form_url).status_code == 404
    assert (
        client.post(form_url, {"result": "missing", "checked_on": "2026-10-01"}).status_code == 404
    )
    assert AuditEvent.objects.filter(action="denied", username="field_b").count() == 2
    # leaders read, they do not record
    client.force_login(users.leader)
    assert client.get(form_url).status_code == 200
    assert (
        client.post(form_url, {"result": "missing", "checked_on": "2026-10-01"}).status_code == 403
    )
