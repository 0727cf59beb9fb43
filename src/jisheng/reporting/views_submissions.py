"""Report submission pages (/reporting/…): the list of the working unit's reports and
the submissions below it, and one report's page (figures, check findings with the
unit's explanations, the decisions and 退回意见, the buttons of the steps the user may
take, what changed since approval and the adjustments carried).

Scoped: a unit outside the user's subtree answers 404 (audited); a step by the wrong
unit answers 403 (audited by the workflow)."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.core.periods import Period, containing, parse
from jisheng.core.statforms import Form, FormSpec, statforms
from jisheng.core.web import require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit
from jisheng.reporting import adjustments, exports, selectors_statforms, selectors_submissions
from jisheng.reporting import services_submission as svc
from jisheng.reporting.adjustments import Json
from jisheng.reporting.models import Submission
from jisheng.reporting.models import SubmissionStatus as S

VIEW = "reporting.view_submission"
ADD = "reporting.add_submission"
CHANGE = "reporting.change_submission"
PAGE_SIZE = 50
RECORDS_SHOWN = 50


def default_period(spec: FormSpec) -> Period:
    """The period whose report is due now: the one before today's."""
    return containing(timezone.localdate(), spec.frequency).previous()


def form_and_period(form_key: str, code: str) -> tuple[FormSpec, Period]:
    try:
        spec = svc.spec_get(form_key)
        return spec, svc.period_get(spec, code) if code else default_period(spec)
    except ValidationError as exc:
        raise Http404(" ".join(exc.messages)) from exc


def home_unit(request: HttpRequest) -> Unit | None:
    return getattr(request, "working_unit", None) or getattr(request.user, "unit", None)


@require_GET
def submission_list(request: HttpRequest) -> HttpResponse:
    """The working unit's reports of a period (one per form) and the submissions below."""
    require_perm(request, VIEW)
    specs = statforms()
    code = (request.GET.get("unit") or "").strip()
    unit = org_selectors.unit_get(user=request.user, code=code) if code else home_unit(request)
    form_key = (request.GET.get("form") or "").strip()
    status = (request.GET.get("status") or "").strip()
    if status and status not in S.values:
        status = ""
    period_code = (request.GET.get("period") or "").strip()
    periods = {}
    for spec in specs:
        try:
            periods[spec.key] = (
                svc.period_get(spec, period_code) if period_code else default_period(spec)
            )
        except ValidationError:
            periods[spec.key] = default_period(spec)
    # the unit's own reports of those periods in one query
    found = (
        {
            (sub.form_key, sub.period_code): sub
            for sub in Submission.objects.filter(
                unit=unit, period_code__in={p.code for p in periods.values()}
            )
        }
        if unit
        else {}
    )
    own = []
    for spec in specs:
        period = periods[spec.key]
        sub = found.get((spec.key, period.code))
        deadline = sub.deadline if sub else (spec.deadline(unit, period) if unit else None)
        own.append(
            {
                "spec": spec,
                "period": period,
                "submission": sub,
                "deadline": deadline,
                "state": str(
                    selectors_submissions.STATE_LABELS[
                        selectors_submissions.state_of(sub, deadline, timezone.localdate())
                    ]
                )
                if deadline
                else "",
            }
        )
    rows = selectors_submissions.submissions(
        request.user, unit=unit, form_key=form_key, period_code=period_code, status=status
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    titles = {s.key: s.title for s in specs}
    for sub in page:
        sub.form_title = titles.get(sub.form_key, sub.form_key)
    query = {k: v for k, v in {"unit": code, "form": form_key, "period": period_code}.items() if v}
    if status:
        query["status"] = status
    return render(
        request,
        "reporting/submission_list.html",
        {
            "unit": unit,
            "own": own,
            "page": page,
            "specs": specs,
            "form_key": form_key,
            "period_code": period_code,
            "status": status,
            "statuses": S.choices,
            "query": urlencode(query),
        },
    )


def _figures(snapshot: Json, spec: FormSpec) -> Json:
    columns = snapshot.get("columns") or []
    # the header of the frozen columns, grouped as the form's definition in force groups them
    shape = Form(
        key=spec.key, title="", root=None, period=None, columns=[tuple(c) for c in columns]
    )
    top, bottom = exports.header_cells(shape, selectors_statforms.column_groups(spec))
    return {
        "header_top": top,
        "header_bottom": bottom,
        "columns": [label for _key, label in columns],
        "rows": [
            {"label": row["label"], "cells": [row["cells"].get(k) for k, _l in columns]}
            for row in snapshot.get("rows") or []
        ],
    }


def _described(refs: list[str], reasons: dict[str, str]) -> list[dict[str, str]]:
    return [
        {
            "ref": ref,
            "text": adjustments.describe(ref),
            "reason": adjustments.reason_for(ref, reasons),
        }
        for ref in refs[:RECORDS_SHOWN]
    ]


def _cells(cells: list[Json], reasons: dict[str, str]) -> list[Json]:
    return [
        {
            **cell,
            "delta": len(cell["added"]) - len(cell["removed"]),
            "added_rows": _described(cell["added"], reasons),
            "removed_rows": _described(cell["removed"], reasons),
        }
        for cell in cells
    ]


def _label(code: str) -> str:
    try:
        return parse(code).label
    except ValueError:
        return code


@require_GET
def submission_detail(request: HttpRequest, form_key: str, period: str, code: str) -> HttpResponse:
    require_perm(request, VIEW)
    unit = org_selectors.unit_get(user=request.user, code=code)
    spec, per = form_and_period(form_key, period)
    sub = svc.find(unit=unit, form_key=spec.key, period=per)
    frozen = sub is not None and sub.status in svc.DONE
    live = None
    if frozen:
        snapshot = sub.snapshot
        findings = sub.findings
    else:
        live = spec.build(unit, per)
        snapshot = adjustments.snapshot_of(live, version=spec.version)
        findings = svc.findings_of(
            unit=unit,
            form_key=spec.key,
            period=per,
            explanations=dict(sub.explanations) if sub else {},
        )
    probe = sub or Submission(
        unit=unit, form_key=spec.key, period_code=per.code, first=per.first, last=per.last
    )
    if frozen:
        carried = snapshot.get("adjustments") or []
    else:
        carried = [a.as_dict() for a in svc.adjustments_for(probe, spec)]
    reasons: dict[str, str] = {}
    for adj in carried:
        reasons.update(
            adjustments.late_reasons(
                unit,
                datetime.date.fromisoformat(adj["first"]),
                datetime.date.fromisoformat(adj["last"]),
            )
        )
    changes: list[Json] = []
    if sub is not None and sub.status == S.APPROVED:
        now = spec.build(unit, per)
        found = [c.as_dict() for c in adjustments.changes_since(sub, now)]
        if found:
            reasons.update(adjustments.late_reasons(unit, per.first, per.last))
        changes = _cells(found, reasons)
    user = request.user
    user_unit = getattr(user, "unit", None)
    own = user_unit is not None and user_unit.pk == unit.pk and user.has_perm(ADD)
    parent = (
        user_unit is not None
        and user_unit.path == svc.approving_path(unit)
        and user.has_perm(CHANGE)
    )
    above = (
        user_unit is not None
        and unit.path.startswith(user_unit.path)
        and (user_unit.path != unit.path or not svc.parent_path(unit))
        and user.has_perm(CHANGE)
    )
    status = sub.status if sub is not None else S.DRAFT
    deadline = sub.deadline if sub is not None else spec.deadline(unit, per)
    return render(
        request,
        "reporting/submission_detail.html",
        {
            "unit": unit,
            "spec": spec,
            "period": per,
            "submission": sub,
            "status_label": sub.get_status_display()
            if sub
            else selectors_submissions.STATE_LABELS[selectors_submissions.NOT_STARTED],
            "deadline": deadline,
            "late": sub.is_late if sub else timezone.localdate() > deadline,
            "figures": _figures(snapshot, spec),
            "frozen": frozen,
            "findings": findings,
            "missing": svc.missing_children(probe) if status in svc.OPEN else [],
            "changes": changes,
            "carried": [
                {
                    **adj,
                    "period_label": _label(adj["period"]),
                    "cells": _cells(adj["cells"], reasons),
                }
                for adj in carried
            ],
            "can_check": own and status in svc.OPEN,
            "can_submit": own and status in svc.OPEN,
            "can_approve": parent and status == S.SUBMITTED,
            "can_return": parent and status == S.SUBMITTED,
            "can_reopen": above and status == S.APPROVED,
            "has_children": bool(svc.children(unit)),
        },
    )


@require_POST
def submission_step(request: HttpRequest, form_key: str, period: str, code: str) -> HttpResponse:
    """One step on the report: check, submit, approve, return, reopen."""
    require_perm(request, VIEW)
    unit = org_selectors.unit_get(user=request.user, code=code)
    spec, per = form_and_period(form_key, period)
    action = request.POST.get("action", "")
    if action not in svc.STEPS:
        raise Http404(_("Unknown step."))
    require_perm(request, ADD if action in ("check", "submit") else CHANGE)
    explanations = {
        key.removeprefix("explain:"): value
        for key, value in request.POST.items()
        if key.startswith("explain:")
    }
    message = request.POST.get("message", "")
    sub = svc.find(unit=unit, form_key=spec.key, period=per)
    try:
        if sub is None:
            if action not in ("check", "submit"):
                raise ValidationError(_("This report has not been started."))
            sub = svc.start(actor=request.user, unit=unit, form_key=spec.key, period=per)
        if action in ("check", "submit"):
            svc.STEPS[action](actor=request.user, submission=sub, explanations=explanations)
        elif action in ("return", "reopen"):
            svc.STEPS[action](actor=request.user, submission=sub, message=message)
        else:
            svc.STEPS[action](actor=request.user, submission=sub)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("Done: the report is now “%(status)s”.") % {"status": sub.get_status_display()},
        )
    return redirect("reporting:submission", spec.key, per.code, unit.code)
