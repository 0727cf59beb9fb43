"""Issue 13 item 1: people 0007 re-masks stored numbers and the audit log's copies."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from jisheng.core.models import AuditEvent
from jisheng.people.models import Couple, Person
from tests import factories

migration = importlib.import_module("jisheng.people.migrations.0007_remask_ids")

OLD = "110105********002X"
NEW = "110105************"


def test_remask_and_birth_month():
    assert migration.remask(OLD) == NEW
    assert migration.remask(NEW) == NEW
    assert migration.remask("") == ""
    assert migration.remask(None) is None
    assert migration.remask([None, OLD]) == [None, NEW]
    assert migration.birth_month("1990-05-17") == "1990-05"
    assert migration.birth_month([None, "1990-05-17"]) == [None, "1990-05"]
    assert migration.birth_month("1990-05") == "1990-05"


def test_redact_at_any_depth_and_leaves_the_rest():
    changes = {
        "name": [None, "王芳"],
        "birth_date": [None, "1990-05-17"],
        "id_masked": [None, OLD],
        "date": [None, "2020-01-02"],
        "data": [None, {"outside": {"outside_id_masked": OLD, "birth_date": "1988-01-31"}}],
        "rows": 3,
    }
    assert migration.redact(changes) == {
        "name": [None, "王芳"],
        "birth_date": [None, "1990-05"],
        "id_masked": [None, NEW],
        "date": [None, "2020-01-02"],
        "data": [None, {"outside": {"outside_id_masked": NEW, "birth_date": "1988-01"}}],
        "rows": 3,
    }
    assert migration.redact(migration.redact(changes)) == migration.redact(changes)
    assert migration.redact({}) == {}


def test_old_masks_elsewhere_are_remasked():
    """An exported list's ID search filter and a message held the old mask too."""
    assert migration.redact({"filters": {"q": OLD, "unit": "990100001001"}, "rows": 2}) == {
        "filters": {"q": NEW, "unit": "990100001001"},
        "rows": 2,
    }
    assert migration.remask_text(f"号码 {OLD} 已导出") == f"号码 {NEW} 已导出"
    assert migration.remask_text("13812345678 and 110105199001011234") == (
        "13812345678 and 110105199001011234"
    )
    assert migration.remask_text(None) is None


def historical_apps():
    loader = MigrationLoader(connection)
    return loader.project_state(("people", "0007_remask_ids")).apps


@pytest.mark.django_db(transaction=True)
def test_forwards_remasks_persons_couples_and_audit_rows(tree, monkeypatch):
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches with a few rows
    people = [
        factories.person(tree.village_a, f"人{i}", "F", dt.date(1990, 5, 10 + i), seq=i)
        for i in range(1, 6)
    ]
    numbers = {p.pk: factories.id_number(p.birth_date, "F", i + 1) for i, p in enumerate(people)}
    old_masks = {pk: n[:6] + "********" + n[-4:] for pk, n in numbers.items()}
    for pk, mask in old_masks.items():
        Person.objects.filter(pk=pk).update(id_masked=mask)
    no_id = factories.person(tree.village_a, "无号", "F", dt.date(1991, 1, 1), seq=9)
    Person.objects.filter(pk=no_id.pk).update(id_masked="")
    husband = factories.person(tree.village_a, "丈夫", "M", dt.date(1989, 3, 3), seq=20)
    couple = Couple.objects.create(
        husband=husband,
        unit=tree.village_a,
        married_on=dt.date(2015, 1, 1),
        outside_name="外人",
        outside_sex="F",
        outside_id_masked=OLD,
    )
    # audit rows as they were written before issue 13 (not through audit.record)
    old_event = AuditEvent.objects.create(
        action="create",
        object_type="people.person",
        object_id=str(people[0].pk),
        changes={
            "birth_date": [None, "1990-05-11"],
            "id_masked": [None, OLD],
            "name": [None, "人1"],
        },
    )
    couple_event = AuditEvent.objects.create(
        action="create",
        object_type="people.couple",
        object_id=str(couple.pk),
        changes={"outside_id_masked": [None, OLD], "married_on": [None, "2015-01-01"]},
    )
    other = AuditEvent.objects.create(action="export", changes={"rows": 3, "date": "2020-01-01"})
    export = AuditEvent.objects.create(
        action="export", changes={"filters": {"q": OLD}, "rows": 1}, message=f"查找 {OLD}"
    )

    migration.forwards(historical_apps(), None)

    for pk in old_masks:
        assert Person.objects.get(pk=pk).id_masked == numbers[pk][:6] + "*" * 12
    assert Person.objects.get(pk=no_id.pk).id_masked == ""
    assert Couple.objects.get(pk=couple.pk).outside_id_masked == NEW
    assert AuditEvent.objects.get(pk=old_event.pk).changes == {
        "birth_date": [None, "1990-05"],
        "id_masked": [None, NEW],
        "name": [None, "人1"],
    }
    assert AuditEvent.objects.get(pk=couple_event.pk).changes == {
        "outside_id_masked": [None, NEW],
        "married_on": [None, "2015-01-01"],
    }
    assert AuditEvent.objects.get(pk=other.pk).changes == {"rows": 3, "date": "2020-01-01"}
    exported = AuditEvent.objects.get(pk=export.pk)
    assert exported.changes == {"filters": {"q": NEW}, "rows": 1}
    assert exported.message == f"查找 {NEW}"
    # nothing after the region is left anywhere
    for mask in Person.objects.exclude(id_masked="").values_list("id_masked", flat=True):
        assert mask[6:] == "*" * 12
    # running it again changes nothing
    migration.forwards(historical_apps(), None)
    assert Couple.objects.get(pk=couple.pk).outside_id_masked == NEW
    assert AuditEvent.objects.get(pk=old_event.pk).changes["birth_date"] == [None, "1990-05"]
