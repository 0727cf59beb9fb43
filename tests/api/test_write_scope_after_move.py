"""Issue 13 item 7: after an internal move, the records of a person are changed by the
office she joined, not by the one she left — on EVERY write endpoint of the API.

The test walks the OpenAPI schema's POST/PUT/PATCH/DELETE operations: each one needs a
case below (or an exemption with its reason), so a new write endpoint cannot be
forgotten. In each case the old office (东城镇, the township she left) is refused the way
the project refuses anything out of scope (404 like a missing record, or 403, or the
commodities' 422 naming the person "not in your data scope"), the refusal is audited as
``denied`` and nothing is written; then the new office (西城街道, over the community she
moved to) succeeds.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from jisheng.commodities import services as commodity_services
from jisheng.commodities.choices import Category, StoreKind
from jisheng.commodities.models import Document, Product, Store
from jisheng.core.models import AuditEvent
from jisheng.core.tokens import token_create
from jisheng.people import family
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind
from jisheng.people.models import LifeEvent, Person
from jisheng.services import followup as visit_services
from jisheng.services.models import (
    CampaignRound,
    CampaignTarget,
    ContraceptionRecord,
    FollowUpVisit,
)
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

D = datetime.date
MOVED_ON = D(2025, 1, 1)


@dataclass
class World:
    woman: Person
    old: ApiClient  # the township office she left
    new: ApiClient  # the street office over the community she joined
    old_user: Any
    method: ContraceptionRecord
    visit: FollowUpVisit
    target: CampaignTarget
    event: LifeEvent
    community_code: str
    extra: dict[str, Any] = field(default_factory=dict)


def _client(user) -> ApiClient:
    _token, secret = token_create(actor=None, user=user, name="test")
    return ApiClient(secret, language="zh-hans")


@pytest.fixture
def world(tree) -> World:
    woman = factories.person(tree.village_a, name="周小梅", registered_on=D(2020, 1, 1))
    # records entered by the village's offices before she moved
    method = visit_services.method_start(
        actor=None, person=woman, method="iud", started_on=D(2024, 1, 10)
    )
    visit = visit_services.visit_record(
        actor=None, person=woman, visited_on=D(2024, 6, 1), way="home"
    )
    today = datetime.date.today()
    round_ = CampaignRound.objects.create(
        kind="comprehensive_service",
        name="2026 年综合服务",
        campaign_id="comprehensive",
        target_group="married_wra",
        period_start=today - datetime.timedelta(days=30),
        period_end=today + datetime.timedelta(days=30),
        unit=tree.county,
        pack_code="test",
        pack_version="1",
    )
    target = CampaignTarget.objects.create(round=round_, person=woman, unit=tree.village_a)
    birth = family.birth_record(
        actor=None, mother=woman, date=D(2023, 3, 1), sex="M", register_child=False,
        child_name="周小宝",
    )  # fmt: skip
    pregnancy = family.pregnancy_register(
        actor=None, woman=woman, registered_on=D(2024, 10, 1), expected_on=D(2025, 6, 1)
    )
    # the internal move: 甲村 (东城镇) → 丙社区 (西城街道)
    people_services.event_record(
        actor=None,
        person=woman,
        kind=EventKind.INTERNAL_TRANSFER,
        date=MOVED_ON,
        data={"unit": tree.community},
    )
    woman.refresh_from_db()
    assert woman.unit == tree.community
    event = people_services.event_record(
        actor=None, person=woman, kind=EventKind.CONTRACEPTION, date=D(2025, 6, 1)
    )
    # a store in each office's subtree, with stock (for an issue to her)
    pill = Product.objects.create(code="pill-coc", name="复方左炔诺孕酮片",
                                  category=Category.ORAL, unit="板")  # fmt: skip
    for unit, code in ((tree.town, "dongcheng"), (tree.street, "xicheng")):
        store = Store.objects.create(
            unit=unit, code=code, name=f"{unit.name}药具库", kind=StoreKind.TOWNSHIP_WAREHOUSE
        )
        commodity_services.receive(
            actor=None, store=store, occurred_on=D(2026, 3, 2), supplier="省药具站",
            lines=[commodity_services.NewLot(pill, f"L{code}", "2029-12-31", 10)],
        )  # fmt: skip
    old_user = factories.user("old_office", tree.town, "office")
    new_user = factories.user("new_office", tree.street, "office")
    return World(
        woman=woman,
        old=_client(old_user),
        new=_client(new_user),
        old_user=old_user,
        method=method,
        visit=visit,
        target=target,
        event=event,
        community_code=tree.community.code,
        extra={"birth": birth, "pregnancy": pregnancy},
    )


@dataclass(frozen=True)
class Case:
    """How to call the operation as an office (``old`` or ``new``): (path, body)."""

    request: Callable[[World, str], tuple[str, dict[str, Any]]]
    ok: int
    denied: tuple[int, ...] = (404,)


def _today() -> str:
    return datetime.date.today().isoformat()


CASES: dict[tuple[str, str], Case] = {
    ("POST", "/api/v1/persons"): Case(
        # registering someone into the unit she joined: only the office over it
        lambda w, who: (
            "/persons",
            {
                "name": "新登记",
                "sex": "F",
                "birth_date": "1995-03-04",
                "id_number": factories.id_number(D(1995, 3, 4), "F", 7),
                "unit": w.community_code,
            },
        ),
        ok=201,
    ),
    ("PATCH", "/api/v1/persons/{person_id}"): Case(
        lambda w, who: (f"/persons/{w.woman.pk}", {"phone": "13800000000"}), ok=200
    ),
    ("POST", "/api/v1/persons/{person_id}/events"): Case(
        lambda w, who: (
            f"/persons/{w.woman.pk}/events",
            {"kind": "contraception", "date": _today()},
        ),
        ok=201,
    ),
    ("POST", "/api/v1/persons/{person_id}/events/{event_id}/correct"): Case(
        lambda w, who: (
            f"/persons/{w.woman.pk}/events/{w.event.pk}/correct",
            {"reason": "录错了"},
        ),
        ok=201,
    ),
    ("POST", "/api/v1/services/visits"): Case(
        lambda w, who: ("/services/visits", {"person": w.woman.pk, "way": "home"}), ok=201
    ),
    ("POST", "/api/v1/services/methods"): Case(
        lambda w, who: (
            "/services/methods",
            {
                "person": w.woman.pk,
                "method": "implant",
                "started_on": _today(),
                "reason": "preference",
                "explained_by": "褚海燕",
                "options_offered": ["iud", "implant"],
                "told_other_methods": True,
                "told_side_effects": True,
                "told_what_to_do": True,
            },
        ),
        ok=201,
    ),
    ("POST", "/api/v1/services/methods/{record_id}/void"): Case(
        lambda w, who: (f"/services/methods/{w.method.pk}/void", {"reason": "录错了"}), ok=200
    ),
    ("POST", "/api/v1/services/visits/{visit_id}/void"): Case(
        lambda w, who: (f"/services/visits/{w.visit.pk}/void", {"reason": "录错了"}), ok=200
    ),
    ("POST", "/api/v1/services/campaigns/{round_id}/attendance"): Case(
        lambda w, who: (
            f"/services/campaigns/{w.target.round_id}/attendance",
            {"rows": [{"target": w.target.pk, "attended_on": _today()}]},
        ),
        ok=200,
        denied=(403, 404),
    ),
    ("POST", "/api/v1/commodities/movements"): Case(
        # an issue to her from the office's own store
        lambda w, who: (
            "/commodities/movements",
            {
                "kind": "issue",
                "store": "dongcheng" if who == "old" else "xicheng",
                "person": w.woman.pk,
                "occurred_on": _today(),
                "lines": [{"product": "pill-coc", "quantity": 1}],
            },
        ),
        ok=201,
        denied=(403, 404, 422),
    ),
}
# Write operations that touch no record of a person.
EXEMPT: dict[tuple[str, str], str] = {
    # issue 18 / eligibility: a sweep is a unit's batch (the unit checked in the caller's
    # scope, its candidates those living in the subtree now); an application looks the
    # person up in the caller's scope now (tests/benefits/test_eligibility_pages.py)
    ("POST", "/api/v1/benefits/eligibility/sweeps"): "a unit's batch, scoped by the unit; "
    "no record of one person",
    ("POST", "/api/v1/benefits/eligibility/applications"): "the person is looked up in the "
    "caller's scope when applying (tests/benefits/test_eligibility_pages.py)",
    # issue 18 / payments: a benefits batch's roster and bank files, scoped by the batch's
    # unit and the PAY power (四权分离); no record of a person is written
    # (tests/benefits/test_payments_pages.py: another township's batch is 404 and audited)
    **{
        ("POST", f"/api/v1/benefits/bank-files/{{batch_id}}/{step}"): "a benefits batch's "
        "roster or bank file, scoped by the batch's unit (tests/benefits/test_payments_pages.py)"
        for step in ("roster", "export", "return")
    },
    ("POST", "/api/v1/auth/token"): "signs in with a password; no record of a person",
    ("POST", "/api/v1/persons/search"): "a search (POST keeps ID numbers out of URLs); "
    "writes nothing, and its results are scoped like GET /persons",
    ("POST", "/api/v1/reporting/submissions"): "a unit's statistical report; no record of a "
    "person (scoped by the unit: tests/reporting/test_submission_api.py)",
    ("POST", "/api/v1/reporting/submissions/{submission_id}/transitions"): "a unit's "
    "statistical report's status; no record of a person (scoped by the unit)",
    # A certificate stays with the unit it was applied in (its scope is the certificate's
    # unit, like a unit's report): applying checks the holder in the caller's scope now
    # (tests/certificates/test_api.py), the steps the certificate's own unit.
    **{
        ("POST", f"/api/v1/certificates{step}"): "a certificate of the unit it was applied "
        "in; the holder is checked in the caller's scope when applying "
        "(tests/certificates/test_api.py)"
        for step in (
            "",
            "/{certificate_id}/issue",
            "/{certificate_id}/reissue",
            "/{certificate_id}/resubmit",
            "/{certificate_id}/return",
            "/{certificate_id}/review",
            "/{certificate_id}/revoke",
        )
    },
    ("POST", "/api/v1/leave"): "an employer's leave request, scoped by the employer unit "
    "(tests/leave/test_api.py)",
    ("POST", "/api/v1/leave/{leave_id}/actions"): "an employer's leave request's step, "
    "scoped by the employer unit (tests/leave/test_api.py)",
    # An arrival (issue 17) is the residence unit's work record, scoped by its own unit
    # like a unit's report: another unit's arrival answers 404, audited
    # (tests/floating/test_arrivals_api.py).
    **{
        ("POST", f"/api/v1/floating/arrivals{step}"): "an arrival is the work of the unit "
        "where she lives, scoped by that unit (tests/floating/test_arrivals_api.py)"
        for step in (
            "",
            "/register",
            "/{arrival_id}/register",
            "/{arrival_id}/certificate",
            "/{arrival_id}/leave",
            "/{arrival_id}/cancel",
        )
    },
    # issue 17 / housing: a rental property, its tenants and agreements, a sweep with its
    # checklist and findings are records of the unit they stand in, scoped by it
    # (tests/floating/test_housing_api.py)
    **{
        ("POST", f"/api/v1/floating/{path}"): "a record of the unit it stands in, scoped "
        "by that unit (tests/floating/test_housing_api.py)"
        for path in (
            "properties",
            "properties/{property_id}/tenants",
            "properties/{property_id}/agreements",
            "sweeps",
            "sweeps/{sweep_id}/items/{item_id}",
            "sweeps/{sweep_id}/findings",
            "sweeps/{sweep_id}/findings/{finding_id}/resolve",
            "sweeps/{sweep_id}/close",
        )
    },
    # issue 17: a notice stays with the offices that sent and received it (a reply by the
    # office it is addressed to); export and import are an office's exchange files
    ("POST", "/api/v1/exchange/notices/{notice_id}/reply"): "a notice, scoped by the office "
    "it is addressed to (tests/exchange/test_notices.py, test_transfer.py)",
    ("POST", "/api/v1/exchange/export"): "the office's outgoing notices, scoped by the "
    "sending office (tests/exchange/test_transfer.py)",
    ("POST", "/api/v1/exchange/import"): "another system's file, each message scoped by its "
    "receiving unit (tests/exchange/test_transfer.py)",
    # issue 17 / outflows: a record of a person away follows her residence unit (an
    # internal move moves it: tests/floating/test_outflows.py::
    # test_a_move_between_two_villages_while_away; the API's scope after the move in
    # tests/floating/test_outflows_api.py::test_the_record_follows_her_move_in_the_api)
    **{
        ("POST", f"/api/v1/floating/outflows{step}"): "a record of a person away, scoped by "
        "her residence unit, which it follows (tests/floating/test_outflows_api.py)"
        for step in (
            "",
            "/{outflow_id}/return",
            "/{outflow_id}/contacts",
            "/{outflow_id}/agreement",
        )
    },
    ("POST", "/api/v1/floating/teams"): "a team working away of a unit; no record of a "
    "person (scoped by the unit: tests/floating/test_outflows_api.py)",
    # issue 18 / changes: an entitlement and its overpayments are scoped by the unit where
    # the benefit is handled (tests/benefits/test_changes_pages.py: another unit's is 404)
    ("POST", "/api/v1/benefits/entitlements/{entitlement_id}/confirm-stop"): "an "
    "entitlement, scoped by its unit (tests/benefits/test_changes_pages.py)",
    ("POST", "/api/v1/benefits/entitlements/{entitlement_id}/arrears"): "an entitlement, "
    "scoped by its unit (tests/benefits/test_changes_pages.py)",
    ("POST", "/api/v1/benefits/overpayments/{overpayment_id}/resolve"): "an overpayment, "
    "scoped by its unit (tests/benefits/test_changes_pages.py)",
    # issue 18 / flow: a batch, its cases, objections and findings are scoped by the unit
    # of the batch or case (the unit where the case is handled, kept on the case when she
    # moves: tests/benefits/test_flow_api.py, test_flow_pages.py)
    **{
        ("POST", f"/api/v1/benefits/{path}"): "a benefit batch's record, scoped by the unit "
        "of the batch or its case (tests/benefits/test_flow_api.py)"
        for path in (
            "batches/{batch_id}/transitions",
            "batches/{batch_id}/cases/{case_id}",
            "objections",
            "objections/{objection_id}/resolve",
            "findings",
            "findings/{finding_id}/answer",
        )
    },
}


def _write_operations() -> set[tuple[str, str]]:
    from jisheng.api.urls import api

    schema = api.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method.lower() in ("post", "put", "patch", "delete")
    }


def test_every_write_operation_has_a_case():
    operations = _write_operations()
    missing = operations - set(CASES) - set(EXEMPT)
    assert not missing, f"write endpoints without a scope-after-move case: {sorted(missing)}"
    assert not set(CASES) - operations, "cases of endpoints that are gone"


def _footprint(w: World) -> tuple:
    """What a write could change."""
    return (
        Person.objects.count(),
        sorted(Person.objects.filter(pk=w.woman.pk).values_list("phone", "updated_at")),
        LifeEvent.objects.count(),
        sorted(ContraceptionRecord.objects.values_list("pk", "voided_at", "ended_on")),
        sorted(FollowUpVisit.objects.values_list("pk", "voided_at")),
        sorted(CampaignTarget.objects.values_list("pk", "attended_on", "recorded_by")),
        Document.objects.count(),
    )


@pytest.mark.parametrize("operation", sorted(CASES), ids=lambda op: f"{op[0]} {op[1]}")
def test_write_after_an_internal_move(world, operation):
    case = CASES[operation]
    method = operation[0]
    before = _footprint(world)
    denied_before = AuditEvent.objects.filter(action="denied", user=world.old_user).count()
    path, body = case.request(world, "old")
    response = world.old.request(method, path, data=body, content_type="application/json")
    assert response.status_code in case.denied, (response.status_code, response.content[:400])
    assert _footprint(world) == before, "the office she left wrote something"
    assert (
        AuditEvent.objects.filter(action="denied", user=world.old_user).count() > denied_before
    ), "the refusal was not audited"
    path, body = case.request(world, "new")
    response = world.new.request(method, path, data=body, content_type="application/json")
    assert response.status_code == case.ok, (response.status_code, response.content[:400])
    assert _footprint(world) != before


def test_pages_follow_the_person_too(world, client, tree):
    """The void buttons' pages: the old office gets 404 (audited), the new one voids."""
    from django.urls import reverse

    client.force_login(world.old_user)
    for name, pk in (("services:method_void", world.method.pk),
                     ("services:visit_void", world.visit.pk)):  # fmt: skip
        assert client.post(reverse(name, args=[pk]), {"reason": "录错了"}).status_code == 404
    world.method.refresh_from_db()
    world.visit.refresh_from_db()
    assert world.method.voided_at is None and world.visit.voided_at is None
    client.force_login(factories.user("new_office_page", tree.street, "office"))
    for name, pk in (("services:method_void", world.method.pk),
                     ("services:visit_void", world.visit.pk)):  # fmt: skip
        assert client.post(reverse(name, args=[pk]), {"reason": "录错了"}).status_code == 302
    world.method.refresh_from_db()
    world.visit.refresh_from_db()
    assert world.method.voided_at is not None and world.visit.voided_at is not None


def test_births_and_pregnancies_follow_the_mother(world, client, tree):
    """A birth and a pregnancy entered in the village she left: their change pages (and
    the services behind them) answer the office she joined, not the one she left."""
    from django.urls import reverse

    birth, pregnancy = world.extra["birth"], world.extra["pregnancy"]
    pages = [
        reverse("people:birth_override", args=[birth.pk]),
        reverse("people:birth_register_child", args=[birth.pk]),
        reverse("people:pregnancy_close", args=[pregnancy.pk]),
    ]
    client.force_login(world.old_user)
    denied = AuditEvent.objects.filter(action="denied", user=world.old_user).count()
    for url in pages:
        assert client.get(url).status_code == 404, url
    assert AuditEvent.objects.filter(action="denied", user=world.old_user).count() >= denied + 3
    with pytest.raises(PermissionDenied):
        family.pregnancy_close(
            actor=world.old_user, pregnancy=pregnancy, outcome="miscarriage",
            outcome_on=D(2025, 2, 1),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        family.birth_override_order(actor=world.old_user, birth=birth, order=2, reason="核实")
    client.force_login(factories.user("new_office_family", tree.street, "office"))
    for url in pages:
        assert client.get(url).status_code == 200, url
    new_user = factories.user("new_office_family2", tree.street, "office")
    family.birth_override_order(actor=new_user, birth=birth, order=2, reason="核实")
    birth.refresh_from_db()
    assert birth.order_override == 2
