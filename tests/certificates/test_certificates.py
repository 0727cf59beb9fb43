"""Numbered certificates (独生子女父母光荣证): issuing and numbering, voiding and
re-issuing, the pages, and ``certificate_rate`` on hand-built data (2026Q3).

甲村 (village A), couples (wife registered there):
one (one child 2018, certificate 2026-08-15), two (two children), late (one child,
certificate 2026-10-05, after the period), outside (husband outside the system, one
child, no certificate), voided (one child, certificate 2026-07-01 voided today),
newborn (first child born on 2026-09-30, the period's last day), divorced (one child,
divorced 2026-09-01). 乙村 (village B): mover (one child, certificate 2026-07-20, the
wife moves to A on 2026-08-10).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from jisheng.certificates import selectors
from jisheng.certificates.models import Certificate
from jisheng.certificates.services import certificate_revoke, issue_now
from jisheng.core.models import AuditEvent
from jisheng.core.periods import parse
from jisheng.indicators import catalogue, engine
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind
from jisheng.people.family import birth_record, couple_create, couple_end
from tests import factories

D = datetime.date
INDICATOR = "certificate_rate"


def certificate_issue(*, actor, couple, issuer=None, kind="one_child_parents", issued_on=None):
    """The office issuing the couple's certificate on the spot (by default from the
    couple's unit)."""
    return issue_now(
        actor=actor, kind=kind, issuer=issuer or couple.unit, couple=couple, issued_on=issued_on
    )


def certificate_void(*, actor, certificate, reason):
    return certificate_revoke(actor=actor, certificate=certificate, reason=reason)


@pytest.fixture(autouse=True)
def _english():
    """The messages are matched in English (the interface language in tests is zh-hans)."""
    with translation.override("en"):
        yield


@pytest.fixture
def couples(tree):
    a, b = tree.village_a, tree.village_b
    seq = iter(range(600, 700))

    def pair(unit, name, married_on, children=(), outside=False):
        wife = factories.person(
            unit,
            name=f"{name}妻",
            sex="F",
            birth_date=D(1985, 1, 1),
            seq=next(seq),
            registered_on=D(2008, 1, 1),
        )
        husband = None
        if not outside:
            husband = factories.person(
                unit,
                name=f"{name}夫",
                sex="M",
                birth_date=D(1983, 1, 1),
                seq=next(seq),
                registered_on=D(2008, 1, 1),
            )
        couple = couple_create(
            actor=None,
            married_on=married_on,
            wife=wife,
            husband=husband,
            outside={"name": f"{name}外夫"} if outside else None,
        )
        for day in children:
            birth_record(actor=None, mother=wife, date=day, sex="M", register_child=False)
        couple.refresh_from_db()
        return couple

    one = pair(a, "一", D(2015, 1, 1), [D(2018, 1, 1)])
    two = pair(a, "二", D(2010, 1, 1), [D(2012, 1, 1), D(2016, 1, 1)])
    late = pair(a, "迟", D(2016, 1, 1), [D(2019, 1, 1)])
    outside = pair(a, "外", D(2017, 1, 1), [D(2020, 1, 1)], outside=True)
    voided = pair(a, "废", D(2014, 1, 1), [D(2017, 1, 1)])
    newborn = pair(a, "新", D(2025, 1, 1), [D(2026, 9, 30)])
    divorced = pair(a, "离", D(2013, 1, 1), [D(2015, 1, 1)])
    mover = pair(b, "迁", D(2012, 1, 1), [D(2014, 1, 1)])
    certificate_issue(actor=None, couple=one, issued_on=D(2026, 8, 15))
    certificate_issue(actor=None, couple=late, issued_on=D(2026, 10, 5))
    wrong = certificate_issue(actor=None, couple=voided, issued_on=D(2026, 7, 1))
    certificate_void(actor=None, certificate=wrong, reason="录入错误")
    certificate_issue(actor=None, couple=mover, issued_on=D(2026, 7, 20))
    couple_end(actor=None, couple=divorced, ended_on=D(2026, 9, 1), reason="divorce")
    people_services.event_record(
        actor=None,
        person=mover.wife,
        kind=EventKind.INTERNAL_TRANSFER,
        date=D(2026, 8, 10),
        data={"unit": a},
    )
    return SimpleNamespace(
        a=a,
        b=b,
        one=one,
        two=two,
        late=late,
        outside=outside,
        voided=voided,
        newborn=newborn,
        divorced=divorced,
        mover=mover,
    )


def values(root, period, level=engine.CHILDREN):
    rows = engine.compute(catalogue.select([INDICATOR]), root, period, level)
    return {r.unit.code: r.values[INDICATOR] for r in rows}


# --------------------------------------------------------------------------- the indicator


def test_certificate_rate(couples, tree):
    a = values(tree.town, parse("2026Q3"))[couples.a.code]
    # couples with exactly one child on 30 September, wife living in A: one, late,
    # outside, voided, newborn and the mover (not two: two children; not divorced)
    assert a.denominator == 6
    # certificate in force on 30 September: one, the mover (issued in B, wife moved),
    # voided (voided only in November); not late (issued in October)
    assert (a.numerator, a.value) == (3, 50.0)
    b = values(tree.town, parse("2026Q3"))[couples.b.code]
    assert (b.value, b.denominator) == (None, 0)
    indicator = catalogue.get(INDICATOR)
    assert indicator.semantics == engine.AS_OF_END and "恰为一个" in indicator.definition_zh


def test_certificate_rate_over_time(couples, tree):
    # at the end of July: the mover lived in B, the newborn was not born, the divorced
    # couple was married; one's certificate was not issued yet
    jul = values(tree.town, parse("2026-07"))
    assert (jul[couples.a.code].numerator, jul[couples.a.code].denominator) == (1, 5)  # voided
    assert (jul[couples.b.code].numerator, jul[couples.b.code].denominator) == (1, 1)
    # in Q4 the voided certificate no longer counts; late's does
    q4 = values(tree.town, parse("2026Q4"))[couples.a.code]
    assert (q4.numerator, q4.denominator) == (3, 6)
    # a second child ends the only-child status
    birth_record(
        actor=None, mother=couples.one.wife, date=D(2026, 11, 1), sex="F", register_child=False
    )
    q4 = values(tree.town, parse("2026Q4"))[couples.a.code]
    assert (q4.numerator, q4.denominator) == (2, 5)


def test_persons_behind(couples, tree):
    indicator = catalogue.get(INDICATOR)
    behind = set(engine.persons_behind(indicator, "numerator", couples.a, parse("2026Q3")))
    assert behind == {couples.one.wife, couples.mover.wife, couples.voided.wife}


# --------------------------------------------------------------------------- the service


def test_numbers_run_per_issuing_unit_and_year(couples, tree, users):
    numbers = list(Certificate.objects.order_by("id").values_list("number", "sequence"))
    code = couples.a.code
    assert numbers[:3] == [
        (f"{code}-2026-0001", 1),
        (f"{code}-2026-0002", 2),
        (f"{code}-2026-0003", 3),
    ]
    assert numbers[3] == (f"{couples.b.code}-2026-0001", 1)  # another issuer
    town = certificate_issue(
        actor=users.town_office, couple=couples.outside, issuer=tree.town, issued_on=D(2026, 11, 1)
    )
    assert (town.number, town.issued_by, town.unit) == (
        f"{tree.town.code}-2026-0001",
        users.town_office,
        couples.a,
    )
    event = AuditEvent.objects.get(
        action="update",
        object_id=str(town.pk),
        object_type="certificates.certificate",
        changes__status=["reviewed", "issued"],
    )
    assert event.changes["number"] == [None, town.number]
    assert AuditEvent.objects.filter(
        action="create", object_id=str(town.pk), object_type="certificates.certificate"
    ).exists()


def test_void_and_reissue(couples, users):
    current = Certificate.objects.get(couple=couples.one)
    with pytest.raises(ValidationError, match="already holds"):
        certificate_issue(actor=None, couple=couples.one)
    with pytest.raises(ValidationError) as exc:
        certificate_void(actor=users.office, certificate=current, reason="  ")
    assert "reason" in exc.value.message_dict
    voided = certificate_void(actor=users.office, certificate=current, reason="遗失补办")
    assert voided.voided and voided.voided_by == users.office and voided.void_reason == "遗失补办"
    with pytest.raises(ValidationError, match="cannot go from"):
        certificate_void(actor=users.office, certificate=current, reason="再次")
    again = certificate_issue(actor=users.office, couple=couples.one)
    assert again.sequence == 4 and again.issued_on == timezone.localdate()


@pytest.mark.parametrize(
    ("couple", "kwargs", "field"),
    [
        ("two", {}, "couple"),
        ("divorced", {}, "couple"),
        ("newborn", {"issued_on": D(2026, 9, 1)}, "couple"),  # no child yet that day
        ("outside", {"issued_on": D(2999, 1, 1)}, "issued_on"),
        ("outside", {"kind": "birth_permit"}, "kind"),
    ],
)
def test_bad_issues_are_refused(couples, couple, kwargs, field):
    before = Certificate.objects.count()
    with pytest.raises(ValidationError) as exc:
        certificate_issue(actor=None, couple=getattr(couples, couple), **kwargs)
    assert field in exc.value.message_dict
    assert Certificate.objects.count() == before


def test_the_issuer_must_be_above_the_couple(couples, tree, users):
    with pytest.raises(ValidationError) as exc:
        certificate_issue(actor=None, couple=couples.outside, issuer=couples.b)
    assert "issuer" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        certificate_issue(actor=users.field_b, couple=couples.outside)
    assert AuditEvent.objects.filter(action="denied", username="field_b").exists()


def test_candidates(couples, users):
    today = timezone.localdate()
    names = {
        c.wife.name for c in selectors.candidates(users.town_office, unit=couples.a, day=today)
    }
    # one child today, wife in A, no certificate in force: outside, voided, newborn
    assert names == {"外妻", "废妻", "新妻"}
    assert list(selectors.candidates(users.field_b, unit=couples.a, day=today)) == []


# --------------------------------------------------------------------------- pages


def test_pages(client, couples, users, tree):
    client.cookies["django_language"] = "en"
    list_url = reverse("certificates:list")
    assert client.get(list_url).status_code == 302
    client.force_login(users.auditor)
    assert client.get(list_url).status_code == 403
    client.force_login(users.town_office)
    page = client.get(list_url).content.decode()
    assert f"{couples.a.code}-2026-0001" in page and "Revoked" in page
    assert (
        client.get(list_url, {"q": f"{couples.b.code}-2026"})
        .content.decode()
        .count("data-certificate=")
        == 1
    )
    candidates = client.get(reverse("certificates:candidates")).content.decode()
    assert f'data-couple="{couples.outside.pk}"' in candidates
    assert f'data-couple="{couples.two.pk}"' not in candidates
    apply_url = (
        reverse("certificates:apply", args=["one_child_parents"]) + f"?couple={couples.outside.pk}"
    )
    assert apply_url in candidates
    assert client.get(apply_url).status_code == 200
    bad = client.post(apply_url, {"couple": couples.outside.pk, "issuer": tree.street.pk})
    assert bad.status_code == 400 and 'data-error-for="issuer"' in bad.content.decode()
    response = client.post(apply_url, {"couple": couples.outside.pk, "issuer": tree.town.pk})
    assert response.status_code == 302
    issued = Certificate.objects.get(couple=couples.outside)
    assert issued.issuer == tree.town  # the working unit
    step_url = reverse("certificates:step", args=[issued.pk])
    client.post(step_url, {"action": "review"})
    client.post(step_url, {"action": "issue"})
    issued.refresh_from_db()
    detail = client.get(reverse("certificates:detail", args=[issued.pk])).content.decode()
    assert issued.number in detail and 'data-testid="step-form-revoke"' in detail
    bad = client.post(step_url, {"action": "revoke", "message": ""})
    assert bad.status_code == 400 and "Write the message" in bad.content.decode()
    client.post(step_url, {"action": "revoke", "message": "打印错误"})
    issued.refresh_from_db()
    assert issued.voided
    # field staff read but do not issue; another unit's certificate is not found (audited)
    client.force_login(users.field_b)
    assert client.get(apply_url).status_code == 403
    assert client.get(reverse("certificates:detail", args=[issued.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="field_b").exists()
    client.force_login(users.field_a)
    assert client.post(step_url, {"action": "revoke", "message": "x"}).status_code == 302
    assert Certificate.objects.get(pk=issued.pk).voided_at == issued.voided_at
