import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.http import Http404
from django.utils import translation

from jisheng.indicators import selectors


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("indicators", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_json(world, tree):
    data = json.loads(
        run(
            "--unit",
            tree.town.code,
            "--period",
            "2026Q3",
            "--ids",
            "married_wra,contraceptive_prevalence",
            "--format",
            "json",
        )
    )
    assert (data["period"], data["first"], data["last"]) == ("2026Q3", "2026-07-01", "2026-09-30")
    by_code = {u["code"]: u["indicators"] for u in data["units"]}
    assert by_code[tree.village_a.code]["married_wra"]["value"] == 5
    assert by_code[tree.village_a.code]["contraceptive_prevalence"] == {
        "value": 60.0,
        "numerator": 3,
        "denominator": 5,
    }
    assert by_code[tree.village_b.code]["contraceptive_prevalence"]["value"] is None


def test_table(world, tree):
    text = run("--unit", tree.town.code, "--period", "2026Q3", "--ids", "contraceptive_prevalence")
    assert "甲村" in text and "60.00 [3/5]" in text
    assert "— [0/0]" in text
    naive = run(
        "--unit",
        tree.town.code,
        "--period",
        "2026Q3",
        "--naive",
        "--ids",
        "contraceptive_prevalence",
    )
    assert naive == text
    whole = run("--unit", tree.county.code, "--period", "2026", "--level", "self")
    assert "示范县" in whole and "乙村" not in whole


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "NOPE", "--period", "2026Q3"], "No unit has the code NOPE"),
        (["--unit", "990100000000", "--period", "2026Q9"], "is not a period"),
        (["--unit", "990100000000", "--period", "2026", "--ids", "x"], "Unknown indicator: x"),
    ],
)
def test_bad_input(tree, args, message):
    with translation.override("en"), pytest.raises(CommandError, match=message):
        run(*args)


def test_selector_scope(world, tree, users):
    rows = selectors.unit_values(
        users.town_office, unit_code=tree.town.code, period="2026Q3", ids="married_wra"
    )
    assert [r.unit.code for r in rows] == [tree.village_a.code, tree.village_b.code]
    with pytest.raises(Http404):
        selectors.unit_values(users.field_a, unit_code=tree.town.code, period="2026Q3")
    with pytest.raises(Http404):
        selectors.unit_values(users.town_office, unit_code=tree.street.code, period="2026Q3")
    with pytest.raises(ValueError):
        selectors.unit_values(users.town_office, unit_code=tree.town.code, period="Q3")
