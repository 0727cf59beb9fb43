"""Checking a certificate (SPEC §5): what a look-up may learn, and the log of look-ups.

Three ways in, each logged as a :class:`~jisheng.certificates.models.Lookup`:

- the **public page** ``/verify/<code>`` (the QR code; no log-in): by the unguessable
  code only, never the number; at most ``JISHENG_VERIFY_LIMIT`` look-ups per client IP
  address per ``JISHENG_VERIFY_WINDOW_SECONDS`` (the refusal is logged too, *limited*);
- **by number inside the system** (permission ``certificates.verify_certificate``):
  across units on purpose — an office receiving a migrant's 婚育证明 from her home
  township checks it — and audited;
- the **API** ``GET /api/v1/certificates/verify?number=`` (the same, by token).

Every answer is limited to the result (有效 / 已作废 / 已换发 / 已过期 / 未找到), the
kind, the issuing unit, the date of issue, the validity and the holder's name masked
(王*芳); by number also the number and the kind's fields. Never an ID number, a birth
date, an address, children or an internal id.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.certificates.choices import CertificateStatus, LookupChannel, LookupResult
from jisheng.certificates.kinds import kinds
from jisheng.certificates.models import Certificate, Lookup
from jisheng.certificates.pdf import field_rows
from jisheng.core import audit
from jisheng.core.choices import AuditAction

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    from jisheng.orgs.models import User

logger = logging.getLogger(__name__)

CACHE_PREFIX = "jisheng:verify:"
ASKED_MAX = 60
# The characters of a code (``services.new_code``: URL-safe base64).
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
SHOWN = (CertificateStatus.ISSUED, CertificateStatus.REVOKED, CertificateStatus.REPLACED)


def mask_name(name: str) -> str:
    """王*芳: the first and the last character, a star for each between; 王* for two
    characters; * for one."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_holder(holder_name: str) -> str:
    """Each name of a holder (a couple's 张三、李四) masked."""
    return "、".join(mask_name(part) for part in (holder_name or "").split("、") if part.strip())


@dataclass(frozen=True)
class Answer:
    """What a look-up answers: the result and, for a certificate found, the few facts
    that may be shown (``number`` and ``fields`` only by number)."""

    result: str
    kind_name: str = ""
    issuer_name: str = ""
    issued_on: datetime.date | None = None
    valid_until: datetime.date | None = None
    holder: str = ""
    number: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    certificate: Certificate | None = field(default=None, repr=False, compare=False)

    @property
    def result_label(self) -> str:
        return str(LookupResult(self.result).label)

    @property
    def found(self) -> bool:
        return self.certificate is not None


def result_of(certificate: Certificate | None, day: datetime.date) -> str:
    """The result of a look-up of ``certificate`` on ``day``."""
    if certificate is None or certificate.status not in SHOWN:
        return LookupResult.UNKNOWN
    if certificate.status == CertificateStatus.REVOKED or certificate.voided_at is not None:
        return LookupResult.REVOKED
    if certificate.status == CertificateStatus.REPLACED:
        return LookupResult.REPLACED
    if certificate.valid_until is not None and certificate.valid_until < day:
        return LookupResult.EXPIRED
    return LookupResult.VALID


def answer_for(
    certificate: Certificate | None, day: datetime.date, *, with_details: bool = False
) -> Answer:
    result = result_of(certificate, day)
    if certificate is None or result == LookupResult.UNKNOWN:
        return Answer(result=LookupResult.UNKNOWN)
    spec = kinds().get(certificate.kind)
    return Answer(
        result=result,
        kind_name=spec.title if spec else "",
        issuer_name=certificate.issuer.name,
        issued_on=certificate.issued_on,
        valid_until=certificate.valid_until,
        holder=mask_holder(certificate.holder_name),
        number=(certificate.number or "") if with_details else "",
        fields=field_rows(spec, certificate.data or {}) if (with_details and spec) else [],
        certificate=certificate,
    )


# ------------------------------------------------------------------ selectors


def _shown() -> QuerySet[Certificate]:
    return Certificate.objects.select_related("issuer").filter(status__in=SHOWN)


def certificate_by_code(code: str) -> Certificate | None:
    """The issued (revoked, replaced) certificate of a verification code, or None."""
    code = (code or "").strip()
    if not CODE_RE.match(code):
        return None
    return _shown().filter(code=code).first()


def certificate_by_number(number: str) -> Certificate | None:
    """The issued (revoked, replaced) certificate of a number in ANY unit, or None: a
    look-up by number is not limited to the user's scope (see the module's text)."""
    number = (number or "").strip().upper()
    if not number or len(number) > 60:
        return None
    return _shown().filter(number=number).first()


# ------------------------------------------------------------------ the log, the limit


def log(
    *,
    channel: str,
    asked: str,
    result: str,
    certificate: Certificate | None = None,
    user: User | AnonymousUser | None = None,
    ip: str | None = None,
) -> Lookup:
    """One row of the look-up log."""
    return Lookup.objects.create(
        channel=channel,
        asked=(asked or "")[:ASKED_MAX],
        result=result,
        certificate=certificate,
        user=audit.user_of(user),
        ip=ip or None,
    )


def window_seconds() -> int:
    return int(settings.JISHENG_VERIFY_WINDOW_SECONDS)


def allow(ip: str | None) -> bool:
    """Count one look-up of ``ip`` in the current window; False past the limit. A fixed
    window in the shared cache (a cache that cannot be reached lets the look-up by)."""
    key = CACHE_PREFIX + (ip or "unknown")
    window = window_seconds()
    try:
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            count = 1
    except Exception:
        logger.warning("verification rate limit: cache unavailable", exc_info=True)
        return True
    return count <= int(settings.JISHENG_VERIFY_LIMIT)


# ------------------------------------------------------------------ the look-ups


def lookup_public(code: str, *, ip: str | None) -> Answer:
    """The public page's look-up of ``code`` by ``ip`` (rate-limited, logged)."""
    asked = (code or "")[:ASKED_MAX]
    if not allow(ip):
        log(channel=LookupChannel.PUBLIC, asked=asked, result=LookupResult.LIMITED, ip=ip)
        return Answer(result=LookupResult.LIMITED)
    answer = answer_for(certificate_by_code(code), timezone.localdate())
    log(
        channel=LookupChannel.PUBLIC,
        asked=asked,
        result=answer.result,
        certificate=answer.certificate,
        ip=ip,
    )
    return answer


def lookup_number(
    number: str,
    *,
    user: User | AnonymousUser,
    ip: str | None = None,
    channel: str = LookupChannel.NUMBER,
) -> Answer:
    """A user's look-up of a certificate by its number, across units (logged and
    audited)."""
    asked = (number or "").strip()[:ASKED_MAX]
    answer = answer_for(certificate_by_number(number), timezone.localdate(), with_details=True)
    log(
        channel=channel,
        asked=asked,
        result=answer.result,
        certificate=answer.certificate,
        user=user,
        ip=ip,
    )
    message = _("Certificate checked by its number: %(result)s.") % {"result": answer.result_label}
    if answer.certificate is not None:
        audit.record(actor=user, action=AuditAction.VIEW, obj=answer.certificate, message=message)
    else:
        audit.record(
            actor=user,
            action=AuditAction.VIEW,
            object_type="certificates.certificate",
            object_repr=asked,
            message=message,
        )
    return answer
