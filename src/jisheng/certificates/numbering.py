"""Certificate numbers: ``<prefix><issuer code>-<year>-<0001>``, one series per issuing
unit, kind and year, without gaps or duplicates.

:func:`take` must run inside the transaction that writes the certificate: it locks the
series row (``select_for_update``; on SQLite the write transaction itself serialises),
so two issuers never take the same number, and a rollback gives the number back. The
unique constraints on ``(issuer, kind, year, sequence)`` and on ``number`` back it.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from jisheng.certificates.kinds import KindSpec
from jisheng.certificates.models import NumberSeries
from jisheng.orgs.models import Unit


def format_number(kind: KindSpec, issuer: Unit, year: int, sequence: int) -> str:
    return f"{kind.prefix}{issuer.code}-{year}-{sequence:04d}"


def take(kind: KindSpec, issuer: Unit, year: int) -> tuple[int, str]:
    """The next (sequence, number) of ``issuer``'s series of ``kind`` in ``year``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbering.take must run inside the issuing transaction")
    filters = {"issuer": issuer, "kind": kind.key, "year": year}
    updated = NumberSeries.objects.filter(**filters).update(last=F("last") + 1)
    if not updated:
        try:
            with transaction.atomic():
                NumberSeries.objects.create(**filters, last=1)
        except IntegrityError:  # another issuer created the series meanwhile
            NumberSeries.objects.filter(**filters).update(last=F("last") + 1)
    # the UPDATE holds the row's lock until the transaction ends
    sequence = NumberSeries.objects.get(**filters).last
    return sequence, format_number(kind, issuer, year, sequence)
