"""Writes of the certificates app: issuing a numbered certificate and voiding one.

Numbers run per issuing unit and year (``<issuer code>-<year>-<0001>``): the issuing
unit's row is locked while the next sequence is taken, and a unique constraint backs
it. A voided certificate stays, with its reason; the couple may then get a new one.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.certificates.choices import CertificateKind
from jisheng.certificates.models import Certificate
from jisheng.certificates.selectors import couples_current_on, one_child_couples
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.scope import require_in_scope
from jisheng.orgs.models import Unit
from jisheng.people.models import Couple


def number_for(issuer: Unit, year: int, sequence: int) -> str:
    return f"{issuer.code}-{year}-{sequence:04d}"


def _eligibility_errors(kind: str, couple: Couple, issued_on: datetime.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind == CertificateKind.ONE_CHILD_PARENTS:
        if not couples_current_on(issued_on).filter(pk=couple.pk).exists():
            errors["couple"] = _("The couple was not married on the day of issue.")
        elif not one_child_couples(issued_on).filter(pk=couple.pk).exists():
            errors["couple"] = _(
                "The couple does not have exactly one child recorded on the day of issue."
            )
    if Certificate.objects.filter(couple=couple, kind=kind, voided_at__isnull=True).exists():
        errors["kind"] = _(
            "The couple already holds this certificate; void it first to issue a new one."
        )
    return errors


def certificate_issue(
    *,
    actor: Any,
    couple: Couple,
    kind: str = CertificateKind.ONE_CHILD_PARENTS,
    issuer: Unit | None = None,
    issued_on: datetime.date | None = None,
) -> Certificate:
    """Issue a certificate of ``kind`` to ``couple`` from ``issuer`` (default: the
    couple's unit), numbered next in the issuer's year."""
    issuer = issuer or couple.unit
    require_in_scope(actor, issuer)
    require_in_scope(actor, couple)
    today = timezone.localdate()
    issued_on = issued_on or today
    errors: dict[str, str] = {}
    if kind not in CertificateKind.values:
        errors["kind"] = _("Choose the kind of certificate from the list.")
    if not couple.unit.path.startswith(issuer.path):
        errors["issuer"] = _("The issuing unit must be the couple's unit or a unit above it.")
    if issued_on > today:
        errors["issued_on"] = _("The date is in the future.")
    if not errors:
        errors.update(_eligibility_errors(kind, couple, issued_on))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Unit.objects.select_for_update().filter(pk=issuer.pk).first()  # serialise numbering
        year = issued_on.year
        last = Certificate.objects.filter(issuer=issuer, year=year).aggregate(n=Max("sequence"))[
            "n"
        ]
        sequence = (last or 0) + 1
        certificate = Certificate.objects.create(
            kind=kind,
            number=number_for(issuer, year, sequence),
            issuer=issuer,
            year=year,
            sequence=sequence,
            couple=couple,
            unit=couple.unit,
            issued_on=issued_on,
            issued_by=audit.user_of(actor),
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=certificate,
            changes={
                "kind": [None, kind],
                "number": [None, certificate.number],
                "couple": [None, couple.pk],
                "issued_on": [None, issued_on.isoformat()],
            },
        )
    return certificate


def certificate_void(*, actor: Any, certificate: Certificate, reason: str) -> Certificate:
    """Void ``certificate`` with ``reason``: it stays, marked, and leaves the counts."""
    require_in_scope(actor, certificate)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is voided.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("At most 300 characters.")})
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.voided:
            raise ValidationError(_("This certificate is already voided."))
        certificate.voided_at = timezone.now()
        certificate.voided_by = audit.user_of(actor)
        certificate.void_reason = reason
        certificate.save(update_fields=["voided_at", "voided_by", "void_reason", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=certificate,
            changes={"voided": [False, True]},
            message=reason,
        )
    return certificate
