"""``jisheng generate persons N``: scoped to a unit, idempotent, refuses to duplicate."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from jisheng.core.models import AuditEvent
from jisheng.orgs.models import Unit
from jisheng.people.models import Household, LifeEvent, Person
from tests import factories

END = (timezone.localdate() - dt.timedelta(days=1)).isoformat()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate", *args, "--verbosity", "1", stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        LifeEvent.objects.count(),
        Household.objects.count(),
        AuditEvent.objects.count(),
    )


def test_generates_persons_only_under_the_given_unit(tree):
    text = generate("persons", "300", "--unit", tree.town.code, "--seed", "3", "--end", END)
    assert "Generated 300 persons" in text
    assert Person.objects.count() == 300
    assert Person.objects.filter(unit__path__startswith=tree.town.path).count() == 300
    assert not Person.objects.filter(unit__in=[tree.community, tree.shaft]).exists()
    # the town's two villages got association groups, and the people live in them
    groups = set(
        Unit.objects.filter(path__startswith=tree.town.path, unit_type="group").values_list(
            "pk", flat=True
        )
    )
    assert len(groups) >= 2
    assert set(Person.objects.values_list("unit_id", flat=True)) <= groups
    assert not LifeEvent.objects.exclude(unit__path__startswith=tree.town.path).exists()


def test_an_empty_system_gets_a_fictional_county(db):
    text = generate("--persons", "400", "--seed", "5", "--end", END)
    assert "Generated 400 persons" in text and "虚构县" in text
    county = Unit.objects.get(depth=1)
    assert county.code == "990200000000"
    kinds = set(Unit.objects.values_list("unit_type", flat=True))
    assert {"county", "township", "village", "group", "enterprise", "school"} <= kinds


def test_running_again_with_the_seed_changes_nothing(tree):
    generate("persons", "250", "--unit", tree.county.code, "--seed", "7", "--end", END)
    before = counts()
    names = list(Person.objects.order_by("id").values_list("name", "id_hash"))
    text = generate("persons", "250", "--unit", tree.county.code, "--seed", "7", "--end", END)
    assert "already there" in text and "nothing was changed" in text
    assert counts() == before
    assert list(Person.objects.order_by("id").values_list("name", "id_hash")) == names


def test_another_number_with_the_same_seed_is_refused(tree):
    generate("persons", "100", "--unit", tree.county.code, "--seed", "7", "--end", END)
    before = counts()
    with pytest.raises(CommandError, match="already generated 100 persons"):
        generate("persons", "200", "--unit", tree.county.code, "--seed", "7", "--end", END)
    assert counts() == before
    generate("persons", "200", "--unit", tree.county.code, "--seed", "8", "--end", END)
    assert Person.objects.count() == 300


def test_same_seed_same_people_in_another_database_state(tree):
    generate("persons", "120", "--unit", tree.village_a.code, "--seed", "4", "--end", END)
    first = list(Person.objects.order_by("id").values_list("name", "birth_date", "id_hash"))
    Person.objects.all().update(notes="x")  # whatever happens since, the seed is recognised
    text = generate("persons", "120", "--unit", tree.village_a.code, "--seed", "4", "--end", END)
    assert "nothing was changed" in text
    assert len(first) == 120 and len({h for *_r, h in first if h}) == len(
        [h for *_r, h in first if h]
    )


def test_persons_option_and_the_only_top_level_unit_by_default(tree):
    text = generate("--persons", "50", "--end", END)
    assert "Generated 50 persons" in text and tree.county.name in text
    assert Person.objects.filter(unit__path__startswith=tree.county.path).count() == 50


def test_a_work_unit_gets_its_employees(tree):
    generate("persons", "80", "--unit", tree.mine.code, "--end", END)
    assert set(Person.objects.values_list("unit_id", flat=True)) == {tree.shaft.pk}
    assert Person.objects.filter(employer=tree.shaft).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("persons",), "how many"),
        (("persons", "0"), "at least 1"),
        (("persons", "10", "--unit", "NOPE"), "No unit has the code NOPE"),
        (("persons", "10", "--end", "2026-02-30"), "not a date"),
        (("persons", "10", "--end", "2999-01-01"), "future"),
        (("persons", "10", "--batch", "0"), "batch size"),
        ((), "Say what to generate"),
    ],
)
def test_bad_arguments_are_refused(tree, args, message):
    with pytest.raises(CommandError, match=message):
        generate(*args)
    assert Person.objects.count() == 0


def test_several_top_level_units_need_unit(tree):
    factories.unit("990200000000", "另一县", "county")
    with pytest.raises(CommandError, match="--unit"):
        generate("persons", "10", "--end", END)
    assert Person.objects.count() == 0


def test_unknown_kind_is_refused(tree):
    with pytest.raises(CommandError):
        generate("households", "10")
