"""Writes of the certificate engine: apply, review, issue, return, revoke, reissue.

Every status change goes through ``core.workflow`` (the table is
``certificates/workflows.py``): one transaction, the row locked, a ``Decision`` and the
audit row. Issuing takes the next number of the issuer's series (:mod:`numbering`) and
an unguessable verification code on the locked row, so numbers have no gaps and no
duplicates also when many are issued at once.
"""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.certificates import eligibility, numbering
from jisheng.certificates.choices import CertificateStatus
from jisheng.certificates.kinds import KindSpec, kinds
from jisheng.certificates.kinds import kind as kind_of
from jisheng.certificates.models import Certificate
from jisheng.core import audit, workflow
from jisheng.core.choices import AuditAction
from jisheng.core.scope import require_in_scope
from jisheng.people.models import Couple, Person

if TYPE_CHECKING:
    from jisheng.orgs.models import Unit
    from jisheng.people.models import Transfer

VALID_STATUSES = (CertificateStatus.ISSUED,)


def new_code() -> str:
    """An unguessable verification code (120 random bits, URL-safe, 20 characters)."""
    return secrets.token_urlsafe(15)


def _holder_errors(
    spec: KindSpec, couple: Couple | None, person: Person | None, issuer: Unit
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if spec.holder == "couple" and couple is None:
        errors["couple"] = _("Choose the couple.")
    if spec.holder == "person" and person is None:
        errors["person"] = _("Choose the person.")
    holder_unit = couple.unit if couple is not None else person.unit if person else None
    if holder_unit is not None and not holder_unit.path.startswith(issuer.path):
        errors["issuer"] = _("The issuing unit must be the holder's unit or a unit above it.")
    if issuer.unit_type not in spec.issuers:
        errors["issuer"] = _("A %(unit_type)s does not issue a %(kind)s.") % {
            "unit_type": issuer.get_unit_type_display(),
            "kind": spec.title,
        }
    return errors


def clean_data(
    spec: KindSpec, data: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The kind's fields from ``data`` (as text from a form or JSON), checked: the clean
    values (dates as ISO text) and the problems by field."""
    data = dict(data or {})
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    unknown = set(data) - {f.key for f in spec.fields}
    for key in sorted(unknown):
        errors[key] = _("A %(kind)s has no field “%(field)s”.") % {"kind": spec.title, "field": key}
    for field in spec.fields:
        value = data.get(field.key)
        text = "" if value is None else str(value).strip()
        if not text:
            if field.required:
                errors[field.key] = _("Fill in %(field)s.") % {"field": field.title}
            continue
        if len(text) > field.max_length:
            errors[field.key] = _("At most %(n)s characters.") % {"n": field.max_length}
        elif field.type == "date":
            try:
                clean[field.key] = datetime.date.fromisoformat(text).isoformat()
            except ValueError:
                errors[field.key] = _("Enter a real date (for example 2026-03-01).")
        elif field.type == "int":
            try:
                clean[field.key] = int(text)
            except ValueError:
                errors[field.key] = _("Enter a whole number.")
        elif field.type == "choice" and text not in field.choices:
            errors[field.key] = _("Choose %(field)s from the list.") % {"field": field.title}
        else:
            clean[field.key] = text
    return clean, errors


def certificate_apply(
    *,
    actor: Any,
    kind: str,
    issuer: Unit,
    couple: Couple | None = None,
    person: Person | None = None,
    data: dict[str, Any] | None = None,
    applied_on: datetime.date | None = None,
    transfer: Transfer | None = None,
) -> Certificate:
    """An application for a certificate of ``kind`` to ``issuer`` (status *applied*),
    checked against the kind's fields and the registry; audited."""
    if kind not in kinds():
        raise ValidationError({"kind": _("Choose the kind of certificate from the list.")})
    spec = kind_of(kind)
    require_in_scope(actor, issuer)
    today = timezone.localdate()
    applied_on = applied_on or today
    errors = _holder_errors(spec, couple, person, issuer)
    clean, field_errors = clean_data(spec, data)
    errors.update(field_errors)
    if applied_on > today:
        errors["applied_on"] = _("The date is in the future.")
    holder_unit = couple.unit if couple is not None else person.unit if person else issuer
    if not errors:
        require_in_scope(actor, holder_unit)
    draft = Certificate(
        kind=kind,
        status=CertificateStatus.APPLIED,
        issuer=issuer,
        couple=couple,
        person=person,
        unit=holder_unit,
        data=clean,
        applied_on=applied_on,
        applied_by=audit.user_of(actor),
        transfer=transfer,
        holder_name=_holder_name(couple, person),
    )
    if not errors:
        errors.update(eligibility.problems(spec, draft, applied_on))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        draft.save()
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=draft,
            changes={
                "kind": [None, kind],
                "status": [None, CertificateStatus.APPLIED],
                "issuer": [None, issuer.pk],
                "data": [None, clean],
            },
        )
    return draft


def _holder_name(couple: Couple | None, person: Person | None) -> str:
    if couple is not None:
        names = [p.name for p in (couple.husband, couple.wife) if p is not None]
        return "、".join(names)[:100]
    return person.name[:100] if person is not None else ""


def issue_hook(ctx: workflow.Context) -> None:
    """Hook of the issue step (on the locked row): checked again, numbered, coded."""
    certificate: Certificate = ctx.obj
    spec = kind_of(certificate.kind)
    issued_on = ctx.params.get("issued_on") or timezone.localdate()
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": _("The date is in the future.")})
    if certificate.applied_on and issued_on < certificate.applied_on:
        raise ValidationError({"issued_on": _("The date of issue is before the application.")})
    errors = eligibility.problems(spec, certificate, issued_on)
    if errors:
        raise ValidationError(errors)
    sequence, number = numbering.take(spec, certificate.issuer, issued_on.year)
    certificate.year = issued_on.year
    certificate.sequence = sequence
    certificate.number = number
    certificate.code = new_code()
    certificate.issued_on = issued_on
    certificate.issued_by = audit.user_of(ctx.actor)
    certificate.valid_until = spec.valid_until(issued_on)
    ctx.fields += ["year", "sequence", "number", "code", "issued_on", "issued_by", "valid_until"]
    ctx.changes.update({"number": [None, number], "issued_on": [None, issued_on.isoformat()]})


def certificate_issue(
    *, actor: Any, certificate: Certificate, issued_on: datetime.date | None = None
) -> Certificate:
    """Issue an application (reviewed, or applied for a kind issued without review)."""
    workflow.transition(
        actor=actor,
        obj=certificate,
        to=CertificateStatus.ISSUED,
        params={"issued_on": issued_on},
    )
    return certificate


def issue_now(
    *,
    actor: Any,
    kind: str,
    issuer: Unit,
    couple: Couple | None = None,
    person: Person | None = None,
    data: dict[str, Any] | None = None,
    issued_on: datetime.date | None = None,
    transfer: Transfer | None = None,
) -> Certificate:
    """Apply, review (if the kind is reviewed) and issue in one transaction: the office
    issuing on the spot, and other apps' documents (the leave slip, the clearance)."""
    with transaction.atomic():
        certificate = certificate_apply(
            actor=actor,
            kind=kind,
            issuer=issuer,
            couple=couple,
            person=person,
            data=data,
            applied_on=issued_on,
            transfer=transfer,
        )
        if kind_of(kind).review:
            workflow.transition(actor=actor, obj=certificate, to=CertificateStatus.REVIEWED)
        certificate_issue(actor=actor, certificate=certificate, issued_on=issued_on)
    return certificate
