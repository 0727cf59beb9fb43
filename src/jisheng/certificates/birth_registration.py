"""生育登记 (birth registration, SPEC §0 and §5): services and selectors.

A registration of a child of a couple of the registry, entered by the office (for the
couple or on its own initiative), issued on the spot as a numbered 生育登记服务单 (kind
``birth_registration``, no review). It is a service registration: it is never refused
because of the number of children and asks for nothing the law no longer requires; a
stated order of the child that differs from the registry's births of the couple is a
warning (:func:`jisheng.certificates.eligibility_kinds.order_warning`).

When a birth of the couple is recorded later (``people.Birth`` saved with its couple,
:func:`link_birth`, connected to ``post_save`` from the app's ``ready()``), the couple's
latest issued registration without a birth is linked to it, audited. The bulk loaders
(``bulk_create``) send no signal: their births are not linked.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.certificates import services
from jisheng.certificates.choices import CertificateKind, CertificateStatus
from jisheng.certificates.eligibility_kinds import child_order_of, order_warning
from jisheng.certificates.models import Certificate
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.scope import restrict_within
from jisheng.people.family import MULTIPLE_BIRTH_DAYS
from jisheng.people.models import Birth

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jisheng.orgs.models import Unit, User
    from jisheng.people.models import Couple

KIND = CertificateKind.BIRTH_REGISTRATION
# A registration issued more than this many days after a birth's date is not linked to
# it (that birth is an older one entered late, not the registered child).
LINK_WINDOW_DAYS = 365


# --- services -------------------------------------------------------------------------


def registration_issue(
    *,
    actor: User | None,
    couple: Couple,
    issuer: Unit,
    child_order: int | str | None,
    expected_on: datetime.date | str | None = None,
    documents: str = "",
    issued_on: datetime.date | None = None,
) -> tuple[Certificate, str]:
    """Register a child of ``couple`` and issue the numbered 生育登记服务单 at once.

    Returns the certificate and a warning (empty when the stated ``child_order`` agrees
    with the registry's births of the couple). Refused (``ValidationError``, nothing
    written) only for data problems: no marriage of the couple in force that day, an
    impossible expected date, an order of the child that is not a number."""
    if isinstance(expected_on, datetime.date):
        expected_on = expected_on.isoformat()
    data = {
        "child_order": "" if child_order is None else str(child_order),
        "expected_on": expected_on or "",
        "documents": (documents or "").strip(),
    }
    certificate = services.issue_now(
        actor=actor,
        kind=KIND,
        issuer=issuer,
        couple=couple,
        data=data,
        issued_on=issued_on,
    )
    warning = registration_warning(certificate)
    return certificate, warning


def link_birth(birth: Birth) -> Certificate | None:
    """Link ``birth`` to its couple's latest issued 生育登记 that has no birth yet
    (audited); None when there is none, the birth is already linked, or it is the
    twin of a birth linked already (one registration for one pregnancy)."""
    if birth.couple_id is None or Certificate.objects.filter(birth=birth).exists():
        return None
    # a twin: the registration of the pregnancy is linked to the first child already
    near = (
        birth.date - datetime.timedelta(days=MULTIPLE_BIRTH_DAYS),
        birth.date + datetime.timedelta(days=MULTIPLE_BIRTH_DAYS),
    )
    if Certificate.objects.filter(
        kind=KIND, birth__couple_id=birth.couple_id, birth__date__range=near
    ).exists():
        return None
    with transaction.atomic():
        registration = (
            Certificate.objects.select_for_update()
            .filter(
                kind=KIND,
                couple_id=birth.couple_id,
                status=CertificateStatus.ISSUED,
                birth__isnull=True,
                # a birth recorded years later (a backlog) is not the registered one
                issued_on__lte=birth.date + datetime.timedelta(days=LINK_WINDOW_DAYS),
            )
            .order_by("-issued_on", "-id")
            .first()
        )
        if registration is None:
            return None
        registration.birth = birth
        registration.save(update_fields=["birth", "updated_at"])
        audit.record(
            actor=None,
            action=AuditAction.UPDATE,
            obj=registration,
            changes={"birth": [None, birth.pk]},
            message=_("The birth of %(day)s was linked to the birth registration.")
            % {"day": birth.date.isoformat()},
        )
    return registration


def on_birth_saved(
    sender: type[Birth],
    instance: Birth,
    created: bool = False,
    raw: bool = False,
    update_fields: Iterable[str] | None = None,
    **kwargs: object,
) -> None:
    """``post_save`` of ``people.Birth``: a new birth with a couple (or a birth whose
    couple was just set) is linked to the couple's open 生育登记."""
    if raw or instance.couple_id is None:
        return
    if not created and (update_fields is None or "couple" not in update_fields):
        return
    link_birth(instance)


# --- selectors ------------------------------------------------------------------------


def registration_list(
    user: User | AnonymousUser, *, unit: Unit | None = None, linked: bool | None = None, q: str = ""
) -> QuerySet[Certificate]:
    """The 生育登记 of the user's scope (below ``unit``), newest first; ``linked``:
    only those with (True) or without (False) their birth recorded."""
    qs: QuerySet[Certificate] = (
        restrict_within(Certificate.objects.all(), user, unit)
        .filter(kind=KIND)
        .select_related("issuer", "unit", "couple", "couple__wife", "couple__husband", "birth")
    )
    if linked is not None:
        qs = qs.filter(birth__isnull=not linked)
    text = q.strip()
    if text:
        qs = qs.filter(number__icontains=text) | qs.filter(holder_name__contains=text)
    return qs.order_by("-issued_on", "-id")


def registration_warning(certificate: Certificate) -> str:
    """The order-of-the-child warning of a registration, on its day of issue."""
    if certificate.couple is None:
        return ""
    day = certificate.issued_on or certificate.applied_on or timezone.localdate()
    return order_warning(certificate.couple, child_order_of(certificate), day)


def births_recorded(couple: Couple, day: datetime.date) -> int:
    return Birth.objects.filter(couple=couple, date__lte=day).count()
