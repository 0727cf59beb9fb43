"""``GET /api/v1/certificates/verify?number=``: check a certificate by its number,
whichever unit issued it (permission ``certificates.verify_certificate``). The answer
is the verification page's: the result (valid, revoked, replaced, expired, unknown —
an unknown number is an answer, not an error), the kind, the issuing unit, the dates,
the holder's name masked, the number and the kind's fields; never an ID number or an
internal id. Each call is logged (a look-up of channel *api*) and audited."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jisheng.api.schemas import AUTH_ERRORS, ErrorOut
from jisheng.api.security import require_perm
from jisheng.certificates import verification
from jisheng.certificates.choices import LookupChannel
from jisheng.core.clientip import client_ip

router = Router(tags=["certificates"])

VERIFY = "certificates.verify_certificate"


class VerifyQuery(Schema):
    number: str = Field(..., min_length=1, max_length=60, description="the certificate's number")


class FieldOut(Schema):
    label: str
    value: str


class VerifyOut(Schema):
    result: str = Field(..., description="valid, revoked, replaced, expired or unknown")
    result_label: str
    number: str | None = None
    kind: str | None = Field(default=None, description="the kind's name")
    issuer: str | None = Field(default=None, description="the issuing unit's name")
    issued_on: datetime.date | None = None
    valid_until: datetime.date | None = None
    holder: str | None = Field(default=None, description="the holder's name, masked (王*芳)")
    fields: list[FieldOut] = []


@router.get(
    "", response={200: VerifyOut, 403: ErrorOut, **AUTH_ERRORS}, summary="Check a certificate"
)
def certificate_verify(request: HttpRequest, query: Query[VerifyQuery]) -> VerifyOut:
    """The verification answer for a certificate number (any unit's)."""
    require_perm(request, VERIFY)
    user = request.auth  # type: ignore[attr-defined]  # ninja's token check sets it
    answer = verification.lookup_number(
        query.number, user=user, ip=client_ip(request), channel=LookupChannel.API
    )
    if not answer.found:
        return VerifyOut(result=answer.result, result_label=answer.result_label)
    return VerifyOut(
        result=answer.result,
        result_label=answer.result_label,
        number=answer.number,
        kind=answer.kind_name,
        issuer=answer.issuer_name,
        issued_on=answer.issued_on,
        valid_until=answer.valid_until,
        holder=answer.holder,
        fields=[FieldOut(label=label, value=value) for label, value in answer.fields],
    )
