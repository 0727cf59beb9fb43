"""``/api/v1/benefits/payments``: the payment lines (发放明细) of the caller's scope —
list (paginated) and one; ``/api/v1/benefits/bank-files``: build a batch's roster,
export it for the bank (the file in base64: the only answer with the full account
numbers, audited) and import the bank's return file (base64), with its report.

Scoped like every endpoint: a batch or payment outside the caller's subtree answers 404
like a missing one (audited as ``denied``); 四权分离 refuses with 403 and the reason; a
refused write 422 with the Chinese message. An account is always masked here.
(No ``from __future__ import annotations``: ninja's ``paginate`` reads the annotations.)
"""

import base64
import binascii
import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jisheng.api.errors import service_invalid
from jisheng.api.inputs import InputModel
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS, WRITE_ERRORS
from jisheng.api.security import require_perm
from jisheng.benefits import selectors_payments as selectors
from jisheng.benefits import services_payments as services
from jisheng.benefits.models import BankFile, Payment
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import User

router = Router(tags=["benefits"])
file_router = Router(tags=["benefits"])

VIEW = "benefits.view_payment"
PAY = "benefits.pay_batch"
MAX_FILE_BASE64 = 56 * 1024 * 1024  # 40 MB of file
Json = dict[str, object]

PaymentStatus_ = Literal["pending", "exported", "paid", "failed", "reissued"]


def _actor(request: HttpRequest) -> User:
    user = getattr(request, "auth", None)
    assert isinstance(user, User)
    return user


class PaymentOut(Schema):
    id: int
    batch_id: int
    line: int
    reference: str
    payee_name: str
    beneficiary_id: int | None
    unit: str = Field(description="The unit's code.")
    unit_name: str
    amount: Decimal = Field(description="Yuan, two decimals.")
    account_masked: str | None = Field(description="The account, masked: never the full number.")
    bank: str | None
    status: str
    paid_on: datetime.date | None
    failure_reason: str
    reissue_of_id: int | None


def payment_data(p: Payment) -> Json:
    return {
        "id": p.pk,
        "batch_id": p.batch_id,
        "line": p.line,
        "reference": p.reference,
        "payee_name": p.payee_name,
        "beneficiary_id": p.beneficiary_id,
        "unit": p.unit.code,
        "unit_name": p.unit.name,
        "amount": p.amount,
        "account_masked": p.account.number_masked if p.account else None,
        "bank": p.account.bank if p.account else None,
        "status": p.status,
        "paid_on": p.paid_on,
        "failure_reason": p.failure_reason,
        "reissue_of_id": p.reissue_of_id,
    }


class PaymentFilters(Schema):
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")
    batch: int | None = Field(None, ge=1, le=2**62, description="A batch id.")
    status: PaymentStatus_ | None = None


class _Rows:
    def __init__(self, queryset: QuerySet[Payment]) -> None:
        self.queryset = queryset

    def __getitem__(self, item: slice) -> list[Json]:
        return [payment_data(p) for p in self.queryset[item]]

    def all(self) -> QuerySet[Payment]:
        return self.queryset


@router.get("", response={200: list[PaymentOut], **SCOPED_ERRORS}, summary="Payments")
@paginate(PageNumber)
def payment_list(request: HttpRequest, filters: Query[PaymentFilters]):
    """Payment lines of the units in the caller's scope (below ``unit``), by batch and
    line. Needs ``benefits.view_payment``."""
    require_perm(request, VIEW)
    user = _actor(request)
    unit = org_selectors.unit_get(user=user, code=filters.unit) if filters.unit else None
    batch = selectors.batch_get(user, filters.batch) if filters.batch else None
    return _Rows(selectors.payments(user, batch=batch, status=filters.status or "", unit=unit))


@router.get("/{payment_id}", response={200: PaymentOut, **SCOPED_ERRORS}, summary="One payment")
def payment_detail(request: HttpRequest, payment_id: int):
    require_perm(request, VIEW)
    return payment_data(selectors.payment_get(_actor(request), payment_id))


class RosterOut(Schema):
    batch_id: int
    created: int
    reissued: int
    without_account: int
    total: Decimal


@file_router.post(
    "/{batch_id}/roster", response={200: RosterOut, **WRITE_ERRORS}, summary="Build a roster"
)
def roster_build(request: HttpRequest, batch_id: int):
    """Build (or bring up to date) the roster of a FUNDED batch (the PAY power)."""
    require_perm(request, PAY)
    user = _actor(request)
    batch = selectors.batch_get(user, batch_id)
    try:
        result = services.roster_build(actor=user, batch=batch)
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return {
        "batch_id": batch.pk,
        "created": result.created,
        "reissued": result.reissued,
        "without_account": result.without_account,
        "total": result.total,
    }


class BankFileOut(Schema):
    id: int
    batch_id: int
    direction: str
    layout: str
    filename: str
    sha256: str
    lines: int
    accepted: int
    refused: int
    total_amount: Decimal
    report: list[dict[str, object]] = Field(description="Rows refused: row, reference, reason.")
    seen_before: bool = Field(False, description="The same file was imported before.")


class ExportOut(BankFileOut):
    content_base64: str = Field(description="The bank's file (full account numbers).")


def file_data(f: BankFile, *, seen_before: bool = False) -> Json:
    return {
        "id": f.pk,
        "batch_id": f.batch_id,
        "direction": f.direction,
        "layout": f.layout,
        "filename": f.filename,
        "sha256": f.sha256,
        "lines": f.lines,
        "accepted": f.accepted,
        "refused": f.refused,
        "total_amount": f.total_amount,
        "report": list(f.report or []),
        "seen_before": seen_before,
    }


@file_router.post(
    "/{batch_id}/export", response={200: ExportOut, **WRITE_ERRORS}, summary="Bank export"
)
def bank_export(request: HttpRequest, batch_id: int):
    """The bank's file of the roster, in base64 (audited ``export`` with its SHA-256)."""
    require_perm(request, PAY)
    user = _actor(request)
    batch = selectors.batch_get(user, batch_id)
    try:
        exported = services.roster_export(actor=user, batch=batch)
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    data = file_data(exported.bank_file)
    data["content_base64"] = base64.b64encode(exported.content).decode()
    return data


class ReturnIn(InputModel):
    filename: str = Field(min_length=1, max_length=200, description="e.g. 回盘.xlsx")
    content_base64: str = Field(min_length=1, max_length=MAX_FILE_BASE64)


@file_router.post(
    "/{batch_id}/return", response={200: BankFileOut, **WRITE_ERRORS}, summary="Bank return"
)
def bank_return(request: HttpRequest, batch_id: int, body: ReturnIn):
    """The bank's return file (xlsx or csv, base64): every row checked, the valid ones
    applied; the report lists the rows refused. The same file again changes nothing
    (``seen_before``)."""
    require_perm(request, PAY)
    user = _actor(request)
    batch = selectors.batch_get(user, batch_id)
    try:
        content = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise service_invalid(
            ValidationError({"content_base64": _("The file is not valid base64.")})
        ) from exc
    try:
        result = services.return_import(
            actor=user, batch=batch, data=content, filename=body.filename
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return file_data(result.bank_file, seen_before=result.seen_before)
