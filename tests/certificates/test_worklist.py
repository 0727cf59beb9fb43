"""The certificates' deadlines on the worklist (issue 16): the 光荣证 to apply for within
the pack's ``only_child_certificate`` deadline, and the 婚育证明 about to expire within
the pack's ``certificates.expiry_warning_days``."""

from __future__ import annotations

import datetime

import pytest

from jisheng.certificates import worklist
from jisheng.certificates.services import certificate_apply, issue_now
from jisheng.core.periods import add_months
from jisheng.core.registry import registry
from jisheng.policy.schema import PolicyPackSchema
from jisheng.policy.services import PACKS_DIR, pack_load
from tests import factories
from tests.certificates.kinds_fixtures import couple, today, woman

DAY = datetime.timedelta(days=1)


def test_the_sources_are_registered_for_the_office():
    sources = registry["worklist_sources"]
    assert sources["only_child_due"] is worklist.ONLY_CHILD_SOURCE
    assert sources["certificate_expiring"] is worklist.EXPIRING_SOURCE
    assert worklist.ONLY_CHILD_SOURCE.permission == "certificates.add_certificate"


def test_a_recent_only_child_is_due_with_the_pack_s_date(tree, users):
    born = today() - 10 * DAY
    made = couple(tree.village_a, children=(born,))
    count, items = worklist.collect_only_child_due(users.office, today=today())
    assert count == 1
    (item,) = items
    assert item.date == add_months(born, 1)  # default pack: one month after the birth
    assert item.late_days == 0 and item.unit_name == "甲村"
    assert item.person_id == made.wife_id
    assert item.url == f"/people/couples/{made.pk}/"


def test_a_late_one_shows_the_days_late_then_leaves(tree, users):
    born = today() - 45 * DAY
    couple(tree.village_a, children=(born,))
    (item,) = worklist.collect_only_child_due(users.office, today=today())[1]
    assert item.late_days == (today() - add_months(born, 1)).days > 0
    later = add_months(born, 1) + (worklist.LATE_SHOWN_DAYS + 1) * DAY
    assert worklist.collect_only_child_due(users.office, today=later)[0] == 0


def test_not_due_with_two_children_an_application_or_no_marriage(tree, users):
    recent = today() - 5 * DAY
    couple(tree.village_a, name="二", children=(today() - 800 * DAY, recent))
    applied = couple(tree.village_a, name="申", children=(recent,))
    certificate_apply(
        actor=users.office, kind="one_child_parents", issuer=tree.town, couple=applied
    )
    couple(tree.village_a, name="离", married_on=datetime.date(2010, 1, 1), children=(recent,),
           ended_on=today() - DAY)  # fmt: skip
    assert worklist.collect_only_child_due(users.office, today=today()) == (0, [])


def test_only_the_couple_s_units_see_it(tree, users):
    couple(tree.village_a, children=(today() - 3 * DAY,))
    assert worklist.collect_only_child_due(users.town_office, today=today())[0] == 1
    assert worklist.collect_only_child_due(users.office, unit=tree.village_b, today=today())[0] == 0
    street = factories.user("street_office", tree.street, "office")
    assert worklist.collect_only_child_due(street, today=today()) == (0, [])


def marriage_certificate(users, tree, person, issued_on):
    return issue_now(
        actor=users.office, kind="migrant_marriage", issuer=tree.town, person=person,
        issued_on=issued_on,
    )  # fmt: skip


def test_a_marriage_certificate_about_to_expire(tree, users):
    her, other = woman(tree.village_a), woman(tree.village_a, name="钱红")
    soon = marriage_certificate(users, tree, her, add_months(today(), -36) + 10 * DAY)
    marriage_certificate(users, tree, other, add_months(today(), -36) + 40 * DAY)
    assert soon.valid_until == today() + 9 * DAY
    count, items = worklist.collect_expiring(users.office, today=today())
    assert count == 1
    assert (items[0].date, items[0].person_id) == (soon.valid_until, her.pk)
    assert soon.number in items[0].what and items[0].url == f"/certificates/{soon.pk}/"
    # expired ones are not "about to expire"
    after = worklist.collect_expiring(users.office, today=soon.valid_until + DAY)[1]
    assert [i.person_id for i in after] == [other.pk]


def test_the_warning_days_come_from_the_pack(tree, users):
    her = woman(tree.village_a)
    marriage_certificate(users, tree, her, add_months(today(), -36) + 10 * DAY)
    assert worklist.expiry_warning_days(tree.town, today()) == 30
    text = (PACKS_DIR / "default-2026.yaml").read_text("utf-8")
    text = text.replace("id: default-2026", "id: town-2026").replace(
        "expiry_warning_days: 30", "expiry_warning_days: 5"
    )
    pack_load(actor=None, text=text, unit=tree.town)
    assert worklist.expiry_warning_days(tree.village_a, today()) == 5
    assert worklist.collect_expiring(users.office, unit=tree.town, today=today())[0] == 0
    assert worklist.collect_expiring(users.office, unit=tree.town, today=today() + 5 * DAY)[0] == 1


# --- the pack key --------------------------------------------------------------------------


def _minimal(extra=None):
    return {
        "id": "t-pack", "name": "测试", "organisation_kind": "any", "version": "1",
        "effective_from": "2026-01-01", **(extra or {}),
    }  # fmt: skip


def test_the_pack_key_is_optional_with_a_default_of_30():
    assert PolicyPackSchema.model_validate(_minimal()).certificates is None
    pack = PolicyPackSchema.model_validate(_minimal({"certificates": {}}))
    assert pack.certificates.expiry_warning_days == 30
    pack = PolicyPackSchema.model_validate(_minimal({"certificates": {"expiry_warning_days": 60}}))
    assert pack.certificates.expiry_warning_days == 60


@pytest.mark.parametrize(
    "section", [{"expiry_warning_days": 0}, {"expiry_warning_days": 400}, {"other": 1}]
)
def test_a_wrong_pack_key_is_refused(section):
    with pytest.raises(ValueError):
        PolicyPackSchema.model_validate(_minimal({"certificates": section}))


def test_the_pack_page_shows_the_warning_days(client, users):
    client.force_login(users.admin)
    html = client.get("/policy/default-2026/").content.decode()
    assert "婚育证明到期前 30 天列入待办工作。" in html
