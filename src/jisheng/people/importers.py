"""Excel imports of the registry: persons; households and couples; births.

:func:`persons_import` checks EVERY row before anything is written: required fields,
the ID number (python-stdnum ``cn.ric`` through :mod:`jisheng.core.idnumber`: length,
31 February, checksum, region) and its agreement with the birth date and sex, unit codes
(unknown or outside the user's data scope), duplicates inside the file (ID number;
name + birth date + unit), choice values and dates. Without ``valid_rows_only`` one
rejected row means nothing is written at all (one transaction).

Matching: a row whose ID number is registered (keyed hash) is that person: changed
identity fields are updated through :func:`jisheng.people.services.person_update`;
differences of state (unit, employer, marital status, status) are NOT applied — they
change only through life events — and are listed in the result as "needs an event".
A row not matched by ID number but with the name, birth date and unit of a registered
person is listed as a possible duplicate and not imported (a row without an ID number
that repeats such a person exactly counts as unchanged, so re-importing a file changes
nothing).

Speed (a 100,000-row workbook in well under a minute, see
``benchmarks/import_persons.py``): validation is in memory with bulk look-ups (units by
code, registered ID hashes, name matches: one query per 900 values); new persons are
written with ``bulk_create`` in batches — person, REGISTER event, first period and one
CREATE audit event each, built by the same functions that
:func:`~jisheng.people.services.person_register` uses — plus one IMPORT audit event
for the file.

:func:`households_import` and :func:`births_import` check every row the same way and
then call the family services row by row (these files are small) in one transaction.
"""

from __future__ import annotations

import datetime
import functools
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook

from jisheng.core import audit, crypto, idnumber, locks, pinyin
from jisheng.core.bulkcopy import insert_objects
from jisheng.core.choices import AuditAction
from jisheng.core.excel import (
    ExcelImportError,
    Importer,
    ImportResult,
    RejectedRow,
    SheetRow,
    error_workbook,
    read_sheet,
)
from jisheng.core.scope import path_in_scope
from jisheng.core.validation import NOTE_MAX_LENGTH, birth_date_error
from jisheng.orgs.models import Unit
from jisheng.people import excel, services
from jisheng.people.choices import IdStatus, MaritalStatus, PersonStatus
from jisheng.people.excel import (
    COL_BIRTH,
    COL_EDUCATION,
    COL_EMPLOYER,
    COL_ETHNICITY,
    COL_HUKOU_PLACE,
    COL_HUKOU_TYPE,
    COL_ID,
    COL_LATE_REASON,
    COL_MARITAL,
    COL_NAME,
    COL_NO_ID_REASON,
    COL_NOTES,
    COL_PHONE,
    COL_REGISTERED,
    COL_SEX,
    COL_STATUS,
    COL_UNIT,
    EDUCATION_LABELS_ZH,
    EDUCATION_TABLE,
    HUKOU_LABELS_ZH,
    HUKOU_TABLE,
    ID_REASON_LABELS_ZH,
    ID_REASON_TABLE,
    MARITAL_LABELS_ZH,
    MARITAL_TABLE,
    PERSON_HEADERS,
    PERSON_REQUIRED_HEADERS,
    PERSONS_SHEET,
    SEX_LABELS_ZH,
    SEX_TABLE,
    STATUS_LABELS_ZH,
    STATUS_TABLE,
    DateError,
    cell,
    choice_from_text,
    parse_date,
    unknown_choice,
)
from jisheng.people.models import LifeEvent, Person, PersonNameKey, PersonPeriod

# Rows written per bulk_create batch, and rows checked between two progress reports.
BATCH_SIZE = 2_000
PROGRESS_EVERY = 2_000
# Values per IN (…) look-up: below SQLite's old 999-variable limit.
LOOKUP_CHUNK = 900
# The persons sheet may be larger than other imports (the issue asks for 100,000 rows).
PERSONS_MAX_ROWS = 200_000

Progress = Callable[[int, int, str], None]
"""``progress(done, total, phase)``; phase ``"check"`` then ``"save"``."""

# Identity columns an update may change (→ Person field). Blank cells change nothing.
IDENTITY_COLUMNS: dict[str, str] = {
    COL_NAME: "name",
    COL_ETHNICITY: "ethnicity",
    COL_HUKOU_PLACE: "hukou_place",
    COL_HUKOU_TYPE: "hukou_type",
    COL_PHONE: "phone",
    COL_EDUCATION: "education",
    COL_NOTES: "notes",
}
# State columns: a difference needs a life event; the import only reports it.
STATE_COLUMNS: dict[str, str] = {
    COL_UNIT: "unit",
    COL_EMPLOYER: "employer",
    COL_MARITAL: "marital_status",
    COL_STATUS: "status",
}
MAX_LENGTHS: dict[str, int] = {
    COL_NAME: 50,
    COL_ETHNICITY: 20,
    COL_HUKOU_PLACE: 200,
    COL_PHONE: 32,
}


# --------------------------------------------------------------------------- result


@dataclass
class RegistryImportResult(ImportResult):
    """:class:`ImportResult` plus what the registry import reports besides counts.

    ``possible_duplicates``: rows not imported because a registered person (or another
    row) has the same name, birth date and unit — ``{"row", "name", "birth_date",
    "unit", "person_id", "reason"}``. ``needs_event``: registered persons whose state in
    the file differs from the registry — ``{"row", "person_id", "name", "column",
    "current", "file"}``; record the matching life event to change it.
    """

    possible_duplicates: list[dict[str, Any]] = field(default_factory=list)
    needs_event: list[dict[str, Any]] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)
    # (sheet title, headers, rejected rows) for imports that read several sheets.
    error_sheets: list[tuple[str, list[str], list[RejectedRow]]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "possible_duplicates": len(self.possible_duplicates),
            "needs_event": len(self.needs_event),
        }

    def details(self, *, limit: int) -> dict[str, Any]:
        """The possible duplicates and the differences that need an event, for the job's
        page (``people/import_result_extra.html``)."""
        return {
            "possible_duplicate_rows": self.possible_duplicates[:limit],
            "needs_event_rows": self.needs_event[:limit],
        }

    def report_lines(self) -> list[str]:
        """Lines for the command's output after the summary."""
        lines = []
        for item in self.possible_duplicates:
            lines.append(
                _("Row %(row)d: possible duplicate, not imported: %(reason)s")
                % {"row": item["row"], "reason": item["reason"]}
            )
        for item in self.needs_event:
            lines.append(
                _(
                    "Row %(row)d: %(name)s: %(column)s is %(current)s in the registry and "
                    "%(file)s in the file; record a life event to change it."
                )
                % item
            )
        return lines


# --------------------------------------------------------------------------- helpers


def _reason(column: str, message: Any) -> str:
    return _("%(column)s: %(message)s") % {"column": column, "message": message}


def _as_sheet_rows(rows: Iterable[Any]) -> list[SheetRow]:
    """:class:`SheetRow` objects, ``(number, dict)`` pairs or dicts (numbered from 2)."""
    result = []
    for index, row in enumerate(rows, start=2):
        if isinstance(row, SheetRow):
            result.append(row)
        elif isinstance(row, tuple) and len(row) == 2 and isinstance(row[1], Mapping):
            result.append(SheetRow(number=int(row[0]), values=dict(row[1])))
        elif isinstance(row, Mapping):
            result.append(SheetRow(number=index, values=dict(row)))
        else:
            raise TypeError(f"cannot read an import row from {type(row).__name__}")
    return result


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@functools.lru_cache(maxsize=65_536)
def _search_keys(name: str) -> tuple[str, str]:
    """Pinyin keys, cached: names repeat a lot in a large file."""
    return pinyin.search_keys(name)


def _can_write(actor: Any, path: str) -> bool:
    """The system (``actor=None``) may write anywhere; users inside their subtree."""
    return actor is None or path_in_scope(path, actor)


def _deny(actor: Any, obj: Any, message: str) -> None:
    audit.record(actor=actor, action=AuditAction.DENIED, obj=obj, message=message)


def _load_units(codes: Iterable[str]) -> dict[str, Unit]:
    found: dict[str, Unit] = {}
    for chunk in _chunks(sorted({c for c in codes if c}), LOOKUP_CHUNK):
        for unit in Unit.objects.filter(code__in=chunk):
            found[unit.code] = unit
    return found


def _denied_message() -> str:
    return _("Import of persons into a unit outside the user's data scope.")


def _not_in_scope(code: str) -> str:
    return _("Unit %(code)s was not found within your data scope.") % {"code": code}


# --------------------------------------------------------------------------- persons


@dataclass(eq=False, slots=True)
class _PersonRow:
    number: int
    raw: dict[str, str]
    reasons: list[str] = field(default_factory=list)
    name: str = ""
    sex: str | None = None
    birth_date: datetime.date | None = None
    id_number: str = ""
    id_hash: str = ""
    id_status: str = IdStatus.VALID
    ethnicity: str = ""
    hukou_place: str = ""
    hukou_type: str = ""
    phone: str = ""
    education: str = ""
    marital_status: str = ""
    status: str = ""
    registered_on: datetime.date | None = None
    notes: str = ""
    late_reason: str = ""  # 补报/更正原因: for a registration dated in a closed period
    late: bool = False  # dated in a closed period (with a reason): a late entry
    event: LifeEvent | None = None  # the REGISTER event written
    unit_code: str = ""
    employer_code: str = ""
    unit: Unit | None = None
    employer: Unit | None = None
    existing: dict[str, Any] | None = None  # the registered person matched by ID number
    changes: dict[str, Any] = field(default_factory=dict)
    duplicate: bool = False  # a possible duplicate: not written
    unchanged_match: bool = False  # matched by name + birth date + unit, identical

    @property
    def rejected(self) -> bool:
        return bool(self.reasons)

    def reject(self, column: str, message: Any) -> None:
        self.reasons.append(_reason(column, message))


def _choice(
    r: _PersonRow,
    column: str,
    table: Mapping[str, str],
    labels: Mapping[str, str],
) -> str:
    text = cell(r.raw, column)
    if not text:
        return ""
    value = choice_from_text(text, table)
    if value is None:
        r.reject(column, unknown_choice(text, labels))
        return ""
    return value


def _date(r: _PersonRow, column: str) -> tuple[datetime.date | None, bool]:
    """(date, ok): ok is False when the cell holds something that is no real date."""
    try:
        return parse_date(cell(r.raw, column)), True
    except DateError as exc:
        r.reject(column, exc.args[0])
        return None, False


def _parse_person(row: SheetRow, *, today: datetime.date, default_unit: Unit | None) -> _PersonRow:
    values = {k: ("" if v is None else str(v).strip()) for k, v in row.values.items()}
    r = _PersonRow(number=row.number, raw=values)
    r.name = "".join(values.get(COL_NAME, "").split())  # 张 三 → 张三
    if not r.name:
        r.reject(COL_NAME, _("The name is required."))
    for column, limit in MAX_LENGTHS.items():
        length = len(values.get(column, ""))
        if length > limit:
            r.reject(
                column,
                _("At most %(max)d characters are allowed; this value has %(n)d.")
                % {"max": limit, "n": length},
            )
    sex_text = values.get(COL_SEX, "")
    r.sex = choice_from_text(sex_text, SEX_TABLE) if sex_text else None
    if sex_text and r.sex is None:
        r.reject(COL_SEX, unknown_choice(sex_text, SEX_LABELS_ZH))
    r.birth_date, birth_ok = _date(r, COL_BIRTH)

    id_text = values.get(COL_ID, "")
    reason_text = values.get(COL_NO_ID_REASON, "")
    if id_text:
        if reason_text:
            r.reject(
                COL_NO_ID_REASON,
                _("Leave this empty when the ID number is given."),
            )
        try:
            info = idnumber.parse(id_text, today=today)
        except ValidationError as exc:
            r.reject(COL_ID, " ".join(exc.messages))
        else:
            r.id_number = info.number
            r.id_hash = crypto.lookup_hash(info.number)
            if r.birth_date is None and birth_ok:
                r.birth_date = info.birth_date
            if r.sex is None and not sex_text:
                r.sex = info.sex
            try:
                idnumber.check_agrees(info, birth_date=r.birth_date, sex=r.sex)
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    r.reject(COL_BIRTH if key == "birth_date" else COL_SEX, messages[0])
    elif reason_text:
        status = choice_from_text(reason_text, ID_REASON_TABLE)
        if status is None:
            r.reject(COL_NO_ID_REASON, unknown_choice(reason_text, ID_REASON_LABELS_ZH))
        else:
            r.id_status = status
    else:
        r.reject(
            COL_ID,
            _(
                "The ID number is required; when the person has none, say why in the "
                "column %(column)s."
            )
            % {"column": COL_NO_ID_REASON},
        )
    if r.sex is None and not sex_text:
        r.reject(COL_SEX, _("The sex is required."))
    if r.birth_date is None and birth_ok:
        r.reject(COL_BIRTH, _("The birth date is required."))
    elif message := birth_date_error(r.birth_date, today=today):
        r.reject(COL_BIRTH, message)

    r.ethnicity = values.get(COL_ETHNICITY, "")
    r.hukou_place = values.get(COL_HUKOU_PLACE, "")
    r.phone = values.get(COL_PHONE, "")
    r.notes = values.get(COL_NOTES, "")
    if len(r.notes) > NOTE_MAX_LENGTH:
        r.reject(
            COL_NOTES,
            _("Enter at most %(limit)s characters.") % {"limit": NOTE_MAX_LENGTH},
        )
    r.hukou_type = _choice(r, COL_HUKOU_TYPE, HUKOU_TABLE, HUKOU_LABELS_ZH)
    r.education = _choice(r, COL_EDUCATION, EDUCATION_TABLE, EDUCATION_LABELS_ZH)
    r.marital_status = _choice(r, COL_MARITAL, MARITAL_TABLE, MARITAL_LABELS_ZH)
    r.status = _choice(r, COL_STATUS, STATUS_TABLE, STATUS_LABELS_ZH)

    registered, _ok = _date(r, COL_REGISTERED)
    if registered is not None:
        if registered > today:
            r.reject(COL_REGISTERED, _("The registration date is in the future."))
        elif r.birth_date is not None and registered < r.birth_date:
            r.reject(COL_REGISTERED, _("The registration date is before the birth date."))
    r.registered_on = registered or today
    r.late_reason = values.get(COL_LATE_REASON, "")
    if len(r.late_reason) > locks.REASON_MAX:
        r.reject(
            COL_LATE_REASON,
            _("The reason is too long (at most %(max)d characters).") % {"max": locks.REASON_MAX},
        )

    r.unit_code = values.get(COL_UNIT, "")
    if not r.unit_code:
        if default_unit is not None:
            r.unit = default_unit
        else:
            r.reject(COL_UNIT, _("The unit code is required."))
    r.employer_code = values.get(COL_EMPLOYER, "")
    return r


def _check_units(rows: list[_PersonRow], *, actor: Any) -> None:
    units = _load_units([r.unit_code for r in rows] + [r.employer_code for r in rows])
    denied: set[str] = set()

    def resolve(code: str) -> Unit | None:
        unit = units.get(code)
        if unit is None:
            return None
        if not _can_write(actor, unit.path):
            if code not in denied:
                denied.add(code)
                _deny(actor, unit, _denied_message())
            return None
        return unit

    for r in rows:
        if r.unit_code:
            r.unit = resolve(r.unit_code)
            if r.unit is None:
                r.reject(COL_UNIT, _not_in_scope(r.unit_code))
        if r.employer_code:
            r.employer = resolve(r.employer_code)
            if r.employer is None:
                r.reject(COL_EMPLOYER, _not_in_scope(r.employer_code))


def _check_closed(rows: list[_PersonRow]) -> None:
    """The period lock for the new persons' registration dates (one query for the
    file): a row dated inside a closed period of its unit (or an ancestor's) needs the
    补报/更正原因 column, else it is a row error (:mod:`jisheng.core.locks`)."""
    from jisheng.core.models import ClosedPeriod

    new = [
        r
        for r in rows
        if not r.rejected and r.unit is not None and r.existing is None and not r.duplicate
    ]
    if not new:
        return
    days = [r.registered_on for r in new]
    by_path: dict[str, list[ClosedPeriod]] = defaultdict(list)
    for closure in ClosedPeriod.objects.filter(
        first__lte=max(days), last__gte=min(days)
    ).select_related("unit"):
        by_path[closure.unit.path].append(closure)
    if not by_path:
        return
    step = Unit.steplen
    for r in new:
        path = r.unit.path
        closure = next(
            (
                c
                for end in range(step, len(path) + 1, step)
                for c in by_path.get(path[:end], ())
                if c.first <= r.registered_on <= c.last
            ),
            None,
        )
        if closure is None:
            continue
        if r.late_reason.strip():
            r.late = True
        else:
            r.reject(COL_REGISTERED, locks.closed_message(closure, r.registered_on))


def _rows_text(rows: list[_PersonRow]) -> str:
    return ", ".join(str(r.number) for r in rows)


def rows_phrase(numbers: list[int]) -> str:
    """ "第 12 行与第 57 行" (三行以上: "第 3 行、第 12 行与第 57 行")."""
    parts = [_("row %(n)d") % {"n": n} for n in numbers]
    if len(parts) == 1:
        return parts[0]
    return _("%(rows)s and %(last)s") % {
        "rows": pgettext("list of rows", ", ").join(parts[:-1]),
        "last": parts[-1],
    }


def _keep_first(group: list[_PersonRow], column: str, same: str) -> None:
    """Rows of ``group`` are the same person: keep the first without other errors.

    The later rows are rejected with a reason naming every row of the group and the
    one kept, so that "import the valid rows only" imports exactly one of them (the
    user who wants another one corrects or deletes the first in the file). When every
    row has errors of its own, each is told which rows repeat it.
    """
    numbers = [r.number for r in group]
    kept = next((r for r in group if not r.rejected), None)
    for r in group:
        if r is kept:
            continue
        if kept is None:
            message = _("%(rows)s have the same %(what)s.") % {
                "rows": rows_phrase(numbers),
                "what": same,
            }
        else:
            message = _(
                "%(rows)s have the same %(what)s: row %(kept)d is kept and this row is not "
                "imported (to keep this row instead, correct or delete row %(kept)d)."
            ) % {"rows": rows_phrase(numbers), "what": same, "kept": kept.number}
        r.reject(column, message)


def _check_file_duplicates(rows: list[_PersonRow], result: RegistryImportResult) -> None:
    by_hash: dict[str, list[_PersonRow]] = defaultdict(list)
    by_key: dict[tuple, list[_PersonRow]] = defaultdict(list)
    for r in rows:
        if r.id_hash:
            by_hash[r.id_hash].append(r)
        if r.name and r.birth_date and (r.unit_code or r.unit is not None):
            by_key[(r.name, r.birth_date, r.unit_code or r.unit.code)].append(r)
    for group in by_hash.values():
        if len(group) > 1:
            _keep_first(group, COL_ID, pgettext("rows with the same", "ID number"))
    for (name, birth, code), group in by_key.items():
        if len(group) < 2:
            continue
        if any(not r.id_hash for r in group):
            _keep_first(
                group,
                COL_NAME,
                pgettext("rows with the same", "name, birth date and unit (and no ID number)"),
            )
        elif len({r.id_hash for r in group}) == len(group):
            # Different valid ID numbers: two people; imported, but listed.
            for r in group:
                result.possible_duplicates.append(
                    {
                        "row": r.number,
                        "name": name,
                        "birth_date": birth.isoformat(),
                        "unit": code,
                        "person_id": None,
                        "reason": _(
                            "%(name)s, born %(birth)s, in unit %(unit)s is in the file more "
                            "than once (rows %(rows)s) with different ID numbers; all were "
                            "imported."
                        )
                        % {
                            "name": name,
                            "birth": birth.isoformat(),
                            "unit": code,
                            "rows": _rows_text(group),
                        },
                    }
                )


EXISTING_FIELDS = (
    "pk",
    "id_hash",
    "id_status",
    "name",
    "birth_date",
    "ethnicity",
    "hukou_place",
    "hukou_type",
    "phone",
    "education",
    "notes",
    "unit_id",
    "employer_id",
    "marital_status",
    "status",
    "unit__path",
    "unit__code",
    "employer__code",
)


def _load_by_hash(hashes: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(hashes)), LOOKUP_CHUNK):
        for values in Person.objects.filter(id_hash__in=chunk).values(*EXISTING_FIELDS):
            found[values["id_hash"]] = values
    return found


def _load_by_name(rows: list[_PersonRow]) -> dict[tuple, list[dict[str, Any]]]:
    """Registered persons by (name, birth date, unit id) for the given rows' names."""
    names = sorted({r.name for r in rows})
    unit_ids = sorted({r.unit.pk for r in rows if r.unit is not None})
    found: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    if not unit_ids:
        return found
    for chunk in _chunks(names, LOOKUP_CHUNK):
        query = Person.objects.filter(name__in=chunk)
        if len(unit_ids) <= LOOKUP_CHUNK:
            query = query.filter(unit_id__in=unit_ids)
        for values in query.values(*EXISTING_FIELDS):
            found[(values["name"], values["birth_date"], values["unit_id"])].append(values)
    return found


def _label(column: str, code: str | None) -> str:
    labels = {COL_MARITAL: MARITAL_LABELS_ZH, COL_STATUS: STATUS_LABELS_ZH}.get(column)
    if labels is not None:
        return labels.get(code or "", code or "")
    return code or ""


def _identity_changes(r: _PersonRow, existing: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for column, name in IDENTITY_COLUMNS.items():
        if not r.raw.get(column):
            continue  # absent or blank: left as it is
        wanted = getattr(r, name)
        if (existing.get(name) or "") != wanted:
            changes[name] = wanted
    return changes


def _state_differences(r: _PersonRow, existing: dict[str, Any]) -> list[dict[str, Any]]:
    differences = []

    def add(column: str, current: str, wanted: str) -> None:
        differences.append(
            {
                "row": r.number,
                "person_id": existing["pk"],
                "name": existing["name"],
                "column": column,
                "current": current or "—",
                "file": wanted or "—",
            }
        )

    if r.unit_code and r.unit is not None and r.unit.pk != existing["unit_id"]:
        add(COL_UNIT, existing["unit__code"], r.unit_code)
    if r.employer_code and r.employer is not None and r.employer.pk != existing["employer_id"]:
        add(COL_EMPLOYER, existing["employer__code"] or "", r.employer_code)
    for column, name in ((COL_MARITAL, "marital_status"), (COL_STATUS, "status")):
        wanted = getattr(r, name)
        if wanted and wanted != existing[name]:
            add(column, _label(column, existing[name]), _label(column, wanted))
    return differences


def _match_existing(rows: list[_PersonRow], *, actor: Any, result: RegistryImportResult) -> None:
    candidates = [r for r in rows if not r.rejected]
    by_hash = _load_by_hash([r.id_hash for r in candidates if r.id_hash])
    unmatched: list[_PersonRow] = []
    for r in candidates:
        existing = by_hash.get(r.id_hash) if r.id_hash else None
        if existing is None:
            unmatched.append(r)
            continue
        if not _can_write(actor, existing["unit__path"]):
            audit.record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type="people.person",
                object_id=str(existing["pk"]),
                object_repr=existing["name"],
                message=_("Import of a person registered outside the user's data scope."),
            )
            r.reject(
                COL_ID,
                _("A person with this ID number is registered in a unit outside your data scope."),
            )
            continue
        r.existing = existing
        r.changes = _identity_changes(r, existing)
        result.needs_event.extend(_state_differences(r, existing))

    by_name = _load_by_name(unmatched)
    for r in unmatched:
        if r.unit is None or r.birth_date is None:
            continue
        matches = by_name.get((r.name, r.birth_date, r.unit.pk), [])
        if not matches:
            continue
        same = [
            m for m in matches if not r.id_hash and not m["id_hash"] and not _identity_changes(r, m)
        ]
        if same:
            r.unchanged_match = True
            continue
        r.duplicate = True
        ids = ", ".join(str(m["pk"]) for m in matches)
        result.possible_duplicates.append(
            {
                "row": r.number,
                "name": r.name,
                "birth_date": r.birth_date.isoformat(),
                "unit": r.unit.code,
                "person_id": matches[0]["pk"],
                "reason": _(
                    "%(name)s, born %(birth)s, in unit %(unit)s is registered already "
                    "(person %(ids)s) without the same ID number; check and, if it is the "
                    "same person, correct that record instead."
                )
                % {
                    "name": r.name,
                    "birth": r.birth_date.isoformat(),
                    "unit": r.unit.code,
                    "ids": ids,
                },
            }
        )


def _new_person(r: _PersonRow) -> Person:
    ids: dict[str, str] = {}
    if r.id_number:
        # What services.id_fields returns for a number already checked by idnumber.parse.
        ids = {
            "id_number_encrypted": crypto.encrypt(r.id_number),
            "id_hash": r.id_hash,
            "id_masked": idnumber.mask(r.id_number),
        }
    assert r.unit is not None and r.sex is not None and r.birth_date is not None
    return services.person_build(
        name=r.name,
        sex=r.sex,
        birth_date=r.birth_date,
        unit=r.unit,
        ids=ids,
        id_status=r.id_status,
        employer=r.employer,
        marital_status=r.marital_status or MaritalStatus.SINGLE,
        status=r.status or PersonStatus.REGISTERED,
        ethnicity=r.ethnicity or "汉族",
        hukou_place=r.hukou_place,
        hukou_type=r.hukou_type,
        phone=r.phone,
        education=r.education,
        notes=r.notes,
        search_keys=_search_keys(r.name),
    )


def _bulk_register(
    rows: list[_PersonRow],
    *,
    actor: Any,
    source_name: str,
    progress: Progress | None,
) -> list[int]:
    """Register the persons of ``rows`` in batches: what person_register writes, in bulk."""
    created: list[int] = []
    # One CREATE audit event per batch lists the persons it registered (an event per
    # person would double the rows written and cost a quarter of the time); each
    # person's REGISTER event records who imported it and when.
    name = source_name or PERSONS_SHEET
    for batch in _chunks(rows, BATCH_SIZE):
        persons = [_new_person(r) for r in batch]
        insert_objects(Person, persons)
        insert_objects(PersonNameKey, [key for p in persons for key in services.name_keys_build(p)])
        events = [
            services.register_event_build(person=p, registered_on=r.registered_on, actor=actor)
            for p, r in zip(persons, batch, strict=True)
        ]
        insert_objects(LifeEvent, events)
        for r, event in zip(batch, events, strict=True):
            if r.late:
                r.event = event
        insert_objects(
            PersonPeriod,
            [
                services.first_period_build(person=p, event=e)
                for p, e in zip(persons, events, strict=True)
            ],
        )
        ids = [p.pk for p in persons]
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="people.person",
            object_repr=f"{name} #{ids[0]}–{ids[-1]}",
            changes={"file": source_name, "count": len(ids), "person_ids": ids},
            message=_("%(n)d persons registered by the Excel import of %(file)s.")
            % {"n": len(ids), "file": name},
        )
        created.extend(p.pk for p in persons)
        if progress is not None:
            progress(len(created), len(rows), "save")
    return created


def persons_import(
    *,
    actor: Any,
    rows: Iterable[Any],
    default_unit: Unit | None = None,
    dry_run: bool = False,
    valid_rows_only: bool = False,
    progress: Progress | None = None,
    source_name: str = "",
    headers: Iterable[str] | None = None,
) -> RegistryImportResult:
    """Import persons from sheet rows (:class:`SheetRow`, ``(number, dict)`` or dicts
    keyed by the Chinese headers of :data:`~jisheng.people.excel.PERSON_HEADERS`).

    ``actor`` is the user (their data scope applies; ``None`` is the system).
    ``default_unit`` is the residence unit of rows whose unit code is blank. With
    ``dry_run`` nothing is written; with ``valid_rows_only`` the valid rows are written
    even when others are rejected. ``progress(done, total, phase)`` is called every few
    thousand rows. See the module documentation for the rules.
    """
    sheet_rows = _as_sheet_rows(rows)
    result = RegistryImportResult(dry_run=dry_run, headers=list(headers or PERSON_HEADERS))
    if default_unit is not None and not _can_write(actor, default_unit.path):
        _deny(actor, default_unit, _denied_message())
        raise PermissionDenied(_("This unit is outside your data scope."))

    today = timezone.localdate()
    total = len(sheet_rows)
    parsed: list[_PersonRow] = []
    for index, row in enumerate(sheet_rows, start=1):
        parsed.append(_parse_person(row, today=today, default_unit=default_unit))
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index, total, "check")
    _check_units(parsed, actor=actor)
    _check_file_duplicates(parsed, result)
    _match_existing(parsed, actor=actor, result=result)
    _check_closed(parsed)
    if progress is not None:
        progress(total, total, "check")

    result.total, result.valid_rows_only = len(parsed), valid_rows_only
    valid = [r for r in parsed if not r.rejected]
    any_rejected = len(valid) < len(parsed)
    creates = [r for r in valid if r.existing is None and not r.duplicate and not r.unchanged_match]
    updates = [r for r in valid if r.existing is not None and r.changes]
    unchanged = len(valid) - len(creates) - len(updates) - sum(r.duplicate for r in valid)

    result.rejected = [RejectedRow(r.number, r.raw, list(r.reasons)) for r in parsed if r.rejected]
    if any_rejected and not valid_rows_only:
        return result
    result.created, result.updated, result.unchanged = len(creates), len(updates), unchanged
    if dry_run or not (creates or updates):
        return result

    if progress is not None:
        progress(0, len(creates), "save")  # before the transaction: others can see it
    try:
        with transaction.atomic():
            _write_persons(
                creates=creates,
                updates=updates,
                actor=actor,
                source_name=source_name,
                progress=progress,
                result=result,
            )
            result.written = True
            audit.record(
                actor=actor,
                action=AuditAction.IMPORT,
                obj=default_unit,
                object_type="people.person",
                object_repr=source_name or PERSONS_SHEET,
                changes={
                    "file": source_name,
                    **result.as_dict(),
                    "first_person_id": result.created_ids[0] if result.created_ids else None,
                    "last_person_id": result.created_ids[-1] if result.created_ids else None,
                },
                message=_(
                    "Persons imported from %(file)s: %(created)d created, %(updated)d "
                    "updated, %(unchanged)d unchanged, %(rejected)d rejected."
                )
                % {
                    "file": source_name or PERSONS_SHEET,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "rejected": result.rejected_count,
                },
            )
    except IntegrityError as exc:
        # Another import or registration took one of these ID numbers meanwhile.
        result.written = False
        result.created_ids = []
        result.created = result.updated = result.unchanged = 0
        raise ExcelImportError(
            _(
                "Some ID numbers of the file were registered by someone else while the file "
                "was checked; nothing was saved. Import the file again."
            )
        ) from exc
    return result


def _write_persons(
    *,
    creates: list[_PersonRow],
    updates: list[_PersonRow],
    actor: Any,
    source_name: str,
    progress: Progress | None,
    result: RegistryImportResult,
) -> None:
    if updates:
        persons = Person.objects.select_related("unit").in_bulk([r.existing["pk"] for r in updates])
        for r in updates:
            services.person_update(actor=actor, person=persons[r.existing["pk"]], data=r.changes)
    result.created_ids = _bulk_register(
        creates, actor=actor, source_name=source_name, progress=progress
    )
    # the late entries of the registrations dated in closed periods (checked already)
    for r in creates:
        if r.late and r.event is not None:
            locks.require_open(
                unit=r.unit,
                day=r.registered_on,
                reason=r.late_reason,
                actor=actor,
                record=r.event,
                what=_("%(name)s: registration") % {"name": r.name},
            )


# --------------------------------------------------------------------------- command


def _default_unit(actor: Any, unit_code: str | None) -> Unit | None:
    if not unit_code:
        return None
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None or not _can_write(actor, unit.path):
        if unit is not None:
            _deny(actor, unit, _denied_message())
        raise ExcelImportError(_not_in_scope(unit_code))
    return unit


def _run_persons_from_command(
    *,
    actor: Any,
    rows: Iterable[Any],
    dry_run: bool,
    valid_rows_only: bool,
    unit_code: str | None,
    source_name: str = "",
    headers: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> RegistryImportResult:
    return persons_import(
        actor=actor,
        rows=rows,
        default_unit=_default_unit(actor, unit_code),
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
        source_name=source_name,
        headers=headers,
        progress=progress,
    )


def check_default_unit(*, user: Any, code: str) -> None:
    """The import page's unit for rows without one: raises :class:`ExcelImportError`
    when ``user`` may not register persons there (audited as denied when it exists)."""
    _default_unit(user, code)


def row_label(row: Mapping[str, str]) -> str:
    """A short description of a rejected row: its name and masked ID number, if any."""
    name = row.get("姓名") or row.get("孩子姓名") or row.get("户编号") or ""
    for column in ("公民身份号码", "母亲身份证号", "户主身份证号", "妻子身份证号", "丈夫身份证号"):
        if row.get(column):
            return f"{name} {idnumber.mask(row[column])}".strip()
    return name


def _file_reader(kind: str) -> Callable[..., RegistryImportResult]:
    """:func:`import_file` of ``kind`` as an importer's ``read_file`` (the job's page)."""

    def read(*, source: Any, **options: Any) -> RegistryImportResult:
        return import_file(kind=kind, path=source, **options)

    return read


# What the import page shows and does for every kind of the registry's imports.
PAGE = {
    "group": "people",
    "back_to": (gettext_lazy("Population registry"), "people:person_list"),
    "row_label": row_label,
    "counts": (
        ("possible_duplicates", gettext_lazy("Possible duplicates")),
        ("needs_event", gettext_lazy("Need an event")),
    ),
    "result_template": "people/import_result_extra.html",
}

PERSONS_IMPORTER = Importer(
    kind="persons",
    sheet_name=PERSONS_SHEET,
    headers=PERSON_HEADERS,
    required_headers=PERSON_REQUIRED_HEADERS,
    permissions=("people.import_person", "people.add_person", "people.change_person"),
    run=_run_persons_from_command,
    description="人员",
    max_rows=PERSONS_MAX_ROWS,
    label=gettext_lazy("Persons"),
    read_file=_file_reader("persons"),
    errors=lambda result: result_error_workbook(result),
    unit_label=gettext_lazy(
        "Persons whose column 现居住单位代码 is blank are registered in this unit."
    ),
    check_unit=check_default_unit,
    template=excel.persons_template,
    template_filename="人员导入模板.xlsx",
    **PAGE,
)


# --------------------------------------------------------------------------- files


def import_file(
    *,
    kind: str,
    path: Any,
    filename: str | None = None,
    actor: Any,
    unit_code: str = "",
    dry_run: bool = False,
    valid_rows_only: bool = False,
    progress: Progress | None = None,
    on_read: Callable[[int], None] | None = None,
) -> RegistryImportResult:
    """Read an uploaded workbook of ``kind`` (persons, households, births) and import it.

    ``path`` is a path, bytes or file object; ``filename`` the name it was uploaded
    under (it must end in .xlsx). ``on_read(rows)`` is called once the sheet is read.
    Raises :class:`ExcelImportError` for a problem with the whole file.
    """
    if kind == "persons":
        sheet = read_sheet(
            path,
            filename=filename,
            sheet_name=PERSONS_SHEET,
            required_headers=PERSON_REQUIRED_HEADERS,
            max_rows=PERSONS_MAX_ROWS,
        )
        if on_read is not None:
            on_read(len(sheet.rows))
        return persons_import(
            actor=actor,
            rows=sheet.rows,
            default_unit=_default_unit(actor, unit_code),
            dry_run=dry_run,
            valid_rows_only=valid_rows_only,
            progress=progress,
            source_name=filename or "",
            headers=sheet.headers,
        )
    if kind == "births":
        sheet = read_sheet(
            path,
            filename=filename,
            sheet_name=excel.BIRTHS_SHEET,
            required_headers=excel.BIRTH_REQUIRED_HEADERS,
        )
        if on_read is not None:
            on_read(len(sheet.rows))
        return births_import(
            actor=actor,
            rows=sheet.rows,
            dry_run=dry_run,
            valid_rows_only=valid_rows_only,
            source_name=filename or "",
            headers=sheet.headers,
        )
    if kind == "households":
        return _households_file(
            path,
            filename=filename,
            actor=actor,
            dry_run=dry_run,
            valid_rows_only=valid_rows_only,
            on_read=on_read,
        )
    raise ExcelImportError(_("Unknown kind of import: %(kind)s.") % {"kind": kind})


def _sheet_heights(data: bytes) -> dict[str, int]:
    """Rows used in each sheet (0 when the workbook cannot be opened: read_sheet says why)."""
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return {name: book.get_sheet_by_name(name).height for name in book.sheet_names}
    except Exception:
        return {}


def _households_file(
    path: Any,
    *,
    filename: str | None,
    actor: Any,
    dry_run: bool,
    valid_rows_only: bool,
    on_read: Callable[[int], None] | None,
) -> RegistryImportResult:
    """The 户 and 夫妇 sheets of one workbook (either may be left without rows)."""
    if isinstance(path, bytes | bytearray):
        data = bytes(path)
    elif hasattr(path, "read"):
        path.seek(0)
        data = path.read()
    else:
        data = Path(path).read_bytes()
    heights = _sheet_heights(data)
    wanted = [
        (excel.HOUSEHOLDS_SHEET, excel.HOUSEHOLD_REQUIRED_HEADERS),
        (excel.COUPLES_SHEET, excel.COUPLE_REQUIRED_HEADERS),
    ]
    present = [(t, h) for t, h in wanted if heights.get(t, 0) > 1]
    if not present:
        # Neither sheet has rows: let read_sheet explain (not .xlsx, empty, headers …).
        present = [next(((t, h) for t, h in wanted if t in heights), wanted[0])]
    sheets = {
        title: read_sheet(data, filename=filename, sheet_name=title, required_headers=required)
        for title, required in present
    }
    if on_read is not None:
        on_read(sum(len(s.rows) for s in sheets.values()))
    house = sheets.get(excel.HOUSEHOLDS_SHEET)
    couple = sheets.get(excel.COUPLES_SHEET)
    return households_import(
        actor=actor,
        households=house.rows if house else (),
        couples=couple.rows if couple else (),
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
        source_name=filename or "",
        household_headers=house.headers if house else None,
        couple_headers=couple.headers if couple else None,
    )


def result_error_workbook(result: ImportResult) -> Workbook:
    """The rejected rows as they were, with the column 错误原因 (one sheet per sheet read)."""
    sheets = getattr(result, "error_sheets", None)
    if not sheets:
        return error_workbook(
            headers=result.headers or list(PERSON_HEADERS),
            rejected=result.rejected,
            title=PERSONS_SHEET,
        )
    workbook = None
    for title, headers, rejected in sheets:
        if not rejected:
            continue
        part = error_workbook(headers=headers, rejected=rejected, title=title)
        if workbook is None:
            workbook = part
        else:
            source = part.worksheets[0]
            target = workbook.create_sheet(title)
            for row in source.iter_rows(values_only=True):
                target.append(row)
    return workbook or error_workbook(headers=result.headers, rejected=[], title=PERSONS_SHEET)


# --------------------------------------------------------------------------- families
# Households, couples and births: small files, so every row goes through the family
# services (which check it fully) inside ONE transaction, each row in a savepoint; the
# transaction is rolled back when any row is rejected (unless valid_rows_only) or for a
# dry run. Registered persons are named by ID number; they must be in the user's scope.

_FAMILY_COLUMNS: dict[str, dict[str, str]] = {
    excel.HOUSEHOLDS_SHEET: {
        "number": excel.COL_HOUSEHOLD_NUMBER,
        "address": excel.COL_ADDRESS,
        "head": excel.COL_HEAD_ID,
        "person": excel.COL_MEMBER_ID,
        "relation": excel.COL_RELATION,
        "joined_on": excel.COL_MEMBER_ID,
    },
    excel.COUPLES_SHEET: {
        "wife": excel.COL_WIFE_ID,
        "husband": excel.COL_HUSBAND_ID,
        "married_on": excel.COL_MARRIED_ON,
        "outside_name": excel.COL_SPOUSE_NAME,
        "outside_sex": excel.COL_SPOUSE_NAME,
        "outside_id_number": excel.COL_SPOUSE_ID,
        "outside_work_unit": excel.COL_SPOUSE_WORK,
        "outside_township": excel.COL_SPOUSE_TOWNSHIP,
    },
    excel.BIRTHS_SHEET: {
        "mother": excel.COL_MOTHER_ID,
        "father": excel.COL_FATHER_ID,
        "couple": excel.COL_FATHER_ID,
        "date": excel.COL_CHILD_BIRTH,
        "sex": excel.COL_CHILD_SEX,
        "child": excel.COL_CHILD_ID,
        "child_id_number": excel.COL_CHILD_ID,
        "child_name": excel.COL_CHILD_NAME,
        "place": excel.COL_PLACE,
        "order_override": excel.COL_ORDER,
        "override_reason": excel.COL_ORDER_REASON,
        "confirm_short_interval": excel.COL_CHILD_BIRTH,
    },
}


@dataclass(eq=False)
class _FamilyRow:
    sheet: str
    number: int
    raw: dict[str, str]
    reasons: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)  # column → normalised ID number
    outcome: str = ""  # "created" or "unchanged" once written
    # Parsed values of the sheet's own columns.
    relation: str = ""
    married_on: datetime.date | None = None
    birth_date: datetime.date | None = None
    sex: str | None = None
    order: int | None = None

    @property
    def rejected(self) -> bool:
        return bool(self.reasons)

    def reject(self, column: str, message: Any) -> None:
        self.reasons.append(_reason(column, message))

    def value(self, column: str) -> str:
        return cell(self.raw, column)

    def date(self, column: str, *, required: bool = False) -> datetime.date | None:
        try:
            value = parse_date(self.value(column))
        except DateError as exc:
            self.reject(column, exc.args[0])
            return None
        if value is None and required:
            self.reject(column, _("The date is required."))
        return value

    def absorb(self, exc: Exception) -> None:
        """A service's ValidationError/PermissionDenied as reasons naming the column."""
        columns = _FAMILY_COLUMNS.get(self.sheet, {})
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.reject(columns.get(name, self.sheet), message)
        elif isinstance(exc, ValidationError):
            self.reasons.extend(exc.messages)
        else:
            self.reasons.append(str(exc) or _("Permission denied."))


def _family_rows(sheet: str, rows: Iterable[Any]) -> list[_FamilyRow]:
    result = []
    for row in _as_sheet_rows(rows):
        values = {k: ("" if v is None else str(v).strip()) for k, v in row.values.items()}
        result.append(_FamilyRow(sheet=sheet, number=row.number, raw=values))
    return result


def _resolve_persons(
    rows: list[_FamilyRow], columns: dict[str, bool], *, actor: Any
) -> dict[str, Person]:
    """Parse the ID columns (``{column: required}``) and find the registered persons.

    Returns persons by normalised ID number; rows with a bad, unknown or out-of-scope
    number are rejected (columns whose value is False may name an unregistered person).
    """
    hashes: dict[str, str] = {}
    for r in rows:
        for column in columns:
            text = r.value(column)
            if not text:
                continue
            try:
                info = idnumber.parse(text)
            except ValidationError as exc:
                r.reject(column, " ".join(exc.messages))
                continue
            r.ids[column] = info.number
            hashes[info.number] = crypto.lookup_hash(info.number)
    found: dict[str, Person] = {}
    by_hash = {h: n for n, h in hashes.items()}
    for chunk in _chunks(sorted(by_hash), LOOKUP_CHUNK):
        for person in Person.objects.filter(id_hash__in=chunk).select_related("unit"):
            found[by_hash[person.id_hash]] = person
    denied: set[int] = set()
    for r in rows:
        for column, number in list(r.ids.items()):
            person = found.get(number)
            if person is None:
                if columns[column]:
                    r.reject(
                        column,
                        _("No person with the ID number %(number)s is registered.")
                        % {"number": idnumber.mask(number)},
                    )
                continue
            if not _can_write(actor, person.unit.path):
                if person.pk not in denied:
                    denied.add(person.pk)
                    _deny(actor, person, _("Import naming a person outside the user's data scope."))
                r.reject(
                    column,
                    _(
                        "A person with this ID number is registered in a unit outside your "
                        "data scope."
                    ),
                )
    return found


class _Rollback(Exception):
    """Raised at the end of the write transaction to undo it (dry run or rejections)."""


def _run_family(
    rows: list[_FamilyRow],
    write: Callable[[_FamilyRow], str],
    *,
    actor: Any,
    dry_run: bool,
    valid_rows_only: bool,
    result: RegistryImportResult,
    kind: str,
    source_name: str,
) -> None:
    """Write each valid row in a savepoint; keep it all, or roll it all back."""
    result.total, result.valid_rows_only = len(rows), valid_rows_only
    try:
        with transaction.atomic():
            for r in rows:
                if r.rejected:
                    continue
                try:
                    with transaction.atomic():
                        r.outcome = write(r)
                except (ValidationError, PermissionDenied) as exc:
                    r.absorb(exc)
            any_rejected = any(r.rejected for r in rows)
            if not (any_rejected and not valid_rows_only):
                done = [r for r in rows if not r.rejected]
                result.created = sum(r.outcome == "created" for r in done)
                result.unchanged = sum(r.outcome != "created" for r in done)
            if dry_run or (any_rejected and not valid_rows_only) or not result.created:
                raise _Rollback
            result.written = True
            audit.record(
                actor=actor,
                action=AuditAction.IMPORT,
                object_type=f"people.{kind}",
                object_repr=source_name or kind,
                changes={"file": source_name, **result.as_dict()},
                message=_(
                    "%(kind)s imported from %(file)s: %(created)d created, %(unchanged)d "
                    "unchanged, %(rejected)d rejected."
                )
                % {
                    "kind": kind,
                    "file": source_name or kind,
                    "created": result.created,
                    "unchanged": result.unchanged,
                    "rejected": sum(r.rejected for r in rows),
                },
            )
    except _Rollback:
        pass


def _finish(result: RegistryImportResult, sheets: list[tuple[str, list[str], list[_FamilyRow]]]):
    result.error_sheets = []
    for title, headers, rows in sheets:
        rejected = [RejectedRow(r.number, r.raw, list(r.reasons)) for r in rows if r.rejected]
        result.rejected.extend(rejected)
        result.error_sheets.append((title, headers, rejected))
    return result


def households_import(
    *,
    actor: Any,
    households: Iterable[Any] = (),
    couples: Iterable[Any] = (),
    dry_run: bool = False,
    valid_rows_only: bool = False,
    source_name: str = "",
    household_headers: Iterable[str] | None = None,
    couple_headers: Iterable[str] | None = None,
) -> RegistryImportResult:
    """Import households (sheet 户: one member per row) and couples (sheet 夫妇).

    A household is found by its number in the head's unit (created when missing, with
    the head as first member); a member already in it is unchanged. A couple already
    recorded (same spouses and date) is unchanged. When the registered spouses are
    married in the registry already, no MARRIAGE event is recorded (the marriage is
    only linked); otherwise the service records it (it must follow their registration).
    """
    from jisheng.people import family
    from jisheng.people.choices import MARRIED_STATUSES, HouseholdRelation
    from jisheng.people.models import Couple, Household, HouseholdMember

    result = RegistryImportResult(dry_run=dry_run)
    house_rows = _family_rows(excel.HOUSEHOLDS_SHEET, households)
    couple_rows = _family_rows(excel.COUPLES_SHEET, couples)
    persons = _resolve_persons(
        house_rows, {excel.COL_HEAD_ID: True, excel.COL_MEMBER_ID: True}, actor=actor
    )
    persons.update(
        _resolve_persons(
            couple_rows,
            {excel.COL_WIFE_ID: True, excel.COL_HUSBAND_ID: True, excel.COL_SPOUSE_ID: False},
            actor=actor,
        )
    )
    for r in house_rows:
        if not r.value(excel.COL_HOUSEHOLD_NUMBER):
            r.reject(excel.COL_HOUSEHOLD_NUMBER, _("The household number is required."))
        if not r.value(excel.COL_HEAD_ID):
            r.reject(excel.COL_HEAD_ID, _("The ID number of the head of household is required."))
        member = r.ids.get(excel.COL_MEMBER_ID)
        if member and member != r.ids.get(excel.COL_HEAD_ID):
            text = r.value(excel.COL_RELATION)
            r.relation = choice_from_text(text, excel.RELATION_TABLE) or ""
            if not r.relation or r.relation == HouseholdRelation.HEAD:
                r.reject(
                    excel.COL_RELATION,
                    unknown_choice(
                        text, {k: v for k, v in excel.RELATION_LABELS_ZH.items() if k != "head"}
                    )
                    if text
                    else _("Give the member's relation to the head of household."),
                )
    for r in couple_rows:
        r.married_on = r.date(excel.COL_MARRIED_ON, required=True)
        if not r.value(excel.COL_WIFE_ID) and not r.value(excel.COL_HUSBAND_ID):
            r.reject(excel.COL_WIFE_ID, _("Give the wife's or the husband's ID number."))
        spouse_id = r.ids.get(excel.COL_SPOUSE_ID)
        if spouse_id and spouse_id in persons:
            r.reject(
                excel.COL_SPOUSE_ID,
                _(
                    "This spouse is registered: put the ID number in the husband's or the "
                    "wife's column."
                ),
            )

    def fresh(number: str | None) -> Person | None:
        if not number or number not in persons:
            return None
        return Person.objects.select_related("unit").get(pk=persons[number].pk)

    def write_household(r: _FamilyRow) -> str:
        head = fresh(r.ids[excel.COL_HEAD_ID])
        number = r.value(excel.COL_HOUSEHOLD_NUMBER)
        household = Household.objects.filter(unit=head.unit, number=number).first()
        outcome = "unchanged"
        if household is None:
            household = family.household_create(
                actor=actor,
                unit=head.unit,
                number=number,
                address=r.value(excel.COL_ADDRESS),
                head=head,
            )
            outcome = "created"
        elif household.head_id != head.pk:
            raise ValidationError(
                {
                    "head": _("Household %(number)s of %(unit)s has another head.")
                    % {"number": number, "unit": head.unit.name}
                }
            )
        member = fresh(r.ids.get(excel.COL_MEMBER_ID))
        if member is None or member.pk == head.pk:
            return outcome
        if HouseholdMember.objects.filter(
            household=household, person=member, left_on__isnull=True
        ).exists():
            return outcome
        family.household_add_member(
            actor=actor, household=household, person=member, relation=r.relation
        )
        return "created"

    def write_couple(r: _FamilyRow) -> str:
        wife = fresh(r.ids.get(excel.COL_WIFE_ID))
        husband = fresh(r.ids.get(excel.COL_HUSBAND_ID))
        outside = None
        same = Couple.objects.filter(married_on=r.married_on, wife=wife, husband=husband)
        if wife is None or husband is None:
            outside = {
                "name": r.value(excel.COL_SPOUSE_NAME),
                "id_number": r.value(excel.COL_SPOUSE_ID),
                "work_unit": r.value(excel.COL_SPOUSE_WORK),
                "township": r.value(excel.COL_SPOUSE_TOWNSHIP),
            }
            same = same.filter(outside_name=outside["name"])
        if same.exists():
            return "unchanged"
        spouses = [p for p in (wife, husband) if p is not None]
        married = [p for p in spouses if p.marital_status in MARRIED_STATUSES]
        if married and len(married) != len(spouses):
            raise ValidationError(
                _(
                    "%(married)s is registered as married and %(single)s is not; correct the "
                    "marital status first."
                )
                % {"married": married[0].name, "single": (set(spouses) - set(married)).pop().name}
            )
        family.couple_create(
            actor=actor,
            married_on=r.married_on,
            wife=wife,
            husband=husband,
            outside=outside,
            record_events=not married,
        )
        return "created"

    def write(r: _FamilyRow) -> str:
        return write_household(r) if r.sheet == excel.HOUSEHOLDS_SHEET else write_couple(r)

    _run_family(
        house_rows + couple_rows,
        write,
        actor=actor,
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
        result=result,
        kind="household",
        source_name=source_name,
    )
    result.headers = list(household_headers or excel.HOUSEHOLD_HEADERS)
    return _finish(
        result,
        [
            (excel.HOUSEHOLDS_SHEET, result.headers, house_rows),
            (excel.COUPLES_SHEET, list(couple_headers or excel.COUPLE_HEADERS), couple_rows),
        ],
    )


def births_import(
    *,
    actor: Any,
    rows: Iterable[Any],
    dry_run: bool = False,
    valid_rows_only: bool = False,
    source_name: str = "",
    headers: Iterable[str] | None = None,
) -> RegistryImportResult:
    """Import births (sheet 出生) through :func:`jisheng.people.family.birth_record`.

    A birth already recorded (same mother, date, sex and child's name) is unchanged. A
    child whose ID number is registered is linked; otherwise the child is registered
    (with that ID number, or as a newborn without one). The birth order is computed;
    孩次 overrides it and needs 更正原因.
    """
    from jisheng.people import family
    from jisheng.people.models import Birth

    result = RegistryImportResult(dry_run=dry_run)
    birth_rows = _family_rows(excel.BIRTHS_SHEET, rows)
    persons = _resolve_persons(
        birth_rows,
        {excel.COL_MOTHER_ID: True, excel.COL_FATHER_ID: True, excel.COL_CHILD_ID: False},
        actor=actor,
    )
    for r in birth_rows:
        if not r.value(excel.COL_MOTHER_ID):
            r.reject(excel.COL_MOTHER_ID, _("The mother's ID number is required."))
        r.birth_date = r.date(excel.COL_CHILD_BIRTH, required=True)
        text = r.value(excel.COL_CHILD_SEX)
        r.sex = choice_from_text(text, SEX_TABLE)
        if r.sex is None:
            r.reject(
                excel.COL_CHILD_SEX,
                unknown_choice(text, SEX_LABELS_ZH) if text else _("The sex is required."),
            )
        order_text = r.value(excel.COL_ORDER)
        if order_text:
            if order_text.isdigit() and 1 <= int(order_text) <= 20:
                r.order = int(order_text)
            else:
                r.reject(excel.COL_ORDER, _("Write the birth order as a number (1, 2, 3 …)."))

    def write(r: _FamilyRow) -> str:
        mother = Person.objects.select_related("unit").get(
            pk=persons[r.ids[excel.COL_MOTHER_ID]].pk
        )
        father_number = r.ids.get(excel.COL_FATHER_ID)
        father = persons.get(father_number) if father_number else None
        child_number = r.ids.get(excel.COL_CHILD_ID, "")
        child = persons.get(child_number) if child_number else None
        child_name = r.value(excel.COL_CHILD_NAME) or (child.name if child else "")
        if Birth.objects.filter(
            mother=mother, date=r.birth_date, sex=r.sex, child_name=child_name
        ).exists():
            return "unchanged"
        family.birth_record(
            actor=actor,
            mother=mother,
            date=r.birth_date,
            sex=r.sex,
            father=Person.objects.get(pk=father.pk) if father else None,
            child=Person.objects.get(pk=child.pk) if child else None,
            child_name=child_name,
            place=r.value(excel.COL_PLACE),
            register_child=child is None,
            child_id_number="" if child else child_number,
            order_override=r.order,
            override_reason=r.value(excel.COL_ORDER_REASON),
            late_reason=r.value(excel.COL_LATE_REASON),
        )
        return "created"

    _run_family(
        birth_rows,
        write,
        actor=actor,
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
        result=result,
        kind="birth",
        source_name=source_name,
    )
    result.headers = list(headers or excel.BIRTH_HEADERS)
    return _finish(result, [(excel.BIRTHS_SHEET, result.headers, birth_rows)])


# --------------------------------------------------------------------------- commands


def _no_unit(unit_code: str | None) -> None:
    if unit_code:
        raise ExcelImportError(_("--unit is used by the persons import only."))


def _run_households_from_command(*, actor, rows, dry_run, valid_rows_only, unit_code, **extra):
    _no_unit(unit_code)
    return households_import(
        actor=actor,
        households=rows,
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
        source_name=extra.get("source_name", ""),
        household_headers=extra.get("headers"),
    )


def _run_couples_from_command(*, actor, rows, dry_run, valid_rows_only, unit_code, **extra):
    _no_unit(unit_code)
    return households_import(
        actor=actor,
        couples=rows,
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
        source_name=extra.get("source_name", ""),
        couple_headers=extra.get("headers"),
    )


def _run_births_from_command(*, actor, rows, dry_run, valid_rows_only, unit_code, **extra):
    _no_unit(unit_code)
    return births_import(
        actor=actor,
        rows=rows,
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
        source_name=extra.get("source_name", ""),
        headers=extra.get("headers"),
    )


HOUSEHOLDS_IMPORTER = Importer(
    kind="households",
    sheet_name=excel.HOUSEHOLDS_SHEET,
    headers=excel.HOUSEHOLD_HEADERS,
    required_headers=excel.HOUSEHOLD_REQUIRED_HEADERS,
    permissions=("people.import_person", "people.add_household", "people.add_couple"),
    run=_run_households_from_command,
    description="户",
    label=gettext_lazy("Households and couples"),
    read_file=_file_reader("households"),
    errors=result_error_workbook,
    template=excel.households_template,
    template_filename="户与夫妇导入模板.xlsx",
    sheets=(
        (excel.HOUSEHOLDS_SHEET, excel.HOUSEHOLD_HEADERS, excel.HOUSEHOLD_REQUIRED_HEADERS),
        (excel.COUPLES_SHEET, excel.COUPLE_HEADERS, excel.COUPLE_REQUIRED_HEADERS),
    ),
    **PAGE,
)
COUPLES_IMPORTER = Importer(
    kind="couples",
    sheet_name=excel.COUPLES_SHEET,
    headers=excel.COUPLE_HEADERS,
    required_headers=excel.COUPLE_REQUIRED_HEADERS,
    permissions=("people.import_person", "people.add_couple"),
    run=_run_couples_from_command,
    description="夫妇",
    label=gettext_lazy("Couples"),
    errors=result_error_workbook,
    template=excel.households_template,
    template_filename="户与夫妇导入模板.xlsx",
    **PAGE,
)
BIRTHS_IMPORTER = Importer(
    kind="births",
    sheet_name=excel.BIRTHS_SHEET,
    headers=excel.BIRTH_HEADERS,
    required_headers=excel.BIRTH_REQUIRED_HEADERS,
    permissions=("people.import_person", "people.add_birth"),
    run=_run_births_from_command,
    description="出生",
    label=gettext_lazy("Births"),
    read_file=_file_reader("births"),
    errors=result_error_workbook,
    template=excel.births_template,
    template_filename="出生导入模板.xlsx",
    **PAGE,
)
# Registered by PeopleConfig.ready() (jisheng.core.registry).
IMPORTERS = (PERSONS_IMPORTER, HOUSEHOLDS_IMPORTER, COUPLES_IMPORTER, BIRTHS_IMPORTER)
