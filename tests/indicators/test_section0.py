"""SPEC §0 closed for behaviour indicators (issue 14), on the indicator side: every
catalogue indicator declares what it measures; a behaviour indicator is never scored,
never fires ``indicator_below_target`` — not even from a contract stored before the rule
— and a contract refuses points on it; the last place is flagged only where the
contract (or pack) says so."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jisheng.core.registry import registry
from jisheng.indicators import assessment as rules
from jisheng.indicators import catalogue, contracts, engine, scoring
from jisheng.indicators.models import Contract, ContractItem
from jisheng.policy.loader import parse_pack
from jisheng.policy.measures import BEHAVIOUR, MEASURES, SERVICE
from tests.indicators import test_contracts
from tests.indicators.test_contracts import sign

assess_pack = test_contracts.assess_pack
drawn = test_contracts.drawn

NAMED_BEHAVIOUR = (
    "births",
    "birth_rate",
    "policy_birth_rate",
    "multi_child_rate",
    "tfr",
    "sex_ratio_at_birth",
    "contraceptive_prevalence",
    "long_acting_share",
    "campaign_coverage",
    "gyn_screening_rate",
    "late_marriage_rate",
    "late_childbearing_rate",
)
NAMED_SERVICE = (
    "followup_rate",
    "informed_choice_rate",
    "information_accuracy",
    "transfer_rate",
    "stock_out_rate",
    "count_accuracy",
)


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


# --------------------------------------------------------------------------- the catalogue


def test_every_catalogue_indicator_declares_what_it_measures():
    """After every app's ready(): the built-in ones and those other apps register."""
    assert {"information_accuracy", "migrant_verification_rate", "certificate_rate"} <= set(
        catalogue.BY_ID
    )
    for indicator in catalogue.CATALOGUE:
        assert indicator.measures in MEASURES, indicator.id
        assert registry["indicators"][indicator.id] is indicator
    for indicator_id in NAMED_BEHAVIOUR:
        assert catalogue.get(indicator_id).measures == BEHAVIOUR, indicator_id
    for indicator_id in NAMED_SERVICE:
        assert catalogue.get(indicator_id).measures == SERVICE, indicator_id


def test_an_indicator_that_does_not_declare_it_fails():
    with pytest.raises(TypeError, match="measures"):
        engine.Indicator(id="x", name_zh="x", unit="count", numerator=(engine.T("births"),))
    with pytest.raises(ValueError, match="measures 'quality'"):
        engine.Indicator(
            id="x",
            name_zh="x",
            unit="count",
            measures="quality",
            numerator=(engine.T("births"),),
        )


def test_replace_keeps_the_registry_in_step():
    original = catalogue.get("births")
    again = dataclasses.replace(original)
    try:
        catalogue.replace(again)
        assert registry["indicators"]["births"] is again
    finally:
        catalogue.replace(original)
    assert registry["indicators"]["births"] is original


# --------------------------------------------------------------------------- scoring


def test_a_behaviour_item_scores_nothing_whatever_its_rule():
    rule = scoring.Rule(kind="all_or_nothing", weight=40, target=80)
    assert scoring.score(rule, 90).points == 40  # a service item
    info = scoring.score(rule, 90, behaviour=True)
    assert (info.points, info.max_points, info.met, info.status) == (
        None,
        0.0,
        True,
        scoring.INFORMATION,
    )
    assert "SPEC §0" in info.note
    missed = scoring.score(rule, 50, behaviour=True)
    assert (missed.points, missed.met) == (None, False)
    assert scoring.total([scoring.score(rule, 90), info]).max_points == 40


def _item(key, indicator, value, *, target, weight=0.0, kind="all_or_nothing"):
    return {
        "key": key,
        "kind": ContractItem.Kind.INDICATOR,
        "indicator": indicator,
        "name": indicator,
        "trigger": "",
        "description": "",
        "rule": scoring.Rule(kind=kind if weight else "", weight=weight, target=target).as_dict(),
        "value": value,
    }


def _row(pk, items, *, flag_last_place=False, consequences=()):
    return {
        "id": pk,
        "code": f"U{pk}",
        "name": f"单位{pk}",
        "source": "contract",
        "items": items,
        "total_points": 100,
        "bands": [],
        "consequences": list(consequences),
        "composite": [],
        "flag_last_place": flag_last_place,
    }


def test_indicator_below_target_considers_service_items_only():
    behaviour = _item("b", "contraceptive_prevalence", 60, target=100, weight=40)
    for service_value, expected in ((90, True), (99, False)):
        service = _item("s", "followup_rate", service_value, target=95)
        row = rules.score_unit(_row(1, [service, behaviour]), {}, "year")
        assert row["below_target"] is expected
        line = next(x for x in row["lines"] if x["indicator"] == "contraceptive_prevalence")
        assert (line["status"], line["points"], line["max_points"]) == (
            scoring.INFORMATION,
            None,
            0.0,
        )
        assert row["items_total"]["max_points"] == 0


def test_the_last_place_is_flagged_only_when_the_contract_says_so():
    notice = {"trigger": "last_place", "applies_to": "unit", "kind": "notice"}

    def basis(flag):
        return {
            "kind": "year",
            "units": [
                _row(
                    pk,
                    [_item("s", "followup_rate", value, target=95, weight=100)],
                    flag_last_place=flag,
                    consequences=[notice],
                )
                for pk, value in ((1, 99), (2, 90))
            ],
        }

    unflagged = {r["id"]: r for r in rules.score_basis(basis(False), [])["units"]}
    assert unflagged[2]["rank"] == 2
    assert not unflagged[2]["is_last"] and unflagged[2]["consequences"] == []
    flagged = {r["id"]: r for r in rules.score_basis(basis(True), [])["units"]}
    assert flagged[2]["is_last"] and not flagged[1]["is_last"]
    assert [c["trigger"] for c in flagged[2]["consequences"]] == ["last_place"]


# --------------------------------------------------------------------------- contracts


def test_a_contract_refuses_points_on_a_behaviour_indicator(tree, users, drawn):
    contract = drawn[tree.village_a.code]
    items = test_contracts.rows_of(contract)
    info = {
        **items[0],
        "indicator": "policy_birth_rate",
        "name": "政策符合率",
        "target": 100,
        "weight": 0,
        "scoring": "",
        "minus_per_point": None,
    }
    for change in (
        {"weight": 10, "scoring": "all_or_nothing"},
        {"scoring": "yes_no"},
        {"weight": 10, "scoring": "manual"},
    ):
        with pytest.raises(ValidationError) as info_error:
            contracts.contract_update(
                actor=users.office, contract=contract, items=[*items, {**info, **change}]
            )
        assert "Row 8" in str(info_error.value) and "SPEC §0" in str(info_error.value)
    # as information (a target, no points) it is accepted
    contracts.contract_update(actor=users.office, contract=contract, items=[*items, info])
    added = contract.items.get(indicator="policy_birth_rate")
    assert (added.target, added.weight, added.scoring) == (100, 0, "")


def test_a_pack_stored_before_the_rule_gives_no_points_to_behaviour():
    """items_from_pack strips points from a behaviour item (a pack version stored
    before the loader refused them is still read)."""
    pack = parse_pack(test_contracts.PACK).pack
    old = pack.assessment.targets[0].model_copy(
        update={"indicator": "gyn_screening_rate", "name": "妇检率"}
    )
    assessment = pack.assessment.model_copy(update={"targets": [old]})
    items = contracts.items_from_pack(pack.model_copy(update={"assessment": assessment}))
    assert [(i["indicator"], i["kind"], i["weight"], i["scoring"]) for i in items] == [
        ("gyn_screening_rate", "indicator", 0.0, ""),
        ("", "veto", 0.0, ""),
    ]
    assert items[0]["target"] == 80


def test_behaviour_points_stored_in_a_signed_contract_count_for_nothing(world, tree, users, drawn):
    """A signed contract written before the rule (points on 综合避孕率 and an
    indicator_below_target consequence): the item is shown as information, scores no
    points and fires nothing."""
    contract = drawn[tree.village_a.code]
    items = test_contracts.rows_of(contract)
    items[0]["target"] = 50  # the scored stand-in is met (60 %)
    contracts.contract_update(actor=users.office, contract=contract, items=items)
    sign(contract, users.office, dt.date(2026, 1, 10))
    ContractItem.objects.create(
        contract=contract,
        position=99,
        kind=ContractItem.Kind.INDICATOR,
        indicator="contraceptive_prevalence",
        name="综合避孕率（旧）",
        target=100,
        weight=40,
        scoring="all_or_nothing",
    )
    below = {"trigger": "indicator_below_target", "applies_to": "unit", "kind": "yellow_card"}
    Contract.objects.filter(pk=contract.pk).update(
        consequences=[*contract.consequences, below], total_points=140
    )
    assessment = rules.assessment_create(actor=users.office, issuer=tree.town, period="2026")
    a = rules.unit_result(assessment, tree.village_a.pk)
    old = next(x for x in a["lines"] if x["name"] == "综合避孕率（旧）")
    assert (old["value"], old["met"]) == (60, False)
    assert (old["status"], old["points"], old["max_points"]) == (scoring.INFORMATION, None, 0)
    assert a["items_total"]["max_points"] == 100
    assert a["below_target"] is False
    assert "indicator_below_target" not in [c["trigger"] for c in a["consequences"]]
    presented = next(u for u in rules.present(assessment.result) if u["id"] == tree.village_a.pk)
    assert [x["name"] for x in presented["information"]] == ["出生人数", "综合避孕率（旧）"]
    assert "综合避孕率（旧）" not in [x["name"] for x in presented["lines"]]


def test_the_contracts_flag_last_place_checkbox_decides(world, tree, users, drawn):
    """Issue 14 item 8: the contract's "flag the last place" used to do nothing."""
    a, b = drawn[tree.village_a.code], drawn[tree.village_b.code]
    contracts.contract_update(
        actor=users.office, contract=b, items=test_contracts.rows_of(b), flag_last_place=False
    )
    sign(a, users.office)
    b = sign(b, users.office)
    assessment = rules.assessment_create(actor=users.office, issuer=tree.town, period="2026")
    row_b = rules.unit_result(assessment, tree.village_b.pk)
    assert row_b["rank"] == 2  # last in the ranking, with 0 points
    assert row_b["is_last"] is False
    assert "last_place" not in [c["trigger"] for c in row_b["consequences"]]
    # B's contract flags it again in a new version: B is marked last, the notice follows
    new = contracts.contract_revise(actor=users.office, contract=b)
    contracts.contract_update(
        actor=users.office, contract=new, items=test_contracts.rows_of(new), flag_last_place=True
    )
    sign(new, users.office)
    assessment = rules.assessment_recompute(actor=users.office, assessment=assessment)
    row_b = rules.unit_result(assessment, tree.village_b.pk)
    assert row_b["is_last"] is True
    assert "last_place" in [c["trigger"] for c in row_b["consequences"]]


def test_a_behaviour_target_the_catalogue_does_not_compute_stays_information():
    """The school seed's 节育及时率 (contraceptive_timeliness): an indicator item shown for
    information with its target, never turned into an item scored by hand."""
    from jisheng.policy.services import PACKS_DIR

    pack = parse_pack((PACKS_DIR / "school-2023.yaml").read_text(encoding="utf-8")).pack
    items = {i["indicator"]: i for i in contracts.items_from_pack(pack)}
    timeliness = items["contraceptive_timeliness"]
    assert (timeliness["kind"], timeliness["weight"], timeliness["scoring"]) == (
        ContractItem.Kind.INDICATOR,
        0.0,
        "",
    )
    assert timeliness["target"] == 98
    assert contracts.clean_item(timeliness)["indicator"] == "contraceptive_timeliness"
    # a service target the catalogue does not compute is still scored by hand
    manual = [i for i in contracts.items_from_pack(pack) if i["kind"] == ContractItem.Kind.MANUAL]
    assert "statistics_accuracy" in {i["indicator"] for i in manual}
    with pytest.raises(ValueError, match="SPEC §0"):
        contracts.clean_item({**timeliness, "weight": 5, "scoring": "manual"})


def test_the_edit_form_offers_the_pack_only_behaviour_targets():
    """A contract drawn from the school pack keeps 节育及时率: its edit form must accept
    it back (for information only)."""
    from jisheng.indicators.forms import ItemForm

    data = {"kind": "indicator", "indicator": "contraceptive_timeliness", "name": "节育及时率"}
    data.update(target="98", unit="percent", direction="at_least", weight="0", floor="0")
    form = ItemForm(data=data)
    assert form.is_valid(), form.errors
    assert contracts.clean_item(form.item())["indicator"] == "contraceptive_timeliness"
    assert not ItemForm(data={**data, "indicator": "staff_meetings"}).is_valid()
