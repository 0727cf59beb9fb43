"""The user's pass over the reporting pages (issue 15 / ui): no form key or ISO date on a
Chinese page, and the reason of a late birth next to the BIRTH events the report counts."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from jisheng.people import family
from jisheng.reporting import adjustments
from jisheng.reporting import services_submission as svc
from jisheng.reporting.models import Submission

D = datetime.date
KEY = "info_report"  # the SHIPPED form: the registry keeps its shipped forms here
REASON = "外地分娩，返乡后补报"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def approved_january(tree):
    """Village A's 信息报告单汇总表 of January 2026, approved (the period is closed)."""
    period = svc.period_get(svc.spec_get(KEY), "2026-01")
    sub = svc.start(actor=None, unit=tree.village_a, form_key=KEY, period=period)
    svc.submit(actor=None, submission=sub)
    svc.approve(actor=None, submission=sub)
    return sub


def test_cn_dates():
    assert adjustments.cn_dates("2026-03-05 死亡") == "2026年3月5日 死亡"
    assert adjustments.cn_dates("编号 12026-03-05X") == "编号 12026-03-05X"


def test_submission_is_named_by_form_title_and_period(approved_january):
    assert str(approved_january) == "甲村 · 计划生育信息报告单汇总表 · 2026年1月"


def test_late_list_names_the_closed_period_by_form_title(approved_january, users, tree):
    page = _client(users.office).get(reverse("reporting:late_list"), {"unit": tree.village_a.code})
    html = page.content.decode()
    closed = html.split('data-testid="closed-periods"')[1].split("</section>")[0]
    assert "计划生育信息报告单汇总表 · 2026年1月" in closed
    assert KEY not in closed and "2026-01" not in closed
    assert closed.count("甲村") == 1  # named once, not again in the label


def test_late_birth_reason_shows_on_its_events(approved_january, users, tree, make_person):
    """The late entry names the birth; the form counts the mother's BIRTH event: the
    reason is found by the event's unit and date."""
    mother = make_person(unit=tree.village_a, name="李娟")
    family.birth_record(
        actor=None,
        mother=mother,
        date=D(2026, 1, 25),
        sex="M",
        register_child=False,
        late_reason=REASON,
    )
    url = reverse("reporting:submission", args=[KEY, "2026-02", tree.village_a.code])
    html = _client(users.field_a).get(url).content.decode()
    box = html.split('data-testid="adjustments"')[1]
    assert "2026年1月" in box and "+1" in box and REASON in box
    assert "people.lifeevent" not in box
    jan = _client(users.field_a).get(
        reverse("reporting:submission", args=[KEY, "2026-01", tree.village_a.code])
    )
    changed = jan.content.decode().split('data-testid="changed-since-approval"')[1]
    assert REASON in changed
    assert Submission.objects.get(pk=approved_january.pk).status == "approved"


def test_records_of_a_cell_show_dates_in_chinese(users, tree, make_person):
    mother = make_person(unit=tree.village_a, name="王芳")
    family.birth_record(
        actor=None, mother=mother, date=D(2026, 3, 5), sex="F", register_child=False
    )
    url = reverse("reporting:form_records", args=[KEY])
    page = _client(users.office).get(
        url, {"unit": tree.county.code, "period": "2026-03", "column": "birth", "row": "total"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    records = html.split('data-testid="record-list"')[1]
    assert "2026年3月5日" in records and "2026-03-05" not in records


def test_submission_list_is_cards_on_the_phone(approved_january, users):
    html = _client(users.field_a).get(reverse("reporting:submission_list")).content.decode()
    for testid in ("own-reports", "submission-list"):
        table = html.split(f'data-testid="{testid}"')[0].rsplit("<table", 1)[1]
        assert "table-cards" in table
    own = html.split('data-testid="own-reports"')[1].split("</table>")[0]
    assert ">打开</a>" in own and "办理中" not in own  # a button, not the status "open"
    rows = html.split('data-testid="submission-list"')[1]
    assert 'data-label="状态"' in rows and "计划生育信息报告单汇总表" in rows


def test_form_list_is_cards_on_the_phone(db, users):
    html = _client(users.office).get(reverse("reporting:forms")).content.decode()
    table = html.split('data-testid="form-list"')[0].rsplit("<table", 1)[1]
    assert "table-cards" in table and 'data-label="频次"' in html


def test_submission_figures_have_the_group_header(approved_january, users, tree):
    """男 女 男 女 … alone say nothing: the frozen figures carry the form's group row."""
    url = reverse("reporting:submission", args=[KEY, "2026-01", tree.village_a.code])
    html = _client(users.field_a).get(url).content.decode()
    head = html.split('data-testid="figures"')[1].split("</thead>")[0]
    assert 'colspan="3">婚育节育</th>' in head and 'colspan="5">人口变动</th>' in head
    assert 'rowspan="2">单位</th>' in head and 'rowspan="2">合计</th>' in head


def test_record_text_in_words_and_person_links_only_in_scope(users, tree, make_person):
    from jisheng.reporting.views_statforms import _describe
    from jisheng.services.models import ContraceptionRecord

    here = make_person(unit=tree.village_a, name="田静")
    there = make_person(unit=tree.village_b, name="周丽")
    mine = ContraceptionRecord.objects.create(
        person=here, unit=tree.village_a, method="female_sterilisation", started_on=D(2026, 3, 5)
    )
    other = ContraceptionRecord.objects.create(
        person=there, unit=tree.village_b, method="iud", started_on=D(2026, 3, 6)
    )
    refs = [f"services.contraceptionrecord:{mine.pk}", f"services.contraceptionrecord:{other.pk}"]
    rows = _describe(refs, users.field_a)
    assert "女" in rows[0]["text"] and "female_sterilisation" not in rows[0]["text"]
    assert str(mine.person_id) not in rows[0]["text"].split(" · ")
    assert rows[0]["person_id"] == here.pk
    assert rows[1]["person"] == "周丽" and rows[1]["person_id"] is None  # not field_a's
    assert _describe(refs, users.office)[1]["person_id"] == there.pk


def test_late_entry_links_only_to_pages_the_role_may_open(users, tree, make_person):
    """The auditor reads the late entries but not the contraception pages: no link (a
    403 on click); the field worker gets the link."""
    from django.db import transaction

    from jisheng.core import locks
    from jisheng.reporting.selectors_late import with_links
    from jisheng.services.models import ContraceptionRecord

    locks.close(
        unit=tree.village_a, first=D(2026, 1, 1), last=D(2026, 1, 31), source=tree.town, actor=None
    )
    woman = make_person(unit=tree.village_a, name="田静")
    with transaction.atomic():
        entry = locks.require_open(unit=tree.village_a, day=D(2026, 1, 9), reason="漏录补报")
        record = ContraceptionRecord.objects.create(
            person=woman, unit=tree.village_a, method="iud", started_on=D(2026, 1, 9)
        )
        locks.attach(entry, record)
    assert not users.auditor.has_perm("services.view_contraceptionrecord")
    assert with_links([entry], users.auditor)[0].url == ""
    assert with_links([entry], users.field_a)[0].url == reverse("services:person", args=[woman.pk])
    html = _client(users.auditor).get(reverse("reporting:late_list")).content.decode()
    assert "漏录补报" in html and reverse("services:person", args=[woman.pk]) not in html


def test_reconciliation_without_a_year_end_report_says_what_comes(users, tree):
    page = _client(users.office).get(
        reverse("reporting:reconciliation"), {"unit": tree.county.code, "year": "2025"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "年末报表审核通过后，本页逐条对比报表与人口信息库" in html
