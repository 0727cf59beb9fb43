"""The 审验 (migrant_verification) of a 婚育证明 also records the migrants app's check.

When a 审验 is issued for a person who was an in-migrant that day, a
``migrants.MigrantCheck`` (result *valid*) is recorded through
:func:`jisheng.migrants.services.check_record` in the same transaction, so that the
验证率 (``migrant_verification_rate``) counts it. A follower of the certificate's issue
step (:func:`jisheng.core.workflow.follow`), registered from the app's ``ready()``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jisheng.certificates.choices import CertificateKind, CertificateStatus
from jisheng.core import workflow as wf
from jisheng.migrants.models import CheckResult
from jisheng.migrants.selectors import was_in_migrant
from jisheng.migrants.services import check_record

NUMBER_MAX = 50  # MigrantCheck.certificate_number
PLACE_MAX = 200


def record_check(ctx: wf.Context) -> None:
    """Follower of ``certificate → issued``: the migrants app's check of a 审验."""
    certificate = ctx.obj
    if certificate.kind != CertificateKind.MIGRANT_VERIFICATION:
        return
    person, day = certificate.person, certificate.issued_on
    if person is None or day is None or not was_in_migrant(person, day):
        return
    data = certificate.data or {}
    check_record(
        actor=ctx.actor,
        person=person,
        checked_on=day,
        result=CheckResult.VALID,
        certificate_number=str(data.get("certificate_number", ""))[:NUMBER_MAX],
        issuing_place=str(data.get("issuing_place", ""))[:PLACE_MAX],
        note=_("Verified: %(number)s") % {"number": certificate.number},
    )


def register() -> None:
    wf.follow("certificates.certificate", CertificateStatus.ISSUED, record_check)
