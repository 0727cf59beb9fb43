"""Letters of inquiry (函调): the yearly target list from the mine pack's rule (men up to
45 whose wife is outside the organisation), numbering per issuer and year, replies, the
worklist's ``letter`` group, and the PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from jisheng.core.models import AuditEvent
from jisheng.people import family
from jisheng.policy import services as policy_services
from jisheng.policy.services import PACKS_DIR
from jisheng.services import letters, selectors
from jisheng.services.models import Letter
from jisheng.services.selectors import WorkKind
from tests import factories

D = dt.date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def mine_pack(tree):
    text = (PACKS_DIR / "mine-2005.yaml").read_text(encoding="utf-8")
    policy_services.pack_load(actor=None, text=text, unit=tree.mine)


@pytest.fixture
def mine_users(tree):
    return {
        "office": factories.user("mine_office", tree.mine, "office"),
        "shaft": factories.user("shaft_office", tree.shaft, "office"),
    }


def man(tree, name, seq, born, **extra):
    extra.setdefault("employer", tree.shaft)
    return factories.person(
        tree.shaft, name, "M", born, seq=seq, registered_on=D(2010, 1, 1), **extra
    )


def wife(unit, name, seq, **extra):
    return factories.person(
        unit, name, "F", D(1990, 3, 3), seq=seq, registered_on=D(2010, 1, 1), **extra
    )


@pytest.fixture
def couples(tree, mine_pack, today):
    """Four men of the mine: wife outside the system, wife registered in a village (outside
    the mine), wife working in the mine, and one too old."""
    married = D(2015, 5, 1)
    outside = man(tree, "甲工", 1, D(1985, 1, 1))
    c_out = family.couple_create(
        actor=None,
        married_on=married,
        husband=outside,
        outside={"name": "外妻", "work_unit": "邻县纺织厂", "township": "邻县城关镇"},
    )
    village = man(tree, "乙工", 2, D(1986, 1, 1))
    w_village = wife(tree.village_a, "村妻", 3)
    c_village = family.couple_create(
        actor=None, married_on=married, husband=village, wife=w_village
    )
    inside = man(tree, "丙工", 4, D(1987, 1, 1))
    w_inside = wife(tree.village_b, "矿妻", 5, employer=tree.shaft)
    family.couple_create(actor=None, married_on=married, husband=inside, wife=w_inside)
    # 46 on today's date: over the rule's 45
    old = man(tree, "丁工", 6, D(today.year - 46, 1, 1))
    family.couple_create(
        actor=None, married_on=married, husband=old, outside={"name": "老妻", "township": "某镇"}
    )
    # exactly 45 today: still on the list
    edge = man(tree, "戊工", 7, today.replace(year=today.year - 45))
    c_edge = family.couple_create(
        actor=None, married_on=married, husband=edge, outside={"name": "边妻", "township": "某乡"}
    )
    return {"outside": c_out, "village": c_village, "edge": c_edge}


def test_targets_wife_outside_vs_inside(tree, users, couples, today):
    rows = letters.letter_targets(users.admin, tree.mine, today.year)
    assert sorted(r.person.name for r in rows) == ["乙工", "戊工", "甲工"]
    by_name = {r.person.name: r for r in rows}
    assert by_name["甲工"].addressed_to == "邻县纺织厂"
    assert by_name["甲工"].spouse_name == "外妻"
    assert by_name["乙工"].addressed_to == "甲村"
    assert by_name["戊工"].addressed_to == "某乡"


def test_no_rule_no_targets(tree, users, couples, today):
    # the default pack (the town's) has no letter rule
    assert letters.letter_targets(users.admin, tree.town, today.year) == []


def test_letters_are_numbered_per_issuer_and_year(tree, users, couples, today):
    first = letters.letter_create(
        actor=users.admin, issuer=tree.mine, couple=couples["outside"], year=today.year
    )
    second = letters.letter_create(
        actor=users.admin, issuer=tree.mine, couple=couples["village"], year=today.year
    )
    assert (first.sequence, second.sequence) == (1, 2)
    assert first.number == f"{today.year}-001"
    assert first.addressed_to == "邻县纺织厂" and first.unit == tree.shaft
    last_year = letters.letter_create(
        actor=users.admin,
        issuer=tree.mine,
        couple=couples["outside"],
        year=today.year - 1,
        sent_on=D(today.year - 1, 6, 1),
    )
    assert last_year.sequence == 1
    with pytest.raises(ValidationError) as err:
        letters.letter_create(
            actor=users.admin, issuer=tree.mine, couple=couples["outside"], year=today.year
        )
    assert "already written" in err.value.message_dict["couple"][0]
    assert AuditEvent.objects.filter(object_type="services.letter", action="create").count() == 3


def test_letter_for_a_couple_not_on_the_list_is_refused(tree, users, couples, today):
    inside = family.couple_create(
        actor=None,
        married_on=D(2016, 1, 1),
        husband=man(tree, "己工", 8, D(1990, 1, 1)),
        wife=wife(tree.shaft, "井妻", 9),
    )
    with pytest.raises(ValidationError) as err:
        letters.letter_create(actor=users.admin, issuer=tree.mine, couple=inside, year=today.year)
    assert "not on the year's list" in err.value.message_dict["couple"][0]


def test_reply_and_open_letters_in_the_worklist(tree, users, couples, mine_users, today):
    letter = letters.letter_create(
        actor=mine_users["office"],
        issuer=tree.mine,
        couple=couples["outside"],
        year=today.year,
        sent_on=today - dt.timedelta(days=20),
    )
    work = selectors.worklist(mine_users["shaft"], today=today)
    group = next(g for g in work.groups if g.kind == WorkKind.LETTER)
    assert group.count == 1 and group.items[0].late_days == 20
    # the town's staff see none of the mine's letters
    town = selectors.worklist(users.town_office, today=today)
    assert next(g for g in town.groups if g.kind == WorkKind.LETTER).count == 0
    with pytest.raises(ValidationError) as err:
        letters.letter_reply(
            actor=mine_users["shaft"],
            letter=letter,
            received_on=today - dt.timedelta(days=30),
            result="maybe",
        )
    assert set(err.value.message_dict) == {"reply_received_on", "reply_result"}
    letters.letter_reply(
        actor=mine_users["shaft"], letter=letter, received_on=today, result="confirmed"
    )
    work = selectors.worklist(mine_users["shaft"], today=today)
    assert next(g for g in work.groups if g.kind == WorkKind.LETTER).count == 0
    assert list(letters.letters_list(users.admin, open_only=True)) == []


def test_letter_outside_scope_is_refused_and_audited(tree, users, couples, today):
    with pytest.raises(PermissionDenied):
        letters.letter_create(
            actor=users.town_office, issuer=tree.mine, couple=couples["outside"], year=today.year
        )
    assert AuditEvent.objects.filter(action="denied", username="town_office").exists()


def test_render_pdf_makes_a_pdf_with_chinese():
    if letters.chromium_path() and not __import__("os").path.exists(letters.chromium_path()):
        pytest.skip("Chromium is not installed")
    pdf = letters.render_pdf(
        "<html><body style='font-family:\"Noto Serif CJK SC\"'>计划生育情况函调函</body></html>"
    )
    assert pdf.startswith(b"%PDF")
    assert b"NotoSerifCJK" in pdf or b"Noto" in pdf  # the CJK font is embedded


def test_letter_year_in_the_future_is_refused(tree, users, couples, today):
    assert Letter.objects.count() == 0
    with pytest.raises(ValidationError) as err:
        letters.letter_create(
            actor=users.admin, issuer=tree.mine, couple=couples["outside"], year=today.year + 1
        )
    assert "year" in err.value.message_dict
