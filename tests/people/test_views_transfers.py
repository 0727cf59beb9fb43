"""管理移交 pages: the transfers list and the 管理移交率, completion with the clearance
number, the printable clearance — access, scope, happy paths, bad input."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from jisheng.core.models import AuditEvent
from jisheng.orgs.middleware import SESSION_KEY
from jisheng.people import services, transfers
from jisheng.people.models import Transfer
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = timezone.localdate()


@pytest.fixture
def client(client):
    client.cookies["django_language"] = "en"
    return client


def login(client, user):
    client.force_login(user)
    return client


def depart(person, kind, date, to="外县人民医院"):
    event = services.event_record(actor=None, person=person, kind=kind, date=date, data={"to": to})
    return Transfer.objects.get(event=event)


@pytest.fixture
def cases(tree):
    """Departures: two in village A (one retired in 2024, one left in 2025), one in B."""
    a1 = factories.person(tree.village_a, "王芳", "F", D(1970, 5, 17), seq=1)
    a2 = factories.person(tree.village_a, "张伟", "M", D(1980, 1, 2), seq=2)
    b1 = factories.person(tree.village_b, "李强", "M", D(1985, 3, 2), seq=3)
    return {
        "a_retired": depart(a1, "retirement", D(2024, 3, 1), to=""),
        "a_left": depart(a2, "leave_employment", D(2025, 4, 1)),
        "b_left": depart(b1, "leave_employment", D(2025, 5, 1)),
    }


def complete_data(**overrides):
    data = {
        "receiving_unit": "",
        "receiving_name": "外县卫健局",
        "records_handed": "育龄妇女信息卡; 节育措施记录",
        "completed_on": TODAY.isoformat(),
    }
    data.update(overrides)
    return data


def ids_in(response) -> set[int]:
    return {t.pk for t in response.context["page"]}


# --------------------------------------------------------------------------- access


class TestAccess:
    def test_anonymous_goes_to_login(self, client, cases):
        t = cases["a_left"]
        for url in (
            reverse("people:transfer_list"),
            reverse("people:transfer_complete", args=[t.pk]),
            reverse("people:transfer_clearance", args=[t.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))

    def test_without_permission_403(self, client, users, cases):
        t = cases["a_left"]
        login(client, users.auditor)
        assert client.get(reverse("people:transfer_list")).status_code == 403
        assert client.get(reverse("people:transfer_clearance", args=[t.pk])).status_code == 403
        login(client, users.leader)  # reads, does not complete
        assert client.get(reverse("people:transfer_list")).status_code == 200
        url = reverse("people:transfer_complete", args=[t.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, complete_data()).status_code == 403
        t.refresh_from_db()
        assert t.status == "open"

    def test_out_of_scope_404_and_audited(self, client, users, cases):
        t = cases["b_left"]
        login(client, users.field_a)
        for name in ("people:transfer_complete", "people:transfer_clearance"):
            before = AuditEvent.objects.filter(action="denied", object_id=str(t.pk)).count()
            assert client.get(reverse(name, args=[t.pk])).status_code == 404
            assert (
                AuditEvent.objects.filter(
                    action="denied", object_type="people.transfer", object_id=str(t.pk)
                ).count()
                == before + 1
            )
        response = client.post(reverse("people:transfer_complete", args=[t.pk]), complete_data())
        assert response.status_code == 404
        t.refresh_from_db()
        assert t.status == "open"


# --------------------------------------------------------------------------- list and rate


class TestList:
    def test_open_transfers_in_scope(self, client, users, cases):
        login(client, users.field_a)
        response = client.get(reverse("people:transfer_list"))
        assert ids_in(response) == {cases["a_retired"].pk, cases["a_left"].pk}
        # oldest first, with the days open
        rows = list(response.context["page"])
        assert rows[0] == cases["a_retired"]
        assert rows[0].days_open == (TODAY - D(2024, 3, 1)).days
        assert "李强" not in response.text

    def test_working_unit_subtree(self, client, users, cases, tree):
        login(client, users.office)
        assert len(ids_in(client.get(reverse("people:transfer_list")))) == 3
        session = client.session
        session[SESSION_KEY] = tree.village_b.pk
        session.save()
        assert ids_in(client.get(reverse("people:transfer_list"))) == {cases["b_left"].pk}

    def test_status_filter_and_rate(self, client, users, cases):
        transfers.transfer_complete(
            actor=None,
            transfer=cases["a_left"],
            completed_on=D(2025, 4, 20),
            records_handed="信息卡",
        )
        login(client, users.office)
        url = reverse("people:transfer_list")
        response = client.get(
            url, {"status": "completed", "start": "2025-01-01", "end": "2025-12-31"}
        )
        assert ids_in(response) == {cases["a_left"].pk}
        assert cases["a_left"].clearance_number in response.text
        # two departures in 2025 (a_left, b_left), one completed
        assert (response.context["completed"], response.context["departures"]) == (1, 2)
        assert response.context["rate"] == "50.0%"
        response = client.get(url, {"status": "open", "start": "2024-01-01", "end": "2024-12-31"})
        assert ids_in(response) == {cases["a_retired"].pk, cases["b_left"].pk}
        assert response.context["rate"] == "0.0%"
        response = client.get(url, {"status": "all", "start": "2025-01-01", "end": "2025-12-31"})
        assert len(ids_in(response)) == 3

    def test_rate_is_a_dash_without_departures(self, client, users, cases):
        login(client, users.office)
        response = client.get(
            reverse("people:transfer_list"), {"start": "2020-01-01", "end": "2020-12-31"}
        )
        assert response.context["rate"] == "—"
        assert 'data-testid="rate-value">—<' in response.text

    def test_bad_period_is_shown_and_defaults_used(self, client, users, cases):
        login(client, users.office)
        response = client.get(
            reverse("people:transfer_list"), {"start": "2025-12-31", "end": "2025-01-01"}
        )
        assert response.status_code == 200
        assert "end" in response.context["form"].errors
        assert response.context["start"] == TODAY.replace(month=1, day=1)
        response = client.get(reverse("people:transfer_list"), {"start": "2025-02-31"})
        assert "start" in response.context["form"].errors

    def test_corrected_departure_is_not_listed(self, client, users, cases):
        t = cases["a_left"]
        services.event_correct(actor=None, event=t.event, reason="录错了")
        login(client, users.office)
        response = client.get(reverse("people:transfer_list"), {"status": "all"})
        assert t.pk not in ids_in(response)
        page = client.get(reverse("people:transfer_complete", args=[t.pk]))
        assert page.context["form"] is None
        assert page.context["withdrawn"]


# --------------------------------------------------------------------------- complete


class TestComplete:
    def test_complete_issues_a_clearance_and_audits(self, client, users, cases, tree):
        t = cases["a_left"]
        url = reverse("people:transfer_complete", args=[t.pk])
        login(client, users.field_a)
        page = client.get(url)
        assert page.context["form"].initial["receiving_name"] == "外县人民医院"
        response = client.post(url, complete_data())
        assert response.status_code == 302
        assert response["Location"] == url
        t.refresh_from_db()
        assert t.status == "completed"
        assert t.completed_by == users.field_a
        assert t.clearance_number == f"YJ{tree.village_a.code}-{TODAY.year}-0001"
        assert AuditEvent.objects.filter(
            action="update", object_type="people.transfer", object_id=str(t.pk)
        ).exists()
        after = client.get(url)
        assert t.clearance_number in after.text
        assert 'data-testid="clearance-number"' in after.text
        assert after.context["form"] is None
        # completing again changes nothing
        client.post(url, complete_data(records_handed="其他"))
        t.refresh_from_db()
        assert t.records_handed == "育龄妇女信息卡; 节育措施记录"

    def test_receiving_unit_in_scope(self, client, users, cases, tree):
        t = cases["a_left"]
        login(client, users.office)
        client.post(
            reverse("people:transfer_complete", args=[t.pk]),
            complete_data(receiving_unit=tree.community.code, receiving_name=""),
        )
        t.refresh_from_db()
        assert t.receiving_unit == tree.community

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"records_handed": ""}, "records_handed"),
            ({"records_handed": "   "}, "records_handed"),
            ({"completed_on": "2025-02-31"}, "completed_on"),
            ({"completed_on": "2025-01-01"}, "completed_on"),  # before the departure
            ({"completed_on": "2099-01-01"}, "completed_on"),
            ({"receiving_unit": "NO-SUCH"}, "receiving_unit"),
        ],
    )
    def test_bad_input_is_a_form_error_and_writes_nothing(
        self, client, users, cases, overrides, field
    ):
        t = cases["a_left"]
        login(client, users.office)
        before = AuditEvent.objects.filter(action="update").count()
        response = client.post(
            reverse("people:transfer_complete", args=[t.pk]), complete_data(**overrides)
        )
        assert response.status_code == 200
        assert field in response.context["form"].errors
        t.refresh_from_db()
        assert t.status == "open"
        assert t.clearance_number == ""
        assert AuditEvent.objects.filter(action="update").count() == before

    def test_no_receiving_name_when_the_departure_named_none(self, client, users, cases):
        t = cases["a_retired"]  # recorded without a destination
        login(client, users.office)
        response = client.post(
            reverse("people:transfer_complete", args=[t.pk]), complete_data(receiving_name="")
        )
        assert "receiving_name" in response.context["form"].errors
        t.refresh_from_db()
        assert t.status == "open"


# --------------------------------------------------------------------------- clearance


class TestClearance:
    def test_printable_clearance_is_audited(self, client, users, cases):
        t = transfers.transfer_complete(
            actor=None,
            transfer=cases["a_left"],
            completed_on=D(2025, 11, 3),
            receiving_name="外县卫健局",
            records_handed="信息卡",
        )
        login(client, users.leader)
        response = client.get(reverse("people:transfer_clearance", args=[t.pk]))
        assert response.status_code == 200
        html = response.text
        assert t.clearance_number in html
        assert "2025年11月3日" in html
        assert "size: A5" in html
        assert t.person.id_masked in html
        assert AuditEvent.objects.filter(
            action="view", object_type="people.transfer", object_id=str(t.pk)
        ).exists()

    def test_open_transfer_has_no_clearance(self, client, users, cases):
        t = cases["a_left"]
        login(client, users.office)
        response = client.get(reverse("people:transfer_clearance", args=[t.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("people:transfer_complete", args=[t.pk])
        assert not AuditEvent.objects.filter(action="view", object_type="people.transfer").exists()
