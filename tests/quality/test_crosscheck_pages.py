"""Cross-checks (五关): resolution by the responsible unit (audited), the worklist item,
the pages (scoped, paginated) and the API ``/api/v1/quality/lists`` — scope: another
unit's list or record is denied (404) and audited."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from jisheng.core.models import AuditEvent
from jisheng.people.family import birth_record
from jisheng.quality import services_crosscheck as services
from jisheng.quality.models import CrossCheckList, CrossCheckRow, Outcome
from jisheng.services import selectors as work
from tests import factories
from tests.quality.crosscheck_data import (
    HOSPITAL_HEADERS,
    HUKOU_HEADERS,
    build,
    csv_bytes,
    hukou_rows,
)

D = datetime.date


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def checked(tree, make_person):
    ns = build(tree, make_person)
    ns.list = services.list_import(
        actor=None,
        source="hukou_births",
        unit=tree.town,
        first=D(2026, 1, 1),
        last=D(2026, 3, 31),
        data=csv_bytes(HUKOU_HEADERS, hukou_rows(tree, ns)),
        filename="户籍申报.csv",
    )
    rows = {r.row_number: r for r in CrossCheckRow.objects.filter(checklist=ns.list)}
    ns.missing, ns.contradicting, ns.unit_row = rows[5], rows[3], rows[6]
    ns.unlisted = CrossCheckRow.objects.filter(
        checklist=ns.list, outcome=Outcome.UNLISTED, record=f"people.birth:{ns.b_unlisted.pk}"
    ).get()
    return ns


# ------------------------------------------------------------------ resolution


def test_resolutions_are_checked_recorded_and_audited(checked, users, tree):
    with pytest.raises(ValidationError) as caught:
        services.row_resolve(actor=users.town_office, row=checked.missing, resolution="explained")
    assert "note" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.row_resolve(actor=users.town_office, row=checked.missing, resolution="nonsense")
    assert "resolution" in caught.value.message_dict
    # "registered now" is refused while the registry has no such birth …
    with pytest.raises(ValidationError) as caught:
        services.row_resolve(actor=users.town_office, row=checked.missing, resolution="registered")
    assert "register it first" in " ".join(caught.value.messages)
    # … and links the birth once it is registered
    zhao = factories.person(tree.town, name="赵云", birth_date=D(1995, 1, 1), seq=900)
    birth = birth_record(
        actor=None,
        mother=zhao,
        date=D(2026, 3, 15),
        sex="F",
        child_name="赵小云",
        register_child=False,
    )
    row = services.row_resolve(
        actor=users.town_office, row=checked.missing, resolution="registered", note="已补录"
    )
    assert (
        row.resolved_record == f"people.birth:{birth.pk}" and row.resolved_by == users.town_office
    )
    assert row.resolved_at is not None and not row.is_open
    event = AuditEvent.objects.get(object_type="quality.crosscheckrow", object_id=str(row.pk))
    assert event.changes["resolution"] == ["", "registered"]
    # resolved once only
    with pytest.raises(ValidationError) as caught:
        services.row_resolve(actor=users.town_office, row=row, resolution="false_match")
    assert "resolved already" in " ".join(caught.value.messages)
    # a matched row needs none
    matched = CrossCheckRow.objects.get(checklist=checked.list, row_number=2)
    with pytest.raises(ValidationError):
        services.row_resolve(actor=users.office, row=matched, resolution="explained", note="x")
    # an unlisted registry birth cannot be "registered now"
    with pytest.raises(ValidationError):
        services.row_resolve(actor=users.office, row=checked.unlisted, resolution="registered")
    row = services.row_resolve(actor=users.field_b, row=checked.unlisted, resolution="false_match")
    assert row.resolution == "false_match"


def test_only_the_responsible_unit_or_above_resolves(checked, users):
    # 李朵朵's contradicting row belongs to village A (the matched birth's unit)
    assert checked.contradicting.unit.code == checked.li.unit.code
    with pytest.raises(PermissionDenied):
        services.row_resolve(
            actor=users.field_b, row=checked.contradicting, resolution="explained", note="x"
        )
    assert AuditEvent.objects.filter(action="denied", username="field_b").exists()
    row = services.row_resolve(
        actor=users.field_a,
        row=checked.contradicting,
        resolution="explained",
        note="出生医学证明日期有误，以户籍为准",
    )
    assert row.resolution == "explained"


# ------------------------------------------------------------------ the worklist


def test_open_records_are_on_the_responsible_units_worklist(checked, users):
    today = D(2026, 4, 10)
    group = {g.kind: g for g in work.worklist(users.field_a, today=today).groups}["crosscheck"]
    # village A: 李朵朵 (contradicting) and the twin of A (unlisted); 周一's row belongs to
    # the birth's unit, village A, too
    assert group.count == 3
    names = sorted(item.person_name for item in group.items)
    assert "李朵朵" in names
    assert all("flagged for checking" in item.what for item in group.items)
    assert all("conceal" not in item.what.lower() for item in group.items)
    item = next(i for i in group.items if i.person_name == "李朵朵")
    assert item.url == reverse("quality:crosscheck_row", args=[checked.contradicting.pk])
    services.row_resolve(
        actor=users.field_a, row=checked.contradicting, resolution="explained", note="x"
    )
    group = {g.kind: g for g in work.worklist(users.field_a, today=today).groups}["crosscheck"]
    assert group.count == 2
    town = {g.kind: g for g in work.worklist(users.town_office, today=today).groups}
    # the town: its own missing row, the twin of B and 孙小悦 of B, and village A's two
    assert town["crosscheck"].count == 5
    leader = [g.kind for g in work.worklist(users.leader, today=today).groups]
    assert "crosscheck" not in leader  # leaders view, they do not resolve


# ------------------------------------------------------------------ pages


def test_pages_for_the_office(client, checked, users, tree):
    client.cookies["django_language"] = "en"
    client.force_login(users.town_office)
    page = client.get(reverse("quality:crosscheck_lists")).content.decode()
    assert reverse("quality:crosscheck_list", args=[checked.list.pk]) in page
    url = reverse("quality:crosscheck_list", args=[checked.list.pk])
    page = client.get(url, {"outcome": "missing"}).content.decode()
    assert 'data-outcome="missing"' in page and "赵小云" in page and "李朵朵" not in page
    assert "李朵朵" in client.get(url, {"open": "1", "q": "李"}).content.decode()
    row_url = reverse("quality:crosscheck_row", args=[checked.contradicting.pk])
    page = client.get(row_url).content.decode()
    assert f'data-record="people.birth:{checked.b_id_other.pk}"' in page  # side by side
    bad = client.post(row_url, {"resolution": "explained"})
    assert bad.status_code == 200 and "explains the difference" in bad.content.decode()
    done = client.post(row_url, {"resolution": "explained", "note": "以户籍为准"})
    assert done.status_code == 302
    assert "以户籍为准" in client.get(row_url).content.decode()
    # the import page: a wrong file is refused with its message, a good one is imported
    imp = reverse("quality:crosscheck_import")
    assert client.get(imp).status_code == 200
    bad = client.post(
        imp,
        {
            "source": "hospital_births",
            "first": "2026-01-01",
            "last": "2026-03-31",
            "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4"),
        },
    )
    assert bad.status_code == 200 and "not .pdf files" in bad.content.decode()
    good = client.post(
        imp,
        {
            "source": "hospital_births",
            "unit": tree.town.code,
            "first": "2026-01-01",
            "last": "2026-03-31",
            "file": SimpleUploadedFile(
                "h.csv", csv_bytes(HOSPITAL_HEADERS, [["Q1", "", "男", "2026-01-10", "王兰", ""]])
            ),
        },
    )
    assert good.status_code == 302
    assert CrossCheckList.objects.filter(source="hospital_births", unit=tree.town).exists()
    # the mapping page
    mapping = reverse("quality:crosscheck_mapping", args=["marriages"])
    assert "男方姓名" in client.get(mapping).content.decode()
    assert client.get(reverse("quality:crosscheck_mapping", args=["lottery"])).status_code == 404
    rematch = reverse("quality:crosscheck_rematch", args=[checked.list.pk])
    assert client.post(rematch).status_code == 302


def test_pages_in_chinese_say_flagged_for_checking(client, checked, users):
    client.force_login(users.office)
    with translation.override("zh-hans"):
        client.cookies["django_language"] = "zh-hans"
        page = client.get(reverse("quality:crosscheck_row", args=[checked.missing.pk]))
        text = page.content.decode()
    assert "待核实" in text and "瞒报" not in text
    assert "库中缺少" in text


def test_scope_and_roles_on_the_pages(client, checked, users):
    client.cookies["django_language"] = "en"
    list_url = reverse("quality:crosscheck_list", args=[checked.list.pk])
    row_url = reverse("quality:crosscheck_row", args=[checked.contradicting.pk])
    client.force_login(users.field_b)  # village B: not the town's list, not A's record
    assert client.get(list_url).status_code == 404
    assert client.get(row_url).status_code == 404
    assert client.post(row_url, {"resolution": "false_match"}).status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="field_b").count() == 3
    assert client.get(reverse("quality:crosscheck_import")).status_code == 403
    client.force_login(users.field_a)  # A's record, through the worklist
    assert client.get(row_url).status_code == 200
    client.force_login(users.leader)
    assert client.get(list_url).status_code == 200
    assert client.post(row_url, {"resolution": "false_match"}).status_code == 403
    assert client.get(reverse("quality:crosscheck_import")).status_code == 403
    client.force_login(users.auditor)
    assert client.get(reverse("quality:crosscheck_lists")).status_code == 403


# ------------------------------------------------------------------ the API


def test_the_api(api, checked, users):
    office = api("office")
    lists = office.get("/quality/lists")
    assert lists.status_code == 200
    item = lists.json()["items"][0]
    assert item["id"] == checked.list.pk and item["counts"]["missing"] == 1
    assert item["unit"] == checked.list.unit.code and item["total"] == 5
    results = office.get(f"/quality/lists/{checked.list.pk}/results", outcome="contradicting")
    assert results.status_code == 200
    rows = results.json()["items"]
    assert [r["row"] for r in rows] == [3, 6]
    assert rows[0]["differences"] == ["date", "sex"]
    assert office.get(f"/quality/lists/{checked.list.pk}/results", outcome="x").status_code == 422
    assert office.get("/quality/lists", source="lottery").status_code == 422
    # another unit's list: 404 as a missing one, audited
    field_b = api("field_b")
    assert field_b.get(f"/quality/lists/{checked.list.pk}/results").status_code == 404
    assert field_b.get("/quality/lists").json()["items"] == []
    assert AuditEvent.objects.filter(action="denied", username="field_b").exists()
    assert api("auditor").get("/quality/lists").status_code == 403
    assert api(None).get("/quality/lists").status_code == 401


def test_choosing_one_of_two_candidates_on_the_page(client, checked, users, tree):
    client.cookies["django_language"] = "en"
    checklist = services.list_import(
        actor=None,
        source="hospital_births",
        unit=tree.town,
        first=D(2026, 3, 1),
        last=D(2026, 3, 31),
        data=csv_bytes(HOSPITAL_HEADERS, [["Q1", "", "男", "2026-03-03", "张敏", ""]]),
        filename="医院.csv",
    )
    row = CrossCheckRow.objects.get(checklist=checklist, row_number=2)
    assert row.outcome == Outcome.AMBIGUOUS
    client.force_login(users.town_office)
    url = reverse("quality:crosscheck_row", args=[row.pk])
    page = client.get(url).content.decode()
    twin_a, twin_b = f"people.birth:{checked.b_twin_a.pk}", f"people.birth:{checked.b_twin_b.pk}"
    assert f'data-record="{twin_a}"' in page and f'data-record="{twin_b}"' in page
    bad = client.post(url, {"resolution": "chosen", "record": ""})
    assert bad.status_code == 200 and "Choose one of the candidates" in bad.content.decode()
    assert client.post(url, {"resolution": "chosen", "record": twin_b}).status_code == 302
    row.refresh_from_db()
    assert (row.outcome, row.record, row.person_id) == (
        Outcome.MATCHED,
        twin_b,
        checked.zhang_b.pk,
    )
