"""Issue 13 item 22, the worklist's 需另约时间的服务对象: a campaign target not seen yet
can be given the day agreed; the worklist then has her due that day (预约 on her row),
also after the round has long ended."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from jisheng.core.models import AuditEvent
from jisheng.services import campaigns, selectors
from jisheng.services.models import CampaignTarget
from jisheng.services.selectors import WorkKind
from tests.services.test_campaigns_pages import media, round_, today  # noqa: F401


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def absent(user, day=None):
    work = selectors.worklist(user, today=day, kinds=(WorkKind.ABSENT,))
    return work.groups[0]


def test_service_sets_the_day_and_the_worklist_has_her_due_then(users, round_, today):  # noqa: F811
    target = CampaignTarget.objects.get(person__name="王芳")
    agreed = round_.period_end + dt.timedelta(days=120)  # long after the round ends
    campaigns.target_appointment_set(actor=users.field_a, target=target, appointment_on=agreed)
    target.refresh_from_db()
    assert target.appointment_on == agreed
    assert AuditEvent.objects.filter(object_id=str(target.pk), action="update").exists()
    items = {i.person_name: i for i in absent(users.field_a).items}
    assert items["王芳"].date == agreed and items["王芳"].appointment_on == agreed
    assert list(items)[-1] == "王芳"  # ordered by the day agreed
    # 100 days after the round ended she alone is still listed: a day was agreed
    later = absent(users.field_a, day=round_.period_end + dt.timedelta(days=100))
    assert [i.person_name for i in later.items] == ["王芳"]


def test_bad_days_and_covered_targets_are_refused(users, round_, today):  # noqa: F811
    target = CampaignTarget.objects.get(person__name="王芳")
    for bad in (today - dt.timedelta(days=1), today + dt.timedelta(days=400)):
        with pytest.raises(ValidationError):
            campaigns.target_appointment_set(actor=users.field_a, target=target, appointment_on=bad)
    target.attended_on = today
    target.save()
    with pytest.raises(ValidationError):
        campaigns.target_appointment_set(
            actor=users.field_a, target=target, appointment_on=today + dt.timedelta(days=3)
        )


def test_page_sets_the_day_and_the_worklist_shows_it(client, users, round_, today):  # noqa: F811
    target = CampaignTarget.objects.get(person__name="王芳")
    client.force_login(users.field_a)
    attendance = client.get(
        reverse("services:campaign_attendance", args=[round_.pk]), {"target": target.pk}
    ).content.decode()
    url = reverse("services:campaign_appointment", args=[target.pk])
    assert url in attendance and "另约时间" in attendance
    agreed = today + dt.timedelta(days=5)
    response = client.post(url, {"appointment_on": agreed.isoformat()})
    assert response.status_code == 302
    page = client.get(reverse("services:worklist")).content.decode()
    page = page[page.index('data-testid="worklist-group-absent"') :]
    row = page[page.index(f'data-person="{target.person_id}"') :]
    row = row[: row.index("</a>")]
    assert "预约" in row
    bad = client.post(url, {"appointment_on": (today - dt.timedelta(days=3)).isoformat()})
    assert bad.status_code == 400 and "预约日期须在今天至" in bad.content.decode()
    # another village's target: 404
    other = CampaignTarget.objects.get(person__name="李丽")
    assert client.get(reverse("services:campaign_appointment", args=[other.pk])).status_code == 404
