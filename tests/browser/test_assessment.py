"""Contracts and assessment on a phone: the town's office draws up the villages'
contracts from the pack, signs one, computes the annual assessment, scores village A's
hand items with a scanned minute attached, and reads the ranking and A's explanation;
every page fits the phone's width."""

from __future__ import annotations

import os

import pytest

from jisheng.indicators.models import Assessment, AssessmentEntry, Contract
from jisheng.policy import services as policy_services
from tests.factories import PASSWORD
from tests.indicators import conftest as indicator_fixtures
from tests.indicators.test_contracts import PACK

world = indicator_fixtures.world  # the hand-built data of the indicator tests
scored_twins = indicator_fixtures.scored_twins  # the PACK's scored indicators (SPEC §0)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SHOTS = os.environ.get("JISHENG_SCREENSHOTS")  # a directory: keep screenshots there


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_office_draws_signs_computes_and_scores_on_a_phone(
    phone_page, live_server, users, tree, world, login, tmp_path, settings, scored_twins
):
    settings.MEDIA_ROOT = tmp_path / "media"
    policy_services.pack_load(actor=None, text=PACK, unit=tree.county)
    page = phone_page
    login(page, "town_office", PASSWORD)

    page.goto(f"{live_server.url}/indicators/contracts/?year=2026")
    page.locator("[data-testid=draw-all] button").click()
    page.wait_for_selector("[data-testid=contract-list]")
    assert Contract.objects.filter(issuer=tree.town, year=2026).count() == 2
    assert fits_the_screen(page)
    shot(page, "contract_list")

    page.locator(f"tr[data-unit='{tree.village_a.code}'] a").first.click()
    page.wait_for_selector("[data-testid=contract-items]")
    assert fits_the_screen(page)
    shot(page, "contract_detail")
    page.locator("[data-testid=edit]").click()
    page.wait_for_selector("[data-testid=contract-form]")
    shot(page, "contract_edit")
    page.go_back()
    page.locator("[data-testid=sign]").click()
    page.locator("input[name=issuer_signatory]").fill("王明（镇长）")
    page.locator("input[name=unit_signatory]").fill("李强（村支书）")
    page.locator("[data-testid=sign-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=signing]")
    assert "王明" in page.locator("[data-testid=signing]").inner_text()
    assert Contract.objects.get(unit=tree.village_a).status == "signed"

    page.goto(f"{live_server.url}/indicators/assessments/")
    page.locator("input[name=period]").fill("2026")
    page.locator("[data-testid=assessment-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=ranking]")
    assessment = Assessment.objects.get()
    assert fits_the_screen(page)
    shot(page, "assessment_detail")

    page.goto(
        f"{live_server.url}/indicators/assessments/{assessment.pk}/units/{tree.village_a.pk}/"
    )
    form = page.locator("[data-testid=entries-form]")
    meetings = form.locator("fieldset", has_text="每月召开例会")
    meetings.locator("input[type=number]").fill("15")
    scan = tmp_path / "minutes.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    meetings.locator("input[type=file]").set_input_files(str(scan))
    assert fits_the_screen(page)
    shot(page, "assessment_score")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=ranking]")
    entry = AssessmentEntry.objects.get(unit=tree.village_a, points=15)
    assert entry.evidence
    row = page.locator(f"[data-testid=ranking] tr[data-unit='{tree.village_a.code}']")
    assert row.locator("[data-testid=score]").inner_text().strip() != ""
    explain = page.locator(f"[data-testid=explain-{tree.village_a.code}]")
    assert "3 / 5" in explain.inner_text()
    shot(page, "assessment_detail_scored")
