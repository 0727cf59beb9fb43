"""Issue 14 item 10: one API convention for a refused service call.

Every write endpoint of every app answers a service's refusal (its ``ValidationError``)
with 422 and the JSON error shape, a conflict (code ``stale``/``conflict``) with 409, and
its OpenAPI entry declares 400, 401, 403, 404, 409 and 422 with the error schema. The
parametrised list must name every write endpoint of the schema, so a new one cannot be
left out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jisheng.api.urls import api as ninja_api
from jisheng.benefits import api_eligibility as eligibility_api
from jisheng.benefits import api_flow as benefits_flow_api
from jisheng.benefits import selectors_changes as benefits_changes_selectors
from jisheng.benefits import selectors_flow as benefits_flow_selectors
from jisheng.benefits import services_payments as payment_services
from jisheng.certificates import services as certificate_services
from jisheng.commodities import api as commodities_api
from jisheng.exchange import services as exchange_services
from jisheng.exchange import transfer as exchange_transfer
from jisheng.floating import api_outflows as outflow_api
from jisheng.floating import selectors_housing as housing_selectors
from jisheng.floating import selectors_sweeps as sweep_selectors
from jisheng.floating import services_arrivals as arrivals
from jisheng.floating import services_housing as housing_services
from jisheng.floating import services_outflows as outflow_services
from jisheng.floating import services_sweeps as sweep_services
from jisheng.leave import api as leave_api
from jisheng.leave import services as leave_services
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind
from jisheng.reporting import api as reporting_api
from jisheng.services import campaigns
from jisheng.services import followup as services_services
from tests import factories
from tests.people.test_api import registration
from tests.services.test_api import method_body, visit_body

TODAY = timezone.localdate()
REFUSAL = "拒绝：测试用的服务拒绝。"
ARRIVAL_ID = factories.id_number(dt.date(1996, 4, 12), "F", 41, region="430102")
ERROR_STATUSES = {400, 401, 403, 404, 409, 422}
# POSTs that read (a search body) or authenticate: not writes
NOT_WRITES = {("POST", "/api/v1/auth/token"), ("POST", "/api/v1/persons/search")}


@pytest.fixture
def world(tree):
    woman = factories.person(
        tree.village_a, "王芳", "F", dt.date(TODAY.year - 30, 3, 1), seq=1,
        registered_on=dt.date(TODAY.year - 5, 1, 1), marital_status="first_marriage",
    )  # fmt: skip
    man = factories.person(
        tree.village_a, "李强", "M", dt.date(TODAY.year - 32, 3, 1), seq=2,
        registered_on=dt.date(TODAY.year - 5, 1, 1),
    )  # fmt: skip
    record = services_services.method_start(
        actor=None, person=woman, method="pill", started_on=dt.date(TODAY.year - 2, 1, 1)
    )
    visit = services_services.visit_record(actor=None, person=woman, visited_on=TODAY, way="home")
    event = people_services.event_record(
        actor=None, person=man, kind=EventKind.MOVE_OUT, date=TODAY, data={"to": "外县"}
    )
    round_ = campaigns.round_create(
        actor=None, unit=tree.town, campaign_id="comprehensive_service",
        period_start=TODAY - dt.timedelta(days=5), period_end=TODAY + dt.timedelta(days=20),
    )  # fmt: skip
    certificate = certificate_services.certificate_apply(
        actor=None, kind="status", issuer=tree.town, person=woman, data={"purpose": "入职"}
    )
    arrival = arrivals.arrival_report(
        actor=None, unit=tree.village_a, name="刘小红", arrived_on=TODAY
    )
    return {
        "tree": tree, "woman": woman, "record": record, "visit": visit,
        "event": event, "round": round_, "certificate": certificate, "arrival": arrival,
    }  # fmt: skip


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # the OpenAPI path
    target: tuple[Any, str]  # (module, function) the endpoint calls: made to refuse
    url: Any  # world -> the request path under /api/v1
    body: Any  # world -> the request body


CASES = [
    Case("POST", "/api/v1/persons", (people_services, "person_register"),
         lambda w: "/persons", lambda w: registration(w["tree"])),
    Case("PATCH", "/api/v1/persons/{person_id}", (people_services, "person_update"),
         lambda w: f"/persons/{w['woman'].pk}", lambda w: {"phone": "13900002222"}),
    Case("POST", "/api/v1/persons/{person_id}/events", (people_services, "event_record"),
         lambda w: f"/persons/{w['woman'].pk}/events",
         lambda w: {"kind": "move_out", "date": TODAY.isoformat(), "to": "外县"}),
    Case("POST", "/api/v1/persons/{person_id}/events/{event_id}/correct",
         (people_services, "event_correct"),
         lambda w: f"/persons/{w['event'].person_id}/events/{w['event'].pk}/correct",
         lambda w: {"reason": "录入错误"}),
    Case("POST", "/api/v1/services/visits", (services_services, "visit_record"),
         lambda w: "/services/visits", lambda w: visit_body(w["woman"])),
    Case("POST", "/api/v1/services/methods", (services_services, "method_start"),
         lambda w: "/services/methods", lambda w: method_body(w["woman"])),
    Case("POST", "/api/v1/services/methods/{record_id}/void", (services_services, "method_void"),
         lambda w: f"/services/methods/{w['record'].pk}/void", lambda w: {"reason": "录错"}),
    Case("POST", "/api/v1/services/visits/{visit_id}/void", (services_services, "visit_void"),
         lambda w: f"/services/visits/{w['visit'].pk}/void", lambda w: {"reason": "录错"}),
    Case("POST", "/api/v1/services/campaigns/{round_id}/attendance",
         (campaigns, "attendance_record"),
         lambda w: f"/services/campaigns/{w['round'].pk}/attendance",
         lambda w: {"rows": [{"target": w["round"].targets.first().pk,
                              "attended_on": TODAY.isoformat()}]}),
    Case("POST", "/api/v1/commodities/movements", (commodities_api, "post_movement"),
         lambda w: "/commodities/movements",
         lambda w: {"kind": "receipt", "store": "xian", "supplier": "省药具站",
                    "lines": [{"product": "pill-coc", "lot": "P1",
                               "expires_on": "2030-01-31", "quantity": 5}]}),
    # the reporting endpoints: the form and period reading, the submission's look-up
    Case("POST", "/api/v1/reporting/submissions", (reporting_api, "_spec_period"),
         lambda w: "/reporting/submissions",
         lambda w: {"unit": w["tree"].village_a.code, "form": "x", "period": "2026-01"}),
    Case("POST", "/api/v1/reporting/submissions/{submission_id}/transitions",
         (reporting_api, "_get"), lambda w: "/reporting/submissions/1/transitions",
         lambda w: {"to": "submitted", "from_status": "draft"}),
    # the certificate engine (issue 16): apply, and each step of an application
    Case("POST", "/api/v1/certificates", (certificate_services, "certificate_apply"),
         lambda w: "/certificates",
         lambda w: {"kind": "status", "issuer": w["tree"].town.code,
                    "person_id": w["woman"].pk, "data": {"purpose": "晋升"}}),
    *[
        Case("POST", f"/api/v1/certificates/{{certificate_id}}/{step}",
             (certificate_services, f"certificate_{step}"),
             lambda w, step=step: f"/certificates/{w['certificate'].pk}/{step}", body)
        for step, body in [
            ("review", lambda w: {}),
            ("issue", lambda w: {}),
            ("return", lambda w: {"message": "请补充材料"}),
            ("resubmit", lambda w: {}),
            ("revoke", lambda w: {"reason": "录错"}),
            ("reissue", lambda w: {"reason": "遗失"}),
        ]
    ],
    # leave (issue 16): the application and the look-up of a request for its steps
    Case("POST", "/api/v1/leave", (leave_services, "leave_apply"),
         lambda w: "/leave",
         lambda w: {"unit": w["tree"].village_a.code, "person_id": w["woman"].pk,
                    "kind": "marriage", "start": TODAY.isoformat()}),
    Case("POST", "/api/v1/leave/{leave_id}/actions", (leave_api, "_get"),
         lambda w: "/leave/1/actions",
         lambda w: {"action": "sign", "from_status": "applied"}),
    # arrivals (issue 17): report, register (reported, or at the office), her
    # certificate, leave, cancel
    Case("POST", "/api/v1/floating/arrivals", (arrivals, "arrival_report"),
         lambda w: "/floating/arrivals",
         lambda w: {"unit": w["tree"].village_a.code, "name": "刘小红",
                    "arrived_on": TODAY.isoformat()}),
    Case("POST", "/api/v1/floating/arrivals/register", (arrivals, "arrival_register"),
         lambda w: "/floating/arrivals/register",
         lambda w: {"unit": w["tree"].village_a.code, "name": "刘小红",
                    "arrived_on": TODAY.isoformat(), "id_number": ARRIVAL_ID}),
    Case("POST", "/api/v1/floating/arrivals/{arrival_id}/register",
         (arrivals, "arrival_register"),
         lambda w: f"/floating/arrivals/{w['arrival'].pk}/register",
         lambda w: {"id_number": ARRIVAL_ID}),
    Case("POST", "/api/v1/floating/arrivals/{arrival_id}/certificate",
         (arrivals, "arrival_certificate"),
         lambda w: f"/floating/arrivals/{w['arrival'].pk}/certificate",
         lambda w: {"number": "HN-1", "issuer": "湖南省某镇"}),
    Case("POST", "/api/v1/floating/arrivals/{arrival_id}/leave", (arrivals, "arrival_leave"),
         lambda w: f"/floating/arrivals/{w['arrival'].pk}/leave",
         lambda w: {"left_on": TODAY.isoformat()}),
    Case("POST", "/api/v1/floating/arrivals/{arrival_id}/cancel", (arrivals, "arrival_cancel"),
         lambda w: f"/floating/arrivals/{w['arrival'].pk}/cancel",
         lambda w: {"reason": "误报"}),
    # issue 17 / housing: filing and opening, and the look-up of the record of each step
    Case("POST", "/api/v1/floating/properties", (housing_services, "property_file"),
         lambda w: "/floating/properties",
         lambda w: {"unit": w["tree"].village_a.code, "address": "甲村1号",
                    "landlord_name": "张建国", "filed_on": TODAY.isoformat()}),
    Case("POST", "/api/v1/floating/properties/{property_id}/tenants",
         (housing_selectors, "property_get"), lambda w: "/floating/properties/1/tenants",
         lambda w: {"name": "陈红", "moved_in": TODAY.isoformat()}),
    Case("POST", "/api/v1/floating/properties/{property_id}/agreements",
         (housing_selectors, "property_get"), lambda w: "/floating/properties/1/agreements",
         lambda w: {"signed_on": TODAY.isoformat()}),
    Case("POST", "/api/v1/floating/sweeps", (sweep_services, "sweep_open"),
         lambda w: "/floating/sweeps",
         lambda w: {"unit": w["tree"].town.code, "name": "清查",
                    "starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat()}),
    Case("POST", "/api/v1/floating/sweeps/{sweep_id}/items/{item_id}",
         (sweep_selectors, "sweep_get"), lambda w: "/floating/sweeps/1/items/1",
         lambda w: {"outcome": "checked"}),
    Case("POST", "/api/v1/floating/sweeps/{sweep_id}/findings",
         (sweep_selectors, "sweep_get"), lambda w: "/floating/sweeps/1/findings",
         lambda w: {"kind": "left", "found_on": TODAY.isoformat()}),
    Case("POST", "/api/v1/floating/sweeps/{sweep_id}/findings/{finding_id}/resolve",
         (sweep_selectors, "finding_get"), lambda w: "/floating/sweeps/1/findings/1/resolve",
         lambda w: {"resolution": "recorded"}),
    Case("POST", "/api/v1/floating/sweeps/{sweep_id}/close",
         (sweep_selectors, "sweep_get"), lambda w: "/floating/sweeps/1/close", lambda w: {}),
    # two-way notification (issue 17): the reply, the export and the import
    Case("POST", "/api/v1/exchange/notices/{notice_id}/reply",
         (exchange_services, "notice_reply"),
         lambda w: f"/exchange/notices/{_notice(w).pk}/reply", lambda w: {"text": "已知悉"}),
    Case("POST", "/api/v1/exchange/export", (exchange_transfer, "export_file"),
         lambda w: "/exchange/export", lambda w: {}),
    Case("POST", "/api/v1/exchange/import", (exchange_transfer, "import_file"),
         lambda w: "/exchange/import", lambda w: {"file": {"format": "jisheng-exchange"}}),
    # issue 18 / eligibility: a sweep and an application (the service made to refuse)
    Case("POST", "/api/v1/benefits/eligibility/sweeps", (eligibility_api, "sweep"),
         lambda w: "/benefits/eligibility/sweeps",
         lambda w: {"kind": "childcare_subsidy", "unit": w["tree"].county.code,
                    "period_start": "2026-01-01", "period_end": "2026-12-31"}),
    Case("POST", "/api/v1/benefits/eligibility/applications",
         (eligibility_api, "application_create"),
         lambda w: "/benefits/eligibility/applications",
         lambda w: {"kind": "childcare_subsidy", "person_id": w["woman"].pk,
                    "period_start": "2026-01-01", "period_end": "2026-12-31"}),
    # issue 17 / outflows: the record, its steps (the look-up made to refuse), the teams
    Case("POST", "/api/v1/floating/outflows", (outflow_services, "outflow_record"),
         lambda w: "/floating/outflows",
         lambda w: {"person_id": w["woman"].pk, "left_on": TODAY.isoformat(),
                    "destination": "广东省广州市"}),
    Case("POST", "/api/v1/floating/outflows/{outflow_id}/return", (outflow_api, "_get"),
         lambda w: "/floating/outflows/1/return",
         lambda w: {"returned_on": TODAY.isoformat()}),
    Case("POST", "/api/v1/floating/outflows/{outflow_id}/contacts", (outflow_api, "_get"),
         lambda w: "/floating/outflows/1/contacts",
         lambda w: {"contacted_on": TODAY.isoformat(), "channel": "phone"}),
    Case("POST", "/api/v1/floating/outflows/{outflow_id}/agreement", (outflow_api, "_get"),
         lambda w: "/floating/outflows/1/agreement",
         lambda w: {"signed_on": TODAY.isoformat(), "services": ["checkup"]}),
    Case("POST", "/api/v1/floating/teams", (outflow_services, "team_create"),
         lambda w: "/floating/teams",
         lambda w: {"unit": w["tree"].village_a.code, "name": "甲村建筑队", "destination": "上海",
                    "leader_name": "张队长", "leader_phone": "13800000010",
                    "propagandist_name": "李宣传", "propagandist_phone": "13800000011",
                    "formed_on": TODAY.isoformat()}),
    # issue 18 / flow: the batch's steps, a case, objections, findings (the look-up made
    # to refuse)
    Case("POST", "/api/v1/benefits/batches/{batch_id}/transitions", (benefits_flow_api, "_batch"),
         lambda w: "/benefits/batches/1/transitions", lambda w: {"to": "notice"}),
    Case("POST", "/api/v1/benefits/batches/{batch_id}/cases/{case_id}",
         (benefits_flow_api, "_case"),
         lambda w: "/benefits/batches/1/cases/1", lambda w: {"action": "review"}),
    Case("POST", "/api/v1/benefits/objections", (benefits_flow_api, "_case"),
         lambda w: "/benefits/objections",
         lambda w: {"case_id": 1, "raised_on": TODAY.isoformat(), "content": "有异议"}),
    Case("POST", "/api/v1/benefits/objections/{objection_id}/resolve",
         (benefits_flow_selectors, "objection_get"),
         lambda w: "/benefits/objections/1/resolve",
         lambda w: {"outcome": "dismissed", "resolution": "不属实"}),
    Case("POST", "/api/v1/benefits/findings", (benefits_flow_selectors, "batch_get"),
         lambda w: "/benefits/findings", lambda w: {"batch_id": 1, "text": "抽查"}),
    # issue 18 / changes
    Case("POST", "/api/v1/benefits/entitlements/{entitlement_id}/confirm-stop",
         (benefits_changes_selectors, "entitlement_get"),
         lambda w: "/benefits/entitlements/1/confirm-stop", lambda w: {"note": "已核实"}),
    Case("POST", "/api/v1/benefits/entitlements/{entitlement_id}/arrears",
         (benefits_changes_selectors, "entitlement_get"),
         lambda w: "/benefits/entitlements/1/arrears",
         lambda w: {"through": TODAY.isoformat()}),
    Case("POST", "/api/v1/benefits/overpayments/{overpayment_id}/resolve",
         (benefits_changes_selectors, "overpayment_get"),
         lambda w: "/benefits/overpayments/1/resolve",
         lambda w: {"outcome": "repaid", "note": "已退回"}),
    Case("POST", "/api/v1/benefits/findings/{finding_id}/answer",
         (benefits_flow_selectors, "finding_get"),
         lambda w: "/benefits/findings/1/answer", lambda w: {"answer": "收到"}),
]  # fmt: skip


def _benefit_batch(world: dict) -> Any:
    """A FUNDED benefits batch of the county (issue 18 / payments), made once per test."""
    import datetime

    from jisheng.benefits.models import Batch

    if "benefit_batch" not in world:
        world["benefit_batch"] = Batch.objects.create(
            kind="childcare", unit=world["tree"].county, title="育儿补贴",
            period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31),
            status="funded",
        )  # fmt: skip
    return world["benefit_batch"]


# issue 18 / payments: the roster, the bank's export and its return file
CASES += [
    Case("POST", "/api/v1/benefits/bank-files/{batch_id}/roster",
         (payment_services, "roster_build"),
         lambda w: f"/benefits/bank-files/{_benefit_batch(w).pk}/roster", lambda w: {}),
    Case("POST", "/api/v1/benefits/bank-files/{batch_id}/export",
         (payment_services, "roster_export"),
         lambda w: f"/benefits/bank-files/{_benefit_batch(w).pk}/export", lambda w: {}),
    Case("POST", "/api/v1/benefits/bank-files/{batch_id}/return",
         (payment_services, "return_import"),
         lambda w: f"/benefits/bank-files/{_benefit_batch(w).pk}/return",
         lambda w: {"filename": "回盘.csv", "content_base64": "5rWB5rC05Y+3"}),
]  # fmt: skip


def _notice(world: dict) -> Any:
    """A notice addressed to 西城街道 (the admin at the county may reply to it)."""
    import uuid

    from jisheng.exchange.models import Notice

    street = world["tree"].street
    return Notice.objects.create(
        uid=uuid.uuid4(), kind="service", direction="internal", instance="jisheng",
        sender_unit=world["tree"].town, sender_code=world["tree"].town.code,
        receiver_unit=street, receiver_code=street.code, person_name="王芳", event_on=TODAY,
    )  # fmt: skip


def _schema() -> dict:
    return ninja_api.get_openapi_schema()


def _writes(schema: dict) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method.upper() in {"POST", "PUT", "PATCH", "DELETE"}
    } - NOT_WRITES


def test_every_write_endpoint_has_a_case():
    assert _writes(_schema()) == {(c.method, c.path) for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_the_schema_declares_the_error_answers(case):
    responses = _schema()["paths"][case.path][case.method.lower()]["responses"]
    assert set(responses) >= ERROR_STATUSES
    for status in ERROR_STATUSES:
        ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorOut")


def _refusing(monkeypatch, case: Case, error: ValidationError) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise error

    module, name = case.target
    monkeypatch.setattr(module, name, refuse)


def _send(client, case: Case, world: dict):
    return client.request(
        case.method, case.url(world), data=case.body(world), content_type="application/json"
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_a_refused_service_call_answers_422_with_the_error_shape(case, world, api, monkeypatch):
    _refusing(monkeypatch, case, ValidationError({"refused": [REFUSAL]}))
    response = _send(api("admin", language="zh-hans"), case, world)
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "code": "invalid",
        "message": REFUSAL,
        "details": [
            {"field": "refused", "location": "body", "message": REFUSAL, "type": "invalid"}
        ],
    }


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_a_stale_object_answers_409(case, world, api, monkeypatch):
    _refusing(monkeypatch, case, ValidationError("已被他人修改，请刷新后重试。", code="stale"))
    response = _send(api("admin"), case, world)
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "conflict" and body["message"] == "已被他人修改，请刷新后重试。"
