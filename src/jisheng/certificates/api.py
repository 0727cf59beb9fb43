"""``/api/v1/certificates``: certificates (证件) on the engine — list, one, apply, and the
steps review, issue, return, revoke and reissue.

Scoped like every endpoint: a certificate, couple, person or unit outside the caller's
subtree answers 404 like a missing one (audited as ``denied``); a step without the
permission 403 (audited); a step the engine refuses (a field wrong, a holder already
holding a valid one, a return without a message, a revoke without a reason, a reissue of
a revoked one) 422 with the Chinese message; a status changed meanwhile 409.
(No ``from __future__ import annotations``: ninja's ``paginate`` reads the annotations.)
"""

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.api.errors import service_invalid
from jisheng.api.inputs import MAX_ID, InputModel
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS, WRITE_ERRORS
from jisheng.api.security import require_perm
from jisheng.certificates import selectors, services
from jisheng.certificates.kinds import kinds
from jisheng.certificates.models import Certificate
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit
from jisheng.people import selectors as people_selectors

if TYPE_CHECKING:
    from jisheng.orgs.models import User

router = Router(tags=["certificates"])
Row = dict[str, object]

VIEW = "certificates.view_certificate"
ADD = "certificates.add_certificate"
CHANGE = "certificates.change_certificate"
Status_ = Literal["applied", "reviewed", "returned", "issued", "revoked", "replaced"]


class CertificateOut(Schema):
    id: int
    kind: str = Field(description="The kind's key (certificates/kinds.yaml).")
    kind_name: str
    status: str = Field(description="applied, reviewed, returned, issued, revoked or replaced.")
    number: str | None = Field(description="Set on issue.")
    year: int | None
    sequence: int | None
    issuer: str = Field(description="The issuing unit's code.")
    unit: str = Field(description="The holder's unit's code.")
    holder_name: str
    couple_id: int | None
    person_id: int | None
    applied_on: datetime.date | None
    issued_on: datetime.date | None
    valid_until: datetime.date | None
    replaces_id: int | None


class CertificateDetailOut(CertificateOut):
    data: dict[str, object]
    void_reason: str
    voided_at: datetime.datetime | None
    replaced_by_id: int | None


def certificate_data(cert: Certificate, detail: bool = False) -> Row:
    spec = kinds().get(cert.kind)
    out: Row = {
        "id": cert.pk,
        "kind": cert.kind,
        "kind_name": spec.title if spec is not None else cert.kind,
        "status": cert.status,
        "number": cert.number,
        "year": cert.year,
        "sequence": cert.sequence,
        "issuer": cert.issuer.code,
        "unit": cert.unit.code,
        "holder_name": cert.holder_name,
        "couple_id": cert.couple_id,
        "person_id": cert.person_id,
        "applied_on": cert.applied_on,
        "issued_on": cert.issued_on,
        "valid_until": cert.valid_until,
        "replaces_id": cert.replaces_id,
    }
    if detail:
        replaced_by = Certificate.objects.filter(replaces=cert).values_list("pk", flat=True)
        out.update(
            data=cert.data,
            void_reason=cert.void_reason,
            voided_at=cert.voided_at,
            replaced_by_id=next(iter(replaced_by), None),
        )
    return out


class CertificateFilters(Schema):
    kind: str | None = Field(None, max_length=40)
    status: Status_ | None = None
    year: int | None = Field(None, ge=1900, le=2200)
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")


class _Rows:
    def __init__(self, queryset: QuerySet[Certificate]) -> None:
        self.queryset = queryset

    def __getitem__(self, item: slice) -> list[Row]:
        return [certificate_data(c) for c in self.queryset[item]]

    def all(self) -> QuerySet[Certificate]:
        return self.queryset


def _user(request: HttpRequest) -> "User":
    """The caller: the token's user, set by the API's authentication."""
    return request.auth  # type: ignore[attr-defined]


def _unit(request: HttpRequest, code: str | None) -> Unit | None:
    return org_selectors.unit_get(user=_user(request), code=code) if code else None


@router.get(
    "",
    response={200: list[CertificateOut], **SCOPED_ERRORS},
    summary="Certificates",
)
@paginate(PageNumber)
def certificate_list(request: HttpRequest, filters: Query[CertificateFilters]):
    """The certificates of the caller's scope (below ``unit``), newest first, narrowed by
    kind, status and year. Needs ``certificates.view_certificate``."""
    require_perm(request, VIEW)
    rows = selectors.certificate_list(
        _user(request),
        unit=_unit(request, filters.unit),
        kind=filters.kind or "",
        year=filters.year,
        status=filters.status or "",
    )
    return _Rows(rows)


def _get(request: HttpRequest, certificate_id: int) -> Certificate:
    return selectors.certificate_get(_user(request), certificate_id)


@router.get(
    "/{certificate_id}",
    response={200: CertificateDetailOut, **SCOPED_ERRORS},
    summary="One certificate",
)
def certificate_detail(request: HttpRequest, certificate_id: int):
    """One certificate with its fields, and what replaced or revoked it."""
    require_perm(request, VIEW)
    return certificate_data(_get(request, certificate_id), detail=True)


class ApplyIn(InputModel):
    kind: str = Field(min_length=1, max_length=40)
    issuer: str = Field(min_length=1, max_length=32, description="The issuing unit's code.")
    couple_id: int | None = Field(
        None, ge=1, le=MAX_ID, strict=True, description="The holder, for a couple's kind."
    )
    person_id: int | None = Field(
        None, ge=1, le=MAX_ID, strict=True, description="The holder, for a person's kind."
    )
    data: dict[str, str | int | None] = Field(default_factory=dict)
    applied_on: datetime.date | None = None


@router.post(
    "",
    response={201: CertificateDetailOut, **WRITE_ERRORS},
    summary="Apply for a certificate",
)
def certificate_apply(request: HttpRequest, payload: ApplyIn):
    """An application (status ``applied``) for a certificate of ``kind`` to ``issuer``,
    checked against the kind's fields and the registry (422 with the problems)."""
    require_perm(request, ADD)
    issuer = org_selectors.unit_get(user=_user(request), code=payload.issuer)
    couple = (
        selectors.couple_get(_user(request), payload.couple_id)
        if payload.couple_id is not None
        else None
    )
    person = (
        people_selectors.person_get(user=_user(request), pk=payload.person_id)
        if payload.person_id is not None
        else None
    )
    try:
        cert = services.certificate_apply(
            actor=_user(request),
            kind=payload.kind,
            issuer=issuer,
            couple=couple,
            person=person,
            data=payload.data,
            applied_on=payload.applied_on,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, certificate_data(_get(request, cert.pk), detail=True))


class StepIn(InputModel):
    from_status: Status_ | None = Field(
        None, description="The status the caller saw: 409 when it changed meanwhile."
    )


class IssueIn(StepIn):
    issued_on: datetime.date | None = None


class ReturnIn(StepIn):
    message: str = Field("", max_length=1000, description="What to correct (required).")


class ResubmitIn(StepIn):
    data: dict[str, str | int | None] | None = None


class RevokeIn(StepIn):
    reason: str = Field("", max_length=1000, description="Why (required, at most 300).")


class ReissueIn(RevokeIn):
    issued_on: datetime.date | None = None


def _step(request: HttpRequest, certificate_id: int, payload: StepIn, perm: str) -> Certificate:
    require_perm(request, VIEW)
    cert = _get(request, certificate_id)
    require_perm(request, perm)
    if payload.from_status is not None:
        cert.status = payload.from_status  # the workflow compares it with the row
    return cert


def _run(request: HttpRequest, fn: Callable[..., Certificate], **kwargs: object) -> Certificate:
    try:
        return fn(actor=_user(request), **kwargs)
    except ValidationError as exc:
        raise service_invalid(exc) from exc


def _done(request: HttpRequest, cert: Certificate) -> Row:
    return certificate_data(_get(request, cert.pk), detail=True)


@router.post(
    "/{certificate_id}/review",
    response={200: CertificateDetailOut, **WRITE_ERRORS},
    summary="Review an application",
)
def certificate_review(request: HttpRequest, certificate_id: int, payload: StepIn):
    """applied → reviewed."""
    cert = _step(request, certificate_id, payload, CHANGE)
    return _done(request, _run(request, services.certificate_review, certificate=cert))


@router.post(
    "/{certificate_id}/issue",
    response={200: CertificateDetailOut, **WRITE_ERRORS},
    summary="Issue",
)
def certificate_issue(request: HttpRequest, certificate_id: int, payload: IssueIn):
    """reviewed (or applied, for a kind issued without review) → issued: numbered."""
    cert = _step(request, certificate_id, payload, CHANGE)
    return _done(
        request,
        _run(request, services.certificate_issue, certificate=cert, issued_on=payload.issued_on),
    )


@router.post(
    "/{certificate_id}/return",
    response={200: CertificateDetailOut, **WRITE_ERRORS},
    summary="Return an application",
)
def certificate_return(request: HttpRequest, certificate_id: int, payload: ReturnIn):
    """applied or reviewed → returned, with a message (422 without one)."""
    cert = _step(request, certificate_id, payload, CHANGE)
    return _done(
        request,
        _run(request, services.certificate_return, certificate=cert, message=payload.message),
    )


@router.post(
    "/{certificate_id}/resubmit",
    response={200: CertificateDetailOut, **WRITE_ERRORS},
    summary="Apply again",
)
def certificate_resubmit(request: HttpRequest, certificate_id: int, payload: ResubmitIn):
    """returned → applied, with the fields corrected (checked again)."""
    cert = _step(request, certificate_id, payload, ADD)
    return _done(
        request,
        _run(request, services.certificate_resubmit, certificate=cert, data=payload.data),
    )


@router.post(
    "/{certificate_id}/revoke",
    response={200: CertificateDetailOut, **WRITE_ERRORS},
    summary="Revoke",
)
def certificate_revoke(request: HttpRequest, certificate_id: int, payload: RevokeIn):
    """issued → revoked, with a reason (422 without one)."""
    cert = _step(request, certificate_id, payload, CHANGE)
    return _done(
        request,
        _run(request, services.certificate_revoke, certificate=cert, reason=payload.reason),
    )


@router.post(
    "/{certificate_id}/reissue",
    response={201: CertificateDetailOut, **WRITE_ERRORS},
    summary="Reissue",
)
def certificate_reissue(request: HttpRequest, certificate_id: int, payload: ReissueIn):
    """A valid certificate replaced by a new one with the next number of its series
    (the old one → replaced); answers the new one. 422 for a revoked or replaced one."""
    cert = _step(request, certificate_id, payload, CHANGE)
    new = _run(
        request,
        services.certificate_reissue,
        certificate=cert,
        reason=payload.reason,
        issued_on=payload.issued_on,
    )
    return Status(201, _done(request, new))
