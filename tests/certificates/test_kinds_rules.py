"""The registry checks of the kinds (issue 16): 生育登记 (never refused for the number
of children; a wrong child order is a warning), 流动人口婚育证明, its 审验 by number
across units (revoked, replaced, expired, someone else's, not found), 计划生育情况证明;
bad input refused with nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jisheng.certificates import eligibility, eligibility_kinds
from jisheng.certificates.birth_registration import registration_issue
from jisheng.certificates.choices import CertificateStatus
from jisheng.certificates.kinds import kind
from jisheng.certificates.models import Certificate, NumberSeries
from jisheng.certificates.services import issue_now
from jisheng.core import workflow
from jisheng.people.choices import PersonStatus
from tests.certificates.kinds_fixtures import D, couple, today, woman


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def register(users, tree, made, order, **extra):
    return registration_issue(
        actor=users.office, couple=made, issuer=tree.town, child_order=order, **extra
    )


def nothing_written():
    return not Certificate.objects.exists() and not NumberSeries.objects.exists()


# --- 生育登记 ---------------------------------------------------------------------------


def test_the_checks_are_registered():
    for key in ("birth_registration", "migrant_marriage", "migrant_verification", "status"):
        assert key in eligibility.CHECKS


def test_a_third_child_is_registered_and_issued_never_refused(tree, users):
    made = couple(tree.village_a, children=(D(2017, 3, 1), D(2020, 6, 1)))
    certificate, warning = register(users, tree, made, 3, documents="身份证、结婚证")
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.number == f"SY{tree.town.code}-{today().year}-0001"
    assert certificate.data == {"child_order": 3, "documents": "身份证、结婚证"}
    assert warning == ""


def test_a_fourth_child_is_registered_too(tree, users):
    made = couple(tree.village_a, children=(D(2016, 1, 1), D(2018, 1, 1), D(2021, 1, 1)))
    certificate, warning = register(users, tree, made, 4)
    assert certificate.status == CertificateStatus.ISSUED and warning == ""


def test_a_wrong_child_order_is_a_warning_only(tree, users):
    made = couple(tree.village_a, children=(D(2017, 3, 1), D(2020, 6, 1)))
    certificate, warning = register(users, tree, made, 1)
    assert certificate.status == CertificateStatus.ISSUED and certificate.number
    assert "child number 1" in warning and "2 birth(s)" in warning
    assert "not refused" in warning
    with translation.override("zh-hans"):
        assert "请核实" in eligibility_kinds.order_warning(made, 1, today())


def test_nothing_the_law_no_longer_requires_is_asked():
    # no 准生证 / 生育服务证, no contraception, no "计划外" question: three fields
    spec = kind("birth_registration")
    assert [f.key for f in spec.fields] == ["child_order", "expected_on", "documents"]
    assert not spec.review


def test_no_marriage_in_the_registry_is_refused_and_says_to_record_it(tree, users):
    made = couple(tree.village_a, married_on=D(2015, 5, 1), ended_on=D(2024, 1, 1))
    with pytest.raises(ValidationError) as info:
        register(users, tree, made, 1)
    assert "record the marriage first" in info.value.message_dict["couple"][0]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        register(users, tree, made, 1)
    assert "请先登记婚姻" in info.value.message_dict["couple"][0]
    assert "请核实" in info.value.message_dict["couple"][0]
    assert nothing_written()


def test_a_registration_before_the_marriage_is_refused(tree, users):
    made = couple(tree.village_a, married_on=today() - datetime.timedelta(days=10))
    with pytest.raises(ValidationError) as info:
        register(users, tree, made, 1, issued_on=today() - datetime.timedelta(days=20))
    assert "couple" in info.value.message_dict
    assert nothing_written()


@pytest.mark.parametrize(
    ("expected", "field", "words"),
    [
        ("2026-02-30", "expected_on", "real date"),
        ("not a date", "expected_on", "real date"),
        ("past", "expected_on", "more than a year in the past"),
        ("far", "expected_on", "longer than a pregnancy"),
    ],
)
def test_impossible_expected_dates_are_refused(tree, users, expected, field, words):
    made = couple(tree.village_a)
    value = {
        "past": (today() - datetime.timedelta(days=400)).isoformat(),
        "far": (today() + datetime.timedelta(days=301)).isoformat(),
    }.get(expected, expected)
    with pytest.raises(ValidationError) as info:
        register(users, tree, made, 1, expected_on=value)
    assert words in info.value.message_dict[field][0]
    assert nothing_written()


def test_an_expected_date_within_the_bounds_is_kept(tree, users):
    made = couple(tree.village_a)
    expected = today() + datetime.timedelta(days=120)
    certificate, _warning = register(users, tree, made, 1, expected_on=expected)
    assert certificate.data["expected_on"] == expected.isoformat()
    late = today() - datetime.timedelta(days=30)  # registered a little after the date
    assert register(users, tree, made, 2, expected_on=late)[0].status == "issued"


@pytest.mark.parametrize("order", ["abc", "0", "-1", "21", None])
def test_an_impossible_child_order_is_refused(tree, users, order):
    made = couple(tree.village_a)
    with pytest.raises(ValidationError) as info:
        register(users, tree, made, order)
    assert "child_order" in info.value.message_dict
    assert nothing_written()


def test_a_future_day_of_issue_is_refused(tree, users):
    made = couple(tree.village_a)
    with pytest.raises(ValidationError):
        register(users, tree, made, 1, issued_on=today() + datetime.timedelta(days=1))
    assert nothing_written()


def test_a_couple_with_a_spouse_outside_the_registry_is_registered(tree, users):
    made = couple(tree.village_a, outside=True)
    certificate, _warning = register(users, tree, made, 1)
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.holder_name == "张妻、张外夫"  # the spouse outside the registry too


# --- 流动人口婚育证明 -------------------------------------------------------------------


def marriage_certificate(users, tree, person, issued_on=None, issuer=None):
    return issue_now(
        actor=users.office,
        kind="migrant_marriage",
        issuer=issuer or tree.town,
        person=person,
        data={"destination": "广东省广州市"},
        issued_on=issued_on,
    )


def test_a_marriage_certificate_is_valid_36_months(tree, users):
    her = woman(tree.village_a)
    certificate = marriage_certificate(users, tree, her, issued_on=D(2026, 3, 1))
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.number.startswith(f"HY{tree.town.code}-2026-")
    assert certificate.valid_until == D(2029, 2, 28)


def test_a_marriage_certificate_for_someone_outside_the_issuer_is_refused(tree, users):
    her = woman(tree.community)  # 西城街道, not 东城镇
    with pytest.raises(ValidationError) as info:
        marriage_certificate(users, tree, her)
    assert "issuer" in info.value.message_dict
    assert nothing_written()


def test_a_deceased_person_gets_no_certificate(tree, users):
    her = woman(tree.village_a)
    type(her).objects.filter(pk=her.pk).update(status=PersonStatus.DECEASED)
    her.refresh_from_db()
    with pytest.raises(ValidationError) as info:
        marriage_certificate(users, tree, her)
    assert "deceased" in info.value.message_dict["person"][0]
    assert nothing_written()


def test_the_document_prints_marital_status_and_children(tree, users):
    made = couple(tree.village_a, children=(D(2018, 1, 1), D(2021, 1, 1)))
    facts = eligibility_kinds.holder_facts(made.wife, today())
    assert facts["children"] == 2 and facts["marital_status"] == "First marriage"
    assert set(facts) == {"marital_status", "children", "births"}
    assert eligibility_kinds.holder_facts(made.wife, D(2019, 1, 1))["children"] == 1


# --- 审验 (verification of a 婚育证明 by its number) ----------------------------------


def verify(users, tree, person, number, place="东城镇计生办", issuer=None):
    return issue_now(
        actor=users.office,
        kind="migrant_verification",
        issuer=issuer or tree.town,
        person=person,
        data={"certificate_number": number, "issuing_place": place},
    )


def test_a_valid_marriage_certificate_passes(tree, users):
    her = woman(tree.village_a)
    shown = marriage_certificate(users, tree, her)
    done = verify(users, tree, her, shown.number)
    assert done.status == CertificateStatus.ISSUED and done.number.startswith("SH")
    assert eligibility_kinds.verified_certificate(done) == shown


def test_an_expired_marriage_certificate_is_refused(tree, users):
    her = woman(tree.village_a)
    shown = marriage_certificate(
        users, tree, her, issued_on=today() - datetime.timedelta(days=1200)
    )
    assert shown.valid_until < today()
    with pytest.raises(ValidationError) as info:
        verify(users, tree, her, shown.number)
    assert info.value.message_dict["certificate_number"] == [
        "This marriage and childbearing certificate has expired."
    ]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        verify(users, tree, her, shown.number)
    assert info.value.message_dict["certificate_number"] == ["该婚育证明已过期"]
    assert Certificate.objects.filter(kind="migrant_verification").count() == 0


def test_a_revoked_marriage_certificate_is_refused(tree, users):
    her = woman(tree.village_a)
    shown = marriage_certificate(users, tree, her)
    workflow.transition(actor=users.office, obj=shown, to=CertificateStatus.REVOKED, message="错发")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        verify(users, tree, her, shown.number)
    assert info.value.message_dict["certificate_number"] == ["该婚育证明已作废"]


def test_a_replaced_marriage_certificate_is_refused(tree, users):
    her = woman(tree.village_a)
    shown = marriage_certificate(users, tree, her)
    workflow.transition(
        actor=users.office, obj=shown, to=CertificateStatus.REPLACED, message="证件污损，换发"
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        verify(users, tree, her, shown.number)
    assert info.value.message_dict["certificate_number"] == ["已换发，请核验新证"]


def test_someone_else_s_certificate_is_refused(tree, users):
    her, other = woman(tree.village_a), woman(tree.village_a, name="赵敏")
    shown = marriage_certificate(users, tree, her)
    with pytest.raises(ValidationError) as info:
        verify(users, tree, other, shown.number)
    assert "someone else" in info.value.message_dict["certificate_number"][0]


def test_a_number_not_found_is_recorded_as_from_outside(tree, users):
    her = woman(tree.village_a)
    done = verify(users, tree, her, "440104-2025-0099", place="广州市天河区某街道")
    assert done.status == CertificateStatus.ISSUED
    assert done.data == {
        "certificate_number": "440104-2025-0099",
        "issuing_place": "广州市天河区某街道",
    }
    assert eligibility_kinds.verified_certificate(done) is None


def test_a_verification_without_number_or_issuer_is_refused(tree, users):
    her = woman(tree.village_a)
    with pytest.raises(ValidationError) as info:
        verify(users, tree, her, "", place="")
    assert {"certificate_number", "issuing_place"} <= set(info.value.message_dict)
    assert nothing_written()


def test_verification_works_across_units(tree, users):
    # issued by 东城镇 (her home), verified by 西城街道 where she lives now
    her = woman(tree.village_a)
    shown = marriage_certificate(users, tree, her)
    type(her).objects.filter(pk=her.pk).update(unit=tree.community)
    her.refresh_from_db()
    done = verify(users, tree, her, shown.number, issuer=tree.street)
    assert done.issuer == tree.street and eligibility_kinds.verified_certificate(done) == shown


# --- 计划生育情况证明 -------------------------------------------------------------------


def test_a_status_certificate_needs_a_purpose(tree, users):
    her = woman(tree.village_a)
    with pytest.raises(ValidationError) as info:
        issue_now(actor=users.office, kind="status", issuer=tree.town, person=her, data={})
    assert "purpose" in info.value.message_dict
    assert nothing_written()
    done = issue_now(
        actor=users.office, kind="status", issuer=tree.town, person=her, data={"purpose": "晋升"}
    )
    assert done.status == CertificateStatus.ISSUED and done.number.startswith("ZM")
    assert done.valid_until is not None


def test_a_status_certificate_prints_facts_only():
    # the facts the document prints carry no judgement (违法, 超生, 计划外)
    import inspect

    source = inspect.getsource(eligibility_kinds)
    for word in ("违法", "超生", "计划外生育", "准生证"):
        assert source.count(word) <= 1  # named once, in the module's text saying why not
