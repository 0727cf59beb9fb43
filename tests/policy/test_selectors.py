"""pack_in_force: the unit's own pack, else its nearest ancestor's, else the default;
by effective date."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jisheng.policy import selectors
from jisheng.policy.schema import PolicyPackSchema
from jisheng.policy.services import pack_load
from tests.policy.conftest import minimal

D = dt.date


def test_default_pack_governs_every_unit(tree):
    for unit in (tree.county, tree.village_a, tree.shaft, None):
        pack = selectors.pack_in_force(unit, D(2026, 6, 1))
        assert isinstance(pack, PolicyPackSchema)
        assert pack.id == "default-2026"


def test_nothing_before_the_default_takes_effect(tree):
    assert selectors.pack_in_force(tree.village_a, D(2025, 12, 31)) is None
    assert selectors.birth_limit(tree.village_a, D(2025, 12, 31)) == 3


def test_units_inherit_their_nearest_ancestors_pack(tree):
    pack_load(actor=None, text=minimal(code="county-pack", limit=2), unit=tree.county)
    pack_load(actor=None, text=minimal(code="mine-pack", limit=1), unit=tree.mine)
    on = D(2026, 6, 1)
    assert selectors.pack_in_force(tree.county, on).id == "county-pack"
    assert selectors.pack_in_force(tree.village_a, on).id == "county-pack"
    assert selectors.pack_in_force(tree.mine, on).id == "mine-pack"
    assert selectors.pack_in_force(tree.shaft, on).id == "mine-pack"
    assert selectors.pack_in_force(None, on).id == "default-2026"
    assert selectors.birth_limit(tree.shaft, on) == 1
    assert selectors.birth_limit(tree.town, on) == 2


def test_packs_in_force_agrees_with_pack_in_force_in_one_query(tree):
    pack_load(actor=None, text=minimal(code="county-pack", limit=2), unit=tree.county)
    pack_load(actor=None, text=minimal(code="mine-pack", limit=1), unit=tree.mine)
    units = [tree.county, tree.village_a, tree.community, tree.mine, tree.shaft]
    on = D(2026, 6, 1)
    with CaptureQueriesContext(connection) as queries:
        packs = selectors.packs_in_force(units, on)
    lookups = [q for q in queries.captured_queries if "effective_from" in q["sql"]]
    assert len(lookups) == 1  # (and at most one read of each version's parsed content)
    assert {unit.pk: packs[unit.pk].id for unit in units} == {
        unit.pk: selectors.pack_in_force(unit, on).id for unit in units
    }
    assert packs[tree.shaft.pk].id == "mine-pack"
    assert packs[tree.village_a.pk].id == "county-pack"
    assert selectors.packs_in_force([tree.shaft], D(2019, 12, 31)) == {tree.shaft.pk: None}


def test_versions_take_effect_on_their_date(tree):
    pack_load(actor=None, text=minimal(effective_from="2020-01-01", iud_months=3), unit=tree.mine)
    pack_load(
        actor=None,
        text=minimal(version="2", effective_from="2027-01-01", iud_months=6),
        unit=tree.mine,
    )
    months = lambda on: selectors.pack_in_force(tree.shaft, on).followup.methods["iud"].every_months  # noqa: E731
    assert months(D(2026, 12, 31)) == 3
    assert months(D(2027, 1, 1)) == 6
    # before the first version of the mine and of the default pack, nothing applies
    assert selectors.pack_in_force(tree.shaft, D(2019, 12, 31)) is None


def test_a_unit_pack_not_yet_effective_falls_back_to_the_ancestor(tree):
    pack_load(actor=None, text=minimal(code="county-pack"), unit=tree.county)
    pack_load(
        actor=None, text=minimal(code="mine-pack", effective_from="2030-01-01"), unit=tree.mine
    )
    assert selectors.pack_in_force(tree.shaft, D(2029, 12, 31)).id == "county-pack"
    assert selectors.pack_in_force(tree.shaft, D(2030, 1, 1)).id == "mine-pack"


def test_same_date_the_last_loaded_wins(tree):
    pack_load(actor=None, text=minimal(code="first"), unit=tree.town)
    pack_load(actor=None, text=minimal(code="second"), unit=tree.town)
    assert selectors.pack_in_force(tree.village_b, D(2026, 1, 1)).id == "second"


def test_resolution_is_one_query_and_parsing_is_cached(tree):
    pack_load(actor=None, text=minimal(code="mine-pack"), unit=tree.mine)
    first = selectors.pack_in_force(tree.shaft, D(2026, 1, 1))
    with CaptureQueriesContext(connection) as ctx:
        second = selectors.pack_in_force(tree.shaft, D(2026, 1, 1))
    assert len(ctx.captured_queries) == 1
    assert second is first


def test_visible_versions_follow_the_data_scope(tree, users):
    pack_load(actor=None, text=minimal(code="county-pack"), unit=tree.county)
    pack_load(actor=None, text=minimal(code="town-pack"), unit=tree.town)
    pack_load(actor=None, text=minimal(code="mine-pack"), unit=tree.mine)
    codes = lambda user: sorted({v.pack.code for v in selectors.visible_versions(user)})  # noqa: E731
    everything = ["county-pack", "default-2026", "mine-pack", "town-pack"]
    assert codes(users.admin) == everything  # the county: all of it
    # a village sees the default and the packs that govern it, not the mine's
    assert codes(users.field_a) == ["county-pack", "default-2026", "town-pack"]
    assert selectors.pack_get(user=users.field_a, code="mine-pack") is None


def test_pack_list_shows_in_force_and_upcoming(tree, users):
    pack_load(actor=None, text=minimal(code="mine-pack"), unit=tree.mine)
    pack_load(
        actor=None,
        text=minimal(code="mine-pack", version="2", effective_from="2099-01-01"),
        unit=tree.mine,
    )
    entries = {e["pack"].code: e for e in selectors.pack_list(user=users.admin)}
    (slot,) = entries["mine-pack"]["attachments"]
    assert slot["unit"] == tree.mine
    assert slot["in_force"].version == "1"
    assert slot["upcoming"].version == "2"
    assert slot["count"] == 2


def test_yaml_diff_between_versions(tree):
    first = pack_load(actor=None, text=minimal(), unit=tree.mine).version
    second = pack_load(actor=None, text=minimal(version="2", iud_months=6), unit=tree.mine).version
    assert selectors.previous_version(second) == first
    assert selectors.previous_version(first) is None
    rows = selectors.yaml_diff(first, second)
    assert ("del", "-    iud: {every_months: 3}") in rows
    assert ("add", "+    iud: {every_months: 6}") in rows
    assert ("add", '+version: "2"') in rows
