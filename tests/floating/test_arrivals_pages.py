"""The arrivals' pages and worklist: list with filters, the registration form from the
worklist item, the detail with its actions, scope (another unit's arrival: 404,
audited), permissions; the two worklist sources."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent
from jisheng.core.registry import worklist_sources
from jisheng.floating import services_arrivals as services
from jisheng.floating.choices import ArrivalStatus
from jisheng.floating.models import Arrival
from jisheng.floating.worklist_arrivals import collect_to_register, collect_to_verify
from tests import factories

D = datetime.date
NUMBER = factories.id_number(D(1996, 4, 12), "F", 31, region="430102")


@pytest.fixture
def reported(tree, users):
    return services.arrival_report(
        actor=users.field_a, unit=tree.village_a, name="刘小红", arrived_on=D(2026, 9, 30)
    )


def test_the_worklist(tree, users, reported):
    kinds = {s.kind: s for s in worklist_sources()}
    assert str(kinds["floating_arrivals"].label) == "流入人员待登记"
    assert str(kinds["floating_unverified"].label) == "待查验婚育证明"
    # not before the arrival date
    assert collect_to_register(users.field_a, today=D(2026, 9, 29)) == (0, [])
    count, items = collect_to_register(users.field_a, today=D(2026, 10, 20))
    assert count == 1
    item = items[0]
    assert (item.date, item.late_days, item.person_name) == (D(2026, 10, 15), 5, "刘小红")
    assert item.url == reverse("floating:arrival_register", args=[reported.pk])
    assert collect_to_register(users.field_b, today=D(2026, 10, 20))[0] == 0  # scope
    assert collect_to_register(users.town_office, today=D(2026, 10, 20))[0] == 1
    services.arrival_register(
        actor=users.field_a, arrival=reported, id_number=NUMBER, registered_on=D(2026, 10, 10)
    )
    assert collect_to_register(users.field_a, today=D(2026, 10, 20))[0] == 0
    count, items = collect_to_verify(users.field_a, today=D(2026, 10, 20))
    assert count == 1 and items[0].url == reverse("floating:arrival_detail", args=[reported.pk])
    services.arrival_certificate(
        actor=users.field_a, arrival=reported, number="HN-1", issuer="湖南省某镇",
        checked_on=D(2026, 10, 12),
    )  # fmt: skip
    assert collect_to_verify(users.field_a, today=D(2026, 10, 20))[0] == 0


def test_the_worklist_in_few_queries(tree, users, django_assert_max_num_queries):
    for i in range(20):
        services.arrival_report(
            actor=users.field_a, unit=tree.village_a, name=f"人{i}", arrived_on=D(2026, 9, 1)
        )
    with django_assert_max_num_queries(3):
        count, items = collect_to_register(users.field_a, today=D(2026, 10, 20), limit=10)
    assert (count, len(items)) == (20, 10)


def test_pages(client, tree, users, reported):
    list_url = reverse("floating:arrival_list")
    assert client.get(list_url).status_code == 302
    client.force_login(users.auditor)
    assert client.get(list_url).status_code == 403
    client.force_login(users.field_a)
    page = client.get(list_url).content.decode()
    assert "刘小红" in page and "流入人员登记" in page
    assert "刘小红" in client.get(list_url, {"overdue": "on"}).content.decode()
    assert "刘小红" in client.get(list_url, {"q": "刘"}).content.decode()
    assert "刘小红" not in client.get(list_url, {"status": "registered"}).content.decode()
    assert "刘小红" not in client.get(list_url, {"arrived_to": "2026-09-01"}).content.decode()
    # the registration form from the worklist item; a bad ID number: the Chinese message
    url = reverse("floating:arrival_register", args=[reported.pk])
    form = client.get(url).content.decode()
    assert "应于2026年10月15日前登记" in form
    bad = client.post(
        url,
        {"name": "刘小红", "id_number": "430102199604120000", "arrived_on": "2026-09-30",
         "registered_on": "2026-10-10", "hukou_region": "999999"},
    )  # fmt: skip
    assert bad.status_code == 200
    assert "999999不是已知的行政区划代码。" in bad.content.decode()
    done = client.post(
        url,
        {"name": "刘小红", "id_number": NUMBER, "arrived_on": "2026-09-30",
         "registered_on": "2026-10-10", "hukou_place": "湖南省长沙市"},
    )  # fmt: skip
    detail = reverse("floating:arrival_detail", args=[reported.pk])
    assert done.status_code == 302 and done["Location"] == detail
    page = client.get(detail).content.decode()
    assert "2026年9月30日" in page and "查验婚育证明" in page
    # verify: from outside, no issuer → the Chinese refusal on the page
    cert_url = reverse("floating:arrival_certificate", args=[reported.pk])
    bad = client.post(cert_url, {"result": "valid", "number": "HN-9", "checked_on": "2026-10-12"})
    assert "如为外地证明，请按证明填写发证机关" in bad.content.decode()
    ok = client.post(
        cert_url,
        {"result": "valid", "number": "HN-9", "issuer": "湖南省某镇", "checked_on": "2026-10-12"},
    )
    assert ok.status_code == 302
    leave = client.post(
        reverse("floating:arrival_leave", args=[reported.pk]), {"left_on": "2026-11-30"}
    )
    assert leave.status_code == 302
    assert Arrival.objects.get(pk=reported.pk).status == ArrivalStatus.LEFT
    # another village: 404, audited
    client.force_login(users.field_b)
    assert client.get(detail).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, object_type="floating.arrival", object_id=str(reported.pk)
    ).exists()


def test_new_registration_and_cancel_pages(client, tree, users, reported):
    client.force_login(users.field_a)
    assert client.get(reverse("floating:arrival_new")).status_code == 200
    cancel = reverse("floating:arrival_cancel", args=[reported.pk])
    page = client.post(cancel, {"reason": ""}).content.decode()
    assert "请填写原因。" in page
    assert client.post(cancel, {"reason": "查无此人"}).status_code == 302
    assert Arrival.objects.get(pk=reported.pk).status == ArrivalStatus.CANCELLED
    client.force_login(users.leader)
    assert client.get(reverse("floating:arrival_list")).status_code == 200
    assert client.post(cancel, {"reason": "x"}).status_code == 403
