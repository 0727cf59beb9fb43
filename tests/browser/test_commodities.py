"""Commodities in a browser (issue 6): the township keeper receives a delivery at the
township warehouse and sends part of it to village A's cabinet; the village's 专干
receives the transfer and hands pills to a woman of the village. The stock figures on
the store pages are checked after each step."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jisheng.commodities.choices import DocumentKind, TransferStatus
from jisheng.commodities.models import Document, StockCard
from tests import factories
from tests.commodities.conftest import keepers, products, stores  # noqa: F401
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def on_hand_shown(page, lot: str) -> int:
    cell = page.locator(f"[data-testid=stock-today] tr[data-lot='{lot}'] [data-testid=on-hand]")
    return int(cell.inner_text().strip())


def test_receive_transfer_receive_and_issue(
    page,
    live_server,
    login,
    tree,
    stores,  # noqa: F811
    products,  # noqa: F811
    keepers,  # noqa: F811
):
    woman = factories.person(tree.village_a, name="李秀英")
    today = timezone.localdate().isoformat()
    town_url = f"{live_server.url}/commodities/stores/{stores.town.pk}/"
    village_url = f"{live_server.url}/commodities/stores/{stores.village_a.pk}/"

    # 1. the township keeper receives 100 boards of pills (入库单)
    login(page, "yaoju_town", PASSWORD)
    page.goto(town_url)
    page.locator("[data-testid=btn-receipt]").click()
    form = page.locator("[data-testid=movement-form]")
    form.locator("input[name=supplier]").fill("省药具站")
    form.locator("input[name=occurred_on]").fill(today)
    form.locator("select[name=lines-0-product]").select_option(str(products.pill.pk))
    form.locator("input[name=lines-0-number]").fill("P2026")
    form.locator("input[name=lines-0-expires_on]").fill("2028-12-31")
    form.locator("input[name=lines-0-quantity]").fill("100")
    form.locator("[data-testid=save]").click()
    page.wait_for_url(town_url)
    assert page.locator(".alert-success").is_visible()
    assert on_hand_shown(page, "P2026") == 100

    # 2. a transfer of 30 to village A's cabinet (出库单): in transit
    page.locator("[data-testid=btn-transfer]").click()
    form = page.locator("[data-testid=movement-form]")
    form.locator("select[name=to_store]").select_option(str(stores.village_a.pk))
    form.locator("select[name=lines-0-product]").select_option(str(products.pill.pk))
    form.locator("input[name=lines-0-quantity]").fill("30")
    form.locator("[data-testid=save]").click()
    page.wait_for_url(town_url)
    assert on_hand_shown(page, "P2026") == 70
    transfer = Document.objects.get(kind=DocumentKind.TRANSFER_OUT)
    assert transfer.transfer_status == TransferStatus.IN_TRANSIT

    # 3. the village's 专干 sees it in transit and receives it (调入登记)
    page.context.clear_cookies()
    login(page, "yaoju_a", PASSWORD)
    page.goto(village_url)
    assert page.locator("[data-testid=stock-today] tr[data-lot='P2026']").count() == 0
    in_transit = page.locator(f"[data-testid=in-transit] [data-transfer='{transfer.pk}']")
    in_transit.locator("[data-testid=btn-receive]").click()
    form = page.locator("[data-testid=movement-form]")
    assert form.locator("[data-testid=sent]").inner_text().strip() == "30"
    assert form.locator("input[name=lines-0-received]").input_value() == "30"
    form.locator("[data-testid=save]").click()
    page.wait_for_url(village_url)
    assert on_hand_shown(page, "P2026") == 30
    assert page.locator("[data-testid=in-transit]").count() == 0

    # 4. she finds the woman by name and issues 3 boards (发放登记), FEFO suggested
    page.locator("[data-testid=btn-issue]").click()
    page.locator("[data-testid=person-search] input[name=q]").fill("李秀英")
    page.locator("[data-testid=person-search] button").click()
    page.locator(f"[data-testid=person-matches] [data-person='{woman.pk}']").click()
    assert "李秀英" in page.locator("[data-testid=issue-person]").inner_text()
    assert page.locator("[data-testid=fefo] [data-fefo-lot='P2026']").is_visible()
    form = page.locator("[data-testid=movement-form]")
    form.locator("select[name=lines-0-product]").select_option(str(products.pill.pk))
    form.locator("input[name=lines-0-quantity]").fill("3")
    form.locator("input[name=staff_name]").fill("王医生")
    form.locator("[data-testid=save]").click()
    page.wait_for_url(village_url)
    assert on_hand_shown(page, "P2026") == 27

    issue = Document.objects.get(kind=DocumentKind.ISSUE)
    assert issue.person == woman and issue.store == stores.village_a
    assert StockCard.objects.get(store=stores.town).on_hand == 70
    assert StockCard.objects.get(store=stores.village_a).on_hand == 27
