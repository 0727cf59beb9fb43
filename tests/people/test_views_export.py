"""Excel exports of the household, birth, pregnancy and transfer lists: permissions,
Chinese headers, the list's filters honoured, the data scope, masked ID and phone
numbers, the audit row (filters and count), the row cap."""

from __future__ import annotations

import datetime
import io
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jisheng.core.models import AuditEvent
from jisheng.orgs.middleware import SESSION_KEY
from jisheng.people import family, services, transfers, views_export
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = timezone.localdate()

# (list url name, export url name, headers)
LISTS = [
    ("people:household_list", "people:household_export", views_export.HOUSEHOLD_HEADERS),
    ("people:birth_list", "people:birth_export", views_export.BIRTH_HEADERS),
    ("people:pregnancy_list", "people:pregnancy_export", views_export.PREGNANCY_HEADERS),
    ("people:transfer_list", "people:transfer_export", views_export.TRANSFER_HEADERS),
]
EXPORTS = [export for _list, export, _headers in LISTS]


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def _family(unit, tag: str, seq: int, phone: str = ""):
    wife = factories.person(
        unit, f"{tag}芳", "F", D(1988, 1, 1), seq=seq, registered_on=D(2005, 1, 1), phone=phone
    )
    husband = factories.person(
        unit, f"{tag}强", "M", D(1986, 1, 1), seq=seq + 1, registered_on=D(2005, 1, 1)
    )
    lone = factories.person(
        unit, f"{tag}丽", "F", D(1990, 1, 1), seq=seq + 2, registered_on=D(2005, 1, 1)
    )
    household = family.household_create(
        actor=None, unit=unit, number=f"{tag}-1", address=f"{tag}村1号", head=husband
    )
    family.household_add_member(actor=None, household=household, person=wife, relation="spouse")
    family.couple_create(actor=None, married_on=D(2010, 1, 1), wife=wife, husband=husband)
    family.couple_create(
        actor=None,
        married_on=D(2012, 1, 1),
        wife=lone,
        outside={
            "name": f"{tag}外",
            "id_number": factories.id_number(D(1985, 5, 5), "M", seq + 3),
            "work_unit": "外地工厂",
        },
    )
    births = [
        family.birth_record(
            actor=None, mother=wife, date=D(2012, 5, 1), sex="F", child_name=f"{tag}大"
        ),
        family.birth_record(
            actor=None, mother=wife, date=D(2016, 7, 1), sex="M", child_name=f"{tag}二"
        ),
        family.birth_record(
            actor=None, mother=lone, date=D(2016, 3, 1), sex="M", child_name=f"{tag}小"
        ),
    ]
    ongoing = family.pregnancy_register(
        actor=None, woman=wife, registered_on=TODAY - datetime.timedelta(days=30)
    )
    closed = family.pregnancy_register(actor=None, woman=lone, registered_on=D(2015, 8, 1))
    family.pregnancy_close(
        actor=None,
        pregnancy=closed,
        outcome="live_birth",
        outcome_on=D(2016, 3, 1),
        birth=births[2],
    )
    retire = services.event_record(
        actor=None, person=husband, kind="retirement", date=D(2025, 3, 1), data={"to": "县社保局"}
    )
    leave = services.event_record(
        actor=None, person=lone, kind="leave_employment", date=D(2025, 2, 1), data={"to": "外县"}
    )
    transfers.transfer_complete(
        actor=None,
        transfer=leave.transfer,
        completed_on=D(2025, 2, 10),
        records_handed="信息卡",
    )
    return SimpleNamespace(
        wife=wife,
        husband=husband,
        lone=lone,
        household=household,
        births=births,
        ongoing=ongoing,
        closed=closed,
        retire=retire.transfer,
        leave=leave.transfer,
    )


@pytest.fixture
def fam(tree):
    return SimpleNamespace(
        a=_family(tree.village_a, "甲", 10, phone="13812345678"),
        c=_family(tree.community, "丙", 30),
    )


def rows_of(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def as_dicts(response) -> list[dict]:
    rows = rows_of(response)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def exports():
    return AuditEvent.objects.filter(action="export")


def masked(number: str) -> str:
    return number[:6] + "*" * 12


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize("export", EXPORTS)
def test_anonymous_goes_to_login(client, tree, export):
    response = client.get(reverse(export))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("export", EXPORTS)
def test_export_needs_the_export_permission(client, users, fam, export):
    client.force_login(users.field_a)  # may see the lists, may not export
    assert client.get(reverse(export)).status_code == 403
    client.force_login(users.auditor)  # may not even see them
    assert client.get(reverse(export)).status_code == 403
    assert not exports().exists()


@pytest.mark.parametrize(("list_name", "export", "_headers"), LISTS)
def test_the_button_is_offered_only_to_those_allowed(
    client, users, fam, list_name, export, _headers
):
    client.force_login(users.field_a)
    html = client.get(reverse(list_name)).content.decode()
    assert reverse(export) not in html
    assert 'disabled title="' not in html  # not even a greyed-out button
    client.force_login(users.office)
    html = client.get(reverse(list_name), {"q": "甲"}).content.decode()
    assert reverse(export) in html
    if list_name != "people:transfer_list":
        assert f'href="{reverse(export)}?q={quote("甲")}"' in html


@pytest.mark.parametrize(("_list", "export", "headers"), LISTS)
def test_chinese_headers_masked_ids_and_an_audit_row(client, users, fam, _list, export, headers):
    client.force_login(users.office)  # Chinese by default
    response = client.get(reverse(export), {"status": "all"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0] == headers
    assert len(rows) > 1
    text = repr(rows)
    for seq, person in enumerate((fam.a.wife, fam.a.husband, fam.a.lone), start=10):
        assert factories.id_number(person.birth_date, person.sex, seq) not in text
    assert "13812345678" not in text
    event = exports().get()
    assert event.user == users.office
    assert event.changes["rows"] == len(rows) - 1
    assert isinstance(event.changes["filters"], dict)


# --------------------------------------------------------------------------- households


def test_household_export_with_its_filter(english, users, fam, tree):
    client = english
    client.force_login(users.office)
    response = client.get(reverse("people:household_export"), {"q": "甲"})
    (row,) = as_dicts(response)
    number = factories.id_number(D(1986, 1, 1), "M", 11)
    assert row == {
        "户编号": "甲-1",
        "地址": "甲村1号",
        "户主": "甲强",
        "户主公民身份号码": masked(number),
        "户主联系电话": None,
        "现有成员数": 2,
        "所属单位": "甲村",
        "单位代码": tree.village_a.code,
    }
    event = exports().get()
    assert event.changes == {"filters": {"q": "甲"}, "rows": 1}
    assert event.object_scope_path == users.office.unit.path


def test_household_export_is_scoped(english, users, fam):
    client = english
    client.force_login(users.town_office)  # 东城镇: village A, not the community
    rows = as_dicts(client.get(reverse("people:household_export")))
    assert [r["户编号"] for r in rows] == ["甲-1"]
    assert exports().get().object_scope_path == users.town_office.unit.path


# --------------------------------------------------------------------------- births


def test_birth_export_rows(english, users, fam, tree):
    client = english
    client.force_login(users.town_office)
    rows = as_dicts(client.get(reverse("people:birth_export")))
    assert [(r["孩子姓名"], r["孩次"]) for r in rows] == [("甲二", 2), ("甲小", 1), ("甲大", 1)]
    second = rows[0]
    assert second["出生日期"] == datetime.datetime(2016, 7, 1)
    assert second["性别"] == "Male"
    assert second["母亲姓名"] == "甲芳"
    assert second["母亲公民身份号码"] == masked(factories.id_number(D(1988, 1, 1), "F", 10))
    assert second["父亲姓名"] == "甲强"
    assert second["父亲公民身份号码"] == masked(factories.id_number(D(1986, 1, 1), "M", 11))
    assert second["政策内(统计)"] == "是"
    assert second["单位代码"] == tree.village_a.code
    # the father of 甲小 is the outside husband of the couple
    outside = rows[1]
    assert outside["父亲姓名"] == "甲外"
    assert outside["父亲公民身份号码"] == masked(factories.id_number(D(1985, 5, 5), "M", 13))


@pytest.mark.parametrize(
    ("params", "children", "filters"),
    [
        ({"year": "2012"}, ["甲大", "丙大"], {"year": 2012}),
        ({"q": "甲芳"}, ["甲二", "甲大"], {"q": "甲芳"}),
        ({"q": "丙", "year": "2016"}, ["丙二", "丙小"], {"q": "丙", "year": 2016}),
        ({"policy": "0"}, [], {"within_policy": False}),
        ({"policy": "1", "year": "1999"}, [], {"within_policy": True, "year": 1999}),
        ({"year": "abcd"}, None, {}),  # an invalid year is ignored, as on the page
    ],
)
def test_birth_export_honours_the_filters(english, users, fam, params, children, filters):
    client = english
    client.force_login(users.office)
    page = client.get(reverse("people:birth_list"), params)
    listed = [b.child_name for b in page.context["table"].data]
    rows = as_dicts(client.get(reverse("people:birth_export"), params))
    exported = [r["孩子姓名"] for r in rows]
    assert exported == listed
    if children is not None:
        assert sorted(exported) == sorted(children)
    assert exports().get().changes == {"filters": filters, "rows": len(rows)}


def test_birth_search_by_id_number_is_masked_in_the_audit_log(english, users, fam):
    client = english
    number = factories.id_number(D(1988, 1, 1), "F", 10)
    client.force_login(users.office)
    client.get(reverse("people:birth_export"), {"q": number})
    event = exports().get()
    assert event.changes["filters"]["q"] == masked(number)
    assert number not in repr(event.changes)


# --------------------------------------------------------------------------- pregnancies


@pytest.mark.parametrize(
    ("status", "women", "outcomes"),
    [
        (None, ["甲芳"], ["Ongoing"]),
        ("ongoing", ["甲芳"], ["Ongoing"]),
        ("closed", ["甲丽"], ["Live birth"]),
        ("all", ["甲芳", "甲丽"], None),
    ],
)
def test_pregnancy_export_honours_the_status(english, users, fam, status, women, outcomes):
    client = english
    client.force_login(users.town_office)
    params = {"status": status} if status else {}
    rows = as_dicts(client.get(reverse("people:pregnancy_export"), params))
    assert sorted(r["姓名"] for r in rows) == sorted(women)
    if outcomes is not None:
        assert [r["结果"] for r in rows] == outcomes
    assert exports().get().changes["filters"] == {"status": status or "ongoing"}


def test_pregnancy_export_masks_numbers(english, users, fam):
    client = english
    client.force_login(users.office)
    rows = as_dicts(client.get(reverse("people:pregnancy_export"), {"q": "甲芳"}))
    (row,) = rows
    assert row["公民身份号码"] == masked(factories.id_number(D(1988, 1, 1), "F", 10))
    assert row["联系电话"] == "138****5678"
    assert row["登记日期"].date() == TODAY - datetime.timedelta(days=30)
    assert exports().get().changes == {"filters": {"status": "ongoing", "q": "甲芳"}, "rows": 1}


# --------------------------------------------------------------------------- transfers


@pytest.mark.parametrize(
    ("status", "names"),
    [
        (None, ["甲强", "丙强"]),
        ("open", ["甲强", "丙强"]),
        ("completed", ["甲丽", "丙丽"]),
        ("all", ["甲强", "丙强", "甲丽", "丙丽"]),
    ],
)
def test_transfer_export_honours_the_status(english, users, fam, tree, status, names):
    client = english
    client.force_login(users.office)
    params = {"status": status} if status else {}
    page = client.get(reverse("people:transfer_list"), params)
    listed = [t.person.name for t in page.context["page"]]
    rows = as_dicts(client.get(reverse("people:transfer_export"), params))
    assert [r["姓名"] for r in rows] == listed
    assert sorted(listed) == sorted(names)
    assert exports().get().changes == {
        "filters": {"status": status or "open", "unit": tree.county.code},
        "rows": len(names),
    }


def test_transfer_export_rows(english, users, fam, tree):
    client = english
    client.force_login(users.town_office)
    rows = {
        r["姓名"]: r
        for r in as_dicts(client.get(reverse("people:transfer_export"), {"status": "all"}))
    }
    assert set(rows) == {"甲强", "甲丽"}
    done = rows["甲丽"]
    assert done["移交原因"] == "Leaving employment"
    assert done["状态"] == "Completed"
    assert done["已历天数"] == 9
    assert done["移交材料"] == "信息卡"
    assert done["移交证明编号"] == fam.a.leave.clearance_number
    assert done["接收单位或乡镇"] == "外县"
    assert done["公民身份号码"] == masked(factories.id_number(D(1990, 1, 1), "F", 12))
    still = rows["甲强"]
    assert still["状态"] == "Open"
    assert still["完成日期"] is None
    assert still["已历天数"] == (TODAY - D(2025, 3, 1)).days


def test_transfer_export_follows_the_working_unit(english, users, fam, tree):
    client = english
    client.force_login(users.office)
    session = client.session
    session[SESSION_KEY] = tree.street.pk
    session.save()
    rows = as_dicts(client.get(reverse("people:transfer_export"), {"status": "all"}))
    assert sorted(r["姓名"] for r in rows) == ["丙丽", "丙强"]
    event = exports().get()
    assert event.changes["filters"]["unit"] == tree.street.code
    assert event.object_scope_path == tree.street.path


def test_transfer_export_with_bad_filters_goes_back_to_the_list(english, users, fam):
    client = english
    client.force_login(users.office)
    response = client.get(
        reverse("people:transfer_export"), {"start": "2025-12-31", "end": "2025-01-01"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:transfer_list") + "?")
    assert "start=2025-12-31" in response["Location"]
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Correct the filters" in text
    assert not exports().exists()


# --------------------------------------------------------------------------- cap


@pytest.mark.parametrize(("list_name", "export", "_headers"), LISTS)
def test_above_the_cap_is_refused_with_a_message(
    english, users, fam, monkeypatch, list_name, export, _headers
):
    client = english
    monkeypatch.setattr(views_export, "EXPORT_MAX_ROWS", 1)
    client.force_login(users.office)
    response = client.get(reverse(export), {"status": "all"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(list_name) + "?")
    assert "status=all" in response["Location"]
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "at most 1" in text
    assert not exports().exists()
