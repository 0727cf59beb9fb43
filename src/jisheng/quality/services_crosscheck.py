"""Writes of the cross-checks at the five checkpoints (五关): the column mapping of a
source, importing a list (its rows in one transaction with the list), matching it
against the registry (:func:`match_list`, the results stored on the rows) and the
resolution of each record flagged for checking, by the responsible unit, audited.

Wording (SPEC §0): a record is flagged for checking (待核实); no person is labelled.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.scope import require_in_scope
from jisheng.orgs.models import Unit, User
from jisheng.quality import lists, matching
from jisheng.quality.lists import ListError, ParsedRow
from jisheng.quality.models import (
    OPEN_OUTCOMES,
    CrossCheckList,
    CrossCheckMapping,
    CrossCheckRow,
    Outcome,
    Resolution,
)
from jisheng.quality.sources import Source, get_source

WRITE_BATCH = 2000
UPDATE_BATCH = 20_000
# the user who acts (None: the system itself)
Actor: TypeAlias = User | AnonymousUser | None


def _source_or_error(key: str) -> Source:
    source = get_source(key or "")
    if source is None:
        raise ValidationError(
            {"source": _("Unknown source %(source)s: choose one from the list.") % {"source": key}}
        )
    return source


# ------------------------------------------------------------------ the mapping


def mapping_of(source: Source) -> dict[str, str]:
    """The saved column mapping of ``source`` (our field → the file's header), the usual
    headers for the fields it does not name."""
    mapping = source.default_mapping()
    saved = CrossCheckMapping.objects.filter(source=source.key).first()
    if saved is not None:
        mapping.update({k: v for k, v in saved.columns.items() if k in mapping})
    return mapping


@transaction.atomic
def mapping_save(*, actor: Actor, source: str, columns: dict[str, str]) -> CrossCheckMapping:
    """Save the column mapping of ``source``: used for its next files."""
    found = _source_or_error(source)
    cleaned = {f.key: lists.clean_text(columns.get(f.key, "")) for f in found.fields}
    errors = {
        f.key: _("%(field)s is required: give the header of its column.") % {"field": f.label}
        for f in found.required
        if not cleaned[f.key]
    }
    used = Counter(v for v in cleaned.values() if v)
    for key, value in cleaned.items():
        if value and used[value] > 1 and key not in errors:
            errors[key] = _("The header %(header)s is given to two fields.") % {"header": value}
    if errors:
        raise ValidationError(errors)
    mapping, _created = CrossCheckMapping.objects.get_or_create(source=found.key)
    before = dict(mapping.columns)
    mapping.columns = cleaned
    mapping.updated_by = audit.user_of(actor)
    mapping.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=mapping,
        changes={k: [before.get(k), v] for k, v in cleaned.items() if before.get(k) != v},
    )
    return mapping


# ------------------------------------------------------------------ importing


def _units_by_code(codes: set[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    code_list = sorted(codes)
    for start in range(0, len(code_list), matching.CHUNK):
        chunk = code_list[start : start + matching.CHUNK]
        for pk, code, path in Unit.objects.filter(code__in=chunk).values_list("pk", "code", "path"):
            found[code] = (pk, path)
    return found


def _place_rows(
    parsed: list[ParsedRow], area: Unit, rejected: list[dict[str, object]]
) -> list[tuple[ParsedRow, int]]:
    """Each readable row with its unit: the unit its address names (which must lie in
    the list's area), else the area; rows naming an unknown unit join ``rejected``."""
    units = _units_by_code({r.unit_code for r in parsed if r.unit_code})
    placed: list[tuple[ParsedRow, int]] = []
    for row in parsed:
        if not row.unit_code:
            placed.append((row, area.pk))
            continue
        unit = units.get(row.unit_code)
        if unit is None:
            rejected.append(
                {
                    "row": row.row_number,
                    "reasons": [_("Unknown unit code %(code)s.") % {"code": row.unit_code}],
                }
            )
        elif not unit[1].startswith(area.path):
            rejected.append(
                {
                    "row": row.row_number,
                    "reasons": [
                        _("The unit %(code)s is outside the list's area %(area)s.")
                        % {"code": row.unit_code, "area": area.name}
                    ],
                }
            )
        else:
            placed.append((row, unit[0]))
    return placed


def list_import(
    *,
    actor: Actor,
    source: str,
    unit: Unit,
    first: datetime.date,
    last: datetime.date,
    data: bytes,
    filename: str,
) -> CrossCheckList:
    """Import an external list of ``source`` for ``unit``'s area and the period
    ``first``–``last``, read with the source's saved column mapping, and match it.

    Refused with a Chinese message, nothing stored: an unknown source, a file that is not
    Excel .xlsx or CSV, an empty file, headers leaving a required field unmapped. Rows
    that cannot be read are kept on the list with their row number and reasons."""
    found = _source_or_error(source)
    require_in_scope(actor, unit)
    if first > last:
        raise ValidationError({"last": _("The period ends before it begins.")})
    try:
        table = lists.read_table(data, filename)
        parsed, rejected = lists.parse_rows(found, mapping_of(found), table)
    except ListError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    if not table.rows:
        raise ValidationError({"file": _("The file has no data rows below the header row.")})
    placed = _place_rows(parsed, unit, rejected)
    rejected.sort(key=lambda r: int(str(r["row"])))
    with transaction.atomic():
        checklist = CrossCheckList.objects.create(
            source=found.key,
            unit=unit,
            first=first,
            last=last,
            filename=(filename or "")[:200],
            imported_by=audit.user_of(actor),
            rejected=rejected,
            total=len(table.rows),
        )
        rows = [
            CrossCheckRow(
                checklist=checklist,
                row_number=row.row_number,
                data=row.data,
                name=row.name[:100],
                name_key=row.name_key[:200],
                sex=row.sex,
                event_date=row.event_date,
                id_hash=row.id_hash,
                other_name=row.other_name[:100],
                other_key=row.other_key[:200],
                other_id_hash=row.other_id_hash,
                unit_id=unit_id,
            )
            for row, unit_id in placed
        ]
        # matched before they are stored: one write a row
        claimed: set[str] = set()
        _apply(found, unit, rows, [u if r.unit_code else None for r, u in placed], claimed)
        _insert_rows(rows)
        audit.record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=checklist,
            message=_("%(rows)d rows read, %(rejected)d not readable.")
            % {"rows": len(placed), "rejected": len(rejected)},
        )
        _finish(checklist, found, claimed)
    return checklist


# ------------------------------------------------------------------ matching


@dataclass
class _Row:
    """A stored row as the matcher reads it (no model instance: 100,000 of them)."""

    pk: int
    unit_code: str
    name_key: str
    sex: str
    event_date: datetime.date | None
    id_hash: str
    other_key: str
    other_id_hash: str
    outcome: str = ""
    score: int = 0
    record: str = ""
    unit_id: int = 0
    person_id: int | None = None
    differences: list[str] = field(default_factory=list)
    candidates: list[dict[str, object]] = field(default_factory=list)


def _write_results(rows: list[_Row]) -> None:
    """Store the outcomes: on PostgreSQL one ``UPDATE … FROM unnest(arrays)`` a batch
    (seven parameters, whatever the batch's size), elsewhere ``bulk_update``."""
    if connection.vendor != "postgresql":
        CrossCheckRow.objects.bulk_update(
            [
                CrossCheckRow(
                    pk=r.pk,
                    outcome=r.outcome,
                    score=r.score,
                    record=r.record,
                    unit_id=r.unit_id,
                    person_id=r.person_id,
                    differences=r.differences,
                    candidates=r.candidates,
                )
                for r in rows
            ],
            ["outcome", "score", "record", "unit", "person", "differences", "candidates"],
            batch_size=500,
        )
        return
    table = CrossCheckRow._meta.db_table
    sql = (
        f"UPDATE {table} AS t SET outcome = v.outcome, score = v.score, "
        "record = v.record, unit_id = v.unit_id, person_id = v.person_id, "
        "differences = v.differences, candidates = v.candidates FROM unnest(%s::bigint[], "
        "%s::text[], %s::int[], %s::text[], %s::bigint[], %s::bigint[], %s::jsonb[], "
        "%s::jsonb[]) AS v(id, outcome, score, record, unit_id, person_id, differences, "
        "candidates) WHERE t.id = v.id"
    )
    for start in range(0, len(rows), UPDATE_BATCH):
        batch = rows[start : start + UPDATE_BATCH]
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [
                    [r.pk for r in batch],
                    [r.outcome for r in batch],
                    [r.score for r in batch],
                    [r.record for r in batch],
                    [r.unit_id for r in batch],
                    [r.person_id for r in batch],
                    [json.dumps(r.differences) for r in batch],
                    [json.dumps(r.candidates) for r in batch],
                ],
            )


_COPY_COLUMNS = (
    "checklist_id",
    "row_number",
    "data",
    "name",
    "name_key",
    "sex",
    "event_date",
    "id_hash",
    "other_name",
    "other_key",
    "other_id_hash",
    "unit_id",
    "person_id",
    "outcome",
    "score",
    "differences",
    "record",
    "candidates",
    "resolution",
    "resolution_note",
    "resolved_record",
)


def _insert_rows(rows: list[CrossCheckRow]) -> None:
    """Store new rows: ``COPY`` on PostgreSQL (100,000 rows in seconds; an INSERT of
    that many spends most of its time turning the values into SQL), else
    ``bulk_create``."""
    if connection.vendor != "postgresql":
        CrossCheckRow.objects.bulk_create(rows, batch_size=WRITE_BATCH)
        return
    sql = f"COPY {CrossCheckRow._meta.db_table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for r in rows:
            copy.write_row(
                (
                    r.checklist_id,
                    r.row_number,
                    json.dumps(r.data, ensure_ascii=False),
                    r.name,
                    r.name_key,
                    r.sex,
                    r.event_date,
                    r.id_hash,
                    r.other_name,
                    r.other_key,
                    r.other_id_hash,
                    r.unit_id,
                    r.person_id,
                    r.outcome,
                    r.score,
                    json.dumps(r.differences),
                    r.record,
                    json.dumps(r.candidates, ensure_ascii=False),
                    r.resolution,
                    r.resolution_note,
                    r.resolved_record,
                )
            )


_COMPARED = ("outcome", "score", "record", "unit_id", "person_id")


def _apply(
    source: Source,
    area: Unit,
    rows: Sequence[_Row] | Sequence[CrossCheckRow],
    named: list[int | None],
    claimed: set[str],
) -> None:
    """Match ``rows`` (bulk look-ups) and set their outcome fields; add the registry
    records they claim (matched, or candidates of an ambiguous row) to ``claimed``."""
    index = matching.load_index(source, rows)
    results = matching.match_rows(
        source, area, rows, named, index=index, paths=matching.unit_paths()
    )
    for row, unit_named, result in zip(rows, named, results, strict=True):
        row.outcome = result.outcome
        row.score = result.score
        row.record = result.record
        row.differences = result.differences
        # a matched row's record says it all; the others keep their candidates
        row.candidates = result.candidates if result.outcome != Outcome.MATCHED else []
        row.unit_id = result.unit_id or unit_named or area.pk
        row.person_id = result.person_id
        if result.record:
            claimed.add(result.record)
        if result.outcome == Outcome.AMBIGUOUS:
            claimed.update(str(c["record"]) for c in result.candidates)


def _finish(checklist: CrossCheckList, source: Source, claimed: set[str]) -> dict[str, int]:
    """Add the unlisted registry records and store the counts of the outcomes."""
    extra = matching.unlisted(source, checklist.unit, checklist.first, checklist.last, claimed)
    CrossCheckRow.objects.bulk_create(
        [
            CrossCheckRow(
                checklist=checklist,
                row_number=None,
                data={},
                name=rec.name[:100],
                name_key=rec.key[:200],
                sex=rec.sex,
                event_date=rec.date,
                unit_id=rec.unit_id,
                person_id=rec.person_id,
                outcome=Outcome.UNLISTED,
                record=rec.ref,
            )
            for rec in extra
        ],
        batch_size=WRITE_BATCH,
    )
    counts = dict(
        Counter(CrossCheckRow.objects.filter(checklist=checklist).values_list("outcome", flat=True))
    )
    checklist.counts = counts
    checklist.matched_at = timezone.now()
    checklist.save(update_fields=["counts", "matched_at", "updated_at"])
    return counts


def _resolved_claims(checklist: CrossCheckList) -> set[str]:
    return set(
        CrossCheckRow.objects.filter(checklist=checklist)
        .exclude(resolution="")
        .exclude(record="")
        .values_list("record", flat=True)
    )


@transaction.atomic
def match_list(checklist: CrossCheckList) -> dict[str, int]:
    """Match the list's rows against the registry again and store the outcomes that
    changed (rows already resolved keep theirs); add the registry records of the period
    and area that no row claimed (unlisted). Returns the count of each outcome."""
    source = get_source(checklist.source)
    if source is None:
        raise ValidationError(_("Unknown source %(source)s.") % {"source": checklist.source})
    CrossCheckRow.objects.filter(
        checklist=checklist, outcome=Outcome.UNLISTED, resolution=""
    ).delete()
    stored = list(
        CrossCheckRow.objects.filter(checklist=checklist, row_number__isnull=False, resolution="")
        .order_by("pk")
        .values_list(
            "pk",
            "data__unit_code",
            "name_key",
            "sex",
            "event_date",
            "id_hash",
            "other_key",
            "other_id_hash",
            *_COMPARED,
        )
    )
    rows = [_Row(v[0], str(v[1] or ""), *v[2:8]) for v in stored]
    before = {v[0]: tuple(v[8:]) for v in stored}
    units = _units_by_code({r.unit_code for r in rows if r.unit_code})
    named = [units[r.unit_code][0] if r.unit_code in units else None for r in rows]
    claimed = _resolved_claims(checklist)
    _apply(source, checklist.unit, rows, named, claimed)
    # a matched row's outcome is all in these columns; the others are few: written
    _write_results(
        [
            r
            for r in rows
            if r.outcome != Outcome.MATCHED
            or tuple(getattr(r, f) for f in _COMPARED) != before[r.pk]
        ]
    )
    return _finish(checklist, source, claimed)


# ------------------------------------------------------------------ resolution


def _rematch_one(row: CrossCheckRow) -> matching.Match:
    source = get_source(row.checklist.source)
    assert source is not None
    index = matching.load_index(source, [row])
    named = row.unit_id if row.data.get("unit_code") else None
    return matching.match_row(
        row,
        index,
        row_unit_id=named,
        area_path=row.checklist.unit.path,
        paths=matching.unit_paths(),
    )


def row_resolve(
    *,
    actor: Actor,
    row: CrossCheckRow,
    resolution: str,
    note: str = "",
    record: str = "",
) -> CrossCheckRow:
    """Resolve a record flagged for checking, by its responsible unit (or one above):

    - ``registered``: the record was registered now; the row is matched again and linked
      to it (refused while the registry still has no record for it);
    - ``chosen``: of two or more candidates, ``record`` is the one;
    - ``explained``: ``note`` says why the difference is right;
    - ``false_match``: the list's entry is not this registry record (or not ours).
    """
    require_in_scope(actor, row.unit)
    note = (note or "").strip()
    if resolution not in Resolution.values:
        raise ValidationError({"resolution": _("Choose the resolution from the list.")})
    if len(note) > 500:
        raise ValidationError({"note": _("At most 500 characters.")})
    with transaction.atomic():
        row = (
            CrossCheckRow.objects.select_for_update()
            .select_related("checklist", "checklist__unit")
            .get(pk=row.pk)
        )
        if row.outcome not in OPEN_OUTCOMES:
            raise ValidationError(_("This record needs no resolution: it matched the registry."))
        if row.resolution:
            raise ValidationError(
                _("This record was resolved already (%(resolution)s).")
                % {"resolution": row.get_resolution_display()}
            )
        before = audit.snapshot(row, ["outcome", "record", "resolution", "resolution_note"])
        linked = ""
        if resolution == Resolution.EXPLAINED and not note:
            raise ValidationError({"note": _("Say what explains the difference.")})
        if resolution == Resolution.CHOSEN:
            options = {str(c["record"]): c for c in row.candidates}
            if row.outcome != Outcome.AMBIGUOUS:
                raise ValidationError(
                    {"resolution": _("Only a record with two or more candidates is chosen.")}
                )
            if record not in options:
                raise ValidationError({"record": _("Choose one of the candidates.")})
            diff = list(options[record].get("differences") or [])  # type: ignore[call-overload]
            row.record = record
            row.person_id = options[record].get("person")  # type: ignore[assignment]
            row.differences = diff
            row.outcome = Outcome.CONTRADICTING if diff else Outcome.MATCHED
            linked = record
        elif resolution == Resolution.REGISTERED:
            if row.row_number is None:
                raise ValidationError(
                    {"resolution": _("The record is in the registry already: explain it.")}
                )
            found = _rematch_one(row)
            if found.outcome not in (matching.MATCHED, matching.CONTRADICTING):
                raise ValidationError(
                    {
                        "resolution": _(
                            "The registry has no record for this entry yet: register it "
                            "first, then choose “Registered now”."
                        )
                    }
                )
            linked = found.record
            row.record = found.record
            row.person_id = found.person_id
            row.differences = found.differences
            row.score = found.score
        row.resolution = resolution
        row.resolution_note = note
        row.resolved_record = linked
        row.resolved_by = audit.user_of(actor)
        row.resolved_at = timezone.now()
        row.save()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=row,
            changes=audit.diff(
                before,
                audit.snapshot(row, ["outcome", "record", "resolution", "resolution_note"]),
            ),
            message=_("Cross-check record resolved: %(resolution)s.")
            % {"resolution": row.get_resolution_display()},
        )
    return row
