"""Pages of the physical counts, the quality register and the adverse reactions."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jisheng.commodities import counts, quality, selectors
from jisheng.commodities.choices import CountStatus, DocumentKind, Severity
from jisheng.commodities.models import AdverseReaction, Document, Lot, QualityCheck, StockCard
from jisheng.core.models import AuditEvent
from tests import factories
from tests.commodities.conftest import receive

D = datetime.date
COUNT_DAY = D(2026, 3, 10)


@pytest.fixture
def stocked(stores, products, keepers):
    receive(stores.town, products.pill, "P1", "2028-06-30", 100, actor=keepers.town)
    receive(stores.town, products.condom, "C1", "2028-12-31", 50, actor=keepers.town)
    return stores.town


@pytest.fixture
def town_client(client, keepers):
    client.force_login(keepers.town)
    return client


def test_count_list_and_open(town_client, stocked, stores):
    response = town_client.get(reverse("commodities:count_list"))
    assert response.status_code == 200
    assert "东城镇药具库" in response.content.decode()
    response = town_client.post(
        reverse("commodities:count_open"),
        {"store": stores.town.pk, "counted_on": "2026-03-10", "counted_by": "张三"},
    )
    count = counts.PhysicalCount.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("commodities:count", args=[count.pk])
    assert count.lines.count() == 2 and count.counted_by == "张三"
    page = town_client.get(reverse("commodities:count_list")).content.decode()
    assert f'data-count="{count.pk}"' in page


def test_open_rejects_bad_input(town_client, stocked, stores):
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = town_client.post(
        reverse("commodities:count_open"), {"store": stores.town.pk, "counted_on": future}
    )
    assert response.status_code == 200
    assert 'data-error-for="counted_on"' in response.content.decode()
    # a store of another unit is not among the choices
    response = town_client.post(
        reverse("commodities:count_open"),
        {"store": stores.community.pk, "counted_on": "2026-03-10"},
    )
    assert response.status_code == 200
    assert not counts.PhysicalCount.objects.exists()


def test_enter_submit_approve_through_the_pages(town_client, stocked, stores, keepers):
    count = counts.count_open(keepers.town, stores.town, COUNT_DAY)
    lines = {ln.card.lot.number: ln for ln in counts.count_lines(count)}
    page = town_client.get(reverse("commodities:count", args=[count.pk])).content.decode()
    assert f'name="counted_{lines["P1"].pk}"' in page and 'inputmode="numeric"' in page
    sheet = town_client.get(reverse("commodities:count_sheet", args=[count.pk]))
    assert sheet.status_code == 200 and "A4" in sheet.content.decode()
    assert 'class="blank"' in sheet.content.decode()

    # bad value: 400, the line named, nothing saved
    response = town_client.post(
        reverse("commodities:count", args=[count.pk]),
        {f"counted_{lines['P1'].pk}": "-4", f"counted_{lines['C1'].pk}": "50"},
    )
    assert response.status_code == 400
    assert f'data-error-for="line_{lines["P1"].pk}"' in response.content.decode()
    assert f'data-error-for="line_{lines["C1"].pk}"' not in response.content.decode()
    assert not count.lines.filter(counted__isnull=False).exists()

    response = town_client.post(
        reverse("commodities:count", args=[count.pk]),
        {
            f"counted_{lines['P1'].pk}": "95",
            f"reason_{lines['P1'].pk}": "破损",
            f"counted_{lines['C1'].pk}": "51",
            "counted_by": "李四",
        },
    )
    assert response.status_code == 302
    differences = town_client.get(reverse("commodities:count_differences", args=[count.pk]))
    text = differences.content.decode()
    assert "-5" in text and "+1" in text and "破损" in text
    assert 'data-testid="approve-count"' in text and 'data-testid="submit-count"' in text

    town_client.post(reverse("commodities:count_submit", args=[count.pk]))
    town_client.post(reverse("commodities:count_approve", args=[count.pk]))
    count.refresh_from_db()
    assert count.status == CountStatus.APPROVED
    document = Document.objects.get(kind=DocumentKind.ADJUSTMENT)
    assert sorted(document.lines.values_list("quantity", flat=True)) == [-5, 1]
    assert StockCard.objects.get(lot__number="P1").on_hand == 95
    assert selectors.ledger_check() == []
    text = town_client.get(reverse("commodities:count_differences", args=[count.pk])).content
    assert document.number in text.decode() and b'data-testid="approve-count"' not in text
    # frozen: the entry page no longer saves
    response = town_client.post(
        reverse("commodities:count", args=[count.pk]), {f"counted_{lines['P1'].pk}": "1"}
    )
    assert response.status_code == 400
    assert StockCard.objects.get(lot__number="P1").on_hand == 95


def test_approve_with_uncounted_line_shows_an_error(town_client, stocked, stores, keepers):
    count = counts.count_open(keepers.town, stores.town, COUNT_DAY)
    response = town_client.post(reverse("commodities:count_approve", args=[count.pk]), follow=True)
    assert response.status_code == 200
    count.refresh_from_db()
    assert count.status == CountStatus.OPEN
    assert not Document.objects.filter(kind=DocumentKind.ADJUSTMENT).exists()
    town_client.post(reverse("commodities:count_cancel", args=[count.pk]), {"reason": "重来"})
    count.refresh_from_db()
    assert count.status == CountStatus.CANCELLED


def test_field_worker_cannot_approve(client, stocked, stores, keepers, products, users):
    receive(stores.village_a, products.pill, "VA", "2028-06-30", 10)
    count = counts.count_open(keepers.county, stores.village_a, COUNT_DAY)
    counts.count_enter(keepers.county, count, {ln.pk: 9 for ln in count.lines.all()})
    client.force_login(users.field_a)
    response = client.post(reverse("commodities:count_approve", args=[count.pk]))
    assert response.status_code == 403
    count.refresh_from_db()
    assert count.status == CountStatus.OPEN


def test_another_units_count_is_404(town_client, stores, products, keepers, users):
    receive(stores.community, products.pill, "X", "2028-06-30", 10)
    count = counts.count_open(keepers.county, stores.community, COUNT_DAY)
    for name in ("count", "count_sheet", "count_differences"):
        assert town_client.get(reverse(f"commodities:{name}", args=[count.pk])).status_code == 404
    for name in ("count_submit", "count_approve", "count_cancel"):
        assert town_client.post(reverse(f"commodities:{name}", args=[count.pk])).status_code == 404
    assert AuditEvent.objects.filter(
        action="denied", user=keepers.town, object_id=str(count.pk)
    ).exists()
    count.refresh_from_db()
    assert count.status == CountStatus.OPEN


def test_quality_pages(town_client, stocked, stores):
    lot = Lot.objects.get(number="P1")
    assert town_client.get(reverse("commodities:quality_list")).status_code == 200
    url = reverse("commodities:quality_new", args=[stores.town.pk])
    assert town_client.get(url).status_code == 200
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    data = {"checked_on": future, "lot": lot.pk, "condition": "good", "action": "none",
            "checked_by": "王五"}  # fmt: skip
    response = town_client.post(url, data)
    assert response.status_code == 400 and not QualityCheck.objects.exists()
    data["checked_on"] = "2026-03-05"
    response = town_client.post(url, data)
    assert response.status_code == 302
    assert QualityCheck.objects.get().lot == lot
    page = town_client.get(reverse("commodities:quality_list") + f"?store={stores.town.pk}")
    assert "P1" in page.content.decode()
    other = reverse("commodities:quality_new", args=[stores.community.pk])
    assert town_client.get(other).status_code == 404


def test_adverse_pages_and_export(client, stocked, products, users, tree, keepers):
    person = factories.person(tree.village_a, name="李秀英")
    outsider = factories.person(tree.community, name="周敏", seq=2)
    client.force_login(keepers.town)
    assert (
        client.get(reverse("commodities:adverse_new") + f"?person={person.pk}").status_code == 200
    )
    assert (
        client.get(reverse("commodities:adverse_new") + f"?person={outsider.pk}").status_code == 404
    )
    data = {
        "person": person.pk, "product": products.pill.pk, "lot_number": "C1",
        "started_on": "2026-03-01", "reported_on": "2026-03-02", "description": "头晕",
        "severity": Severity.MODERATE, "outcome": "recovering", "reporter": "赵医生",
    }  # fmt: skip
    response = client.post(reverse("commodities:adverse_new"), data)
    assert response.status_code == 400
    assert 'data-error-for="lot_number"' in response.content.decode()
    data["lot_number"] = "P1"
    response = client.post(reverse("commodities:adverse_new"), data)
    assert response.status_code == 302
    reaction = AdverseReaction.objects.get()
    assert reaction.lot.number == "P1" and reaction.person == person

    # by ID number, someone outside the keeper's subtree: refused and audited
    data.pop("person")
    data["id_number"] = factories.id_number(outsider.birth_date, "F", 2)
    response = client.post(reverse("commodities:adverse_new"), data)
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="denied", user=keepers.town).exists()
    assert AdverseReaction.objects.count() == 1

    quality.adverse_reaction_report(
        actor=users.office, person=outsider, product=products.condom,
        started_on=D(2026, 3, 1), reported_on=D(2026, 3, 4), description="皮疹",
        severity=Severity.SEVERE, reporter="钱医生",
    )  # fmt: skip
    client.force_login(users.office)
    page = client.get(reverse("commodities:adverse_list")).content.decode()
    assert "李秀英" in page and "周敏" in page
    page = client.get(reverse("commodities:adverse_list") + "?severity=severe").content.decode()
    assert "周敏" in page and "李秀英" not in page
    response = client.get(reverse("commodities:adverse_export") + "?severity=severe")
    assert response.status_code == 200
    import io

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.max_row == 2
    assert AuditEvent.objects.filter(action="export", user=users.office).exists()
