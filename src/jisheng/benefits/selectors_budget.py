"""The budget estimate for next year (issue 18, ``000:51``): the rules run at next year's
dates over today's registry — children who will be under three, parents who will reach
the reward age — and the amounts summed by unit and funding level. Nothing is written.

The units are those directly below the chosen one (a county: its townships), each with
its subtree; the levels are the kinds' funding levels (an employer's share under the
cost-sharing rule counts as ``employer``). Births to come are not in the registry, so
the estimate of 育儿补贴 counts the children already born.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation

from jisheng.benefits.amounts import split
from jisheng.benefits.facts import families
from jisheng.benefits.rules import Context
from jisheng.benefits.selectors_eligibility import kinds_in_force
from jisheng.benefits.services_sweep import employers_of, evaluate_family, is_candidate
from jisheng.orgs.models import Unit

ZERO = Decimal("0.00")


@dataclass
class BudgetRow:
    unit: Unit
    kind: str
    label: str
    persons: int = 0
    by_level: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))

    @property
    def total(self) -> Decimal:
        return sum(self.by_level.values(), ZERO)


@dataclass
class Budget:
    year: int
    unit: Unit
    levels: list[str]
    rows: list[BudgetRow]

    @property
    def total(self) -> Decimal:
        return sum((r.total for r in self.rows), ZERO)

    def level_total(self, level: str) -> Decimal:
        return sum((r.by_level.get(level, ZERO) for r in self.rows), ZERO)


def estimate(unit: Unit, year: int) -> Budget:
    """The estimate for ``year`` in ``unit``'s subtree (see the module)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    below = list(
        Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path")
    )
    groups = [*below, unit]  # persons of the unit itself (not below) fall to it
    rows: dict[tuple[int, str], BudgetRow] = {}
    levels: set[str] = set()
    ctx = Context(unit_path=unit.path, period_start=start, period_end=end)
    for key, kind in kinds_in_force(unit, start).items():
        with translation.override("zh-hans"):
            lines = [
                evaluate_family(kind, f, ctx)
                for f in families(kind, unit, period_start=start, period_end=end)
            ]
        for line in lines:
            if not (line.eligible and is_candidate(line)):
                continue
            path = line.family.person.unit_path
            group = next(g for g in groups if path.startswith(g.path))
            row = rows.get((group.pk, key))
            if row is None:
                row = rows[(group.pk, key)] = BudgetRow(group, key, kind.label)
            row.persons += 1
            employers = employers_of(kind, line.family, line.evaluation.beneficiary)
            for part in split(kind, line.computed.amount, employers=employers):
                row.by_level[part.level] += part.amount
                levels.add(part.level)
    order = ["central", "province", "city", "county", "township", "employer"]
    ordered = sorted(rows.values(), key=lambda r: (r.unit.path, r.kind))
    return Budget(year, unit, [lv for lv in order if lv in levels], ordered)
