"""Marriage and divorce as life events (issue 14 item 4): ONE service
(``family.marriage_record`` / ``family.divorce_record``) behind the event page and the
API, so the same input gives the same result on both — the same event and couple, or
the same refusal with nothing saved — and the page never reports success without an
event saved. What each event kind does comes from one table
(``people.consequences``), read by the replay, the events module and the transfers."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from jisheng.core.models import AuditEvent
from jisheng.people import consequences, family, timeline, transfers
from jisheng.people.choices import EventKind, TransferReason
from jisheng.people.models import Couple, LifeEvent
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def folk(tree):
    a = tree.village_a
    folk = SimpleNamespace(
        fang=factories.person(a, "王芳", "F", D(1995, 5, 17), seq=1),
        qiang=factories.person(a, "李强", "M", D(1993, 3, 2), seq=2),
        wei=factories.person(a, "张伟", "M", D(1980, 1, 1), seq=3),
        li=factories.person(a, "陈丽", "F", D(1982, 1, 1), seq=4),
        gang=factories.person(tree.village_b, "赵刚", "M", D(1990, 1, 1), seq=5),
    )
    family.couple_create(actor=None, married_on=D(2021, 6, 1), wife=folk.li, husband=folk.wei)
    return folk


def state():
    """Everything a marriage or a divorce may write."""
    return (
        sorted(
            Couple.objects.values_list("wife__name", "husband__name", "outside_name", "ended_on")
        ),
        sorted(LifeEvent.objects.values_list("person__name", "kind", "date")),
    )


def by_page(client, user, person, data):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    form = {k: v for k, v in data.items() if k not in ("outside_spouse",)}
    if data.get("outside_spouse"):
        form["outside_name"] = data["outside_spouse"]["name"]
    response = client.post(reverse("people:event_create", args=[person.pk]), form)
    if response.status_code == 302:
        return "saved", set()
    assert response.status_code == 200
    errors = response.context["form"].errors
    return "refused", {(field, m) for field, messages in errors.items() for m in messages}


def by_api(api, person, data):
    response = api("field_a").post_json(f"/persons/{person.pk}/events", data)
    if response.status_code == 201:
        return "saved", set()
    assert response.status_code == 422, response.content
    return "refused", {(d["field"], d["message"]) for d in response.json()["details"]}


def both_ways(client, api, users, person, data):
    """The page's and the API's outcome and writes for the same input, each from the
    same database (the page's writes are rolled back before the API's request)."""
    before = state()
    with transaction.atomic():
        page = (*by_page(client, users.field_a, person, data), state())
        transaction.set_rollback(True)
    assert state() == before
    api_data = dict(data)
    api_outcome = (*by_api(api, person, api_data), state())
    return page, api_outcome, before


CASES = [
    # marriages
    ("no spouse", "fang", {"kind": "marriage", "date": "2024-05-01"}, "refused"),
    (
        "both spouses",
        "fang",
        {
            "kind": "marriage",
            "date": "2024-05-01",
            "spouse": "qiang",
            "outside_spouse": {"name": "外地人"},
        },
        "refused",
    ),
    ("the person", "fang", {"kind": "marriage", "date": "2024-05-01", "spouse": "fang"}, "refused"),
    (
        "before registration",
        "fang",
        {"kind": "marriage", "date": "2019-12-31", "spouse": "qiang"},
        "refused",
    ),
    ("married", "fang", {"kind": "marriage", "date": "2024-05-01", "spouse": "wei"}, "refused"),
    ("future", "fang", {"kind": "marriage", "date": "2099-01-01", "spouse": "qiang"}, "refused"),
    ("registered", "fang", {"kind": "marriage", "date": "2024-05-01", "spouse": "qiang"}, "saved"),
    (
        "outside",
        "fang",
        {"kind": "marriage", "date": "2024-05-01", "outside_spouse": {"name": "外地人"}},
        "saved",
    ),
    # divorces
    ("not married", "fang", {"kind": "divorce", "date": "2024-01-01"}, "refused"),
    ("divorce before registration", "li", {"kind": "divorce", "date": "2019-06-01"}, "refused"),
    ("before the marriage", "li", {"kind": "divorce", "date": "2021-01-01"}, "refused"),
    ("divorce", "li", {"kind": "divorce", "date": "2024-01-01"}, "saved"),
]


@pytest.mark.parametrize(("case", "who", "data", "outcome"), CASES, ids=[c[0] for c in CASES])
def test_the_page_and_the_api_give_the_same_result(
    client, api, users, folk, case, who, data, outcome
):
    data = dict(data)
    if "spouse" in data:
        data["spouse"] = getattr(folk, data["spouse"]).pk
    page, by_the_api, before = both_ways(client, api, users, getattr(folk, who), data)
    assert page == by_the_api, (page, by_the_api)
    assert page[0] == outcome, page
    if outcome == "refused":
        assert page[1], "a refusal says why"
        assert page[2] == before, "a refusal writes nothing"
    else:
        assert page[2] != before


def test_a_marriage_before_the_registration_saves_no_couple(folk):
    """Through the API the couple used to be saved although the answer was 422."""
    before = state()
    with pytest.raises(ValidationError) as caught:
        family.marriage_record(
            actor=None, person=folk.fang, date=D(2019, 12, 31), outside={"name": "外地人"}
        )
    assert "date" in caught.value.error_dict
    assert state() == before


def test_the_service_returns_the_persons_event(folk):
    event = family.marriage_record(
        actor=None, person=folk.fang, date=D(2024, 5, 1), spouse=folk.qiang
    )
    assert (event.person, event.kind) == (folk.fang, EventKind.MARRIAGE)
    couple = Couple.objects.get(wife=folk.fang)
    assert event.data["couple_id"] == couple.pk
    assert folk.qiang.events.filter(kind=EventKind.MARRIAGE, data__couple_id=couple.pk).exists()
    divorce = family.divorce_record(actor=None, person=folk.qiang, date=D(2025, 1, 1))
    assert (divorce.person, divorce.kind) == (folk.qiang, EventKind.DIVORCE)
    couple.refresh_from_db()
    assert couple.ended_on == D(2025, 1, 1)


def test_a_divorce_names_a_marriage_in_force_or_is_refused(folk, users):
    with pytest.raises(ValidationError) as caught:
        family.divorce_record(actor=users.field_a, person=folk.li, date=D(2024, 1, 1), couple=999)
    assert "couple" in caught.value.error_dict
    assert Couple.objects.get(wife=folk.li).ended_on is None


def test_a_spouse_outside_the_scope_is_a_refusal_on_the_couple_and_audited(folk, users):
    family.couple_create(actor=None, married_on=D(2022, 1, 1), wife=folk.fang, husband=folk.gang)
    before = state()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        family.divorce_record(actor=users.field_a, person=folk.fang, date=D(2024, 1, 1))
    assert "outside your data scope" in " ".join(caught.value.message_dict["couple"])
    assert state() == before
    assert AuditEvent.objects.filter(action="denied", user=users.field_a).exists()


def test_the_page_reports_an_error_when_nothing_was_saved(client, users, folk, monkeypatch):
    """Success is only ever an event saved: a service that saved nothing is an error."""
    monkeypatch.setattr(family, "divorce_record", lambda **kwargs: None)
    client.force_login(users.field_a)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("people:event_create", args=[folk.li.pk]),
        {"kind": "divorce", "date": "2024-01-01"},
    )
    assert response.status_code == 200
    assert "Nothing was recorded" in " ".join(response.context["form"].non_field_errors())
    assert not [m for m in response.context["messages"] if m.level_tag == "success"]


# --------------------------------------------------------------------------- the table


def test_every_recordable_kind_has_a_row():
    recordable = set(EventKind.values) - {EventKind.REGISTER, EventKind.CORRECTION}
    assert set(consequences.CONSEQUENCES) == recordable
    assert consequences.of(EventKind.CORRECTION) is None


def test_the_transfers_come_from_the_table():
    assert transfers.REASON_FOR_EVENT == {
        EventKind.LEAVE_EMPLOYMENT: TransferReason.LEAVING,
        EventKind.RETIREMENT: TransferReason.RETIREMENT,
        EventKind.EARLY_RETIREMENT: TransferReason.RETIREMENT,
        EventKind.MOVE_OUT: TransferReason.TRANSFER,
    }


def test_the_replay_reads_the_table(monkeypatch):
    register = timeline.Step(1, EventKind.REGISTER, D(2020, 1, 1), {"unit_id": 7})
    retire = timeline.Step(2, EventKind.RETIREMENT, D(2021, 1, 1), {})
    assert timeline.replay([register, retire])[-1].state.status == "retired"
    table = dict(consequences.CONSEQUENCES)
    table[EventKind.RETIREMENT] = consequences.Consequence(changes_state=False)
    monkeypatch.setattr(timeline, "CONSEQUENCES", table)
    assert timeline.replay([register, retire])[-1].state.status == "registered"
    del table[EventKind.RETIREMENT]
    with translation.override("en"), pytest.raises(ValidationError, match="unknown event"):
        timeline.replay([register, retire])
