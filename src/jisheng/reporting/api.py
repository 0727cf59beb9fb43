"""``/api/v1/reporting``: report submissions (list, one, start), their steps through the
workflow, and the status grid.

Scoped like every endpoint: a unit or submission outside the caller's subtree answers 404
like a missing one (audited as ``denied``); a step by the wrong unit 403 (audited); a
step the workflow refuses (no message, unexplained findings, children not approved) 422;
a status that changed since the caller read it (``from_status``) 409.
(No ``from __future__ import annotations``: ninja's ``paginate`` reads the annotations.)
"""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.api.errors import service_invalid
from jisheng.api.inputs import InputModel
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS, WRITE_ERRORS
from jisheng.api.security import require_perm
from jisheng.core.periods import Period
from jisheng.core.scope import get_in_scope_or_404
from jisheng.core.statforms import FormSpec
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit
from jisheng.reporting import selectors_submissions as sel
from jisheng.reporting import services_submission as svc
from jisheng.reporting.adjustments import Json
from jisheng.reporting.models import Submission
from jisheng.reporting.models import SubmissionStatus as S

router = Router(tags=["reporting"])

VIEW = "reporting.view_submission"
ADD = "reporting.add_submission"
CHANGE = "reporting.change_submission"


class SubmissionOut(Schema):
    id: int
    unit: str = Field(description="The unit's code.")
    unit_name: str
    form: str
    form_version: str
    period: str
    first: datetime.date
    last: datetime.date
    status: str = Field(description="draft, checked, submitted, approved or returned.")
    deadline: datetime.date
    late: bool
    submitted_at: datetime.datetime | None
    approved_at: datetime.datetime | None


class SubmissionDetailOut(SubmissionOut):
    snapshot: Json = Field(
        description="Frozen at submission: columns, rows (unit id, label, cells), records "
        "behind each cell (key 'unit id|column', 'total|column') and adjustments carried."
    )
    findings: list[Json]
    explanations: dict[str, str]


def submission_data(sub: Submission, detail: bool = False) -> Json:
    data = {
        "id": sub.pk,
        "unit": sub.unit.code,
        "unit_name": sub.unit.name,
        "form": sub.form_key,
        "form_version": sub.form_version,
        "period": sub.period_code,
        "first": sub.first,
        "last": sub.last,
        "status": sub.status,
        "deadline": sub.deadline,
        "late": sub.is_late,
        "submitted_at": sub.submitted_at,
        "approved_at": sub.approved_at,
    }
    if detail:
        data.update(
            snapshot=sub.snapshot, findings=sub.findings, explanations=sub.explanations or {}
        )
    return data


class SubmissionFilters(Schema):
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")
    form: str | None = Field(None, max_length=50)
    period: str | None = Field(None, max_length=20)
    status: Literal["draft", "checked", "submitted", "approved", "returned"] | None = None


class _Rows:
    def __init__(self, queryset: QuerySet[Submission]) -> None:
        self.queryset = queryset

    def __getitem__(self, item: slice) -> list[Json]:
        return [submission_data(s) for s in self.queryset[item]]

    def all(self) -> QuerySet[Submission]:
        return self.queryset


def _unit(request: HttpRequest, code: str | None) -> Unit | None:
    return org_selectors.unit_get(user=request.auth, code=code) if code else None


@router.get(
    "/submissions", response={200: list[SubmissionOut], **SCOPED_ERRORS}, summary="Submissions"
)
@paginate(PageNumber)
def submission_list(request: HttpRequest, filters: Query[SubmissionFilters]):
    """The report submissions in the caller's scope (below ``unit``), newest period first,
    narrowed by form, period and status. Needs ``reporting.view_submission``."""
    require_perm(request, VIEW)
    rows = sel.submissions(
        request.auth,
        unit=_unit(request, filters.unit),
        form_key=filters.form or "",
        period_code=filters.period or "",
        status=filters.status or "",
    )
    return _Rows(rows)


def _get(request: HttpRequest, submission_id: int) -> Submission:
    return get_in_scope_or_404(
        Submission.objects.select_related("unit"), request.auth, pk=submission_id
    )


@router.get(
    "/submissions/{submission_id}",
    response={200: SubmissionDetailOut, **SCOPED_ERRORS},
    summary="One submission",
)
def submission_detail(request: HttpRequest, submission_id: int):
    """One submission with its snapshot, findings and explanations."""
    require_perm(request, VIEW)
    return submission_data(_get(request, submission_id), detail=True)


class StartIn(InputModel):
    unit: str = Field(min_length=1, max_length=32, description="The reporting unit's code.")
    form: str = Field(min_length=1, max_length=50)
    period: str = Field(min_length=1, max_length=20, description="2026-01, 2026Q1, 2026 …")


def _spec_period(form: str, period: str) -> tuple[FormSpec, Period]:
    try:
        spec = svc.spec_get(form)
        return spec, svc.period_get(spec, period)
    except ValidationError as exc:
        raise service_invalid(exc) from exc


@router.post(
    "/submissions", response={201: SubmissionDetailOut, **WRITE_ERRORS}, summary="Start a report"
)
def submission_start(request: HttpRequest, payload: StartIn):
    """Start (or find) the draft report of ``unit`` for ``form`` and ``period``: only the
    staff of that unit (403 otherwise, audited); 422 for an unknown form or a period not of
    the form's frequency."""
    require_perm(request, ADD)
    unit = _unit(request, payload.unit)
    spec, period = _spec_period(payload.form, payload.period)
    try:
        sub = svc.start(actor=request.auth, unit=unit, form_key=spec.key, period=period)
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, submission_data(sub, detail=True))


class StepIn(InputModel):
    to: Literal["checked", "submitted", "approved", "returned"]
    from_status: Literal["draft", "checked", "submitted", "approved", "returned"] = Field(
        description="The status the caller saw: 409 when it changed meanwhile."
    )
    message: str = Field("", max_length=1000, description="Needed to return or reopen.")
    explanations: dict[str, str] = Field(
        default_factory=dict, description="Check rule → the unit's explanation."
    )


@router.post(
    "/submissions/{submission_id}/transitions",
    response={200: SubmissionDetailOut, **WRITE_ERRORS},
    summary="Check, submit, approve, return or reopen",
)
def submission_transition(request: HttpRequest, submission_id: int, payload: StepIn):
    """Move the submission to ``to`` through the workflow: ``checked`` and ``submitted``
    by the staff of its unit, ``approved`` and ``returned`` (from submitted, with a
    message) by the unit above, ``returned`` from approved (reopen, with a message) by any
    unit above. 409 when the status is no longer ``from_status``."""
    require_perm(request, VIEW)
    sub = _get(request, submission_id)
    require_perm(request, ADD if payload.to in (S.CHECKED, S.SUBMITTED) else CHANGE)
    sub.status = payload.from_status  # the status the caller saw: the workflow compares
    try:
        if payload.to == S.CHECKED:
            svc.check(actor=request.auth, submission=sub, explanations=payload.explanations)
        elif payload.to == S.SUBMITTED:
            svc.submit(actor=request.auth, submission=sub, explanations=payload.explanations)
        elif payload.to == S.APPROVED:
            svc.approve(actor=request.auth, submission=sub)
        elif payload.from_status == S.APPROVED:
            svc.reopen(actor=request.auth, submission=sub, message=payload.message)
        else:
            svc.return_(actor=request.auth, submission=sub, message=payload.message)
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return submission_data(_get(request, submission_id), detail=True)


class GridFilters(Schema):
    form: str = Field(max_length=50)
    period: str = Field(max_length=20)
    unit: str | None = Field(None, max_length=32, description="Default: the caller's unit.")


class GridRowOut(Schema):
    unit: str
    unit_name: str
    state: str = Field(
        description="not_started, draft, checked, submitted, approved, returned or late."
    )
    deadline: datetime.date
    submitted_at: datetime.datetime | None
    submitted_late: bool
    units_below: int
    below: dict[str, int] = Field(description="The units below the child by state.")


class GridOut(Schema):
    unit: str
    form: str
    period: str
    own_state: str
    rows: list[GridRowOut]
    totals: dict[str, int]


@router.get("/grid", response={200: GridOut, **SCOPED_ERRORS}, summary="Status grid")
def grid(request: HttpRequest, filters: Query[GridFilters]):
    """The status of the reports of the unit's children for ``form`` and ``period``, with
    the counts of the states of the units below each child."""
    require_perm(request, VIEW)
    unit = _unit(request, filters.unit) or getattr(request.auth, "unit", None)
    if unit is None:
        raise Http404
    spec, period = _spec_period(filters.form, filters.period)
    found = sel.grid(unit=unit, spec=spec, period=period, today=timezone.localdate())
    return {
        "unit": unit.code,
        "form": spec.key,
        "period": period.code,
        "own_state": found.own_state,
        "rows": [
            {
                "unit": row.unit.code,
                "unit_name": row.unit.name,
                "state": row.state,
                "deadline": row.deadline,
                "submitted_at": row.submitted_at,
                "submitted_late": row.submitted_late,
                "units_below": row.units,
                "below": dict(row.count_cells),
            }
            for row in found.rows
        ],
        "totals": dict(found.total_cells),
    }
