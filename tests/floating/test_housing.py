"""Rental housing (issue 17): properties, landlords' agreements, tenants matched with the
registry or reported as arrivals, the imports (nothing half-imported), the pages, scope
and the worklist source of properties without an agreement — on hand-built data.

甲村 (village A): 李秀英, registered there (ID seq 1); 乙村 (village B): 王芳 (seq 2).
A property of village A let by 张建国, filed 60 days ago."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jisheng.core.choices import AuditAction
from jisheng.core.excel import SheetRow, workbook_bytes, write_workbook
from jisheng.core.models import AuditEvent
from jisheng.floating import selectors_housing, services_housing
from jisheng.floating.choices import ArrivalSource, ArrivalStatus
from jisheng.floating.models import Arrival, RentalProperty, Tenancy
from jisheng.floating.worklist_housing import collect_agreements
from tests import factories

TODAY = timezone.localdate()
D = dt.timedelta


def messages_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


@pytest.fixture
def prop(tree):
    return services_housing.property_file(
        actor=None,
        unit=tree.village_a,
        address="甲村幸福路8号",
        landlord_name="张建国",
        landlord_phone="13800000000",
        rooms=3,
        filed_on=TODAY - D(days=60),
    )


@pytest.fixture
def resident(make_person):
    return make_person(name="李秀英", seq=1)


@pytest.fixture
def elsewhere(tree, make_person):
    return make_person(tree.village_b, name="王芳", seq=2)


def rows(*dicts: dict[str, str]) -> list[SheetRow]:
    return [SheetRow(number=i, values=d) for i, d in enumerate(dicts, start=2)]


# --------------------------------------------------------------------------- properties


def test_a_property_is_filed_and_audited(prop, tree):
    assert prop.unit == tree.village_a and prop.is_active and prop.rooms == 3
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="floating.rentalproperty", object_id=str(prop.pk)
    ).exists()


def test_bad_property_fields_are_refused_in_chinese(tree):
    with pytest.raises(ValidationError) as exc:
        services_housing.property_file(
            actor=None,
            unit=tree.village_a,
            address=" ",
            landlord_name="",
            rooms=0,
            kind="castle",
            filed_on=TODAY + D(days=1),
        )
    errors = messages_of(exc)
    assert errors["address"] == ["请填写地址。"]
    assert errors["landlord_name"] == ["请填写房东姓名。"]
    assert errors["rooms"] == ["请填写出租间数（1至999）。"]
    assert errors["kind"] == ["请从列表中选择类型。"]
    assert errors["filed_on"] == ["日期不能晚于今天。"]


def test_another_units_property_is_refused_and_audited(users, tree):
    with pytest.raises(PermissionDenied):
        services_housing.property_file(
            actor=users.field_b,
            unit=tree.village_a,
            address="甲村某路1号",
            landlord_name="赵某",
            filed_on=TODAY,
        )
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, user=users.field_b).exists()
    assert not RentalProperty.objects.exists()


def test_a_property_with_a_tenant_cannot_be_closed(prop):
    tenancy = services_housing.tenancy_report(
        actor=None, property=prop, name="陈红", moved_in=TODAY - D(days=3)
    )
    with pytest.raises(ValidationError) as exc:
        services_housing.property_close(actor=None, property=prop)
    assert "仍有租户" in exc.value.messages[0]
    services_housing.tenancy_end(actor=None, tenancy=tenancy, moved_out=TODAY)
    closed = services_housing.property_close(actor=None, property=prop)
    assert closed.is_active is False


# --------------------------------------------------------------------------- agreements


def test_an_agreement_takes_the_packs_days_and_has_no_penalty(prop):
    agreement = services_housing.landlord_agreement_sign(
        actor=None, property=prop, signed_on=TODAY - D(days=10)
    )
    assert agreement.report_within_days == services_housing.landlord_report_days(prop.unit, TODAY)
    assert agreement.report_within_days == 3
    assert services_housing.agreement_in_force(prop, TODAY) == agreement
    with pytest.raises(ValidationError) as exc:
        services_housing.landlord_agreement_sign(
            actor=None, property=prop, signed_on=TODAY, valid_until=TODAY - D(days=1)
        )
    assert messages_of(exc)["valid_until"] == ["结束日期早于签订日期。"]


def test_the_worklist_lists_let_properties_without_an_agreement(prop, users):
    count, items = collect_agreements(users.field_a, unit=None, today=TODAY)
    assert count == 1
    assert items[0].date == prop.filed_on + D(days=30)
    assert items[0].late_days == 30
    assert items[0].url == reverse("floating:property_detail", args=[prop.pk])
    assert collect_agreements(users.field_b, unit=None, today=TODAY)[0] == 0
    services_housing.landlord_agreement_sign(actor=None, property=prop, signed_on=TODAY)
    assert collect_agreements(users.field_a, unit=None, today=TODAY)[0] == 0


# --------------------------------------------------------------------------- tenants


def test_a_tenant_registered_here_is_matched_without_an_arrival(prop, resident):
    number = factories.id_number(resident.birth_date, "F", 1)
    tenancy = services_housing.tenancy_report(
        actor=None, property=prop, name="李秀英", id_number=number, moved_in=TODAY - D(days=2)
    )
    assert tenancy.person == resident and tenancy.arrival is None
    assert tenancy.id_number_encrypted and number not in tenancy.id_number_encrypted
    assert not Arrival.objects.exists()


def test_a_tenant_not_registered_here_is_reported_as_an_arrival(prop, elsewhere):
    number = factories.id_number(elsewhere.birth_date, "F", 2)
    moved_in = TODAY - D(days=4)
    tenancy = services_housing.tenancy_report(
        actor=None, property=prop, name="王芳", id_number=number, moved_in=moved_in, room="101"
    )
    arrival = tenancy.arrival
    assert tenancy.person is None and arrival is not None
    assert arrival.source == ArrivalSource.TENANT and arrival.status == ArrivalStatus.REPORTED
    assert arrival.property == prop and arrival.unit == prop.unit and arrival.room == "101"
    assert arrival.due_on == moved_in + D(days=15)
    # reported again (another list): the same arrival, not a second one
    again = services_housing.tenancy_report(
        actor=None, property=prop, name="王芳", id_number=number, moved_in=moved_in
    )
    assert again.arrival == arrival and Arrival.objects.count() == 1


def test_a_late_report_is_recorded_and_shown_never_refused(prop):
    services_housing.landlord_agreement_sign(
        actor=None, property=prop, signed_on=TODAY - D(days=30)
    )
    tenancy = services_housing.tenancy_report(
        actor=None, property=prop, name="陈红", moved_in=TODAY - D(days=8), reported_on=TODAY
    )
    assert services_housing.report_days_late(tenancy) == 5


def test_bad_tenant_fields_are_refused_in_chinese(prop):
    with pytest.raises(ValidationError) as exc:
        services_housing.tenancy_report(
            actor=None, property=prop, name="", id_number="123", moved_in=TODAY + D(days=1)
        )
    errors = messages_of(exc)
    assert errors["name"] == ["请填写姓名。"]
    assert errors["moved_in"] == ["日期不能晚于今天。"]
    assert errors["id_number"]
    assert not Tenancy.objects.exists() and not Arrival.objects.exists()


# --------------------------------------------------------------------------- imports


def test_a_property_survey_with_a_broken_row_imports_nothing(tree, users):
    result = services_housing.properties_import(
        actor=users.town_office,
        unit=tree.town,
        rows=rows(
            {"单位代码": tree.village_a.code, "地址": "甲村一路1号", "房东姓名": "赵一"},
            {"单位代码": tree.village_b.code, "地址": "", "房东姓名": "钱二", "出租间数": "x"},
            {"单位代码": tree.community.code, "地址": "丙社区1号", "房东姓名": "孙三"},
        ),
    )
    assert not result.written and not RentalProperty.objects.exists()
    assert [r.row_number for r in result.rejected] == [3, 4]
    assert "请填写地址。" in result.rejected[0].reasons
    assert "请填写出租间数（1至999）。" in result.rejected[0].reasons
    assert result.rejected[1].reasons == [f"未知的单位代码“{tree.community.code}”。"]


def test_a_good_property_survey_is_imported(tree, users):
    result = services_housing.properties_import(
        actor=users.town_office,
        unit=tree.town,
        rows=rows(
            {
                "单位代码": tree.village_a.code,
                "地址": "甲村一路1号",
                "房东姓名": "赵一",
                "房屋类型": "单元房",
                "出租间数": "2",
                "登记日期": "2026年3月5日",
            },
            {"单位代码": "", "地址": "东城镇街1号", "房东姓名": "钱二"},
        ),
    )
    assert result.written and result.created == 2 and not result.rejected
    first = RentalProperty.objects.get(address="甲村一路1号")
    assert first.kind == "apartment" and first.rooms == 2 and first.filed_on == dt.date(2026, 3, 5)
    assert RentalProperty.objects.get(address="东城镇街1号").unit == tree.town


def test_a_tenant_list_with_a_broken_row_imports_nothing(prop, users):
    result = services_housing.tenants_import(
        actor=users.field_a,
        property=prop,
        rows=rows(
            {"姓名": "陈红", "入住日期": (TODAY - D(days=3)).isoformat()},
            {"姓名": "周丽", "入住日期": "昨天"},
        ),
    )
    assert not result.written
    assert [r.row_number for r in result.rejected] == [3]
    assert result.rejected[0].reasons == ["日期昨天不是有效日期。"]
    assert not Tenancy.objects.exists() and not Arrival.objects.exists()


def test_a_unit_tenant_list_names_properties_by_address(prop, tree, users):
    result = services_housing.tenants_import(
        actor=users.town_office,
        unit=tree.town,
        rows=rows(
            {"地址": "甲村幸福路8号", "姓名": "陈红", "入住日期": "2026-01-02"},
            {"房屋编号": str(prop.pk), "姓名": "周丽", "入住日期": "2026/1/3"},
        ),
    )
    assert result.written and result.created == 2
    assert Arrival.objects.filter(property=prop, source=ArrivalSource.TENANT).count() == 2


# --------------------------------------------------------------------------- pages


def test_the_list_and_the_property_page(client, users, prop):
    client.force_login(users.field_a)
    page = client.get(reverse("floating:property_list"), {"q": "张建国"})
    assert page.status_code == 200
    assert "甲村幸福路8号" in page.content.decode()
    detail = client.get(reverse("floating:property_detail", args=[prop.pk]))
    assert detail.status_code == 200
    assert "没有生效的责任书" in detail.content.decode()


def test_another_units_property_page_is_not_found_and_audited(client, users, prop):
    client.force_login(users.field_b)
    response = client.get(reverse("floating:property_detail", args=[prop.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, user=users.field_b, object_id=str(prop.pk)
    ).exists()
    with pytest.raises(Http404):
        selectors_housing.property_get(users.field_b, prop.pk)


def test_the_filing_form_shows_chinese_errors(client, users, tree):
    client.force_login(users.field_a)
    response = client.post(
        reverse("floating:property_create"),
        {"unit": tree.village_a.pk, "address": "", "kind": "house", "rooms": "1",
         "landlord_name": "赵一", "filed_on": TODAY.isoformat()},
    )  # fmt: skip
    assert response.status_code == 200
    assert "请填写地址。" in response.content.decode()
    response = client.post(
        reverse("floating:property_create"),
        {"unit": tree.village_a.pk, "address": "甲村二路2号", "kind": "house", "rooms": "1",
         "landlord_name": "赵一", "filed_on": TODAY.isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    assert RentalProperty.objects.filter(address="甲村二路2号").exists()


def test_a_tenant_reported_on_the_page(client, users, prop):
    client.force_login(users.field_a)
    response = client.post(
        reverse("floating:tenancy_create", args=[prop.pk]),
        {"name": "陈红", "moved_in": TODAY.isoformat(), "reported_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    assert Tenancy.objects.get().arrival.source == ArrivalSource.TENANT


def test_a_csv_tenant_list_uploaded_on_the_page(client, users, prop):
    client.force_login(users.field_a)
    good = "姓名,入住日期,房间\n陈红,2026-01-02,101\n周丽,2026-01-03,102\n".encode()
    upload = io.BytesIO(good)
    upload.name = "租户.csv"
    response = client.post(reverse("floating:tenancy_upload", args=[prop.pk]), {"file": upload})
    assert response.status_code == 302
    assert Tenancy.objects.count() == 2
    bad = "姓名,入住日期\n赵六,2026-01-02\n,2026-01-03\n".encode("gb18030")
    upload = io.BytesIO(bad)
    upload.name = "租户.csv"
    response = client.post(reverse("floating:tenancy_upload", args=[prop.pk]), {"file": upload})
    assert response.status_code == 200
    assert "请填写姓名。" in response.content.decode()
    assert Tenancy.objects.count() == 2


def test_an_xlsx_tenant_list_uploaded_on_the_page(client, users, prop):
    client.force_login(users.field_a)
    book = write_workbook(
        title="租户名单", headers=["姓名", "入住日期"], rows=[["陈红", "2026-01-02"]]
    )
    upload = io.BytesIO(workbook_bytes(book))
    upload.name = "租户.xlsx"
    response = client.post(reverse("floating:tenancy_upload", args=[prop.pk]), {"file": upload})
    assert response.status_code == 302
    assert Tenancy.objects.get().name == "陈红"
