"""``/api/v1/services/campaigns`` and ``/api/v1/services/letters``: campaign rounds, their
targets, attendance entered in batches (all rows or none), and letters of inquiry (函调).

Scoped like every endpoint: a round outside the caller's view, or a row outside the
caller's subtree, answers 404 and the attempt is audited as ``denied``. Attendance is a
service statistic only. (No ``from __future__ import annotations`` here: ninja's
``paginate`` reads the ``Query[…]`` annotations at import.)
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from jisheng.api.errors import ApiError
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS, WRITE_ERRORS
from jisheng.api.security import require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.services import campaigns, letters, selectors_campaigns
from jisheng.services.schemas_campaigns import (
    AttendanceIn,
    AttendanceOut,
    LetterFilters,
    LetterOut,
    RoundOut,
    TargetFilters,
    TargetOut,
)

router = Router(tags=["campaigns"])


# --------------------------------------------------------------------------- campaigns


@router.get(
    "/campaigns", response={200: list[RoundOut], **SCOPED_ERRORS}, summary="Campaign rounds"
)
@paginate(PageNumber)
def round_list(request: HttpRequest):
    """The campaign rounds the caller sees: those of units in the caller's subtree and
    of the units above it (whose lists include the caller's people). Needs
    ``services.view_campaignround``."""
    require_perm(request, "services.view_campaignround")
    return selectors_campaigns.round_list(request.auth)


@router.get(
    "/campaigns/{int:round_id}/targets",
    response={200: list[TargetOut], **SCOPED_ERRORS},
    summary="A round's targets",
)
@paginate(PageNumber)
def round_targets(request: HttpRequest, round_id: int, filters: Query[TargetFilters]):
    """The round's targets in the caller's data scope, with attendance and results
    (a service statistic only). Needs ``services.view_campaigntarget``."""
    require_perm(request, "services.view_campaigntarget")
    round_ = selectors_campaigns.round_get(request.auth, round_id)
    unit = org_selectors.unit_get(user=request.auth, code=filters.unit) if filters.unit else None
    return selectors_campaigns.targets(
        request.auth, round_, unit=unit, q=filters.q, open_only=filters.open
    )


@router.post(
    "/campaigns/{int:round_id}/attendance",
    response={200: AttendanceOut, **WRITE_ERRORS},
    summary="Record attendance, a batch",
)
def round_attendance(request: HttpRequest, round_id: int, payload: AttendanceIn):
    """Save attendance and results of several targets at once: every row or none (422
    with ``details`` naming ``rows.N.field``). Needs ``services.add_campaigntarget``."""
    require_perm(request, "services.add_campaigntarget")
    round_ = selectors_campaigns.round_get(request.auth, round_id)
    entries = [campaigns.AttendanceEntry(target_id=row.target, **row.model_dump(exclude={"target"}))
               for row in payload.rows]  # fmt: skip
    try:
        changed = campaigns.attendance_record(
            actor=request.auth, round_=round_, entries=entries, late_reason=payload.late_reason
        )
    except campaigns.BatchInvalid as exc:
        details = [
            {"field": f"rows.{index}.{field}", "location": "body", "message": message,
             "type": "invalid"}
            for index, errors in sorted(exc.rows.items())
            for field, message in errors.items()
        ]  # fmt: skip
        raise ApiError(
            422, "invalid", _("Nothing was saved: some rows are wrong."), details=details
        ) from exc
    return {"changed": len(changed)}


@router.get(
    "/letters", response={200: list[LetterOut], **SCOPED_ERRORS}, summary="Letters of inquiry"
)
@paginate(PageNumber)
def letter_list(request: HttpRequest, filters: Query[LetterFilters]):
    """Letters of inquiry (函调) in the caller's data scope; ``open=true``: sent without a
    reply. Needs ``services.view_letter``."""
    require_perm(request, "services.view_letter")
    return letters.letters_list(request.auth, year=filters.year, open_only=filters.open)
