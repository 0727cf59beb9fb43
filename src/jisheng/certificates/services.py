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
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.certificates import eligibility, numbering
from jisheng.certificates.choices import CertificateKind, CertificateStatus
from jisheng.certificates.kinds import KindSpec, kinds
from jisheng.certificates.kinds import kind as kind_of
from jisheng.certificates.models import Certificate
from jisheng.core import audit, workflow
from jisheng.core.choices import AuditAction
from jisheng.core.scope import record_denied, require_in_scope
from jisheng.people.models import Couple, Person

if TYPE_CHECKING:
    from jisheng.orgs.models import Unit, User
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
    spec: KindSpec, data: Mapping[str, object] | None
) -> tuple[dict[str, object], dict[str, str]]:
    """The kind's fields from ``data`` (as text from a form or JSON), checked: the clean
    values (dates as ISO text) and the problems by field."""
    data = dict(data or {})
    clean: dict[str, object] = {}
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
    actor: User | None,
    kind: str,
    issuer: Unit,
    couple: Couple | None = None,
    person: Person | None = None,
    data: Mapping[str, object] | None = None,
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
        errors.update(_one_valid_errors(spec, draft))
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


def _one_valid_errors(spec: KindSpec, certificate: Certificate) -> dict[str, str]:
    """For a kind a holder holds one of at a time: the holder's valid one, if any
    (another than ``certificate``), refuses a second."""
    if not spec.one_valid:
        return {}
    holder = (
        {"couple_id": certificate.couple_id}
        if spec.holder == "couple"
        else {"person_id": certificate.person_id}
    )
    if None in holder.values():
        return {}
    held = Certificate.objects.filter(kind=spec.key, status__in=VALID_STATUSES, **holder).exclude(
        pk=certificate.pk
    )
    if not held.exists():
        return {}
    return {
        "kind": _("The holder already holds a valid %(kind)s: revoke it or reissue it first.")
        % {"kind": spec.title}
    }


def _lock_holder(certificate: Certificate) -> None:
    """Lock the holder's row: two issues of a one-valid kind for one holder wait for
    each other, so the second sees the first (on SQLite the write transaction
    serialises anyway)."""
    if certificate.couple_id is not None:
        Couple.objects.select_for_update().filter(pk=certificate.couple_id).first()
    elif certificate.person_id is not None:
        Person.objects.select_for_update().filter(pk=certificate.person_id).first()


def _number(
    certificate: Certificate, spec: KindSpec, issued_on: datetime.date, actor: User | None
) -> list[str]:
    """Number and code ``certificate`` (inside the issuing transaction); the fields set."""
    sequence, number = numbering.take(spec, certificate.issuer, issued_on.year)
    certificate.year = issued_on.year
    certificate.sequence = sequence
    certificate.number = number
    certificate.code = new_code()
    certificate.issued_on = issued_on
    certificate.issued_by = audit.user_of(actor)
    certificate.valid_until = spec.valid_until(issued_on)
    return ["year", "sequence", "number", "code", "issued_on", "issued_by", "valid_until"]


def _holder_name(couple: Couple | None, person: Person | None) -> str:
    if couple is not None:
        names = [p.name for p in (couple.husband, couple.wife) if p is not None]
        if couple.outside_name:
            names.append(couple.outside_name)
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
    if spec.one_valid:
        _lock_holder(certificate)
    errors = eligibility.problems(spec, certificate, issued_on)
    errors.update(_one_valid_errors(spec, certificate))
    if errors:
        raise ValidationError(errors)
    ctx.fields += _number(certificate, spec, issued_on, ctx.actor)
    ctx.changes.update(
        {"number": [None, certificate.number], "issued_on": [None, issued_on.isoformat()]}
    )


def certificate_issue(
    *, actor: User | None, certificate: Certificate, issued_on: datetime.date | None = None
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
    actor: User | None,
    kind: str,
    issuer: Unit,
    couple: Couple | None = None,
    person: Person | None = None,
    data: Mapping[str, object] | None = None,
    issued_on: datetime.date | None = None,
    transfer: Transfer | None = None,
) -> Certificate:
    """Apply, review (if the kind is reviewed) and issue in one transaction: the office
    issuing on the spot, and other apps' documents (the leave slip, the clearance)."""
    if issued_on is not None and issued_on > timezone.localdate():
        raise ValidationError({"issued_on": _("The date is in the future.")})
    # refused before the transaction, so that the audit row of a refusal stays
    require_in_scope(actor, issuer)
    for holder in (couple, person):
        if holder is not None:
            require_in_scope(actor, holder.unit)
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


def certificate_review(*, actor: User | None, certificate: Certificate) -> Certificate:
    """An application checked by the office (applied → reviewed), ready to issue."""
    workflow.transition(actor=actor, obj=certificate, to=CertificateStatus.REVIEWED)
    return certificate


def certificate_return(
    *, actor: User | None, certificate: Certificate, message: str
) -> Certificate:
    """An application sent back to the applicant (→ returned) with what to correct."""
    workflow.transition(
        actor=actor, obj=certificate, to=CertificateStatus.RETURNED, message=message
    )
    return certificate


def certificate_resubmit(
    *, actor: User | None, certificate: Certificate, data: Mapping[str, object] | None = None
) -> Certificate:
    """A returned application applied for again (returned → applied), with its fields
    corrected (``data``; None keeps them) and checked again."""
    spec = kind_of(certificate.kind)
    clean, errors = clean_data(spec, certificate.data if data is None else data)
    if errors:
        raise ValidationError(errors)
    workflow.transition(
        actor=actor,
        obj=certificate,
        to=CertificateStatus.APPLIED,
        params={"data": clean},
    )
    return certificate


def resubmit_hook(ctx: workflow.Context) -> None:
    """Hook of applying again (on the locked row): the corrected fields, checked again
    against the registry on today's date."""
    certificate: Certificate = ctx.obj
    spec = kind_of(certificate.kind)
    before = certificate.data
    certificate.data = ctx.params.get("data", certificate.data)
    today = timezone.localdate()
    errors = eligibility.problems(spec, certificate, today)
    errors.update(_one_valid_errors(spec, certificate))
    if errors:
        raise ValidationError(errors)
    certificate.applied_on = today
    ctx.fields += ["data", "applied_on"]
    if before != certificate.data:
        ctx.changes["data"] = [before, certificate.data]


REASON_MAX = 300


def _authorise(actor: User | None, certificate: Certificate, to: str) -> None:
    """The workflow's own check of a step, made before a transaction that wraps it (a
    refusal inside would roll its audit row back): permission, then scope; audited."""
    if actor is None:
        return
    flow = workflow.workflow_for(certificate)
    step = flow.step(certificate.status, to)
    if step is not None and step.permission and not actor.has_perm(step.permission):
        record_denied(actor, certificate, _("Workflow step refused."))
        raise PermissionDenied(
            _("You do not have permission to do this: %(step)s.") % {"step": step.verb}
        )
    require_in_scope(actor, certificate, path=flow.path_of(certificate))


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("At most %(n)s characters.") % {"n": REASON_MAX}})
    return reason


def certificate_revoke(*, actor: User | None, certificate: Certificate, reason: str) -> Certificate:
    """Revoke an issued certificate (→ revoked) with ``reason``: it stays, marked, with
    who revoked it and when, and is no longer valid from that moment."""
    reason = _reason(reason)
    workflow.transition(actor=actor, obj=certificate, to=CertificateStatus.REVOKED, message=reason)
    return certificate


def revoke_hook(ctx: workflow.Context) -> None:
    certificate: Certificate = ctx.obj
    certificate.voided_at = timezone.now()
    certificate.voided_by = audit.user_of(ctx.actor)
    certificate.void_reason = ctx.message[:REASON_MAX]
    ctx.fields += ["voided_at", "voided_by", "void_reason"]
    ctx.changes["void_reason"] = ["", certificate.void_reason]


def certificate_reissue(
    *,
    actor: User | None,
    certificate: Certificate,
    reason: str,
    issued_on: datetime.date | None = None,
) -> Certificate:
    """Reissue a valid certificate (lost, damaged, misprinted): in one transaction the
    old one becomes *replaced* and a new one of the same holder and fields takes the
    next number of the same series, ``replaces`` naming the old one. Only a valid
    (issued) certificate is reissued; the new one is returned."""
    reason = _reason(reason)
    today = timezone.localdate()
    issued_on = issued_on or today
    if certificate.status != CertificateStatus.ISSUED:
        raise ValidationError(
            _("Only a valid certificate can be reissued: this one is “%(status)s”.")
            % {"status": certificate.get_status_display()},
            code="not_valid",
        )
    if issued_on > today:
        raise ValidationError({"issued_on": _("The date is in the future.")})
    if certificate.issued_on and issued_on < certificate.issued_on:
        raise ValidationError(
            {"issued_on": _("The date of the reissue is before the certificate's issue.")}
        )
    spec = kind_of(certificate.kind)
    _authorise(actor, certificate, CertificateStatus.REPLACED)
    with transaction.atomic():
        workflow.transition(
            actor=actor, obj=certificate, to=CertificateStatus.REPLACED, message=reason
        )
        new = Certificate(
            kind=certificate.kind,
            status=CertificateStatus.ISSUED,
            issuer=certificate.issuer,
            couple=certificate.couple,
            person=certificate.person,
            holder_name=certificate.holder_name,
            unit=certificate.unit,
            data=dict(certificate.data),
            birth=certificate.birth,
            applied_on=issued_on,
            applied_by=audit.user_of(actor),
            replaces=certificate,
        )
        _number(new, spec, issued_on, actor)
        new.save()
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=new,
            changes={
                "kind": [None, new.kind],
                "status": [None, CertificateStatus.ISSUED],
                "number": [None, new.number],
                "replaces": [None, certificate.number],
                "issued_on": [None, issued_on.isoformat()],
            },
            message=reason,
        )
    return new


def issue_clearance(ctx: workflow.Context) -> None:
    """Follower of the step that completes a 管理移交 (``people.transfer`` → completed,
    registered in ``CertificatesConfig.ready``): on the locked case, in its transaction,
    the 管理移交证明 is issued from the transfer's unit to the person, numbered in that
    unit's series of the completion's year, and its number written into the case's
    ``clearance_number``. The completion is the decision: the clearance is issued with
    it by whoever completes the case (a rollback of the completion takes the number
    back)."""
    transfer: Transfer = ctx.obj
    spec = kind_of(CertificateKind.TRANSFER_CLEARANCE)
    completed_on: datetime.date = ctx.params["completed_on"]
    person = transfer.person
    certificate = Certificate(
        kind=spec.key,
        status=CertificateStatus.ISSUED,
        issuer=transfer.unit,
        person=person,
        holder_name=_holder_name(None, person),
        unit=transfer.unit,
        data={},
        applied_on=completed_on,
        applied_by=audit.user_of(ctx.actor),
        transfer=transfer,
    )
    _number(certificate, spec, completed_on, ctx.actor)
    certificate.save()
    audit.record(
        actor=ctx.actor,
        action=AuditAction.CREATE,
        obj=certificate,
        changes={
            "kind": [None, spec.key],
            "status": [None, CertificateStatus.ISSUED],
            "number": [None, certificate.number],
            "transfer": [None, transfer.pk],
            "issued_on": [None, completed_on.isoformat()],
        },
    )
    ctx.changes["clearance_number"] = [transfer.clearance_number or "", certificate.number]
    transfer.clearance_number = certificate.number or ""
    ctx.fields.append("clearance_number")
