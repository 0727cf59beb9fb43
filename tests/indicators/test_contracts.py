"""Target-responsibility contracts: drawn up from the pack in force (all children at
once), edited as a whole with the pack schema's rules, signed (read-only afterwards),
revised as a new version that supersedes the signed one, discarded while a draft;
audited writes, scoped reads. The fixtures here are shared with the assessment tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jisheng.core.models import AuditEvent
from jisheng.indicators import contracts
from jisheng.indicators.models import Contract, ContractItem
from jisheng.policy import services as policy_services
from jisheng.policy.choices import Trigger
from jisheng.policy.loader import parse_pack

YEAR = 2026

PACK = """\
id: test-assessment
name: 考核测试政策
organisation_kind: any
version: "1"
effective_from: 2020-01-01
assessment:
  total_points: 100
  targets:
    - indicator: scored_prevalence
      name: 综合避孕率
      target: 80
      weight: 40
      scoring: {kind: linear_below_target, minus_per_point: 2}
    - indicator: scored_long_acting
      name: 长效措施率
      target: 50
      weight: 20
      scoring: {kind: all_or_nothing}
    - indicator: accuracy_not_in_catalogue
      name: 信息准确率
      target: 95
      weight: 10
      scoring: {kind: linear_below_target, minus_per_point: 1}
    - indicator: meetings
      name: 每月召开例会
      weight: 20
      scoring: {kind: manual}
    - indicator: leading_group
      name: 成立领导小组
      weight: 10
      scoring: {kind: yes_no}
    - indicator: births
      name: 出生人数
      target: 10
      unit: count
      direction: at_most
  composite:
    - {part: 平时抽查, weight: 30}
    - {part: 半年考核, weight: 30}
    - {part: 年终考核, weight: 40}
  bands:
    - {min_score: 90, label: 优秀}
    - {min_score: 70, max_score: 90, label: 合格}
    - {min_score: 0, max_score: 70, label: 黄牌警告}
  veto_items:
    - {trigger: false_records, description: 统计数据弄虚作假、瞒报漏报}
  consequences:
    - {trigger: score_band, max_score: 70, applies_to: unit, kind: yellow_card}
    - {trigger: score_band, min_score: 90, applies_to: unit, kind: reward, amount_yuan: 1000}
    - {trigger: last_place, applies_to: staff_role, role: first_responsible, kind: notice}
  flag_last_place: true
"""


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def assess_pack(tree, scored_twins):
    """The test pack attached to the county: in force for every unit below it. Its two
    scored indicators are service stand-ins for 综合避孕率 and 长效措施率 (see
    ``conftest.SCORED_TWINS``): behaviour indicators carry no points (SPEC §0)."""
    return policy_services.pack_load(actor=None, text=PACK, unit=tree.county).version


@pytest.fixture
def drawn(tree, users, assess_pack):
    """The 2026 contracts of the town's two villages, drawn up by the county office."""
    result = contracts.contracts_draw_all(actor=users.office, issuer=tree.town, year=YEAR)
    return {c.unit.code: c for c in result.created}


def sign(contract, actor, day=dt.date(2026, 1, 10)):
    return contracts.contract_sign(
        actor=actor,
        contract=contract,
        issuer_signatory="王明（镇长）",
        unit_signatory="李强（村支书）",
        signed_on=day,
    )


def rows_of(contract) -> list[dict]:
    return [{n: getattr(i, n) for n in contracts.ITEM_FIELDS} for i in contract.items.all()]


# --------------------------------------------------------------------------- from the pack


def test_items_from_the_pack(scored_twins):
    pack = parse_pack(PACK).pack
    items = contracts.items_from_pack(pack)
    kinds = [(i["name"], i["kind"], i["scoring"], i["weight"]) for i in items]
    assert kinds == [
        ("综合避孕率", "indicator", "linear_below_target", 40),
        ("长效措施率", "indicator", "all_or_nothing", 20),
        ("信息准确率", "manual", "manual", 10),  # the catalogue does not compute it
        ("每月召开例会", "manual", "manual", 20),
        ("成立领导小组", "manual", "yes_no", 10),
        ("出生人数", "indicator", "", 0),  # shown against its target, no points
        (str(Trigger.FALSE_RECORDS.label), "veto", "", 0),
    ]
    assert items[0]["minus_per_point"] == 2 and items[0]["target"] == 80
    assert "accuracy_not_in_catalogue" in items[2]["description"]
    assert items[2]["minus_per_point"] is None
    assert items[5]["direction"] == "at_most" and items[5]["unit"] == "count"
    assert items[-1]["trigger"] == "false_records"
    terms = contracts.terms_from_pack(pack, items)
    assert terms["total_points"] == 100 and terms["flag_last_place"] is True
    assert [p["source"] for p in terms["composite"]] == ["manual", "half_year", "year_end"]
    assert terms["bands"][0] == {"min_score": 90.0, "max_score": None, "label": "优秀"}
    assert contracts.items_from_pack(None) == []


def test_draw_all_children_from_the_pack(tree, users, drawn):
    assert set(drawn) == {tree.village_a.code, tree.village_b.code}
    contract = drawn[tree.village_a.code]
    assert (contract.year, contract.issuer, contract.status, contract.version) == (
        YEAR,
        tree.town,
        Contract.Status.DRAFT,
        1,
    )
    assert (contract.pack_code, contract.pack_version) == ("test-assessment", "1")
    assert contract.items.count() == 7
    assert contract.created_by == users.office
    assert contracts.weights_sum(contract.items.all()) == 100
    assert AuditEvent.objects.filter(
        action="create", object_type="indicators.contract", object_id=str(contract.pk)
    ).exists()
    again = contracts.contracts_draw_all(actor=users.office, issuer=tree.town, year=YEAR)
    assert again.created == [] and len(again.skipped) == 2


def test_draw_one_refuses_a_second_contract_and_a_grandchild(tree, users, drawn):
    with pytest.raises(ValidationError, match="already has a contract"):
        contracts.contract_draw(
            actor=users.office, issuer=tree.town, unit=tree.village_a, year=YEAR
        )
    with pytest.raises(ValidationError, match="not directly below"):
        contracts.contract_draw(
            actor=users.office, issuer=tree.county, unit=tree.village_a, year=YEAR
        )


@pytest.mark.parametrize("year", [1999, 2300])
def test_draw_refuses_a_year_out_of_range(tree, users, assess_pack, year):
    with pytest.raises(ValidationError):
        contracts.contracts_draw_all(actor=users.office, issuer=tree.town, year=year)


def test_default_pack_when_no_own_pack(tree, users):
    """Without a pack of its own the default pack's assessment applies."""
    result = contracts.contracts_draw_all(actor=users.office, issuer=tree.county, year=YEAR)
    contract = result.created[0]
    assert contract.pack_code == "default-2026"
    assert contract.total_points == 100
    names = [i.name for i in contract.items.all()]
    assert "随访率" in names


def test_draw_outside_scope_is_refused_and_audited(tree, users, assess_pack):
    with pytest.raises(PermissionDenied):
        contracts.contracts_draw_all(actor=users.town_office, issuer=tree.county, year=YEAR)
    assert AuditEvent.objects.filter(action="denied", username="town_office").exists()
    assert not Contract.objects.exists()


# --------------------------------------------------------------------------- editing


def test_update_replaces_the_items_and_audits(tree, users, drawn):
    contract = drawn[tree.village_a.code]
    items = rows_of(contract)
    items[0]["target"] = 85
    items[0]["weight"] = 30
    items.append(
        {
            "kind": "manual",
            "name": "台账齐全",
            "weight": 10,
            "scoring": "yes_no",
            "unit": "percent",
            "direction": "at_least",
        }
    )
    contracts.contract_update(actor=users.office, contract=contract, items=items)
    first = contract.items.get(position=0)
    assert (first.target, first.weight) == (85, 30)
    last = contract.items.order_by("-position").first()
    assert (last.name, last.kind, last.scoring, last.indicator) == (
        "台账齐全",
        "manual",
        "yes_no",
        "",
    )
    event = AuditEvent.objects.filter(
        action="update", object_type="indicators.contract", object_id=str(contract.pk)
    ).get()
    before, after = event.changes["items"]
    assert len(before) == 7 and len(after) == 8


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"target": 120}, "100"),  # a percentage target above 100
        ({"indicator": "nonsense"}, "nonsense"),
        ({"scoring": ""}, "scoring rule"),
        ({"scoring": "linear_between"}, "zero_at"),
        ({"name": ""}, "name"),
        ({"weight": -1}, "negative"),
        ({"kind": "other"}, "kind"),
    ],
)
def test_update_refuses_bad_items_naming_the_row(tree, users, drawn, change, needle):
    contract = drawn[tree.village_a.code]
    items = rows_of(contract)
    items[1].update(change)
    with pytest.raises(ValidationError) as err:
        contracts.contract_update(actor=users.office, contract=contract, items=items)
    text = " ".join(err.value.messages)
    assert "Row 2" in text and needle in text
    assert contract.items.get(position=1).target == 50  # nothing written


def test_update_refuses_a_listed_twice_indicator_and_a_bad_veto(tree, users, drawn):
    contract = drawn[tree.village_a.code]
    items = rows_of(contract)
    items.append(dict(items[0]))
    with pytest.raises(ValidationError, match="twice"):
        contracts.contract_update(actor=users.office, contract=contract, items=items)
    items = rows_of(contract)
    items[-1]["trigger"] = "unplanned_birth"  # a person's behaviour: never (SPEC §0)
    with pytest.raises(ValidationError, match="Row 7"):
        contracts.contract_update(actor=users.office, contract=contract, items=items)


def test_manual_items_take_manual_or_yes_no_scoring(tree, users, drawn):
    contract = drawn[tree.village_a.code]
    items = rows_of(contract)
    items[3]["scoring"] = "all_or_nothing"
    with pytest.raises(ValidationError, match="manual or yes/no"):
        contracts.contract_update(actor=users.office, contract=contract, items=items)


def test_total_must_be_positive(tree, users, drawn):
    contract = drawn[tree.village_a.code]
    with pytest.raises(ValidationError):
        contracts.contract_update(
            actor=users.office, contract=contract, items=rows_of(contract), total_points=0
        )


# --------------------------------------------------------------------------- signing


def test_sign_makes_the_contract_read_only(tree, users, drawn):
    contract = sign(drawn[tree.village_a.code], users.office)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    assert (contract.issuer_signatory, contract.unit_signatory) == (
        "王明（镇长）",
        "李强（村支书）",
    )
    assert contract.signed_on == dt.date(2026, 1, 10) and contract.signed_by == users.office
    with pytest.raises(ValidationError, match="new version"):
        contracts.contract_update(actor=users.office, contract=contract, items=rows_of(contract))
    with pytest.raises(ValidationError):
        sign(contract, users.office)
    with pytest.raises(ValidationError):
        contracts.contract_discard(actor=users.office, contract=contract)


def test_sign_refuses_weights_that_do_not_add_up(tree, users, drawn):
    contract = drawn[tree.village_a.code]
    items = rows_of(contract)
    items[0]["weight"] = 35
    contracts.contract_update(actor=users.office, contract=contract, items=items)
    assert contracts.sign_problems(contract)
    with pytest.raises(ValidationError, match="95"):
        sign(contract, users.office)
    contracts.contract_update(actor=users.office, contract=contract, items=items, total_points=95)
    assert contracts.sign_problems(contract) == []
    sign(contract, users.office)


def test_sign_needs_both_signatories_and_a_past_date(tree, users, drawn):
    contract = drawn[tree.village_a.code]
    with pytest.raises(ValidationError) as err:
        contracts.contract_sign(
            actor=users.office,
            contract=contract,
            issuer_signatory=" ",
            unit_signatory="",
            signed_on=dt.date(2999, 1, 1),
        )
    assert set(err.value.message_dict) == {"issuer_signatory", "unit_signatory", "signed_on"}


def test_revise_then_sign_supersedes(tree, users, drawn):
    v1 = sign(drawn[tree.village_a.code], users.office)
    v2 = contracts.contract_revise(actor=users.office, contract=v1)
    assert (v2.version, v2.status, v2.supersedes) == (2, Contract.Status.DRAFT, v1)
    assert rows_of(v2) == rows_of(v1)
    with pytest.raises(ValidationError, match="already"):
        contracts.contract_revise(actor=users.office, contract=v1)
    v1.refresh_from_db()
    assert v1.status == Contract.Status.SIGNED  # still in force until v2 is signed
    sign(v2, users.office, dt.date(2026, 3, 1))
    v1.refresh_from_db()
    assert v1.status == Contract.Status.SUPERSEDED
    assert contracts.signed_contracts([tree.village_a], YEAR)[tree.village_a.pk] == v2
    with pytest.raises(ValidationError):
        contracts.contract_revise(actor=users.office, contract=v1)


def test_discard_a_draft(tree, users, drawn):
    contract = drawn[tree.village_b.code]
    contracts.contract_discard(actor=users.office, contract=contract)
    assert not Contract.objects.filter(pk=contract.pk).exists()
    assert not ContractItem.objects.filter(contract_id=contract.pk).exists()
    assert AuditEvent.objects.filter(action="delete", object_type="indicators.contract").exists()


# --------------------------------------------------------------------------- reads


def test_children_rows(tree, users, drawn):
    sign(drawn[tree.village_a.code], users.office)
    rows = contracts.children_rows(users.office, tree.town, YEAR)
    by_code = {r.unit.code: r for r in rows}
    assert by_code[tree.village_a.code].signed is not None
    assert by_code[tree.village_a.code].draft is None
    assert by_code[tree.village_b.code].draft is not None
    assert contracts.children_rows(users.office, tree.town, 2025)[0].current is None


def test_reads_are_scoped(tree, users, drawn):
    contract = drawn[tree.village_a.code]
    assert contracts.contract_get(users.town_office, contract.pk) == contract
    assert contracts.contract_get(users.field_a, contract.pk) == contract  # its own contract
    with pytest.raises(Http404):
        contracts.contract_get(users.field_b, contract.pk)
    assert AuditEvent.objects.filter(action="denied", username="field_b").exists()
    assert list(contracts.contract_list(users.field_b)) == [drawn[tree.village_b.code]]
    assert contracts.contract_list(users.office, issuer=tree.town, year=YEAR).count() == 2


def test_writes_need_the_issuer_in_scope(tree, users, drawn):
    contract = drawn[tree.village_a.code]
    with pytest.raises(PermissionDenied):
        contracts.contract_update(actor=users.field_a, contract=contract, items=rows_of(contract))
    with pytest.raises(PermissionDenied):
        sign(contract, users.field_a)


def test_roles_have_the_permissions(tree, users):
    assert users.office.has_perm("indicators.sign_contract")
    assert users.office.has_perm("indicators.approve_assessment")
    assert users.admin.has_perm("indicators.add_contract")
    assert users.leader.has_perm("indicators.view_assessment")
    assert not users.leader.has_perm("indicators.change_contract")
    assert not users.field_a.has_perm("indicators.view_contract")
