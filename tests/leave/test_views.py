"""The leave pages: list, apply (find, form), detail with its buttons, a person's year."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse

from jisheng.leave import services
from jisheng.leave.models import LeaveRequest

D = datetime.date


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_office_applies_from_the_phone_form(leave):
    office = client_of(leave.office)
    found = office.get(reverse("leave:apply"), {"q": "王"})
    assert "王芳" in found.content.decode()
    url = reverse("leave:apply_person", args=[leave.wang.pk])
    page = office.get(url)
    assert page.status_code == 200 and f"couple:{leave.couple.pk}" in page.content.decode()
    response = office.post(
        url, {"kind": "marriage", "evidence": f"couple:{leave.couple.pk}", "start": "2025-01-24"}
    )
    made = LeaveRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "leave:detail", args=[made.pk]
    )
    assert made.end == D(2025, 1, 27)


def test_the_form_shows_the_refusal_on_its_field(leave):
    office = client_of(leave.office)
    url = reverse("leave:apply_person", args=[leave.wang.pk])
    response = office.post(
        url, {"kind": "female_sterilisation", "evidence": "", "start": "2025-01-24"}
    )
    assert response.status_code == 200
    assert "请选择请假所依据的记录" in response.content.decode()
    response = office.post(
        url,
        {
            "kind": "female_sterilisation",
            "evidence": f"couple:{leave.couple.pk}",
            "start": "2025-01-24",
        },
    )
    assert "没有找到相应的手术记录" in response.content.decode()
    assert not LeaveRequest.objects.exists()


def test_detail_buttons_follow_the_role_and_a_return_needs_a_message(leave):
    made = services.leave_apply(
        actor=leave.office, unit=leave.tree.mine, person=leave.wang, kind="marriage",
        start=D(2025, 1, 24), couple=leave.couple,
    )  # fmt: skip
    url = reverse("leave:detail", args=[made.pk])
    office_page = client_of(leave.office).get(url).content.decode()
    assert 'data-testid="act-sign"' not in office_page
    leader = client_of(leave.leader)
    leader_page = leader.get(url).content.decode()
    assert 'data-testid="act-sign"' in leader_page and 'data-testid="act-return"' in leader_page
    act = reverse("leave:act", args=[made.pk])
    leader.post(act, {"action": "return", "from_status": "applied", "message": ""})
    made.refresh_from_db()
    assert made.status == "applied"
    leader.post(act, {"action": "sign", "from_status": "applied"})
    client_of(leave.office).post(act, {"action": "approve", "from_status": "leader_approved"})
    made.refresh_from_db()
    assert made.status == "approved"
    page = client_of(leave.office).get(url).content.decode()
    assert made.slip.number in page
    listing = client_of(leave.office).get(reverse("leave:leave_list"), {"status": "approved"})
    assert made.slip.number in listing.content.decode()
    year = client_of(leave.office).get(
        reverse("leave:person", args=[leave.wang.pk]), {"year": 2025}
    )
    assert 'data-kind="marriage"' in year.content.decode()


def test_another_units_request_is_404(leave, tree):
    from tests import factories

    made = services.leave_apply(
        actor=leave.office, unit=leave.tree.mine, person=leave.wang, kind="marriage",
        start=D(2025, 1, 24), couple=leave.couple,
    )  # fmt: skip
    street = client_of(factories.user("street_office", tree.street, "office"))
    assert street.get(reverse("leave:detail", args=[made.pk])).status_code == 404
