"""Assessments on the hand-built data of ``conftest.world`` (甲村 A, 乙村 B under 东城镇):
values from ONE grouped engine call, every line explained, items with no cases left
out and the total rescaled, scores entered by hand with evidence, veto, ranking, last
place, consequences for units and staff roles, the composite with the half-year
assessment, approval that freezes the result against later data changes, scope.

At the end of 2026, A has 5 married WRA (w1 IUD, w2 pill, w4 stopped, w6 implant, the
mover without a method): 综合避孕率 3/5 = 60 %, 长效措施率 2/3. B has none (no cases).
At the end of June A has w1, w2, w3 (IUD), w4, w6 (no method yet): 3/5; B the mover: 0/1.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from jisheng.core import periods
from jisheng.core.models import AuditEvent
from jisheng.indicators import assessment as rules
from jisheng.indicators import engine, scoring
from jisheng.indicators.models import Assessment, AssessmentEntry
from jisheng.services.followup import method_start
from tests.indicators import test_contracts
from tests.indicators.test_contracts import sign

# fixtures shared with the contract tests
assess_pack = test_contracts.assess_pack
drawn = test_contracts.drawn

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def evidence(name="minutes.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def unit_row(assessment, unit):
    return rules.unit_result(assessment, unit.pk)


def line(row, name):
    return next(x for x in row["lines"] if x["name"] == name)


def keys(assessment, unit):
    return {s["name"]: s["key"] for s in rules.entry_slots(assessment, unit.pk)}


def score_all(assessment, users, unit, *, meetings=20, leading=True, accuracy=10, spot=None):
    k = keys(assessment, unit)
    values = {
        k["每月召开例会"]: {"points": meetings, "evidence": evidence()},
        k["成立领导小组"]: {"answer": leading, "evidence": evidence("photo.png", PNG)},
        k["信息准确率"]: {"points": accuracy, "evidence": evidence()},
    }
    if spot is not None:
        values[k["平时抽查"]] = {"points": spot, "note": "抽查 20 户", "evidence": evidence()}
    return rules.entries_save(actor=users.office, assessment=assessment, unit=unit, values=values)


PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 20


@pytest.fixture
def annual(world, tree, users, assess_pack):
    """The 2026 annual assessment of the town's villages, from the pack (no contracts)."""
    return rules.assessment_create(actor=users.office, issuer=tree.town, period="2026")


# --------------------------------------------------------------------------- computing


def test_one_grouped_engine_call_for_all_children(world, tree, users, assess_pack, monkeypatch):
    calls = []
    real = engine.compute_units

    def counting(indicators, root, period, units):
        calls.append((tuple(i.id for i in indicators), root, period.code, tuple(units)))
        return real(indicators, root, period, units)

    monkeypatch.setattr(engine, "compute_units", counting)
    rules.assessment_create(actor=users.office, issuer=tree.town, period="2026")
    assert len(calls) == 1
    ids, root, period, units = calls[0]
    assert set(ids) == {"scored_prevalence", "scored_long_acting", "births"}
    assert root == tree.town and period == "2026"
    assert units == (tree.village_a, tree.village_b)


def test_values_targets_rules_and_points_explained(annual, tree):
    a = unit_row(annual, tree.village_a)
    assert a["source"] == "pack" and a["pack"] == "test-assessment 1"
    prevalence = line(a, "综合避孕率")
    assert (prevalence["value"], prevalence["numerator"], prevalence["denominator"]) == (60, 3, 5)
    assert prevalence["rule"]["target"] == 80 and prevalence["rule"]["minus_per_point"] == 2
    assert (prevalence["points"], prevalence["max_points"], prevalence["met"]) == (0, 40, False)
    long_acting = line(a, "长效措施率")
    assert long_acting["value"] == pytest.approx(200 / 3)
    assert (long_acting["points"], long_acting["met"]) == (20, True)
    births = line(a, "出生人数")
    assert (births["status"], births["value"], births["met"]) == (scoring.INFORMATION, 1, True)
    # not entered yet: 0 for now, and listed as pending
    assert line(a, "每月召开例会")["status"] == scoring.NOT_ENTERED
    assert a["items_total"]["points"] == 20 and a["total"] is not None
    presented = next(u for u in rules.present(annual.result) if u["id"] == tree.village_a.pk)
    explained = line(presented, "综合避孕率")
    assert explained["fraction"] == "3 / 5" and explained["value_text"] == "60%"
    assert explained["target_text"] == "≥ 80%"
    assert "minus 2" in explained["rule_text"] and explained["points_text"] == "0"


def test_no_cases_are_left_out_and_the_total_rescaled(annual, tree, users):
    b = unit_row(annual, tree.village_b)
    prevalence = line(b, "综合避孕率")
    assert prevalence["value"] is None and prevalence["status"] == scoring.NO_CASES
    assert prevalence["points"] is None and "No cases" in prevalence["note"]
    score_all(annual, users, tree.village_b, meetings=20, leading=True, accuracy=10)
    b = unit_row(annual, tree.village_b)
    total = b["items_total"]
    assert (total["earned"], total["left_out"], total["max_points"]) == (40, 60, 100)
    assert total["points"] == 100 and total["rescaled"]


def test_the_half_year_uses_its_own_period(world, tree, users, assess_pack):
    half = rules.assessment_create(actor=users.office, issuer=tree.town, period="2026H1")
    a, b = unit_row(half, tree.village_a), unit_row(half, tree.village_b)
    assert (line(a, "综合避孕率")["numerator"], line(a, "综合避孕率")["denominator"]) == (3, 5)
    assert line(b, "综合避孕率")["value"] == 0
    assert a["parts"] == []  # no composite in a half-year assessment


# --------------------------------------------------------------------------- by hand


def test_entries_need_evidence_and_stay_within_the_weight(annual, tree, users):
    k = keys(annual, tree.village_a)
    with pytest.raises(ValidationError) as err:
        rules.entries_save(
            actor=users.office,
            assessment=annual,
            unit=tree.village_a,
            values={
                k["每月召开例会"]: {"points": 15},  # no evidence
                k["成立领导小组"]: {"answer": True},  # no evidence
                k["信息准确率"]: {"points": 11, "evidence": evidence()},  # above the weight
            },
        )
    assert set(err.value.message_dict) == {k["每月召开例会"], k["成立领导小组"], k["信息准确率"]}
    assert "Attach the evidence" in err.value.message_dict[k["每月召开例会"]][0]
    assert "between 0 and 10" in err.value.message_dict[k["信息准确率"]][0]
    assert not AssessmentEntry.objects.exists()
    # a 0 or a no needs no evidence
    rules.entries_save(
        actor=users.office,
        assessment=annual,
        unit=tree.village_a,
        values={k["每月召开例会"]: {"points": 0}, k["成立领导小组"]: {"answer": False}},
    )
    a = unit_row(annual, tree.village_a)
    assert line(a, "每月召开例会")["status"] == scoring.SCORED
    assert line(a, "成立领导小组")["points"] == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [("minutes.exe", PDF), ("minutes.pdf", b"MZ\x90\x00 not a pdf"), ("minutes.pdf", b"")],
)
def test_evidence_must_be_a_pdf_jpeg_or_png(annual, tree, users, name, content):
    k = keys(annual, tree.village_a)
    with pytest.raises(ValidationError):
        rules.entries_save(
            actor=users.office,
            assessment=annual,
            unit=tree.village_a,
            values={k["每月召开例会"]: {"points": 10, "evidence": evidence(name, content)}},
        )


def test_entries_are_stored_with_evidence_and_audited(annual, tree, users):
    score_all(annual, users, tree.village_a, meetings=15, leading=True, accuracy=8)
    entry = AssessmentEntry.objects.get(unit=tree.village_a, points=15)
    assert entry.evidence.name.startswith(f"assessments/{annual.pk}/")
    assert entry.entered_by == users.office
    assert (
        AuditEvent.objects.filter(action="create", object_type="indicators.assessmententry").count()
        == 3
    )
    a = unit_row(annual, tree.village_a)
    # 0 + 20 + 8 + 15 + 10
    assert a["items_total"]["points"] == 53
    # clearing an entry
    rules.entries_save(
        actor=users.office,
        assessment=annual,
        unit=tree.village_a,
        values={keys(annual, tree.village_a)["每月召开例会"]: {"points": None}},
    )
    assert unit_row(annual, tree.village_a)["items_total"]["points"] == 38
    assert AuditEvent.objects.filter(
        action="delete", object_type="indicators.assessmententry"
    ).exists()


def test_unknown_slot_is_refused(annual, tree, users):
    with pytest.raises(ValidationError, match="Unknown item"):
        rules.entries_save(
            actor=users.office,
            assessment=annual,
            unit=tree.village_a,
            values={"item-99999": {"points": 1}},
        )


# --------------------------------------------------------------------------- ranking, veto


def test_ranking_bands_last_place_and_consequences(annual, tree, users):
    score_all(annual, users, tree.village_a, meetings=15, leading=True, accuracy=8)
    score_all(annual, users, tree.village_b, meetings=20, leading=True, accuracy=10)
    a, b = unit_row(annual, tree.village_a), unit_row(annual, tree.village_b)
    # the year-end part only (no spot checks entered, no half-year assessment)
    assert a["items_total"]["points"] == 53 and b["items_total"]["points"] == 100
    assert (b["rank"], b["band"], b["is_last"]) == (1, "优秀", False)
    assert (a["rank"], a["band"], a["is_last"]) == (2, "黄牌警告", True)
    assert [(c["applies_to"], c["kind"]) for c in b["consequences"]] == [("unit", "reward")]
    assert sorted((c["applies_to"], c["role"], c["kind"]) for c in a["consequences"]) == [
        ("staff_role", "first_responsible", "notice"),
        ("unit", "", "yellow_card"),
    ]
    assert [u["code"] for u in annual.result["units"]] == [tree.village_b.code, tree.village_a.code]


def test_a_failed_veto_item_ranks_the_unit_below_all_others(annual, tree, users):
    score_all(annual, users, tree.village_a, meetings=15, leading=True, accuracy=8)
    score_all(annual, users, tree.village_b, meetings=20, leading=True, accuracy=10)
    veto = keys(annual, tree.village_b)[
        next(s["name"] for s in rules.entry_slots(annual, tree.village_b.pk) if s["mode"] == "veto")
    ]
    with pytest.raises(ValidationError, match="Say what was found"):
        rules.entries_save(
            actor=users.office,
            assessment=annual,
            unit=tree.village_b,
            values={veto: {"failed": True}},
        )
    rules.entries_save(
        actor=users.office,
        assessment=annual,
        unit=tree.village_b,
        values={veto: {"failed": True, "note": "出生数瞒报 2 人"}},
    )
    a, b = unit_row(annual, tree.village_a), unit_row(annual, tree.village_b)
    assert b["vetoed"] and b["total"] == 100
    assert (a["rank"], a["is_last"]) == (1, False)
    assert (b["rank"], b["is_last"]) == (2, True)
    kinds = [c["kind"] for c in b["consequences"]]
    assert "reward" not in kinds and "notice" in kinds  # no reward for a vetoed unit
    assert b["vetoes"][0]["entry"]["note"] == "出生数瞒报 2 人"


def test_ties_share_a_rank_and_nobody_is_last(world, tree, users, drawn):
    from jisheng.indicators import contracts

    contract_a = drawn[tree.village_a.code]
    items = [{n: getattr(i, n) for n in contracts.ITEM_FIELDS} for i in contract_a.items.all()]
    items[0]["target"] = 60  # A meets 综合避孕率 ≥ 60
    contracts.contract_update(actor=users.office, contract=contract_a, items=items)
    for contract in drawn.values():
        sign(contract, users.office)
    annual = rules.assessment_create(actor=users.office, issuer=tree.town, period="2026")
    for unit in (tree.village_a, tree.village_b):
        score_all(annual, users, unit, spot=100)
    a, b = unit_row(annual, tree.village_a), unit_row(annual, tree.village_b)
    assert a["total"] == b["total"] == 100  # B: its 40 hand points rescaled to 100
    assert (a["rank"], a["tied"], a["is_last"]) == (1, True, False)
    assert (b["rank"], b["tied"], b["is_last"]) == (1, True, False)


# --------------------------------------------------------------------------- composite


def test_annual_composite_with_the_half_year_and_spot_checks(world, tree, users, assess_pack):
    half = rules.assessment_create(actor=users.office, issuer=tree.town, period="2026H1")
    score_all(half, users, tree.village_a, meetings=20, leading=True, accuracy=10)
    half_a = unit_row(half, tree.village_a)["items_total"]["points"]
    annual = rules.assessment_create(actor=users.office, issuer=tree.town, period="2026")
    score_all(annual, users, tree.village_a, meetings=15, leading=True, accuracy=8, spot=90)
    a = unit_row(annual, tree.village_a)
    parts = {p["source"]: p["score"] for p in a["parts"]}
    assert parts == {"manual": 90, "half_year": half_a, "year_end": 53}
    assert a["total"] == pytest.approx(0.3 * 90 + 0.3 * half_a + 0.4 * 53, abs=0.01)
    # B: no spot-check score yet → pending, and its composite is over the parts it has
    b = unit_row(annual, tree.village_b)
    assert "平时抽查" in b["parts_missing"]
    assert any(p["item"] == "平时抽查" for p in annual.result["pending"])


def test_spot_check_score_is_out_of_the_total_points(annual, tree, users):
    k = keys(annual, tree.village_a)
    with pytest.raises(ValidationError, match="between 0 and 100"):
        rules.entries_save(
            actor=users.office,
            assessment=annual,
            unit=tree.village_a,
            values={k["平时抽查"]: {"points": 101}},
        )


# --------------------------------------------------------------------------- contracts


def test_signed_contracts_are_used_when_there_are_some(world, tree, users, drawn):
    contract = drawn[tree.village_a.code]
    items = [
        {n: getattr(i, n) for n in ("kind", "indicator", "name", "target", "unit", "direction",
                                    "weight", "scoring", "minus_per_point", "floor", "zero_at",
                                    "full_at", "trigger", "description")}
        for i in contract.items.all()
    ]  # fmt: skip
    items[0]["target"] = 60  # 综合避孕率 ≥ 60 for this village
    from jisheng.indicators import contracts

    contracts.contract_update(actor=users.office, contract=contract, items=items)
    sign(contract, users.office)
    annual = rules.assessment_create(actor=users.office, issuer=tree.town, period="2026")
    a, b = unit_row(annual, tree.village_a), unit_row(annual, tree.village_b)
    assert a["source"] == "contract" and a["contract"]["version"] == 1
    assert b["source"] == "pack"  # B's contract is still a draft
    assert line(a, "综合避孕率")["points"] == 40  # 60 % meets the contract's 60
    assert line(a, "综合避孕率")["key"] == f"item-{contract.items.get(position=0).pk}"


# --------------------------------------------------------------------------- approval


def test_approval_needs_every_hand_item(annual, tree, users):
    assert rules.approval_problems(annual)
    with pytest.raises(ValidationError, match="Enter these items"):
        rules.assessment_approve(actor=users.office, assessment=annual)


def test_approved_assessment_is_frozen(annual, world, tree, users):
    for unit in (tree.village_a, tree.village_b):
        score_all(annual, users, unit, spot=80)
    approved = rules.assessment_approve(actor=users.office, assessment=annual)
    assert approved.status == Assessment.Status.APPROVED and approved.approved_by == users.office
    frozen_result = approved.result
    frozen_basis = approved.basis
    # the data change: the mover in A starts a method, A's prevalence would become 4/5
    method_start(actor=None, person=world.mover, method="pill", started_on=dt.date(2026, 10, 1))
    fresh = rules.compute_basis(tree.town, periods.parse("2026"))
    fresh_a = next(u for u in fresh["units"] if u["id"] == tree.village_a.pk)
    assert next(i for i in fresh_a["items"] if i["name"] == "综合避孕率")["numerator"] == 4
    approved.refresh_from_db()
    assert approved.result == frozen_result and approved.basis == frozen_basis
    assert line(unit_row(approved, tree.village_a), "综合避孕率")["numerator"] == 3
    with pytest.raises(ValidationError, match="approved"):
        rules.assessment_recompute(actor=users.office, assessment=approved)
    with pytest.raises(ValidationError, match="approved"):
        score_all(approved, users, tree.village_a)
    with pytest.raises(ValidationError, match="approved"):
        rules.assessment_approve(actor=users.office, assessment=approved)
    assert AuditEvent.objects.filter(
        object_type="indicators.assessment", message__contains="frozen"
    ).exists()


def test_a_draft_is_recomputed_on_demand(annual, world, tree, users):
    score_all(annual, users, tree.village_a, meetings=15, leading=True, accuracy=8)
    method_start(actor=None, person=world.mover, method="pill", started_on=dt.date(2026, 10, 1))
    assert line(unit_row(annual, tree.village_a), "综合避孕率")["numerator"] == 3
    rules.assessment_recompute(actor=users.office, assessment=annual)
    annual.refresh_from_db()
    a = unit_row(annual, tree.village_a)
    assert line(a, "综合避孕率")["numerator"] == 4
    assert line(a, "每月召开例会")["points"] == 15  # entries kept


# --------------------------------------------------------------------------- periods, scope


@pytest.mark.parametrize("period", ["2026Q3", "2026-07", "nonsense"])
def test_only_half_years_and_years(tree, users, assess_pack, period):
    with pytest.raises(ValidationError) as err:
        rules.assessment_create(actor=users.office, issuer=tree.town, period=period)
    assert "period" in err.value.message_dict


def test_future_duplicate_and_childless(annual, tree, users):
    with pytest.raises(ValidationError, match="has not begun"):
        rules.assessment_create(actor=users.office, issuer=tree.town, period="2199")
    with pytest.raises(ValidationError, match="already"):
        rules.assessment_create(actor=users.office, issuer=tree.town, period="2026")
    with pytest.raises(ValidationError, match="no units below"):
        rules.assessment_create(actor=users.office, issuer=tree.village_a, period="2026")


def test_scope(annual, tree, users):
    assert rules.assessment_get(users.town_office, annual.pk) == annual
    with pytest.raises(Http404):
        rules.assessment_get(users.field_a, annual.pk)
    assert AuditEvent.objects.filter(action="denied", username="field_a").exists()
    with pytest.raises(PermissionDenied):
        rules.assessment_create(actor=users.town_office, issuer=tree.county, period="2026")
    with pytest.raises(PermissionDenied):
        rules.assessment_recompute(actor=users.field_a, assessment=annual)
    assert list(rules.assessment_list(users.town_office)) == [annual]
    assert list(rules.assessment_list(users.field_a)) == []
