"""``/api/v1/quality/lists``: the cross-check lists (五关) in the caller's scope and a
list's records with their outcomes. Scoped like every endpoint: a list outside the
caller's subtree answers 404 like a missing one (the attempt audited as ``denied``); a
bad ``outcome`` or ``source`` answers 422. Needs ``quality.view_crosschecklist``.
(No ``from __future__ import annotations`` here: ninja reads the annotations.)
"""

import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jisheng.api.errors import ApiError
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS
from jisheng.api.security import require_perm
from jisheng.quality import selectors_crosscheck as selectors
from jisheng.quality.models import CrossCheckList, CrossCheckRow, Outcome
from jisheng.quality.sources import SOURCES

router = Router(tags=["quality"])
VIEW = "quality.view_crosschecklist"


class ListFilters(Schema):
    source: str | None = Field(None, description="hospital_births, hukou_births, marriages, …")


class ListOut(Schema):
    id: int
    source: str
    unit: str
    unit_name: str
    first: datetime.date
    last: datetime.date
    total: int
    rejected: int
    counts: dict[str, int]
    matched_at: datetime.datetime | None = None

    @staticmethod
    def resolve_unit(obj: CrossCheckList) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_unit_name(obj: CrossCheckList) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_rejected(obj: CrossCheckList) -> int:
        return len(obj.rejected or [])

    @staticmethod
    def resolve_counts(obj: CrossCheckList) -> dict[str, int]:
        return {k: int(v) for k, v in (obj.counts or {}).items()}


class RowFilters(Schema):
    outcome: str | None = Field(
        None, description="matched, ambiguous, missing, contradicting or unlisted."
    )
    open: bool = Field(False, description="Only records flagged for checking, not resolved.")


class RowOut(Schema):
    id: int
    row: int | None = None
    name: str
    date: datetime.date | None = None
    unit: str
    outcome: str
    score: int
    differences: list[str]
    record: str
    candidates: list[str]
    resolution: str
    resolution_note: str

    @staticmethod
    def resolve_row(obj: CrossCheckRow) -> int | None:
        return obj.row_number

    @staticmethod
    def resolve_date(obj: CrossCheckRow) -> datetime.date | None:
        return obj.event_date

    @staticmethod
    def resolve_unit(obj: CrossCheckRow) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_candidates(obj: CrossCheckRow) -> list[str]:
        return [str(c["record"]) for c in obj.candidates or []]


def _query_error(field: str, message: str) -> ApiError:
    return ApiError(
        422,
        "invalid",
        message,
        details=[{"field": field, "location": "query", "message": message, "type": "invalid"}],
    )


@router.get("", response={200: list[ListOut], **SCOPED_ERRORS}, summary="Cross-check lists")
@paginate(PageNumber)
def lists(request: HttpRequest, filters: Query[ListFilters]):
    """The imported lists in the caller's scope, newest first."""
    require_perm(request, VIEW)
    if filters.source and filters.source not in SOURCES:
        raise _query_error(
            "source",
            _("Unknown list source; the sources: %(choices)s (codes in the schema).")
            % {"choices": "、".join(str(s.label) for s in SOURCES.values())},
        )
    return selectors.lists_visible(request.auth, source=filters.source or "")


@router.get(
    "/{list_id}/results",
    response={200: list[RowOut], **SCOPED_ERRORS},
    summary="A cross-check list's records and outcomes",
)
@paginate(PageNumber)
def results(request: HttpRequest, list_id: int, filters: Query[RowFilters]):
    """The records of a list in the caller's scope with their outcome, the fields that
    differ, the registry record matched and the candidates, and the resolution."""
    require_perm(request, VIEW)
    checklist = selectors.list_get(request.auth, list_id)
    if filters.outcome and filters.outcome not in Outcome.values:
        raise _query_error(
            "outcome",
            _("Unknown outcome; the outcomes: %(choices)s (codes in the schema).")
            % {"choices": "、".join(str(label) for label in Outcome.labels)},
        )
    return selectors.rows_of(
        request.auth, checklist, outcome=filters.outcome or "", open_only=filters.open
    )
