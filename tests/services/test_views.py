"""Services pages: the worklist and its groups, the home card, a person's services, the
visit and method forms, voiding.

Every page: login required, permission (403), scope (404 and a ``denied`` audit event),
Chinese by default; the forms: bad input keeps the values and shows the error, success
writes through the service and returns to ``next``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jisheng.core.models import AuditEvent
from jisheng.services import followup
from jisheng.services.models import ContraceptionRecord, FollowUpDue, FollowUpVisit
from jisheng.services.presentation import DueStatus, due_status
from tests import factories
from tests.services.fixtures_pages import denied_count, open_due, today, woman_a, woman_b

__all__ = ["woman_a", "woman_b"]  # fixtures used below

WORKLIST = reverse("services:worklist")


def english(client) -> None:
    client.cookies["django_language"] = "en"


def visit_data(**extra) -> dict:
    data = {
        "visited_on": today().isoformat(),
        "way": "home",
        "method_in_use": "pill",
        "satisfaction": "satisfied",
        "side_effects": "",
        "needs": "想了解上环",
        "commodities": "避孕药 3 板",
        "notes": "",
    }
    data.update(extra)
    return data


def method_data(**extra) -> dict:
    data = {
        "method": "iud",
        "started_on": today().isoformat(),
        "reason": "preference",
        "reason_note": "",
        "provider": "县妇幼保健院",
        "explained_by": "褚海燕",
        "options_offered": ["iud", "implant", "condom"],
        "told_other_methods": "yes",
        "told_side_effects": "yes",
        "told_what_to_do": "no",
    }
    data.update(extra)
    return data


def person_urls(person) -> dict[str, str]:
    return {
        "person": reverse("services:person", args=[person.pk]),
        "visit": reverse("services:visit_create", args=[person.pk]),
        "method": reverse("services:method_create", args=[person.pk]),
    }


# --------------------------------------------------------------------------- access


class TestAccess:
    def test_login_required(self, client, woman_a):
        urls = [WORKLIST, reverse("services:worklist_group", args=["due"])]
        urls += [reverse("services:worklist_card"), *person_urls(woman_a).values()]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/login/")

    def test_without_permission_403(self, client, users, woman_a):
        client.force_login(users.auditor)  # no services permission
        for url in [WORKLIST, reverse("services:worklist_card"), *person_urls(woman_a).values()]:
            assert client.get(url).status_code == 403, url

    def test_leader_reads_but_cannot_record_or_void(self, client, users, woman_a):
        client.force_login(users.leader)
        assert client.get(WORKLIST).status_code == 200
        page = client.get(person_urls(woman_a)["person"])
        assert page.status_code == 200
        assert 'data-testid="record-visit"' not in page.content.decode()
        assert 'data-testid="void-method"' not in page.content.decode()
        assert client.get(person_urls(woman_a)["visit"]).status_code == 403
        assert client.post(person_urls(woman_a)["visit"], visit_data()).status_code == 403
        assert client.get(person_urls(woman_a)["method"]).status_code == 403
        record = ContraceptionRecord.objects.get(person=woman_a)
        url = reverse("services:method_void", args=[record.pk])
        assert client.post(url, {"reason": "x"}).status_code == 403
        assert not FollowUpVisit.objects.exists()

    def test_field_staff_cannot_void(self, client, users, woman_a):
        """Voiding is for the office (CORRECT_SERVICES), not for field staff."""
        client.force_login(users.field_a)
        record = ContraceptionRecord.objects.get(person=woman_a)
        url = reverse("services:method_void", args=[record.pk])
        assert client.post(url, {"reason": "录错了"}).status_code == 403
        record.refresh_from_db()
        assert not record.voided

    def test_out_of_scope_is_404_and_audited(self, client, users, woman_a, woman_b):
        client.force_login(users.field_a)
        for name, url in person_urls(woman_b).items():
            before = denied_count(woman_b)
            assert client.get(url).status_code == 404, name
            assert denied_count(woman_b) == before + 1, name
        before = denied_count(woman_b)
        assert client.post(person_urls(woman_b)["visit"], visit_data()).status_code == 404
        assert denied_count(woman_b) == before + 1
        assert not FollowUpVisit.objects.filter(person=woman_b).exists()

    def test_void_out_of_scope_is_404_and_audited(self, client, users, tree, woman_b):
        office_a = factories.user("office_a", tree.village_a, "office")
        client.force_login(office_a)
        record = ContraceptionRecord.objects.get(person=woman_b)
        response = client.post(reverse("services:method_void", args=[record.pk]), {"reason": "x"})
        assert response.status_code == 404
        assert denied_count(record) == 1
        visit = followup.visit_record(actor=None, person=woman_b, visited_on=today(), way="phone")
        response = client.post(reverse("services:visit_void", args=[visit.pk]), {"reason": "x"})
        assert response.status_code == 404
        assert denied_count(visit) == 1
        record.refresh_from_db()
        visit.refresh_from_db()
        assert not record.voided and not visit.voided

    def test_missing_and_unknown_are_404(self, client, users):
        client.force_login(users.office)
        assert client.get(reverse("services:person", args=[999999])).status_code == 404
        assert client.get(reverse("services:worklist_group", args=["nope"])).status_code == 404

    def test_voids_are_post_only(self, client, users, woman_a):
        client.force_login(users.office)
        record = ContraceptionRecord.objects.get(person=woman_a)
        assert client.get(reverse("services:method_void", args=[record.pk])).status_code == 405


# --------------------------------------------------------------------------- worklist


class TestWorklist:
    def test_groups_counts_and_items_in_chinese(self, client, users, woman_a, woman_b):
        client.force_login(users.field_a)
        response = client.get(WORKLIST)
        assert response.status_code == 200
        html = response.content.decode()
        assert "待办工作" in html  # the page title, in Chinese by default
        work = response.context["work"]
        groups = {g.kind: g for g in work.groups}
        assert groups["due"].count == len(open_due(woman_a, overdue=False)) == 1
        assert groups["overdue"].count == len(open_due(woman_a, overdue=True)) >= 2
        # village A's field worker sees her own village only
        assert "王芳" in html and "李娟" not in html
        assert f'data-testid="worklist-total">{work.total}<' in html

    def test_items_link_to_the_visit_form_and_back(self, client, users, woman_a):
        client.force_login(users.field_a)
        html = client.get(WORKLIST).content.decode()
        visit_url = reverse("services:visit_create", args=[woman_a.pk])
        first = (
            FollowUpDue.objects.filter(
                person=woman_a,
                done_on=None,
                starts_on__lte=today(),
                due_on__gte=today() - dt.timedelta(days=92),
            )
            .order_by("due_on", "id")
            .first()
        )
        # the item chosen travels with the link, so that the visit clears that one
        assert f'href="{visit_url}?due={first.pk}&amp;next=%2Fservices%2Fworklist%2F"' in html

    def test_a_visit_from_an_overdue_item_clears_every_item_it_covers(self, client, users, woman_a):
        client.force_login(users.field_a)
        overdue = (
            FollowUpDue.objects.filter(person=woman_a, done_on=None, due_on__lt=today())
            .order_by("due_on")
            .first()
        )
        current = FollowUpDue.objects.filter(
            person=woman_a, starts_on__lte=today(), due_on__gte=today()
        ).first()
        url = reverse("services:visit_create", args=[woman_a.pk])
        response = client.post(
            f"{url}?due={overdue.pk}",
            {"visited_on": today().isoformat(), "way": "home", "due": overdue.pk},
        )
        assert response.status_code == 302
        overdue.refresh_from_db()
        assert overdue.done_on == today() and not overdue.on_time
        if current is not None:  # issue 13 item 22: one visit acts on the person
            current.refresh_from_db()
            assert current.done_on == today() and current.on_time
        assert open_due(woman_a) == []

    def test_overdue_items_are_red_with_days_late(self, client, users, woman_a):
        client.force_login(users.field_a)
        english(client)
        response = client.get(WORKLIST)
        overdue = next(g for g in response.context["work"].groups if g.kind == "overdue")
        oldest = overdue.items[0]
        assert oldest.date < today()
        assert oldest.late_days == (today() - oldest.date).days > 0
        html = response.content.decode()
        assert f"{oldest.late_days} days late" in html
        assert 'badge text-bg-danger" data-testid="late-days"' in html

    def test_items_sorted_by_date(self, client, users, woman_a, tree):
        on_pill_too = factories.person(
            tree.village_a, "赵敏", "F", dt.date(today().year - 25, 1, 1), seq=3,
            marital_status="first_marriage", registered_on=dt.date(today().year - 5, 1, 1),
        )  # fmt: skip
        assert on_pill_too  # quarterly, without a method
        client.force_login(users.field_a)
        for group in client.get(WORKLIST).context["work"].groups:
            dates = [item.date for item in group.items]
            assert dates == sorted(dates), group.kind

    def test_working_unit_narrows_the_list(self, client, users, woman_a, woman_b, tree):
        client.force_login(users.office)
        assert "李娟" in client.get(WORKLIST).content.decode()
        session = client.session
        session["working_unit_id"] = tree.village_a.pk
        session.save()
        html = client.get(WORKLIST).content.decode()
        assert "王芳" in html and "李娟" not in html

    def test_groups_hidden_without_their_permission(self, client, tree, woman_a):
        from django.contrib.auth.models import Permission

        viewer = factories.user("viewer", tree.village_a)
        viewer.user_permissions.add(
            Permission.objects.get(codename="view_followupdue", content_type__app_label="services")
        )
        client.force_login(viewer)
        kinds = [g.kind for g in client.get(WORKLIST).context["work"].groups]
        assert kinds == ["returned", "overdue", "due"]  # returned: every user's
        assert client.get(reverse("services:worklist_group", args=["transfer"])).status_code == 404

    def test_group_page_paginates(self, client, users, woman_a, monkeypatch):
        from jisheng.services import views

        monkeypatch.setattr(views, "GROUP_PAGE_SIZE", 1)
        client.force_login(users.field_a)
        url = reverse("services:worklist_group", args=["overdue"])
        total = len(open_due(woman_a, overdue=True))
        first = client.get(url)
        assert first.status_code == 200
        assert first.context["page"].paginator.num_pages == total
        second = client.get(url, {"page": 2})
        assert [i.date for i in second.context["group"].items] == [
            open_due(woman_a, overdue=True)[1].due_on
        ]
        # a page past the end shows the last page; nonsense shows the first
        assert client.get(url, {"page": 99}).context["page"].number == total
        assert client.get(url, {"page": "x"}).context["page"].number == 1
        assert f"{1} / {total}" in first.content.decode()

    def test_home_card_counts(self, client, users, woman_a):
        client.force_login(users.field_a)
        home = client.get("/").content.decode()
        assert f'hx-get="{reverse("services:worklist_card")}"' in home
        card = client.get(reverse("services:worklist_card"))
        assert card.status_code == 200
        html = card.content.decode()
        assert 'data-testid="count-due">1<' in html
        overdue = len(open_due(woman_a, overdue=True))
        assert f'data-testid="count-overdue">{overdue}<' in html
        assert reverse("services:worklist_group", args=["overdue"]) in html

    def test_home_without_permission_keeps_the_placeholder(self, client, users):
        client.force_login(users.auditor)
        home = client.get("/").content.decode()
        assert "services/worklist/card" not in home
        assert 'data-testid="worklist"' in home


# --------------------------------------------------------------------------- person page


class TestPersonPage:
    def test_history_visits_and_due_with_status(self, client, users, woman_a):
        followup.method_start(
            actor=None, person=woman_a, method="condom", started_on=today(), reason="preference"
        )
        latest = ContraceptionRecord.objects.filter(person=woman_a).latest("started_on", "id")
        followup.method_void(actor=None, record=latest, reason="录入错误")
        followup.visit_record(actor=None, person=woman_a, visited_on=today(), way="phone")
        client.force_login(users.office)
        response = client.get(reverse("services:person", args=[woman_a.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "王芳" in html
        assert "<del>" in html and "录入错误" in html  # the voided record, struck through
        assert 'data-voided="1"' in html and 'data-voided="0"' in html
        # the void button belongs to the latest live record (the pill), not the voided one
        assert html.count('data-testid="void-method"') == 1
        assert html.count('data-testid="void-visit"') == 1
        statuses = {row.status for row in response.context["due_rows"]}
        # the visit today clears the overdue periods too, late (issue 13 item 22)
        assert {DueStatus.ON_TIME, DueStatus.LATE} <= statuses
        assert response.context["latest"].method == "pill"

    def test_due_status(self):
        from jisheng.services.models import FollowUpDue

        now = dt.date(2026, 5, 20)

        def row(starts, due, done=None):
            return FollowUpDue(starts_on=starts, due_on=due, done_on=done)

        assert due_status(row(now, now, now), now) == DueStatus.ON_TIME
        assert due_status(row(now, now, now + dt.timedelta(days=1)), now) == DueStatus.LATE
        assert due_status(row(now, now + dt.timedelta(days=3)), now) == DueStatus.OPEN
        assert due_status(row(now + dt.timedelta(days=1), now.replace(month=6)), now) == (
            DueStatus.UPCOMING
        )
        assert due_status(row(now.replace(month=4), now.replace(day=1)), now) == DueStatus.OVERDUE
        assert due_status(row(dt.date(2025, 1, 1), dt.date(2025, 1, 31)), now) == DueStatus.MISSED


# --------------------------------------------------------------------------- visit form


class TestVisitForm:
    def url(self, person, next_url: str | None = None) -> str:
        url = reverse("services:visit_create", args=[person.pk])
        return f"{url}?next={next_url}" if next_url else url

    def test_form_defaults_today_and_the_current_method(self, client, users, woman_a):
        client.force_login(users.field_a)
        response = client.get(self.url(woman_a, WORKLIST))
        assert response.status_code == 200
        form = response.context["form"]
        assert form.initial["visited_on"] == today()
        assert form.initial["method_in_use"] == "pill"
        html = response.content.decode()
        assert f'name="next" value="{WORKLIST}"' in html
        assert 'data-testid="open-due"' in html

    def test_saving_clears_the_item_and_returns_to_the_worklist(self, client, users, woman_a):
        client.force_login(users.field_a)
        before = client.get(WORKLIST).context["work"]
        due_before = next(g.count for g in before.groups if g.kind == "due")
        response = client.post(self.url(woman_a), visit_data(next=WORKLIST))
        assert response.status_code == 302
        assert response["Location"] == WORKLIST
        visit = FollowUpVisit.objects.get(person=woman_a)
        assert visit.way == "home" and visit.visitor == users.field_a
        assert visit.visitor_name == "field_a"
        assert visit.needs == "想了解上环" and visit.commodities == "避孕药 3 板"
        assert AuditEvent.objects.filter(
            action="create", object_type="services.followupvisit", object_id=str(visit.pk)
        ).exists()
        after = client.get(WORKLIST)
        due_after = next(g.count for g in after.context["work"].groups if g.kind == "due")
        assert due_after == due_before - 1
        assert any("王芳" in str(m) for m in after.context["messages"])

    def test_without_next_returns_to_the_person_page(self, client, users, woman_a):
        client.force_login(users.field_a)
        response = client.post(self.url(woman_a), visit_data())
        assert response["Location"] == reverse("services:person", args=[woman_a.pk])

    def test_foreign_next_is_ignored(self, client, users, woman_a):
        client.force_login(users.field_a)
        response = client.post(self.url(woman_a), visit_data(next="https://evil.example/"))
        assert response["Location"] == reverse("services:person", args=[woman_a.pk])

    def test_future_date_keeps_values_and_shows_the_chinese_error(self, client, users, woman_a):
        client.force_login(users.field_a)
        tomorrow = (today() + dt.timedelta(days=1)).isoformat()
        response = client.post(self.url(woman_a), visit_data(visited_on=tomorrow, next=WORKLIST))
        assert response.status_code == 200
        html = response.content.decode()
        assert "日期不能晚于今天" in html
        assert f'value="{tomorrow}"' in html
        assert 'value="想了解上环"' in html  # what was typed is kept
        assert f'name="next" value="{WORKLIST}"' in html
        assert not FollowUpVisit.objects.exists()

    def test_missing_and_wrong_choices(self, client, users, woman_a):
        client.force_login(users.field_a)
        english(client)
        response = client.post(
            self.url(woman_a), visit_data(visited_on="", way="", satisfaction="x")
        )
        errors = response.context["form"].errors
        assert errors["visited_on"] == ["Give the date of the visit."]
        assert errors["way"] == ["Choose how the visit was made."]
        assert "satisfaction" in errors
        assert not FollowUpVisit.objects.exists()

    def test_date_before_birth_is_refused_by_the_service(self, client, users, woman_a):
        client.force_login(users.field_a)
        english(client)
        response = client.post(self.url(woman_a), visit_data(visited_on="1980-01-01"))
        assert response.context["form"].errors["visited_on"] == [
            "The date is before the person's birth."
        ]


# --------------------------------------------------------------------------- method form


class TestMethodForm:
    def url(self, person) -> str:
        return reverse("services:method_create", args=[person.pk])

    def test_records_the_method_with_informed_choice(self, client, users, woman_a):
        client.force_login(users.field_a)
        assert client.get(self.url(woman_a)).status_code == 200
        response = client.post(self.url(woman_a), method_data())
        assert response.status_code == 302
        assert response["Location"] == reverse("services:person", args=[woman_a.pk])
        record = ContraceptionRecord.objects.filter(person=woman_a).latest("started_on", "id")
        assert record.method == "iud" and record.started_on == today()
        assert record.options_offered == ["iud", "implant", "condom"]
        assert record.explained_by == "褚海燕" and record.informed
        assert (record.told_other_methods, record.told_side_effects, record.told_what_to_do) == (
            True,
            True,
            False,
        )
        assert not record.mii_complete
        assert record.recorded_by == users.field_a
        previous = ContraceptionRecord.objects.get(person=woman_a, method="pill")
        assert previous.ended_on == today()

    def test_mii_answers_are_required(self, client, users, woman_a):
        client.force_login(users.field_a)
        english(client)
        data = method_data()
        for name in ("told_other_methods", "told_side_effects", "told_what_to_do"):
            data.pop(name)
        response = client.post(self.url(woman_a), data)
        assert response.status_code == 200
        errors = response.context["form"].errors
        for name in ("told_other_methods", "told_side_effects", "told_what_to_do"):
            assert errors[name] == ["Answer yes or no."]
        html = response.content.decode()
        assert 'value="implant" autocomplete="off" checked' in html  # the offers are kept
        assert ContraceptionRecord.objects.filter(person=woman_a).count() == 1

    def test_same_method_again_is_refused_on_the_method(self, client, users, woman_a):
        client.force_login(users.field_a)
        english(client)
        response = client.post(self.url(woman_a), method_data(method="pill"))
        assert response.context["form"].errors["method"] == ["The person already uses this method."]

    def test_start_before_the_current_method_in_chinese(self, client, users, woman_a):
        client.force_login(users.field_a)
        old = (today() - dt.timedelta(days=500)).isoformat()
        response = client.post(self.url(woman_a), method_data(started_on=old))
        assert response.status_code == 200
        assert "started_on" in response.context["form"].errors
        assert f'value="{old}"' in response.content.decode()

    def test_unknown_method_and_offer(self, client, users, woman_a):
        client.force_login(users.field_a)
        response = client.post(
            self.url(woman_a), method_data(method="magic", options_offered=["x"])
        )
        errors = response.context["form"].errors
        assert "method" in errors and "options_offered" in errors


# --------------------------------------------------------------------------- voiding


class TestVoid:
    def test_office_voids_the_latest_method(self, client, users, woman_a):
        followup.method_start(
            actor=None, person=woman_a, method="condom", started_on=today(), reason="preference"
        )
        latest = ContraceptionRecord.objects.get(person=woman_a, method="condom")
        client.force_login(users.office)
        response = client.post(
            reverse("services:method_void", args=[latest.pk]), {"reason": "录入错误"}
        )
        assert response["Location"] == reverse("services:person", args=[woman_a.pk])
        latest.refresh_from_db()
        assert latest.voided and latest.void_reason == "录入错误"
        assert ContraceptionRecord.objects.get(person=woman_a, method="pill").ended_on is None

    def test_an_earlier_method_cannot_be_voided(self, client, users, woman_a):
        followup.method_start(
            actor=None, person=woman_a, method="condom", started_on=today(), reason="preference"
        )
        pill = ContraceptionRecord.objects.get(person=woman_a, method="pill")
        client.force_login(users.office)
        english(client)
        response = client.post(
            reverse("services:method_void", args=[pill.pk]), {"reason": "x"}, follow=True
        )
        messages = [str(m) for m in response.context["messages"]]
        assert "Only the latest method record can be voided." in messages
        pill.refresh_from_db()
        assert not pill.voided

    def test_void_needs_a_reason(self, client, users, woman_a):
        visit = followup.visit_record(actor=None, person=woman_a, visited_on=today(), way="phone")
        client.force_login(users.office)
        english(client)
        response = client.post(
            reverse("services:visit_void", args=[visit.pk]), {"reason": "  "}, follow=True
        )
        assert "Say why the record is voided." in [str(m) for m in response.context["messages"]]
        visit.refresh_from_db()
        assert not visit.voided

    def test_voiding_a_visit_reopens_the_item(self, client, users, woman_a):
        open_before = len(open_due(woman_a))
        visit = followup.visit_record(actor=None, person=woman_a, visited_on=today(), way="phone")
        assert open_due(woman_a) == []  # one visit clears all she had open (item 22)
        client.force_login(users.office)
        response = client.post(reverse("services:visit_void", args=[visit.pk]), {"reason": "重复"})
        assert response.status_code == 302
        visit.refresh_from_db()
        assert visit.voided and visit.voided_by == users.office
        assert len(open_due(woman_a)) == open_before


@pytest.mark.parametrize("name", ["worklist", "person"])
def test_pages_offer_english(client, users, woman_a, name):
    client.force_login(users.office)
    english(client)
    url = WORKLIST if name == "worklist" else reverse("services:person", args=[woman_a.pk])
    html = client.get(url).content.decode()
    assert "Worklist" in html


def test_worklist_queries_do_not_grow_with_the_items(client, users, tree, woman_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.services.fixtures_pages import on_pill

    client.force_login(users.field_a)
    with CaptureQueriesContext(connection) as few:
        client.get(WORKLIST)
    on_pill(tree.village_a, "赵敏", 3)
    on_pill(tree.village_a, "钱红", 4)
    with CaptureQueriesContext(connection) as more:
        response = client.get(WORKLIST)
    assert next(g.count for g in response.context["work"].groups if g.kind == "due") == 3
    assert len(more) == len(few)


def test_the_information_card_shows_the_method_history(client, users, woman_a):
    from jisheng.services import followup as writes

    writes.method_start(
        actor=None,
        person=woman_a,
        method="iud",
        started_on=today(),
        provider="乡镇计生服务站",
        explained_by="褚海燕",
        options_offered=["iud", "pill"],
        told_other_methods=True,
        told_side_effects=True,
        told_what_to_do=True,
    )
    client.force_login(users.field_a)
    html = client.get(reverse("people:person_detail", args=[woman_a.pk])).content.decode()
    assert 'data-testid="method-history"' in html and "上环" in html and "褚海燕 ✓" in html
    assert reverse("services:person", args=[woman_a.pk]) in html
    printed = client.get(reverse("people:person_card_print", args=[woman_a.pk])).content.decode()
    assert "乡镇计生服务站" in printed and "上环" in printed
