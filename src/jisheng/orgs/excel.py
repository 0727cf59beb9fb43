"""Excel import and export of the organisation tree (sheet ``组织机构``).

Columns (fixed Chinese headers, the file format): 单位代码, 单位名称, 单位类型 (Chinese
label such as 乡镇 or 村, or the English code), 上级单位代码, 地址, 电话, 备注, 是否启用.

:func:`units_import` checks every row before anything is written: by default a single
rejected row means nothing is written at all; ``valid_rows_only`` writes the valid rows
(and the rows that depend only on valid rows). Writes go through
:func:`jisheng.orgs.services.unit_create` / :func:`~jisheng.orgs.services.unit_update`,
each audited, plus one ``import`` summary event. :func:`units_export` writes the same
columns, so an export imports back as "unchanged".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import (
    FALSE_TEXT,
    REASON_HEADER,
    TRUE_TEXT,
    ExcelImportError,
    Importer,
    ImportResult,
    RejectedRow,
    SheetData,
    SheetRow,
    add_sheet,
    error_workbook,
    read_sheet,
    write_workbook,
)
from jisheng.core.scope import path_in_scope, record_denied
from jisheng.orgs import selectors, services
from jisheng.orgs.choices import TERRITORIAL_CODE_DIGITS, UnitType
from jisheng.orgs.models import Unit
from jisheng.orgs.validators import validate_unit_code

__all__ = [
    "HEADERS",
    "SHEET_TITLE",
    "UNITS_IMPORTER",
    "UNIT_TYPE_LABELS_ZH",
    "ImportResult",
    "read_units_file",
    "unit_type_from_text",
    "units_error_workbook",
    "units_export",
    "units_import",
    "units_template",
]

SHEET_TITLE = "组织机构"
NOTES_SHEET_TITLE = "说明"

COL_CODE = "单位代码"
COL_NAME = "单位名称"
COL_TYPE = "单位类型"
COL_PARENT = "上级单位代码"
COL_ADDRESS = "地址"
COL_PHONE = "电话"
COL_NOTES = "备注"
COL_ACTIVE = "是否启用"

HEADERS: tuple[str, ...] = (
    COL_CODE,
    COL_NAME,
    COL_TYPE,
    COL_PARENT,
    COL_ADDRESS,
    COL_PHONE,
    COL_NOTES,
    COL_ACTIVE,
)
REQUIRED_HEADERS: tuple[str, ...] = (COL_CODE, COL_NAME, COL_TYPE, COL_PARENT)
# Optional columns: when the column is absent, an update leaves the field alone.
OPTIONAL_COLUMNS: dict[str, str] = {
    COL_ADDRESS: "address",
    COL_PHONE: "phone",
    COL_NOTES: "notes",
    COL_ACTIVE: "is_active",
}
COLUMN_FIELDS: dict[str, str] = {COL_CODE: "code", COL_NAME: "name", **OPTIONAL_COLUMNS}

# The Chinese names of the unit types in the file. Kept here explicitly (not only in the
# translation catalog) because they are part of the file format: an export always writes
# these, and an import accepts them whatever the interface language.
UNIT_TYPE_LABELS_ZH: dict[str, str] = {
    UnitType.COUNTY: "县/区",
    UnitType.TOWNSHIP: "乡镇",
    UnitType.STREET: "街道",
    UnitType.VILLAGE: "村",
    UnitType.COMMUNITY: "社区",
    UnitType.GROUP: "协会小组",
    UnitType.ENTERPRISE: "企业",
    UnitType.SCHOOL: "学校",
    UnitType.HOSPITAL: "医院",
    UnitType.AGENCY: "机关",
    UnitType.BRANCH: "分支机构",
    UnitType.SECTION: "科室/班组",
}
UNIT_TYPE_ALIASES: dict[str, str] = {
    "县": UnitType.COUNTY,
    "区": UnitType.COUNTY,
    "县区": UnitType.COUNTY,
    "乡": UnitType.TOWNSHIP,
    "镇": UnitType.TOWNSHIP,
    "科室": UnitType.SECTION,
    "班组": UnitType.SECTION,
}
TRUE_WORDS = {TRUE_TEXT, "启用", "y", "yes", "true", "t", "1", "√"}
FALSE_WORDS = {FALSE_TEXT, "停用", "禁用", "n", "no", "false", "f", "0", "×"}


def _normalise_label(text: str) -> str:
    return "".join(text.split()).replace("／", "/").replace("、", "/").lower()


def _unit_type_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, label in UnitType.choices:
        table[_normalise_label(code)] = code
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                table.setdefault(_normalise_label(str(label)), code)
    for code, label in UNIT_TYPE_LABELS_ZH.items():
        table[_normalise_label(label)] = code
    for alias, code in UNIT_TYPE_ALIASES.items():
        table.setdefault(_normalise_label(alias), code)
    return table


def unit_type_from_text(text: str, lookup: Mapping[str, str] | None = None) -> str | None:
    """The UnitType code for a Chinese label (乡镇), an English code/label, or None."""
    if not text:
        return None
    return (lookup or _unit_type_lookup()).get(_normalise_label(text))


def unit_type_label_zh(code: str) -> str:
    return UNIT_TYPE_LABELS_ZH.get(code, code)


def _active_from_text(text: str) -> bool | None:
    value = text.strip().lower()
    if not value:
        return True
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    return None


def _reason(column: str, message: Any) -> str:
    return _("%(column)s: %(message)s") % {"column": column, "message": message}


def _error_messages(exc: Exception) -> list[str]:
    """``ValidationError``/``PermissionDenied`` as row reasons naming the column."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        columns = {v: k for k, v in COLUMN_FIELDS.items()} | {
            "unit_type": COL_TYPE,
            "parent": COL_PARENT,
        }
        reasons = []
        for field_name, errors in exc.message_dict.items():
            column = columns.get(field_name, field_name)
            reasons.extend(_reason(column, message) for message in errors)
        return reasons
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc) or _("Permission denied.")]


def _can_write(actor: Any, path: str) -> bool:
    """The system (``actor=None``) may write anywhere; users inside their subtree."""
    return actor is None or path_in_scope(path, actor)


# --------------------------------------------------------------------------- reading


def read_units_file(source: Any, *, filename: str | None = None) -> SheetData:
    """Read the 组织机构 sheet of an uploaded workbook (``ExcelImportError`` on bad files)."""
    return read_sheet(
        source, filename=filename, sheet_name=SHEET_TITLE, required_headers=REQUIRED_HEADERS
    )


# --------------------------------------------------------------------------- import


@dataclass(eq=False)
class _Row:
    number: int
    raw: dict[str, str]
    code: str
    name: str
    unit_type: str | None
    parent_code: str
    data: dict[str, Any]
    reasons: list[str] = field(default_factory=list)
    existing: Unit | None = None
    parent_row: _Row | None = None
    parent_unit: Unit | None = None  # a parent from the database (or the default parent)
    changes: dict[str, Any] = field(default_factory=dict)

    @property
    def rejected(self) -> bool:
        return bool(self.reasons)

    def reject(self, column: str, message: Any) -> None:
        self.reasons.append(_reason(column, message))


def _as_sheet_rows(rows: Iterable[Any]) -> list[SheetRow]:
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


def _parse(row: SheetRow, lookup: Mapping[str, str]) -> _Row:
    values = {k: ("" if v is None else str(v).strip()) for k, v in row.values.items()}
    parsed = _Row(
        number=row.number,
        raw=values,
        code=values.get(COL_CODE, ""),
        name=values.get(COL_NAME, ""),
        unit_type=None,
        parent_code=values.get(COL_PARENT, ""),
        data={},
    )
    if not parsed.code:
        parsed.reject(COL_CODE, _("The code is required."))
    if not parsed.name:
        parsed.reject(COL_NAME, _("The name is required."))
    type_text = values.get(COL_TYPE, "")
    if not type_text:
        parsed.reject(COL_TYPE, _("The unit type is required."))
    else:
        parsed.unit_type = unit_type_from_text(type_text, lookup)
        if parsed.unit_type is None:
            parsed.reject(
                COL_TYPE,
                _("Unknown unit type %(value)s; use one of: %(types)s.")
                % {"value": type_text, "types": "、".join(UNIT_TYPE_LABELS_ZH.values())},
            )
    for column in (COL_CODE, COL_NAME, COL_ADDRESS, COL_PHONE):
        limit = Unit._meta.get_field(COLUMN_FIELDS[column]).max_length
        length = len(values.get(column, ""))
        if limit and length > limit:
            parsed.reject(
                column,
                _("At most %(max)d characters are allowed; this value has %(n)d.")
                % {"max": limit, "n": length},
            )
    parsed.data = {"name": parsed.name, "unit_type": parsed.unit_type}
    for column, field_name in OPTIONAL_COLUMNS.items():
        if column not in values:
            continue
        if field_name == "is_active":
            active = _active_from_text(values[column])
            if active is None:
                parsed.reject(
                    column,
                    _("Write %(yes)s or %(no)s, not %(value)s.")
                    % {"yes": TRUE_TEXT, "no": FALSE_TEXT, "value": values[column]},
                )
            parsed.data[field_name] = bool(active) if active is not None else True
        else:
            parsed.data[field_name] = values[column]
    return parsed


def _load_units(codes: set[str]) -> dict[str, Unit]:
    found: dict[str, Unit] = {}
    codes_list = sorted(c for c in codes if c)
    for start in range(0, len(codes_list), 500):
        for unit in Unit.objects.filter(code__in=codes_list[start : start + 500]):
            found[unit.code] = unit
    return found


def _load_parent_codes(units: Iterable[Unit]) -> dict[str, str]:
    """Current parent code of each existing unit, by the unit's path."""
    units = list(units)
    parent_paths = {u.path[: -Unit.steplen] for u in units if u.depth > 1}
    by_path: dict[str, str] = {}
    paths = sorted(parent_paths)
    for start in range(0, len(paths), 500):
        for path, code in Unit.objects.filter(path__in=paths[start : start + 500]).values_list(
            "path", "code"
        ):
            by_path[path] = code
    return {u.path: by_path.get(u.path[: -Unit.steplen], "") if u.depth > 1 else "" for u in units}


def _differs(current: Any, wanted: Any) -> bool:
    if isinstance(wanted, str) or wanted is None:
        return (current or "").strip() != (wanted or "").strip()
    return current != wanted


class _Abort(Exception):
    """Raised inside the write transaction to undo everything."""


def units_import(
    *,
    actor: Any,
    rows: Iterable[Any],
    dry_run: bool = False,
    valid_rows_only: bool = False,
    default_parent: Unit | None = None,
    source_name: str = "",
    headers: Iterable[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ImportResult:
    """Import organisation units from sheet rows (:class:`SheetRow`, ``(number, dict)``
    or dicts keyed by the Chinese headers).

    Every row is checked before anything is written. A row whose code exists updates that
    unit (only the changed fields); parents may come before or after their children in
    the file or already exist. ``default_parent`` is the parent of rows with a blank
    parent code (otherwise a blank parent means a top-level unit: superusers only).
    ``actor=None`` is the system (no scope limit). ``progress(done, total, phase)`` is
    told of the rows read (phase ``"check"``) and of the start of the writes
    (``"save"``), for the import job's progress bar. Returns an :class:`ImportResult`;
    rejected rows carry their reasons.
    """
    sheet_rows = _as_sheet_rows(rows)
    result = ImportResult(dry_run=dry_run, headers=list(headers or HEADERS))
    if default_parent is not None and not _can_write(actor, default_parent.path):
        audit.record(
            actor=actor,
            action=AuditAction.DENIED,
            obj=default_parent,
            message=_("Import below a unit outside the user's data scope."),
        )
        raise PermissionDenied(_("This unit is outside your data scope."))

    lookup = _unit_type_lookup()
    total = len(sheet_rows)
    parsed = []
    for done, row in enumerate(sheet_rows, start=1):
        parsed.append(_parse(row, lookup))
        if progress is not None:
            progress(done, total, "check")
    order = _check(parsed, actor=actor, default_parent=default_parent)

    valid = [r for r in order if not r.rejected]
    any_rejected = len(valid) < len(parsed)
    if dry_run or (any_rejected and not valid_rows_only):
        if not any_rejected or valid_rows_only:
            for r in valid:
                if r.existing is None:
                    result.created += 1
                elif r.changes:
                    result.updated += 1
                else:
                    result.unchanged += 1
    elif valid:
        if progress is not None:
            progress(0, total, "save")
        try:
            with transaction.atomic():
                _write(order, actor=actor, valid_rows_only=valid_rows_only, result=result)
                result.written = True
                summary = {**result.as_dict(), "rejected": sum(r.rejected for r in parsed)}
                audit.record(
                    actor=actor,
                    action=AuditAction.IMPORT,
                    obj=default_parent,
                    object_type="orgs.unit",
                    object_repr=source_name or SHEET_TITLE,
                    changes={"file": source_name, **summary},
                    message=_(
                        "Organisation units imported from %(file)s: %(created)d created, "
                        "%(updated)d updated, %(unchanged)d unchanged, %(rejected)d rejected."
                    )
                    % {"file": source_name or SHEET_TITLE, **summary},
                )
        except _Abort:
            result.created = result.updated = result.unchanged = 0
            result.written = False

    result.rejected = [
        RejectedRow(r.number, r.raw, list(r.reasons))
        for r in sorted(parsed, key=lambda r: r.number)
        if r.rejected
    ]
    return result


def _check(parsed: list[_Row], *, actor: Any, default_parent: Unit | None) -> list[_Row]:
    """Check every row; returns the rows with parents before children."""
    # Duplicate codes inside the file: every occurrence is rejected.
    rows_by_code: dict[str, list[_Row]] = {}
    for r in parsed:
        if r.code:
            rows_by_code.setdefault(r.code, []).append(r)
    duplicates = {code for code, rows in rows_by_code.items() if len(rows) > 1}
    for code in duplicates:
        numbers = ", ".join(str(r.number) for r in rows_by_code[code])
        for r in rows_by_code[code]:
            r.reject(
                COL_CODE,
                _("The code %(code)s appears more than once in the file (rows %(rows)s).")
                % {"code": code, "rows": numbers},
            )
    by_code = {code: rows[0] for code, rows in rows_by_code.items() if code not in duplicates}

    db_units = _load_units({r.code for r in parsed} | {r.parent_code for r in parsed})
    current_parent = _load_parent_codes(db_units[r.code] for r in parsed if r.code in db_units)
    denied: set[int] = set()

    def deny(unit: Unit, message: str) -> None:
        if unit.pk not in denied and actor is not None:
            denied.add(unit.pk)
            audit.record(actor=actor, action=AuditAction.DENIED, obj=unit, message=message)

    # Existing units and parents.
    for r in parsed:
        if r.code and r.code in db_units and r.code not in duplicates:
            r.existing = db_units[r.code]
        if not r.parent_code:
            r.parent_unit = default_parent
        elif r.code and r.parent_code == r.code:
            r.reject(COL_PARENT, _("A unit cannot be its own parent."))
        elif r.parent_code in by_code:
            r.parent_row = by_code[r.parent_code]
        elif r.parent_code in duplicates:
            r.reject(COL_PARENT, _("Parent unit %(code)s was rejected.") % {"code": r.parent_code})
        elif r.parent_code in db_units:
            r.parent_unit = db_units[r.parent_code]
        else:
            r.reject(
                COL_PARENT,
                _("Parent unit %(code)s was found neither in the file nor within your data scope.")
                % {"code": r.parent_code},
            )

    _reject_cycles(parsed)
    order = _topological(parsed)

    for r in order:
        parent_code, parent_type = "", ""
        if r.parent_row is not None:
            if r.parent_row.rejected:
                r.reject(
                    COL_PARENT,
                    _("Parent unit %(code)s was rejected.") % {"code": r.parent_row.code},
                )
            parent_code, parent_type = r.parent_row.code, r.parent_row.unit_type or ""
        elif r.parent_unit is not None:
            parent_code, parent_type = r.parent_unit.code, r.parent_unit.unit_type

        if r.existing is not None:
            _check_existing(
                r,
                actor=actor,
                default_parent=default_parent,
                current_parent=current_parent,
                deny=deny,
                by_code=by_code,
            )
        else:
            _check_new(r, actor=actor, deny=deny)

        if r.code and r.unit_type:
            try:
                validate_unit_code(r.code, r.unit_type, parent_code, parent_type)
            except ValidationError as exc:
                for message in exc.message_dict.get("code", exc.messages):
                    r.reject(COL_CODE, message)
    return order


def _check_existing(
    r: _Row,
    *,
    actor: Any,
    default_parent: Unit | None,
    current_parent: dict[str, str],
    deny: Any,
    by_code: dict[str, _Row],
) -> None:
    unit = r.existing
    assert unit is not None
    if not _can_write(actor, unit.path):
        deny(unit, _("Import of a unit outside the user's data scope."))
        r.reject(
            COL_CODE,
            _("Unit %(code)s exists outside your data scope and cannot be changed.")
            % {"code": r.code},
        )
        return
    now_under = current_parent.get(unit.path, "")
    wanted = r.parent_code or (default_parent.code if default_parent is not None else None)
    if wanted is not None and wanted != now_under:
        r.reject(
            COL_PARENT,
            _(
                "Unit %(code)s is under %(current)s, not %(wanted)s; an import does not move "
                "units (move it on the unit's page)."
            )
            % {"code": r.code, "current": now_under or _("(top level)"), "wanted": wanted},
        )
    r.changes = {
        name: value
        for name, value in r.data.items()
        if value is not None and _differs(getattr(unit, name), value)
    }
    new_type = r.changes.get("unit_type")
    if new_type:
        children = Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1)
        for child in children:
            child_row = by_code.get(child.code)
            child_type = (
                child_row.unit_type if child_row and child_row.unit_type else child.unit_type
            )
            try:
                validate_unit_code(child.code, child_type, unit.code, new_type)
            except ValidationError as exc:
                r.reject(
                    COL_TYPE,
                    _("Sub-unit %(child)s (%(code)s) would no longer fit: %(error)s")
                    % {"child": child.name, "code": child.code, "error": "; ".join(exc.messages)},
                )


def _check_new(r: _Row, *, actor: Any, deny: Any) -> None:
    if r.parent_row is not None:
        return  # its parent row is checked (scope included) on its own
    if r.parent_unit is not None:
        if not _can_write(actor, r.parent_unit.path):
            deny(r.parent_unit, _("Import below a unit outside the user's data scope."))
            r.reject(
                COL_PARENT,
                _("Parent unit %(code)s was found neither in the file nor within your data scope.")
                % {"code": r.parent_unit.code},
            )
        return
    if r.parent_code:
        return  # already rejected: parent not found
    if actor is not None and not getattr(actor, "is_superuser", False):
        r.reject(
            COL_PARENT,
            _("The parent code is required; only a superuser may import a top-level unit."),
        )


def _reject_cycles(parsed: list[_Row]) -> None:
    """Reject the rows of every parent cycle inside the file and cut the cycle."""
    state: dict[int, int] = {}  # id(row) → 1 visiting, 2 done
    for start in parsed:
        if state.get(id(start)):
            continue
        chain: list[_Row] = []
        node: _Row | None = start
        while node is not None and not state.get(id(node)):
            state[id(node)] = 1
            chain.append(node)
            node = node.parent_row
        if node is not None and state.get(id(node)) == 1:
            cycle = chain[chain.index(node) :]
            text = " → ".join(r.code for r in [*cycle, node])
            for r in cycle:
                r.reject(COL_PARENT, _("Circular parent chain: %(chain)s.") % {"chain": text})
            for r in cycle:
                r.parent_row = None
        for r in chain:
            state[id(r)] = 2


def _topological(parsed: list[_Row]) -> list[_Row]:
    """Rows with every parent row before its children: by depth in the file, then by code.

    Siblings in code order make each insert the last of its siblings (the tree is
    sorted by code), so existing siblings do not have to be renumbered one by one.
    """
    depth: dict[int, int] = {}
    for start in parsed:
        chain = []
        node: _Row | None = start
        while node is not None and id(node) not in depth:
            chain.append(node)
            node = node.parent_row
        level = depth[id(node)] if node is not None else -1
        for r in reversed(chain):
            level += 1
            depth[id(r)] = level
    return sorted(parsed, key=lambda r: (depth[id(r)], r.code, r.number))


def _write(order: list[_Row], *, actor: Any, valid_rows_only: bool, result: ImportResult) -> None:
    written: dict[str, Unit] = {}
    for r in order:
        if r.rejected:
            continue
        if r.parent_row is not None and r.parent_row.code not in written:
            # Only when the parent failed while writing (valid_rows_only).
            r.reject(
                COL_PARENT, _("Parent unit %(code)s was rejected.") % {"code": r.parent_row.code}
            )
            continue
        try:
            with transaction.atomic():
                written[r.code] = _write_row(r, actor=actor, written=written, result=result)
        except (ValidationError, PermissionDenied) as exc:
            r.reasons.extend(_error_messages(exc))
            if not valid_rows_only:
                raise _Abort from exc


def _write_row(r: _Row, *, actor: Any, written: dict[str, Unit], result: ImportResult) -> Unit:
    if r.existing is not None:
        if not r.changes:
            result.unchanged += 1
            return r.existing
        unit = Unit.objects.get(pk=r.existing.pk)  # fresh: sibling inserts shift paths
        unit = services.unit_update(actor=actor, unit=unit, data=dict(r.changes))
        result.updated += 1
        return unit
    parent: Unit | None = None
    if r.parent_row is not None:
        parent = Unit.objects.get(pk=written[r.parent_row.code].pk)
    elif r.parent_unit is not None:
        parent = Unit.objects.get(pk=r.parent_unit.pk)
    unit = services.unit_create(
        actor=actor,
        parent=parent,
        code=r.code,
        name=r.name,
        unit_type=r.unit_type or "",
        address=r.data.get("address", ""),
        phone=r.data.get("phone", ""),
        notes=r.data.get("notes", ""),
        is_active=r.data.get("is_active", True),
    )
    result.created += 1
    return unit


# --------------------------------------------------------------------------- export


def unit_row(unit: Unit, parent_code: str) -> list[Any]:
    """One unit as a row of the 组织机构 sheet (the order of :data:`HEADERS`)."""
    return [
        unit.code,
        unit.name,
        unit_type_label_zh(unit.unit_type),
        parent_code,
        unit.address,
        unit.phone,
        unit.notes,
        unit.is_active,
    ]


def units_export(*, user: Any, root: Unit) -> Workbook:
    """The subtree of ``root`` inside the user's scope as a 组织机构 workbook (audited)."""
    if not path_in_scope(root.path, user):
        record_denied(user, root, _("Export of a unit outside the user's data scope."))
        raise PermissionDenied(_("This unit is outside your data scope."))
    units = list(selectors.unit_subtree(user=user, root=root).order_by("path"))
    code_by_path = {u.path: u.code for u in units}
    root_parent = (
        Unit.objects.filter(path=root.path[: -Unit.steplen]).first() if root.depth > 1 else None
    )
    rows = []
    for unit in units:
        if unit.pk == root.pk:
            parent_code = root_parent.code if root_parent is not None else ""
        else:
            parent_code = code_by_path.get(unit.path[: -Unit.steplen], "")
        rows.append(unit_row(unit, parent_code))
    workbook = write_workbook(
        title=SHEET_TITLE, headers=HEADERS, rows=rows, wrap_columns=[COL_NOTES]
    )
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=root,
        changes={"rows": len(rows)},
        message=_("Exported %(n)d organisation units (%(code)s and below).")
        % {"n": len(rows), "code": root.code},
    )
    return workbook


def units_error_workbook(result: ImportResult) -> Workbook:
    """The rejected rows with their reasons (column 错误原因), ready to fix and re-import."""
    return error_workbook(
        headers=result.headers or list(HEADERS), rejected=result.rejected, title=SHEET_TITLE
    )


def units_template() -> Workbook:
    """An empty import workbook with example rows and a 说明 sheet explaining it."""
    examples = [
        ["990100009000", "示范乡", "乡镇", "990100000000", "示范乡人民政府", "", "", TRUE_TEXT],
        ["990100009001", "示范一村", "村", "990100009000", "", "", "", TRUE_TEXT],
        [
            "990100009001-01",
            "示范一村第一协会小组",
            "协会小组",
            "990100009001",
            "",
            "",
            "",
            TRUE_TEXT,
        ],
        ["990100009002", "示范二村", "村", "990100009000", "", "", "", FALSE_TEXT],
        ["SCHOOL09", "示范中学", "学校", "990100000000", "", "", "", TRUE_TEXT],
        ["SCHOOL09-01", "教务处", "科室/班组", "SCHOOL09", "", "", "", TRUE_TEXT],
    ]
    workbook = write_workbook(
        title=SHEET_TITLE, headers=HEADERS, rows=examples, wrap_columns=[COL_NOTES]
    )
    yes, no = _("Yes"), _("No")
    columns = [
        [
            COL_CODE,
            yes,
            _(
                "The unit's unique code. Territorial units (county/district, township, street, "
                "village, community) use the 12-digit statistical division code: the digits "
                "below the unit's level are zeros and the code starts with its parent's digits. "
                "Other units use 1–32 letters, digits, '.', '_' or '-'. A code that already "
                "exists updates that unit."
            ),
        ],
        [COL_NAME, yes, _("The unit's name.")],
        [
            COL_TYPE,
            yes,
            _("One of the unit types listed below, by its Chinese name (or its English code)."),
        ],
        [
            COL_PARENT,
            yes,
            _(
                "The code of the parent unit: a unit earlier or later in this file, or one "
                "already in the system within your data scope. Leave it blank only for a "
                "top-level unit (superusers only) or when the import names a parent unit for "
                "rows without one."
            ),
        ],
        [COL_ADDRESS, no, _("Address.")],
        [COL_PHONE, no, _("Telephone number.")],
        [COL_NOTES, no, _("Notes.")],
        [
            COL_ACTIVE,
            no,
            _("%(yes)s (active) or %(no)s (inactive); blank means %(yes)s.")
            % {"yes": TRUE_TEXT, "no": FALSE_TEXT},
        ],
    ]
    notes = add_sheet(
        workbook,
        title=NOTES_SHEET_TITLE,
        headers=[_("Column"), _("Required"), _("Explanation")],
        rows=columns,
        widths={_("Explanation"): 80},
        wrap_columns=[_("Explanation")],
    )
    notes.append([])
    notes.append([_("Unit type"), _("English code"), _("Code rule")])
    notes.cell(row=notes.max_row, column=1).font = Font(bold=True)
    notes.cell(row=notes.max_row, column=2).font = Font(bold=True)
    notes.cell(row=notes.max_row, column=3).font = Font(bold=True)
    for code, label in UNIT_TYPE_LABELS_ZH.items():
        digits = TERRITORIAL_CODE_DIGITS.get(code)
        rule = (
            _("12 digits; only the first %(d)d may be non-zero.") % {"d": digits}
            if digits
            else _("1–32 letters, digits, '.', '_' or '-'.")
        )
        notes.append([label, str(code), rule])
    notes.append([])
    advice = _(
        "Delete the example rows on the first sheet before importing. Every row is "
        "checked first: unless you choose to import the valid rows only, nothing is saved "
        "while any row is rejected. Rejected rows come back in an error workbook with a "
        "column %(column)s; correct them there and import that workbook again."
    )
    notes.append([advice % {"column": REASON_HEADER}])
    return workbook


# --------------------------------------------------------------------------- command


def default_parent(*, user: Any, code: str | None) -> Unit | None:
    """The unit that rows with a blank parent code go under: ``None`` for no code;
    :class:`ExcelImportError` when ``user`` may not write below it (audited as denied
    when it exists). The import page checks it on upload, the import again when it runs."""
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None or not _can_write(user, unit.path):
        if unit is not None:
            audit.record(
                actor=user,
                action=AuditAction.DENIED,
                obj=unit,
                message=_("Import below a unit outside the user's data scope."),
            )
        raise ExcelImportError(
            _("Unit %(code)s was not found within your data scope.") % {"code": code}
        )
    return unit


def _run_from_command(
    *,
    actor: Any,
    rows: Iterable[Any],
    dry_run: bool,
    valid_rows_only: bool,
    unit_code: str | None,
    source_name: str = "",
    headers: Iterable[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ImportResult:
    return units_import(
        actor=actor,
        rows=rows,
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
        default_parent=default_parent(user=actor, code=unit_code),
        source_name=source_name,
        headers=headers,
        progress=progress,
    )


# Registered by OrgsConfig.ready() (jisheng.core.registry).
UNITS_IMPORTER = Importer(
    kind="units",
    sheet_name=SHEET_TITLE,
    headers=HEADERS,
    required_headers=REQUIRED_HEADERS,
    permissions=("orgs.add_unit", "orgs.change_unit"),
    run=_run_from_command,
    description="组织机构",
    label=gettext_lazy("Organisation units"),
    back_to=(gettext_lazy("Organisation tree"), "orgs:unit_tree"),
    errors=units_error_workbook,
    unit_label=gettext_lazy(
        "Rows whose parent code is blank are placed under this unit. Leave it empty "
        "to require a parent code on every row."
    ),
    check_unit=default_parent,
    template=units_template,
    template_filename="组织机构导入模板.xlsx",
    help_text=gettext_lazy(
        "A code that already exists updates that unit; parents may come before or after "
        "their children in the file or already exist. Every row is checked before "
        "anything is saved."
    ),
)
