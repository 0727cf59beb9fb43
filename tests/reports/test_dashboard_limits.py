"""Issue 13 item 23: the dashboard never steps into a period that has not begun (the
current period and a Chinese message instead of a 400), figures from too few cases
show "样本过少" (page, drill-down, print, Excel), and count axes hold whole numbers.

Data: the hand-built 2026Q3 world of the indicator tests (one girl born, no boy).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

import jisheng
from jisheng.core import periods
from jisheng.indicators import catalogue
from jisheng.indicators.engine import Value
from jisheng.reports import dashboard
from jisheng.reports.dashboard import ChildRow, Figure
from tests.indicators.conftest import period, world  # noqa: F401  (fixtures)

URL = "/reports/dashboard/"
SMALL = "样本过少"


@pytest.fixture(autouse=True)
def _no_cache(settings):
    settings.JISHENG_DASHBOARD_CACHE_SECONDS = 0


# --------------------------------------------------------------------------- future periods


def test_a_future_period_is_never_computed():
    today = timezone.localdate()
    current = periods.containing(today, periods.QUARTER)
    future = periods.parse(f"{today.year + 1}Q1")
    assert periods.not_after(future, today) == current
    assert periods.not_after(current, today) == current
    assert periods.next_begun(current, today) is None  # no stepping past today
    assert periods.next_begun(current.previous(), today) == current


@pytest.mark.parametrize("kind", ["Q1", "", "-03", "H1"])
def test_a_future_period_in_the_address_shows_the_current_one(client, users, tree, kind):
    client.force_login(users.office)
    next_year = timezone.localdate().year + 1
    response = client.get(URL, {"unit": tree.town.code, "period": f"{next_year}{kind}"})
    assert response.status_code == 200
    shown = response.context["period"]
    assert shown.first <= timezone.localdate() <= shown.last
    page = response.content.decode()
    assert "尚未开始" in page  # the Chinese message says so
    assert response.context["next_url"] == ""  # the arrow stops at the current period
    assert f"year={next_year}" not in page  # the demography link stays in a year begun
    for name in ("reports:dashboard_export", "reports:dashboard_print", "reports:drill"):
        query = {"unit": tree.town.code, "period": f"{next_year}{kind}"}
        if name == "reports:drill":
            query.update(indicator="births", side="numerator")
        assert client.get(reverse(name), query).status_code == 200, name


def test_a_future_year_of_the_demography_page_shows_this_year(client, users, tree):
    client.force_login(users.office)
    this_year = timezone.localdate().year
    response = client.get("/reports/demography/", {"unit": tree.town.code, "year": this_year + 1})
    assert response.status_code == 200
    assert response.context["year"] == this_year
    assert "尚未开始" in response.content.decode()
    export = client.get(
        reverse("reports:demography_export"), {"unit": tree.town.code, "year": this_year + 1}
    )
    assert export.status_code == 200


# --------------------------------------------------------------------------- small numbers


def test_small_samples_are_flagged_by_rule():
    sex_ratio = catalogue.get("sex_ratio_at_birth")
    cpr = catalogue.get("contraceptive_prevalence")
    births = catalogue.get("births")
    with translation.override("zh-hans"):
        # 0 boys / 1 girl: one birth, the sex ratio needs 20
        assert dashboard.format_value(sex_ratio, Value(0.0, 0, 1)) == SMALL
        assert dashboard.excel_number(Value(0.0, 0, 1), indicator=sex_ratio) == SMALL
        assert dashboard.format_value(sex_ratio, Value(110.0, 11, 10)) == "110.00"  # 21 births
        assert dashboard.format_value(sex_ratio, Value(None, 0, 0)) == "—"
        # a rate needs a denominator of 5 (the default)
        assert dashboard.format_value(cpr, Value(50.0, 2, 4)) == SMALL
        assert dashboard.format_value(cpr, Value(60.0, 3, 5)) == "60.00%"
        assert dashboard.format_value(births, Value(1, 1, None)) == "1"  # counts never
    assert dashboard.min_sample(births) == 0
    assert dashboard.min_sample(sex_ratio) == 20


def test_the_default_is_a_setting(settings):
    cpr = catalogue.get("contraceptive_prevalence")
    settings.JISHENG_MIN_SAMPLE = 30
    assert dashboard.small_sample(cpr, Value(60.0, 12, 20))
    settings.JISHENG_MIN_SAMPLE = 0
    assert not dashboard.small_sample(cpr, Value(50.0, 1, 2))


def test_a_small_sample_is_not_ranked_and_has_no_status():
    indicator = catalogue.get("contraceptive_prevalence")
    from types import SimpleNamespace

    def row(code, value, denominator):
        unit = SimpleNamespace(code=code, path=code, name=code)
        figure = Figure(indicator, Value(value, value * denominator / 100, denominator))
        return ChildRow(unit=unit, figures={indicator.id: figure})

    ranked = dashboard.rank_rows(
        [row("A", 100.0, 2), row("B", 80.0, 10), row("C", 70.0, 10)], indicator.id
    )
    assert [(r.unit.code, r.rank) for r in ranked] == [("B", 1), ("C", 2), ("A", None)]


def test_the_sex_ratio_of_one_birth_on_every_view(client, users, tree, world):  # noqa: F811
    client.force_login(users.office)
    query = {"unit": tree.town.code, "period": "2026Q3"}
    response = client.get(URL, query)
    figure = response.context["data"].figure("sex_ratio_at_birth")
    assert figure.value.value == 0 and figure.text == SMALL and figure.status is None
    page = response.content.decode()
    block = page.split('data-indicator="sex_ratio_at_birth"')[1].split("</div>")[0:3]
    assert SMALL in "".join(block)
    drill = client.get(
        reverse("reports:drill"), {**query, "indicator": "sex_ratio_at_birth", "side": "numerator"}
    )
    assert drill.status_code == 200 and drill.context["figure"].text == SMALL
    printed = client.get(reverse("reports:dashboard_print"), query).content.decode()
    assert SMALL in printed
    book = load_workbook(io.BytesIO(client.get(reverse("reports:dashboard_export"), query).content))
    key = {row[3]: row for row in book["主要指标"].iter_rows(min_row=2, values_only=True)}
    assert key["sex_ratio_at_birth"][6] == SMALL
    demography = client.get("/reports/demography/", {"unit": tree.town.code, "year": "2026"})
    assert SMALL in demography.content.decode()


# --------------------------------------------------------------------------- charts


def test_count_axes_hold_whole_numbers():
    """ECharts' minInterval 1 on the value axis of a count (trend lines, bars, pyramid)."""
    script = Path(jisheng.__file__).parent / "static" / "jisheng" / "js" / "dashboard.js"
    text = script.read_text(encoding="utf-8")
    assert text.count('minInterval: data.unit === "count" ? 1 : 0') == 2
    assert "minInterval: 1" in text
