"""The certificates issued before the engine, and the clearances of completed 管理移交,
moved onto it (issue 16).

- Every existing certificate (all 独生子女父母光荣证) becomes *issued*, or *revoked* when
  it was voided; applied on its day of issue; a random verification code; the holder's
  name from the couple. Its number, year and sequence are kept.
- Every completed transfer with a clearance number gets its 管理移交证明
  (``transfer_clearance``) with that number exactly: year and sequence read from it,
  issued by the transfer's unit on the day of completion to the person, linked to the
  transfer. A number that cannot be read (or is taken twice) is numbered after the
  series' last and written back to the transfer, so numbers stay unique.
- A number series per (issuer, kind, year) starts at the largest sequence taken, so the
  next certificate continues without a gap.
"""

import re
import secrets

from django.db import migrations
from django.db.models import Max

CLEARANCE = "transfer_clearance"
CLEARANCE_NUMBER = re.compile(r"^YJ(?P<code>.+)-(?P<year>\d{4})-(?P<seq>\d{4,})$")


def _couple_name(couple):
    if couple is None:
        return ""
    names = [p.name for p in (couple.husband, couple.wife) if p is not None]
    if couple.outside_name:
        names.append(couple.outside_name)
    return "、".join(names)[:100]


def forward(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    NumberSeries = apps.get_model("certificates", "NumberSeries")
    Transfer = apps.get_model("people", "Transfer")
    db = schema_editor.connection.alias

    existing = Certificate.objects.using(db).select_related("couple__husband", "couple__wife")
    for cert in existing.filter(code__isnull=True).iterator(chunk_size=500):
        cert.status = "revoked" if cert.voided_at is not None else "issued"
        cert.applied_on = cert.applied_on or cert.issued_on
        cert.code = secrets.token_urlsafe(15)
        cert.holder_name = cert.holder_name or _couple_name(cert.couple)
        cert.save(update_fields=["status", "applied_on", "code", "holder_name"])

    taken_numbers = set(
        Certificate.objects.using(db).exclude(number=None).values_list("number", flat=True)
    )
    taken_sequences = set(
        Certificate.objects.using(db)
        .filter(kind=CLEARANCE)
        .values_list("issuer_id", "year", "sequence")
    )
    done = set(
        Certificate.objects.using(db).exclude(transfer=None).values_list("transfer_id", flat=True)
    )
    transfers = (
        Transfer.objects.using(db)
        .filter(status="completed")
        .exclude(clearance_number="")
        .exclude(pk__in=done)
        .select_related("unit", "person")
        .order_by("completed_on", "id")
    )
    unreadable = []
    for transfer in transfers.iterator(chunk_size=500):
        match = CLEARANCE_NUMBER.match(transfer.clearance_number)
        number = transfer.clearance_number
        if match is None or match["code"] != transfer.unit.code or number in taken_numbers:
            unreadable.append(transfer)
            continue
        year, sequence = int(match["year"]), int(match["seq"])
        if (transfer.unit_id, year, sequence) in taken_sequences:
            unreadable.append(transfer)
            continue
        _clearance(Certificate, db, transfer, number, year, sequence)
        taken_numbers.add(number)
        taken_sequences.add((transfer.unit_id, year, sequence))
    for transfer in unreadable:
        year = (transfer.completed_on or transfer.opened_on).year
        sequence = 1 + max(
            (s for (u, y, s) in taken_sequences if u == transfer.unit_id and y == year),
            default=0,
        )
        number = f"YJ{transfer.unit.code}-{year}-{sequence:04d}"
        _clearance(Certificate, db, transfer, number, year, sequence)
        taken_sequences.add((transfer.unit_id, year, sequence))
        Transfer.objects.using(db).filter(pk=transfer.pk).update(clearance_number=number)

    lasts = (
        Certificate.objects.using(db)
        .exclude(sequence=None)
        .values("issuer_id", "kind", "year")
        .annotate(last=Max("sequence"))
    )
    for row in lasts:
        series, created = NumberSeries.objects.using(db).get_or_create(
            issuer_id=row["issuer_id"],
            kind=row["kind"],
            year=row["year"],
            defaults={"last": row["last"]},
        )
        if not created and series.last < row["last"]:
            series.last = row["last"]
            series.save(update_fields=["last"])


def _clearance(Certificate, db, transfer, number, year, sequence):
    day = transfer.completed_on or transfer.opened_on
    Certificate.objects.using(db).create(
        kind=CLEARANCE,
        status="issued",
        number=number,
        year=year,
        sequence=sequence,
        issuer_id=transfer.unit_id,
        unit_id=transfer.unit_id,
        person_id=transfer.person_id,
        holder_name=(transfer.person.name or "")[:100],
        data={},
        applied_on=day,
        applied_by_id=transfer.completed_by_id,
        issued_on=day,
        issued_by_id=transfer.completed_by_id,
        code=secrets.token_urlsafe(15),
        transfer_id=transfer.pk,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0002_engine"),
        ("people", "0009_move_importjob"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
