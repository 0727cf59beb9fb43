"""The indicator catalogue page and the drill-down from a figure to its persons.

- ``/reports/indicators/``: every indicator with its name, unit, definition and the
  populations its numerator and denominator count (and its Excel export).
- ``/reports/drill/?unit=CODE&period=2026Q3&indicator=ID&side=numerator``: the persons
  behind one side of a figure of a unit, a page at a time, each linking to the person's
  page. The unit must be inside the user's scope (404 and an audited denial
  otherwise) and persons now registered outside the scope are never listed. Every view
  of the list is written to the audit log (``view``), every export (``export``, which
  also needs ``people.export_person``) with its row count, like the person list's.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import write_workbook, xlsx_response
from jisheng.core.tables import list_page
from jisheng.core.web import require_perm
from jisheng.indicators import catalogue, engine
from jisheng.orgs import selectors as org_selectors
from jisheng.people import privacy
from jisheng.people.tables import PersonTable
from jisheng.reports import dashboard as selectors
from jisheng.reports import exports
from jisheng.reports.views_dashboard import (
    VIEW_FIGURES,
    BadInput,
    bad_input,
    dashboard_url,
    page_url,
    period_of,
    unit_of,
)

EXPORT_PERSON = "people.export_person"
# As for the person list: larger lists are refused (narrow to a smaller unit).
EXPORT_MAX_ROWS = 100_000


# --------------------------------------------------------------------------- catalogue


@require_GET
def catalogue_page(request: HttpRequest) -> HttpResponse:
    """Every indicator of the catalogue with its definition and populations."""
    require_perm(request, VIEW_FIGURES)
    return render(request, "reports/catalogue.html", {"rows": selectors.catalogue_rows()})


@require_GET
def catalogue_export(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_FIGURES)
    return xlsx_response(exports.catalogue_workbook(selectors.catalogue_rows()), "指标目录.xlsx")


# --------------------------------------------------------------------------- drill-down


class _Drill:
    def __init__(self, request: HttpRequest) -> None:
        self.unit = unit_of(request)
        self.period = period_of(request)
        indicator_id = (request.GET.get("indicator") or "").strip()
        try:
            self.indicator = catalogue.get(indicator_id)
        except ValueError as exc:
            raise BadInput(str(exc)) from exc
        self.side = (request.GET.get("side") or selectors.NUMERATOR).strip()
        self.root = self.unit
        root_code = (request.GET.get("root") or "").strip()
        if root_code and root_code != self.unit.code:
            self.root = org_selectors.unit_get(user=request.user, code=root_code)
            if not self.unit.path.startswith(self.root.path):
                raise BadInput(
                    _("%(root)s is not above %(unit)s.")
                    % {"root": self.root.name, "unit": self.unit.name}
                )
        try:
            self.persons = selectors.persons_behind(
                request.user, self.indicator, self.side, self.unit, self.period, root=self.root
            )
        except ValueError as exc:
            raise BadInput(str(exc)) from exc

    @property
    def side_label(self) -> str:
        return _("Numerator") if self.side == selectors.NUMERATOR else _("Denominator")

    @property
    def terms(self) -> list[selectors.TermText]:
        return selectors.side_texts(self.indicator, self.side)

    def audit_changes(self, **extra: object) -> dict[str, object]:
        return {
            "unit": self.unit.code,
            "root": self.root.code,
            "period": self.period.code,
            "indicator": self.indicator.id,
            "side": self.side,
            **extra,
        }


@require_GET
def drill(request: HttpRequest) -> HttpResponse:
    """The persons behind the numerator or denominator of a figure."""
    require_perm(request, VIEW_FIGURES)
    try:
        d = _Drill(request)
    except BadInput as exc:
        return bad_input(request, str(exc))
    can_export = request.user.has_perm(EXPORT_PERSON)
    context = list_page(
        request,
        queryset=d.persons,
        table_class=PersonTable,
        export_url=page_url("reports:drill_export") if can_export else None,
    )
    table = context["table"]
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=d.unit,
        changes=d.audit_changes(rows=table.paginator.count, page=table.page.number),
        message=_("Viewed the persons behind %(indicator)s (%(side)s) of %(unit)s, %(period)s.")
        % {
            "indicator": d.indicator.name_zh,
            "side": d.side_label,
            "unit": d.unit.name,
            "period": d.period.code,
        },
    )
    figure = selectors.Figure(d.indicator, _figure_value(d))
    context.update(
        d=d,
        figure=figure,
        dashboard_url=dashboard_url(d.unit, d.period, d.indicator.id),
        other_side_url=page_url(
            "reports:drill",
            unit=d.unit.code,
            root=d.root.code if d.root.pk != d.unit.pk else "",
            period=d.period.code,
            indicator=d.indicator.id,
            side=selectors.DENOMINATOR if d.side == selectors.NUMERATOR else selectors.NUMERATOR,
        )
        if d.indicator.is_ratio
        else "",
    )
    return render(request, "reports/drill.html", context)


def _uses_root(indicator: engine.Indicator) -> bool:
    """Whether a filter of the indicator reads the root's policy pack (a threshold)."""
    return any(
        isinstance(engine.POPULATIONS[t.population].filters.get(f), engine.RootFilter)
        for t in indicator.terms
        for f in t.filters
    )


def _figure_value(d: _Drill) -> engine.Value:
    """The figure itself, as the page it came from computed it: over the unit's own
    subtree, or through the root's subtree when a threshold of the root's pack counts."""
    if d.root.pk != d.unit.pk and _uses_root(d.indicator):
        rows = engine.compute_units([d.indicator], d.root, d.period, [d.unit])
    else:
        rows = engine.compute([d.indicator], d.unit, d.period, engine.SELF)
    return rows[0].values[d.indicator.id]


@require_GET
def drill_export(request: HttpRequest) -> HttpResponse:
    """The persons behind a figure as .xlsx (masked numbers), audited."""
    require_perm(request, VIEW_FIGURES)
    require_perm(request, EXPORT_PERSON)
    try:
        d = _Drill(request)
    except BadInput as exc:
        return bad_input(request, str(exc))
    count = d.persons.count()
    back = page_url(
        "reports:drill",
        unit=d.unit.code,
        root=d.root.code if d.root.pk != d.unit.pk else "",
        period=d.period.code,
        indicator=d.indicator.id,
        side=d.side,
    )
    if count > EXPORT_MAX_ROWS:
        messages.error(
            request,
            _(
                "The list has %(count)d persons; an export holds at most %(max)d. Open the "
                "figure of a smaller unit and export again."
            )
            % {"count": count, "max": EXPORT_MAX_ROWS},
        )
        return redirect(back)
    workbook = write_workbook(
        title="指标人员名单",
        headers=exports.DRILL_HEADERS,
        rows=exports.drill_rows(d.persons, full_birth=privacy.sees_full_birth(request.user)),
        widths={"公民身份号码": 22, "联系电话": 15},
    )
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=d.unit,
        changes=d.audit_changes(rows=count),
        message=_("Exported the persons behind %(indicator)s (%(count)d rows).")
        % {"indicator": d.indicator.name_zh, "count": count},
    )
    side = "分子" if d.side == selectors.NUMERATOR else "分母"
    filename = f"{d.indicator.name_zh}_{side}_{d.unit.code}_{d.period.code}.xlsx"
    return xlsx_response(workbook, filename)
