"""Issue 13 item 22: the worklist acts on a person. One visit clears every open item of
hers it covers; 需另约时间 (a visit that only agreed another day) clears nothing and has
her items due on the day agreed, shown as 预约 on her row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from jisheng.services import followup, selectors
from jisheng.services.choices import DueKind
from jisheng.services.models import FollowUpDue, FollowUpVisit
from jisheng.services.schedule import Due, Visit, assign
from tests.services.fixtures_pages import open_due, today, woman_a, woman_b

__all__ = ["woman_a", "woman_b"]

D = dt.date
A = 1
WORKLIST = reverse("services:worklist")


def month(m: int) -> Due:
    first = D(2026, m, 1)
    last = (D(2026, m + 1, 1) - dt.timedelta(days=1)) if m < 12 else D(2026, 12, 31)
    return Due(DueKind.METHOD, first, last, A, method="pill")


def group(work, kind):
    return next(g for g in work.groups if g.kind == kind)


def of(person, items):
    return [item for item in items if item.person_id == person.pk]


# --------------------------------------------------------------------------- schedule


def test_one_visit_clears_every_open_item_whose_window_had_opened():
    after = Due(DueKind.AFTER_DELIVERY, D(2026, 1, 20), D(2026, 2, 20), A, sequence=1)
    done = assign(
        [month(1), month(2), month(3), after, month(4)], [Visit(1, D(2026, 3, 5))], D(2026, 3, 6)
    )
    by_kind = [(d.due.kind, d.due.starts_on, d.visit_id, d.on_time) for d in done]
    assert by_kind[:4] == [
        (DueKind.METHOD, D(2026, 1, 1), 1, False),
        (DueKind.METHOD, D(2026, 2, 1), 1, False),
        (DueKind.METHOD, D(2026, 3, 1), 1, True),
        (DueKind.AFTER_DELIVERY, D(2026, 1, 20), 1, False),
    ]
    assert done[4].visit_id is None  # April's window had not opened


def test_an_appointment_clears_nothing_and_marks_the_open_items():
    attempt = Visit(2, D(2026, 3, 5), appointment_on=D(2026, 3, 20))
    done = assign([month(2), month(3), month(4)], [attempt], D(2026, 3, 6))
    assert [d.visit_id for d in done] == [None, None, None]
    assert [d.appointment_on for d in done] == [D(2026, 3, 20), D(2026, 3, 20), None]
    # the visit made on the day agreed clears them
    done = assign([month(2), month(3)], [attempt, Visit(3, D(2026, 3, 20))], D(2026, 3, 21))
    assert [(d.visit_id, d.appointment_on) for d in done] == [(3, None), (3, None)]


# --------------------------------------------------------------------------- selector


def test_worklist_shows_her_items_gone_right_after_one_visit(users, woman_a, woman_b):
    work = selectors.worklist(users.office)
    assert of(woman_a, group(work, "overdue").items) and of(woman_a, group(work, "due").items)
    followup.visit_record(actor=None, person=woman_a, visited_on=today(), way="home")
    work = selectors.worklist(users.office)
    assert of(woman_a, group(work, "overdue").items + group(work, "due").items) == []
    assert of(woman_b, group(work, "overdue").items)  # the other woman's stay


def test_appointment_makes_her_items_due_on_the_day_agreed(users, woman_a):
    agreed = today() + dt.timedelta(days=5)
    followup.visit_record(
        actor=None, person=woman_a, visited_on=today(), way="home", appointment_on=agreed
    )
    assert len(open_due(woman_a)) >= 3  # cleared nothing
    work = selectors.worklist(users.office)
    assert of(woman_a, group(work, "overdue").items) == []
    mine = of(woman_a, group(work, "due").items)
    assert mine and all(i.date == agreed and i.appointment_on == agreed for i in mine)
    assert group(work, "overdue").count == 0
    # once the day has passed without a visit, they are overdue again
    later = selectors.worklist(users.office, today=agreed + dt.timedelta(days=1))
    assert of(woman_a, group(later, "overdue").items)


def test_appointment_must_follow_the_visit(woman_a):
    from django.core.exceptions import ValidationError

    for bad in (today(), today() - dt.timedelta(days=1), today() + dt.timedelta(days=400)):
        with pytest.raises(ValidationError) as info:
            followup.visit_record(
                actor=None, person=woman_a, visited_on=today(), way="home", appointment_on=bad
            )
        assert "appointment_on" in info.value.message_dict
    assert not FollowUpVisit.objects.exists()


# --------------------------------------------------------------------------- pages


def test_page_records_another_appointment_and_the_worklist_shows_it(client, users, woman_a):
    client.force_login(users.field_a)
    agreed = today() + dt.timedelta(days=3)
    url = reverse("services:visit_create", args=[woman_a.pk])
    form = client.get(url).content.decode()
    assert 'name="appointment_on"' in form and "需另约时间" in form
    response = client.post(
        url,
        {"visited_on": today().isoformat(), "way": "home", "appointment_on": agreed.isoformat()},
    )
    assert response.status_code == 302
    assert FollowUpVisit.objects.get().appointment_on == agreed
    assert FollowUpDue.objects.filter(person=woman_a, appointment_on=agreed).exists()
    page = client.get(WORKLIST).content.decode()
    row = page[page.index(f'data-person="{woman_a.pk}"') :]
    row = row[: row.index("</a>")]
    assert "预约" in row
    assert f"{agreed.year}年{agreed.month}月{agreed.day}日" in row or agreed.isoformat() in row


def test_page_refuses_an_appointment_before_the_visit(client, users, woman_a):
    client.force_login(users.field_a)
    url = reverse("services:visit_create", args=[woman_a.pk])
    response = client.post(
        url,
        {
            "visited_on": today().isoformat(),
            "way": "home",
            "appointment_on": (today() - dt.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code in (200, 400)
    assert "预约日期须在随访日期之后" in response.content.decode()
    assert not FollowUpVisit.objects.exists()


def test_page_visit_clears_all_her_rows_on_the_worklist(client, users, woman_a):
    client.force_login(users.field_a)
    assert f'data-person="{woman_a.pk}"' in client.get(WORKLIST).content.decode()
    url = reverse("services:visit_create", args=[woman_a.pk])
    client.post(url, {"visited_on": today().isoformat(), "way": "home"})
    assert f'data-person="{woman_a.pk}"' not in client.get(WORKLIST).content.decode()


# --------------------------------------------------------------------------- API


def test_api_accepts_the_appointment_date(api, woman_a):
    agreed = today() + dt.timedelta(days=7)
    client = api("office")
    response = client.post_json(
        "/services/visits",
        {"person": woman_a.pk, "way": "home", "appointment_on": agreed.isoformat()},
    )
    assert response.status_code == 201, response.content
    assert response.json()["appointment_on"] == agreed.isoformat()
    work = client.get("/worklist").json()
    due = next(g for g in work["groups"] if g["kind"] == "due")
    mine = [i for i in due["items"] if i["person_id"] == woman_a.pk]
    assert mine and all(i["appointment_on"] == agreed.isoformat() for i in mine)
    bad = client.post_json(
        "/services/visits",
        {"person": woman_a.pk, "way": "home", "appointment_on": today().isoformat()},
    )
    assert bad.status_code == 422
    assert FollowUpVisit.objects.count() == 1


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield
