"""``/api/v1/exchange``: the two-way notification — an office's inbox and outbox, one
notice, the reply (反馈), and the exchange with other systems (export of the signed file
of outgoing notices, import of another system's file with its report).

Scoped: a notice neither addressed to nor sent by the caller's office answers 404 like a
missing one (audited as ``denied``); a reply to a notice not addressed to the caller
403 (audited); a refusal of the service 422 with the Chinese message.
(No ``from __future__ import annotations``: ninja's ``paginate`` reads the annotations.)
"""

import datetime
import uuid
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.api.errors import service_invalid
from jisheng.api.inputs import InputModel
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS, WRITE_ERRORS
from jisheng.api.security import require_perm
from jisheng.exchange import selectors, services, transfer
from jisheng.exchange.models import Notice
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit

if TYPE_CHECKING:
    from jisheng.orgs.models import User

router = Router(tags=["exchange"])
Row = dict[str, object]

VIEW = "exchange.view_notice"
RECORD = "exchange.add_notice"
Kind = Literal[
    "registration",
    "verification",
    "service",
    "method",
    "birth",
    "pregnancy_outcome",
    "departure",
    "contact",
    "reply",
]


class NoticeOut(Schema):
    id: int
    uid: uuid.UUID
    kind: str = Field(
        description="registration, verification, service, method, birth, "
        "pregnancy_outcome, departure, contact or reply."
    )
    direction: str = Field(description="internal, outgoing or incoming.")
    status: str = Field(description="sent (awaiting reply), replied, closed or held.")
    sender: str = Field(description="The sending unit's code.")
    receiver: str = Field(description="The receiving unit's code (empty: to fill in).")
    person_id: int | None
    person_name: str
    event_on: datetime.date
    payload: dict[str, object]
    reply_due: datetime.date | None
    replied_at: datetime.datetime | None
    in_reply_to: uuid.UUID | None
    corrects: uuid.UUID | None
    corrected_by: uuid.UUID | None
    exported_at: datetime.datetime | None
    received_at: datetime.datetime | None
    created_at: datetime.datetime


def notice_data(notice: Notice) -> Row:
    reply_to = notice.in_reply_to
    return {
        "id": notice.pk,
        "uid": notice.uid,
        "kind": notice.kind,
        "direction": notice.direction,
        "status": notice.status,
        "sender": notice.sender_code,
        "receiver": notice.receiver_code,
        "person_id": notice.person_id,
        "person_name": notice.person_name,
        "event_on": notice.event_on,
        "payload": notice.payload,
        "reply_due": notice.reply_due,
        "replied_at": notice.replied_at,
        "in_reply_to": reply_to.uid if reply_to is not None else None,
        "corrects": notice.corrects_uid,
        "corrected_by": notice.corrected_by_uid,
        "exported_at": notice.exported_at,
        "received_at": notice.received_at,
        "created_at": notice.created_at,
    }


class _Rows:
    def __init__(self, queryset: QuerySet[Notice]) -> None:
        self.queryset = queryset.select_related("in_reply_to")

    def __getitem__(self, item: slice) -> list[Row]:
        return [notice_data(n) for n in self.queryset[item]]

    def all(self) -> QuerySet[Notice]:
        return self.queryset


def _user(request: HttpRequest) -> "User":
    return request.auth  # type: ignore[attr-defined]


def _unit(request: HttpRequest, code: str | None) -> Unit | None:
    return org_selectors.unit_get(user=_user(request), code=code) if code else None


class InboxFilters(Schema):
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")
    awaiting: bool = Field(False, description="Only those awaiting the reply.")
    overdue: bool = Field(False, description="Only those awaiting the reply past its due day.")
    kind: Kind | None = None


class OutboxFilters(Schema):
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")
    kind: Kind | None = None
    unaddressed: bool = Field(False, description="Only those waiting for their receiver.")


@router.get("/inbox", response={200: list[NoticeOut], **SCOPED_ERRORS}, summary="Inbox")
@paginate(PageNumber)
def notice_inbox(request: HttpRequest, filters: Query[InboxFilters]):
    """The notices addressed to the caller's office (below ``unit``), newest first."""
    require_perm(request, VIEW)
    return _Rows(
        selectors.inbox(
            _user(request),
            unit=_unit(request, filters.unit),
            awaiting=filters.awaiting,
            overdue=filters.overdue,
            kind=filters.kind or "",
            today=timezone.localdate(),
        )
    )


@router.get("/outbox", response={200: list[NoticeOut], **SCOPED_ERRORS}, summary="Sent")
@paginate(PageNumber)
def notice_outbox(request: HttpRequest, filters: Query[OutboxFilters]):
    """The notices the caller's office sent (below ``unit``), newest first."""
    require_perm(request, VIEW)
    return _Rows(
        selectors.outbox(
            _user(request),
            unit=_unit(request, filters.unit),
            kind=filters.kind or "",
            unaddressed=filters.unaddressed,
        )
    )


@router.get(
    "/notices/{notice_id}", response={200: NoticeOut, **SCOPED_ERRORS}, summary="One notice"
)
def notice_detail(request: HttpRequest, notice_id: int):
    """One notice addressed to or sent by the caller's office."""
    require_perm(request, VIEW)
    return notice_data(selectors.notice_get(_user(request), notice_id))


class ReplyIn(InputModel):
    text: str = Field(min_length=1, max_length=500, description="The reply (反馈).")
    reply_kind: Literal["noted", "updated", "not_ours"] = "noted"


@router.post(
    "/notices/{notice_id}/reply",
    response={201: NoticeOut, **WRITE_ERRORS},
    summary="Reply to a notice",
)
def notice_reply(request: HttpRequest, notice_id: int, payload: ReplyIn):
    """The reply of the office it is addressed to: a reply notice back to the sender
    (internal: at once; another system: with the next export); the notice → replied."""
    require_perm(request, VIEW)
    notice = selectors.notice_get(_user(request), notice_id)
    require_perm(request, RECORD)
    try:
        reply = services.notice_reply(
            actor=_user(request), notice=notice, text=payload.text, reply_kind=payload.reply_kind
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, notice_data(reply))


class ExportIn(InputModel):
    receiver: str | None = Field(
        None, max_length=32, description="Only the notices to this unit code of another system."
    )


class ExportOut(Schema):
    format: str
    version: int
    instance: str
    created_at: str
    messages: list[dict[str, object]]


@router.post("/export", response={200: ExportOut, **WRITE_ERRORS}, summary="Export")
def exchange_export(request: HttpRequest, payload: ExportIn):
    """The signed file (docs/exchange/notice-v1.schema.json) of the outgoing notices and
    replies of the caller's offices not exported yet; marks them exported."""
    require_perm(request, RECORD)
    try:
        return transfer.export_file(actor=_user(request), receiver_code=payload.receiver or "")
    except ValidationError as exc:
        raise service_invalid(exc) from exc


class ImportIn(InputModel):
    file: dict[str, object] = Field(description="The exchange file of another system.")


class ImportRowOut(Schema):
    index: int
    uid: str
    outcome: str = Field(description="added, applied, held, duplicate or refused.")
    reason: str


class ImportOut(Schema):
    counts: dict[str, int]
    rows: list[ImportRowOut]
    report: list[str]


@router.post("/import", response={200: ImportOut, **WRITE_ERRORS}, summary="Import")
def exchange_import(request: HttpRequest, payload: ImportIn):
    """Import another system's file: each message added, applied (a correction), held
    (a correction before its original), duplicate (seen before: nothing changes) or
    refused with its Chinese reason; a file that is no exchange file at all: 422."""
    require_perm(request, RECORD)
    try:
        report = transfer.import_file(actor=_user(request), content=payload.file)
        if report.file_error:
            raise ValidationError({"file": report.file_error})
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return {
        "counts": report.counts,
        "rows": [r.__dict__ for r in report.rows],
        "report": report.lines(),
    }
