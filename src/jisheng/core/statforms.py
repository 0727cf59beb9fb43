"""The statistical-form core (统计报表) that every statistical form is built on — today the
commodity forms (``commodities/reports.py``), tomorrow the reports with approval and
period locks.

A :class:`Form` is a title, a reporting unit (``root``), a period
(:class:`jisheng.core.periods.Period`), ``columns`` (key, header) and one
:class:`FormRow` per unit of :func:`report_units` — the root's children, or the root
itself when it has none — then the total row. :class:`Rows` adds counts keyed by unit
id into those rows (a child's whole subtree) and the total (the root's subtree), so a
form's figures come from grouped queries, one per kind of figure.

The printed and exported layout: :func:`form_workbook` (the form's sheet and an
"About" sheet: title, unit, period, date of report — :func:`about_sheet`),
:func:`record_export` (the audit row of an export), and the templates
``core/statform_frame.html`` (pickers, heading, A4 print, signature lines) and
``core/statform_table.html`` (the table).

Why in core and not in ``reports``: the forms are defined by apps below ``reports`` in
the dependency order (commodities sits beside services and below reports; a future
leave or benefits app likewise), and ``reports`` imports them, never the other way.
Core imports no domain app: a unit here is any tree node with ``pk``, ``name``,
``path`` and ``depth`` (``orgs.Unit``, a treebeard ``MP_Node``), queried through its
own model.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import add_sheet
from jisheng.core.periods import Period
from jisheng.core.registry import _put, registry


class TreeUnit(Protocol):
    """A unit of the organisation tree (materialised path, as ``orgs.Unit``)."""

    pk: Any
    name: str
    code: str
    path: str
    depth: int


def _tree(root: TreeUnit) -> models.QuerySet:
    """The root's model's rows below and including ``root``."""
    model: type[models.Model] = type(root)  # type: ignore[assignment]
    return model._default_manager.filter(path__startswith=root.path)


def report_units(root: TreeUnit) -> list[Any]:
    """The rows of a form: the unit's children, or the unit itself when it has none."""
    children = list(_tree(root).filter(depth=root.depth + 1).order_by("path"))
    return children or [root]


@dataclass
class FormRow:
    unit: Any | None  # None: the total row
    cells: dict[str, Any]

    @property
    def label(self) -> str:
        return self.unit.name if self.unit is not None else str(_("Total"))


@dataclass
class Form:
    """A statistics form: ``columns`` (key, header) and one row per unit, then the total."""

    key: str
    title: str
    root: Any
    period: Period
    columns: list[tuple[str, str]]
    rows: list[FormRow] = field(default_factory=list)
    # The records behind each cell, for the drill-down and a submission's snapshot:
    # (row unit's pk, or None for the total row; column key) → references
    # "app_label.model:pk" (e.g. "people.birth:123"). Optional: a form whose cells are
    # not counts of records (a stock balance) leaves it empty.
    records: dict[tuple[int | None, str], list[str]] = field(default_factory=dict)

    @property
    def period_label(self) -> str:
        return self.period.long_label

    @property
    def total(self) -> FormRow:
        return self.rows[-1]

    def table(self) -> list[list[Any]]:
        """The rows as lists (unit name first): the page and the Excel file."""
        return [[row.label] + [row.cells.get(k) for k, _h in self.columns] for row in self.rows]


class Rows:
    """Adds counts keyed by unit id into the report's rows (a child's whole subtree) and
    the total (the root's subtree)."""

    def __init__(self, root: TreeUnit):
        self.root = root
        self.units = report_units(root)
        self.paths = dict(_tree(root).values_list("pk", "path"))
        self.width = len(self.units[0].path)
        self.by_path: dict[str, dict[str, Any]] = {u.path: defaultdict(int) for u in self.units}
        self.total: dict[str, Any] = defaultdict(int)

    def add(self, unit_id: int, key: str, amount: Any) -> None:
        path = self.paths.get(unit_id)
        if path is None or not amount:
            return
        self.total[key] += amount
        row = self.by_path.get(path[: self.width])
        if row is not None:
            row[key] += amount

    def rows(self) -> list[tuple[Any | None, dict[str, Any]]]:
        return [(u, self.by_path[u.path]) for u in self.units] + [(None, self.total)]


# --------------------------------------------------------------------------- Excel, audit


def about_sheet(workbook: Workbook, *, title: str, unit: TreeUnit, period: Period) -> None:
    """The "About" sheet of an exported form: report, reporting unit, period, date."""
    add_sheet(
        workbook,
        title=_("About"),
        headers=[_("Item"), _("Value")],
        rows=[
            [_("Report"), title],
            [_("Reporting unit"), f"{unit.name}（{unit.code}）"],
            [_("Period"), f"{period.long_label}（{period.first}—{period.last}）"],
            [_("Date of report"), timezone.localdate()],
        ],
    )


def form_workbook(form: Form) -> Workbook:
    """The form as a workbook: the table ("—" for a figure that does not exist) and the
    About sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    add_sheet(
        workbook,
        title=_("Form"),
        headers=[_("Unit"), *[label for _k, label in form.columns]],
        rows=[["—" if v is None else v for v in row] for row in form.table()],
    )
    about_sheet(workbook, title=form.title, unit=form.root, period=form.period)
    return workbook


def record_export(*, actor: Any, unit: Any, period: Period, title: str) -> None:
    """The audit row of a form's export (who exported which form of which unit and period)."""
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=unit,
        changes={"report": title, "period": period.code},
        message=_("Exported %(report)s of %(unit)s for %(period)s.")
        % {"report": title, "unit": unit.name, "period": period.code},
    )


# --------------------------------------------------------------------------- registration


@dataclass(frozen=True)
class FormSpec:
    """A statistical form an app offers for reporting up the tree (``registry["statforms"]``).

    ``build(unit, period)`` generates it from the registry (never typed); ``frequency``
    is a period kind of :mod:`jisheng.core.periods` (month, quarter, year); ``deadline``
    gives the day the report of ``unit`` for ``period`` is due (from the policy pack in
    force there, or a fixed default); ``order`` sorts the forms on the pages.
    """

    key: str
    title: str | Promise
    frequency: str
    build: Callable[[TreeUnit, Period], Form]
    deadline: Callable[[TreeUnit, Period], datetime.date]
    order: int = 100
    version: str = "1"
    # The app that defines it (for the forms' page: "commodities", "reporting", …).
    source: str = ""
    # Whether approving a report of this form closes its period for the unit's subtree
    # (``core.locks``): the registry's forms do; a form over records the lock does not
    # guard (the commodity ledgers) does not.
    closes_period: bool = True


def register_statform(spec: FormSpec) -> FormSpec:
    return _put("statforms", spec.key, spec)


def statforms() -> list[FormSpec]:
    return sorted(registry["statforms"].values(), key=lambda s: (s.order, s.key))


ERROR, WARNING = "error", "warning"


@dataclass
class CheckFinding:
    """One violation a submission check found for a report (a logic rule's, say).

    A report cannot be submitted while an ``error`` finding is not ``explained``;
    ``url`` drills down to the records behind it."""

    rule: str
    severity: str  # ERROR or WARNING
    message: str
    explained: bool = False
    url: str = ""


# ``check(*, unit, form_key, period) -> list[CheckFinding]``
SubmissionCheck = Callable[..., list[CheckFinding]]


def register_submission_check(name: str, check: SubmissionCheck) -> SubmissionCheck:
    return _put("submission_checks", name, check)


def submission_findings(*, unit: TreeUnit, form_key: str, period: Period) -> list[CheckFinding]:
    """What every registered check finds for the report of ``unit``, ``form_key``, ``period``."""
    findings: list[CheckFinding] = []
    for name in sorted(registry["submission_checks"]):
        findings.extend(
            registry["submission_checks"][name](unit=unit, form_key=form_key, period=period)
        )
    return findings
