"""Issue 13 item 6: each kind of movement has its own permission, checked by the service,
so that the API and the pages agree, role by role and kind by kind.

roles.py's intent: 药具管理员, 计生办 and administrators post every kind; field staff (专干)
only issue to persons (and report adverse reactions); leaders, assessors and auditors
post nothing. A refusal answers 403 through both channels, writes nothing (no document,
every balance unchanged, the count still open) and is audited as ``denied``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from jisheng.commodities import counts, services
from jisheng.commodities.choices import CountStatus, DocumentKind
from jisheng.commodities.models import Document, Lot, PhysicalCount, StockCard
from jisheng.core.models import AuditEvent
from jisheng.core.tokens import token_create
from jisheng.orgs.roles import role_permissions
from tests import factories
from tests.api.conftest import ApiClient
from tests.commodities.conftest import DAY, receive
from tests.commodities.test_views_ledger import lines_data

pytestmark = pytest.mark.django_db

ALL_KINDS = [
    DocumentKind.RECEIPT,
    DocumentKind.TRANSFER_OUT,
    DocumentKind.TRANSFER_IN,
    DocumentKind.ISSUE,
    DocumentKind.WRITE_OFF,
    DocumentKind.REVERSAL,
    DocumentKind.ADJUSTMENT,
]
# What each role may post (the table of docs/en/commodities.md).
ALLOWED: dict[str, set[str]] = {
    "admin": set(ALL_KINDS),
    "office": set(ALL_KINDS),
    "commodity": set(ALL_KINDS),
    "field": {DocumentKind.ISSUE},
    "leader": set(),
    "assessor": set(),
    "auditor": set(),
    "finance": set(),
    "payer": set(),
}
# The API has one endpoint for the movements; a count adjustment is posted by approving
# a physical count, which has pages only.
API_KINDS = [k for k in ALL_KINDS if k != DocumentKind.ADJUSTMENT]


def test_every_role_is_in_the_table():
    assert set(ALLOWED) == set(role_permissions())


@pytest.fixture
def world(tree, stores, products):
    """Stock at the county station, a transfer in transit to the township, a small
    receipt to reverse, a person, a count with a difference waiting for approval."""
    receive(stores.county, products.pill, "P1", "2028-12-31", 100)
    to_reverse = receive(stores.county, products.condom, "C9", "2028-06-30", 5)
    transfer = services.transfer_send(
        actor=None,
        store=stores.county,
        to_store=stores.town,
        occurred_on=DAY,
        lines=[services.Item(products.pill, 10)],
    )
    count = counts.count_open(None, stores.county, DAY)
    counts.count_enter(None, count, {line.pk: 0 for line in count.lines.all()})
    person = factories.person(tree.village_a, name="李秀英")
    return {
        "stores": stores,
        "products": products,
        "transfer": transfer,
        "to_reverse": to_reverse,
        "count": count,
        "person": person,
        "lot": Lot.objects.get(number="P1"),
    }


def _state():
    return (
        sorted(StockCard.objects.values_list("pk", "on_hand")),
        Document.objects.count(),
        sorted(PhysicalCount.objects.values_list("pk", "status")),
    )


def _api_body(kind: str, w: dict) -> dict:
    today = timezone.localdate().isoformat()
    body: dict = {"kind": str(kind), "occurred_on": today}
    if kind == DocumentKind.RECEIPT:
        body |= {
            "store": "xian",
            "supplier": "省药具站",
            "lines": [{"product": "pill-coc", "lot": "N1", "expires_on": "2028-12-31",
                       "quantity": 5}],
        }  # fmt: skip
    elif kind == DocumentKind.TRANSFER_OUT:
        body |= {"store": "xian", "to_store": "dongcheng",
                 "lines": [{"product": "pill-coc", "quantity": 5}]}  # fmt: skip
    elif kind == DocumentKind.TRANSFER_IN:
        body |= {"transfer": w["transfer"].number}
    elif kind == DocumentKind.ISSUE:
        body |= {"store": "xian", "person": w["person"].pk,
                 "lines": [{"product": "pill-coc", "quantity": 1}]}  # fmt: skip
    elif kind == DocumentKind.WRITE_OFF:
        body |= {"store": "xian", "reason": "expired",
                 "lines": [{"product": "pill-coc", "lot": "P1", "quantity": 1}]}  # fmt: skip
    elif kind == DocumentKind.REVERSAL:
        body |= {"document": w["to_reverse"].number, "reason": "录错了"}
    return body


def _page_post(client, kind: str, w: dict):
    today = timezone.localdate().isoformat()
    s, p = w["stores"], w["products"]
    if kind == DocumentKind.RECEIPT:
        row = {"product": p.pill.pk, "number": "N1", "expires_on": "2028-12-31", "quantity": 5}
        return client.post(
            reverse("commodities:receipt", args=[s.county.pk]),
            {"supplier": "省药具站", "occurred_on": today} | lines_data([row]),
        )
    if kind == DocumentKind.TRANSFER_OUT:
        row = {"product": p.pill.pk, "quantity": 5, "lot": ""}
        return client.post(
            reverse("commodities:transfer", args=[s.county.pk]),
            {"to_store": s.town.pk, "occurred_on": today} | lines_data([row]),
        )
    if kind == DocumentKind.TRANSFER_IN:
        data = {
            "occurred_on": today,
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-received": "10",
            "lines-0-damaged": "0",
        }
        return client.post(reverse("commodities:transfer_receive", args=[w["transfer"].pk]), data)
    if kind == DocumentKind.ISSUE:
        return client.post(
            reverse("commodities:issue", args=[s.county.pk]),
            {"person": w["person"].pk, "occurred_on": today}
            | lines_data([{"product": p.pill.pk, "quantity": 1}]),
        )
    if kind == DocumentKind.WRITE_OFF:
        return client.post(
            reverse("commodities:write_off", args=[s.county.pk]),
            {"reason": "expired", "occurred_on": today}
            | lines_data([{"lot": w["lot"].pk, "quantity": 1}]),
        )
    if kind == DocumentKind.REVERSAL:
        return client.post(
            reverse("commodities:document_reverse", args=[w["to_reverse"].pk]),
            {"reason": "录错了"},
        )
    assert kind == DocumentKind.ADJUSTMENT
    return client.post(reverse("commodities:count_approve", args=[w["count"].pk]))


CASES = [
    (role, kind, channel)
    for role in ALLOWED
    for kind in ALL_KINDS
    for channel in ("api", "page")
    if channel == "page" or kind in API_KINDS
]


@pytest.mark.parametrize(("role", "kind", "channel"), CASES)
def test_movement_permission_by_role_kind_and_channel(world, tree, role, kind, channel, client):
    user = factories.user(f"u_{role}", tree.county, role)
    before = _state()
    if channel == "api":
        _token, secret = token_create(actor=None, user=user, name="test")
        response = ApiClient(secret, language="zh-hans").post_json(
            "/commodities/movements", _api_body(kind, world)
        )
        ok_status = 201
    else:
        client.force_login(user)
        response = _page_post(client, kind, world)
        ok_status = 302
    if kind in ALLOWED[role]:
        assert response.status_code == ok_status, (response.status_code, response.content[:500])
        assert Document.objects.count() == before[1] + 1
        assert Document.objects.order_by("-pk").first().kind == kind
        if kind == DocumentKind.ADJUSTMENT:
            world["count"].refresh_from_db()
            assert world["count"].status == CountStatus.APPROVED
        assert not AuditEvent.objects.filter(action="denied", user=user).exists()
    else:
        assert response.status_code == 403, (response.status_code, response.content[:500])
        if channel == "api":
            assert response.json()["code"] == "forbidden"
        assert _state() == before  # no document, every balance and the count unchanged
        assert AuditEvent.objects.filter(action="denied", user=user).exists()


def test_the_service_refuses_whoever_calls_it(world, tree):
    """The check lives in the service: a caller that skips the page and the API (an
    import, a script) is refused the same way, in Chinese, audited, nothing written."""
    from django.core.exceptions import PermissionDenied
    from django.utils import translation

    field = factories.user("zhuangan", tree.county, "field")
    s, p = world["stores"], world["products"]
    before = _state()
    calls = [
        lambda: services.receive(
            actor=field, store=s.county, occurred_on=DAY, supplier="x",
            lines=[services.NewLot(p.pill, "Z1", "2028-12-31", 5)],
        ),
        lambda: services.transfer_send(
            actor=field, store=s.county, to_store=s.town, occurred_on=DAY,
            lines=[services.Item(p.pill, 1)],
        ),
        lambda: services.transfer_receive(
            actor=field, transfer=world["transfer"], occurred_on=DAY
        ),
        lambda: services.write_off(
            actor=field, store=s.county, occurred_on=DAY, reason="expired",
            lines=[services.Item(p.pill, 1, world["lot"])],
        ),
        lambda: services.reverse(actor=field, document=world["to_reverse"], reason="x"),
        lambda: counts.count_approve(field, world["count"]),
    ]  # fmt: skip
    with translation.override("zh-hans"):
        for call in calls:
            with pytest.raises(PermissionDenied) as caught:
                call()
            assert "您无权办理" in str(caught.value)
    assert _state() == before
    assert AuditEvent.objects.filter(action="denied", user=field).count() == len(calls)
    # and the one kind field staff do post
    services.issue(
        actor=field, store=s.county, person=world["person"], occurred_on=DAY,
        lines=[services.Item(p.pill, 1)],
    )  # fmt: skip
    assert Document.objects.filter(kind=DocumentKind.ISSUE).count() == 1


@pytest.mark.parametrize("role", ["admin", "office", "commodity", "field", "leader", "assessor"])
def test_store_page_shows_only_the_buttons_of_the_role(world, tree, client, role):
    user = factories.user(f"u_{role}", tree.county, role)
    client.force_login(user)
    s = world["stores"]
    html = client.get(reverse("commodities:store", args=[s.county.pk])).content.decode()
    shown = {
        kind
        for kind, testid in [
            (DocumentKind.RECEIPT, "btn-receipt"),
            (DocumentKind.TRANSFER_OUT, "btn-transfer"),
            (DocumentKind.ISSUE, "btn-issue"),
            (DocumentKind.WRITE_OFF, "btn-write-off"),
        ]
        if f'data-testid="{testid}"' in html
    }
    expected = ALLOWED[role] & {
        DocumentKind.RECEIPT,
        DocumentKind.TRANSFER_OUT,
        DocumentKind.ISSUE,
        DocumentKind.WRITE_OFF,
    }
    assert shown == expected
    town = client.get(reverse("commodities:store", args=[s.town.pk])).content.decode()
    assert ('data-testid="btn-receive"' in town) == (DocumentKind.TRANSFER_IN in ALLOWED[role])
    doc = client.get(reverse("commodities:document", args=[world["to_reverse"].pk]))
    assert ('data-testid="reverse-form"' in doc.content.decode()) == (
        DocumentKind.REVERSAL in ALLOWED[role]
    )
