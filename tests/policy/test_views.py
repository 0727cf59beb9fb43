"""The read-only pages: permission, scope, Chinese content, history and diff."""

import pytest
from django.test import Client

from jisheng.policy.services import pack_load
from tests.policy.conftest import grant, minimal, mismatched_total, pack_file


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def office(users):
    grant(users.office)
    return login(users.office)


def test_login_required(client, db):
    response = client.get("/policy/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_permission_required(users):
    client = login(users.field_a)
    assert client.get("/policy/").status_code == 403
    assert client.get("/policy/default-2026/").status_code == 403


def test_list_shows_packs_units_and_versions(office, tree):
    pack_load(actor=None, text=pack_file("mine-2005.yaml"), unit=tree.mine)
    response = office.get("/policy/")
    assert response.status_code == 200
    html = response.text
    assert "政策包" in html
    assert "默认政策（2026）" in html
    assert "适用于所有单位" in html
    assert "煤矿人口与计划生育工作决定（2005）" in html
    assert "示范煤矿" in html
    assert "2026.2" in html
    assert 'data-testid="in-force"' in html
    assert "示范县执行默认政策（2026）2026.2 版。" in html


def test_menu_has_the_policy_entry(office):
    html = office.get("/").text
    assert 'href="/policy/"' in html


def test_detail_shows_readable_sections(office):
    html = office.get("/policy/default-2026/").text
    assert "随访安排" in html
    assert "口服药" in html and "每月" in html
    assert "上环" in html and "每 3 个月" in html
    assert "42 天后随访一次" in html
    assert "综合服务（春秋两季）" in html and "每年 2 次" in html
    assert "期限" in html
    assert "每季度第 3 个月 25 日前" in html
    assert "15 日内" in html and "1 个月内" in html
    assert "随访率" in html and "≥ 95%" in html
    assert "每低于目标一个百分点扣 2 分，最低 0 分" in html
    assert "黄牌警告" in html
    assert "婚假" not in html  # leave days are no pack key (issue 14: no effect)
    assert "版本历史" in html
    assert "奖惩只针对单位和工作岗位的行政职责，从不针对个人。" in html


def test_seed_pack_detail_shows_letter_allowance_and_sources(office, tree):
    pack_load(actor=None, text=pack_file("mine-2005.yaml"), unit=tree.mine)
    html = office.get("/policy/mine-2005/").text
    assert 'data-testid="letter"' in html
    assert "45 岁及以下的男职工" in html
    assert "计生宣传员" in html  # the staff role of the penalties
    assert "每月 10 元" not in html  # allowances are no pack key (issue 14: no effect)
    # the sources by their notes, not file names and lines (issue 13 item 19)
    assert 'data-testid="sources"' in html
    assert "000_230c61b4006c2e05.txt:96-108" not in html and "保障措施" in html


def test_a_pack_shows_the_points_disagreement(office, tree):
    pack_load(actor=None, text=mismatched_total(), unit=tree.county)
    html = office.get("/policy/test-pack/").text
    assert 'data-testid="weights-warning"' in html
    assert "声明 100 分，但各项合计 80 分" in html
    # the county pack's total is reconciled now (issue 14 §0): no disagreement shown
    pack_load(actor=None, text=pack_file("county-commodities-2007.yaml"), unit=tree.county)
    html = office.get("/policy/county-commodities-2007/").text
    assert 'data-testid="weights-warning"' not in html


def test_behaviour_targets_are_shown_as_not_scored(office, tree):
    """SPEC §0 (issue 14): the county's 节育率 and 妇检率 are information on the pack page."""
    import re

    pack_load(actor=None, text=pack_file("county-commodities-2007.yaml"), unit=tree.county)
    html = office.get("/policy/county-commodities-2007/").text

    def row(indicator):
        return re.search(rf'<tr data-indicator="{indicator}">.*?</tr>', html, re.S).group(0)

    for indicator in (
        "contraceptive_rate_couples",
        "gyn_screening_rate",
        "contraceptive_prevalence",
    ):
        assert "统计信息（不计分）" in row(indicator)
    assert "统计信息（不计分）" not in row("staff_study") and ">10<" in row("staff_study")


def test_history_and_version_switch(office, tree, users):
    first = pack_load(actor=users.office, text=minimal(), unit=tree.mine).version
    second = pack_load(
        actor=users.office, text=minimal(version="2", iud_months=6), unit=tree.mine
    ).version
    html = office.get("/policy/test-pack/").text
    assert html.count(f"?version={first.pk}") == 1
    # no SHA-256 on the page: a technical detail (issue 13 item 19)
    assert second.sha256[:12] not in html and "SHA-256" not in html
    assert "office" in html
    html = office.get(f"/policy/test-pack/?version={first.pk}").text
    assert "版本 1" in html
    assert office.get("/policy/test-pack/?version=999999").status_code == 404


def test_diff_page(office, tree):
    pack_load(actor=None, text=minimal(), unit=tree.mine)
    second = pack_load(actor=None, text=minimal(version="2", iud_months=6), unit=tree.mine).version
    response = office.get(f"/policy/test-pack/versions/{second.pk}/diff/")
    assert response.status_code == 200
    html = response.text
    assert "从 1 版到 2 版的变化" in html
    assert '<span class="add">+    iud: {every_months: 6}</span>' in html
    assert '<span class="del">-    iud: {every_months: 3}</span>' in html


def test_packs_outside_the_scope_are_404(tree, users):
    pack_load(actor=None, text=minimal(code="mine-pack"), unit=tree.mine)
    grant(users.field_a)
    client = login(users.field_a)
    assert client.get("/policy/mine-pack/").status_code == 404
    assert "mine-pack" not in client.get("/policy/").text
    assert client.get("/policy/default-2026/").status_code == 200
    assert client.get("/policy/nothing/").status_code == 404


def test_pages_are_read_only(office):
    assert office.post("/policy/").status_code == 405
    assert office.post("/policy/default-2026/").status_code == 405


def test_a_pack_without_sources_shows_no_empty_card(office, tree):
    """Issue 14: the leave card is gone; the sources card shows only with sources."""
    pack_load(actor=None, text=minimal(), unit=tree.mine)
    html = office.get("/policy/test-pack/").text
    assert 'data-testid="leave"' not in html
    assert 'data-testid="sources"' not in html
    assert html.count('class="card h-100"') == html.count('class="card h-100" data-testid=')
