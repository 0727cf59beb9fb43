"""The period lock in the people Excel import (issue 15): a new person's registration
dated inside a closed period needs the 补报/更正原因 column; without it the row is an
error and, the file being all or nothing, nothing is written."""

from __future__ import annotations

import datetime

import pytest

from jisheng.core import locks
from jisheng.core.models import LateEntry
from jisheng.people.excel import (
    COL_BIRTH,
    COL_ID,
    COL_LATE_REASON,
    COL_NAME,
    COL_REGISTERED,
    COL_SEX,
    COL_UNIT,
    PERSON_HEADERS,
)
from jisheng.people.importers import persons_import
from jisheng.people.models import LifeEvent, Person
from tests import factories

BIRTH = datetime.date(1990, 5, 17)


def row(seq: int, registered: str, unit: str = "990100001001", **extra) -> dict[str, str]:
    return {
        COL_NAME: f"导入{seq}",
        COL_SEX: "女",
        COL_ID: factories.id_number(BIRTH, "F", seq),
        COL_BIRTH: BIRTH.isoformat(),
        COL_UNIT: unit,
        COL_REGISTERED: registered,
        **extra,
    }


@pytest.fixture
def closed(tree):
    return locks.close(
        unit=tree.town,
        first=datetime.date(2026, 10, 1),
        last=datetime.date(2026, 10, 31),
        source=tree.town,
        actor=None,
    )


def test_the_column_is_in_the_template():
    assert PERSON_HEADERS[-1] == COL_LATE_REASON == "补报/更正原因"


def test_a_row_in_a_closed_period_without_reason_is_an_error_and_nothing_is_written(closed):
    rows = [
        row(1, "2026-09-30"),
        row(2, "2026-10-31"),
        row(3, "2026-11-01"),
        row(4, "2026-10-01", **{COL_LATE_REASON: "   "}),
        row(5, "2026-10-15", unit="990100002001"),  # 丙社区: open
    ]
    result = persons_import(actor=None, rows=rows)
    assert [item.row[COL_NAME] for item in result.rejected] == ["导入2", "导入4"]
    assert "补报/更正须填写原因" in " ".join(result.rejected[0].reasons)
    assert COL_REGISTERED in result.rejected[0].reasons[0]
    assert not result.written
    assert not Person.objects.filter(name__startswith="导入").exists()
    assert not LateEntry.objects.exists()


def test_with_a_reason_the_row_is_written_with_its_late_entry(closed, users):
    rows = [
        row(1, "2026-09-30"),
        row(2, "2026-10-31", **{COL_LATE_REASON: "户籍迁入材料10月已收，漏录"}),
    ]
    result = persons_import(actor=users.office, rows=rows)
    assert result.written and result.created == 2
    entry = LateEntry.objects.get()
    event = LifeEvent.objects.get(person__name="导入2", kind="register")
    assert (entry.object_id, entry.day, entry.reason) == (
        event.pk,
        datetime.date(2026, 10, 31),
        "户籍迁入材料10月已收，漏录",
    )
    assert entry.what == "导入2：建档" and entry.recorded_by == users.office


def test_an_over_long_reason_is_a_row_error(closed):
    result = persons_import(
        actor=None, rows=[row(1, "2026-10-02", **{COL_LATE_REASON: "补" * 501})]
    )
    assert result.rejected_count == 1 and "500" in " ".join(result.rejected[0].reasons)


def test_a_birth_in_a_closed_period_needs_the_reason_column(closed, person):
    from jisheng.people import excel
    from jisheng.people.importers import births_import
    from jisheng.people.models import Birth

    assert excel.BIRTH_HEADERS[-1] == COL_LATE_REASON
    birth = {
        excel.COL_MOTHER_ID: factories.id_number(BIRTH, "F", 1),
        excel.COL_CHILD_BIRTH: "2026-10-12",
        excel.COL_CHILD_SEX: "男",
        excel.COL_CHILD_NAME: "李小宝",
    }
    result = births_import(actor=None, rows=[birth])
    assert result.rejected_count == 1 and not result.written
    assert "补报/更正须填写原因" in " ".join(result.rejected[0].reasons)
    assert not Birth.objects.exists()
    result = births_import(
        actor=None, rows=[{**birth, COL_LATE_REASON: "医院出生证明10月底才送达"}]
    )
    assert result.created == 1, result.rejected
    entry = LateEntry.objects.get()
    assert entry.object_id == Birth.objects.get().pk
    assert entry.reason == "医院出生证明10月底才送达"
