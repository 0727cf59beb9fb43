"""Contract pages: permissions (anonymous, no permission, read-only), scope (404 and an
audited denial), the list with "draw up for all", editing a draft as a formset (errors
on the page), signing, a new version, discarding, and the printed contract."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jisheng.core import pdf
from jisheng.core.models import AuditEvent
from jisheng.indicators import contracts
from jisheng.indicators.models import Contract
from tests.indicators import test_contracts
from tests.indicators.test_contracts import YEAR, sign

assess_pack = test_contracts.assess_pack
drawn = test_contracts.drawn


@pytest.fixture
def office(client, users):
    client.cookies["django_language"] = "en"
    client.force_login(users.office)
    return client


def formset_post(contract, change=None, extra=None, total="100"):
    """The edit page's POST for the contract's items (``change``: {row: {field: value}})."""
    items = list(contract.items.all())
    rows = [{n: getattr(i, n) for n in contracts.ITEM_FIELDS} for i in items]
    for row, values in (change or {}).items():
        rows[row].update(values)
    if extra:
        rows.append(extra)
    data = {
        "total_points": total,
        "items-TOTAL_FORMS": str(len(rows) + 1),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "100",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"items-{n}-{key}"] = "" if value is None else str(value)
    # the blank extra row, untouched
    data[f"items-{len(rows)}-kind"] = "indicator"
    data[f"items-{len(rows)}-unit"] = "percent"
    data[f"items-{len(rows)}-direction"] = "at_least"
    return data


def test_anonymous_and_unprivileged(client, users, drawn, tree):
    url = reverse("indicators:contract_list")
    assert client.get(url).status_code == 302
    client.force_login(users.field_a)
    assert client.get(url).status_code == 403
    contract = drawn[tree.village_a.code]
    assert client.get(reverse("indicators:contract_detail", args=[contract.pk])).status_code == 403


def test_leader_reads_but_cannot_write(client, users, drawn, tree):
    client.force_login(users.leader)
    contract = drawn[tree.village_a.code]
    page = client.get(reverse("indicators:contract_detail", args=[contract.pk]))
    assert page.status_code == 200 and 'data-testid="edit"' not in page.text
    assert client.get(reverse("indicators:contract_edit", args=[contract.pk])).status_code == 403
    assert client.post(reverse("indicators:contract_sign", args=[contract.pk])).status_code == 403


def test_list_and_draw_all(office, tree, assess_pack):
    url = reverse("indicators:contract_list") + f"?unit={tree.town.code}&year={YEAR}"
    page = office.get(url)
    assert page.status_code == 200
    assert 'data-testid="draw-all"' in page.text and "甲村" in page.text
    response = office.post(
        reverse("indicators:contract_draw_all"), {"unit": tree.town.code, "year": YEAR}
    )
    assert response.status_code == 302
    assert Contract.objects.filter(issuer=tree.town, year=YEAR).count() == 2
    page = office.get(url)
    assert 'data-testid="draw-all"' not in page.text
    assert page.text.count("draft, version 1") == 2


def test_draw_all_with_a_bad_year(office, tree, assess_pack):
    response = office.post(
        reverse("indicators:contract_draw_all"), {"unit": tree.town.code, "year": "1900"}
    )
    assert response.status_code == 302 and not Contract.objects.exists()


def test_list_outside_scope_is_404_and_audited(client, users, tree):
    client.force_login(users.town_office)
    response = client.get(reverse("indicators:contract_list") + f"?unit={tree.county.code}")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="town_office").exists()


def test_detail_outside_scope_is_404(client, users, drawn, tree):
    client.force_login(users.town_office)
    contract = drawn[tree.village_a.code]
    assert client.get(reverse("indicators:contract_detail", args=[contract.pk])).status_code == 200
    mine = contracts.contracts_draw_all(actor=None, issuer=tree.mine, year=YEAR).created[0]
    response = client.get(reverse("indicators:contract_detail", args=[mine.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="town_office").exists()


def test_detail_shows_items_and_problems(office, drawn, tree):
    contract = drawn[tree.village_a.code]
    page = office.get(reverse("indicators:contract_detail", args=[contract.pk]))
    assert page.status_code == 200
    assert "综合避孕率" in page.text and "≥ 80%" in page.text and "minus 2" in page.text
    assert 'data-testid="contract-vetoes"' in page.text
    assert 'data-testid="sign-problems"' not in page.text  # weights add up


def test_edit_saves_the_items(office, drawn, tree):
    contract = drawn[tree.village_a.code]
    url = reverse("indicators:contract_edit", args=[contract.pk])
    page = office.get(url)
    assert page.status_code == 200 and 'name="items-0-name"' in page.text
    extra = {
        "kind": "manual",
        "name": "台账齐全",
        "weight": "10",
        "scoring": "yes_no",
        "unit": "percent",
        "direction": "at_least",
    }
    response = office.post(url, formset_post(contract, {0: {"weight": 30}}, extra))
    assert response.status_code == 302, response.text
    assert contract.items.count() == 8
    assert contract.items.get(position=0).weight == 30


def test_edit_deletes_a_row(office, drawn, tree):
    contract = drawn[tree.village_a.code]
    data = formset_post(contract)
    data["items-5-DELETE"] = "on"  # 出生人数
    response = office.post(reverse("indicators:contract_edit", args=[contract.pk]), data)
    assert response.status_code == 302
    assert not contract.items.filter(name="出生人数").exists()


def test_edit_shows_errors_and_keeps_the_input(office, drawn, tree):
    contract = drawn[tree.village_a.code]
    response = office.post(
        reverse("indicators:contract_edit", args=[contract.pk]),
        formset_post(contract, {1: {"target": 150}}),
    )
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.text and "Row 2" in response.text
    assert contract.items.get(position=1).target == 50


def test_sign_page(office, drawn, tree):
    contract = drawn[tree.village_a.code]
    url = reverse("indicators:contract_sign", args=[contract.pk])
    assert office.get(url).status_code == 200
    response = office.post(url, {"issuer_signatory": "", "unit_signatory": "", "signed_on": ""})
    assert response.status_code == 200 and "Who signed" in response.text
    response = office.post(
        url,
        {"issuer_signatory": "王明", "unit_signatory": "李强", "signed_on": "2026-01-10"},
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == "signed"
    page = office.get(reverse("indicators:contract_detail", args=[contract.pk]))
    assert 'data-testid="signing"' in page.text and "王明" in page.text
    # read-only now
    response = office.get(reverse("indicators:contract_edit", args=[contract.pk]))
    assert response.status_code == 302


def test_revise_and_discard(office, users, drawn, tree):
    v1 = sign(drawn[tree.village_a.code], users.office)
    response = office.post(reverse("indicators:contract_revise", args=[v1.pk]))
    v2 = Contract.objects.get(unit=tree.village_a, version=2)
    assert response.status_code == 302 and response.url.endswith(f"/contracts/{v2.pk}/edit/")
    response = office.post(reverse("indicators:contract_discard", args=[v2.pk]))
    assert response.status_code == 302 and not Contract.objects.filter(pk=v2.pk).exists()
    response = office.post(reverse("indicators:contract_discard", args=[v1.pk]))
    assert Contract.objects.filter(pk=v1.pk).exists()


def test_print_page_and_pdf(office, drawn, tree, monkeypatch):

    contract = drawn[tree.village_a.code]
    page = office.get(reverse("indicators:contract_print", args=[contract.pk]))
    assert page.status_code == 200
    assert "目标管理责任书" in page.text and "草稿" in page.text and "@page" in page.text

    def unavailable(html):
        raise pdf.PdfUnavailable("no chromium")

    monkeypatch.setattr(pdf, "render_pdf", unavailable)
    response = office.get(reverse("indicators:contract_pdf", args=[contract.pk]))
    assert response.status_code == 302 and response.url.endswith("/print/")
    monkeypatch.setattr(pdf, "render_pdf", lambda html: b"%PDF-1.4 fake")
    response = office.get(reverse("indicators:contract_pdf", args=[contract.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="export", object_type="indicators.contract").exists()
