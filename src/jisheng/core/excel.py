"""Excel (.xlsx) helpers shared by every import and export.

- :func:`write_workbook` / :func:`add_sheet`: a sheet from headers and rows, bold frozen
  header row, column widths that fit Chinese text, text-formatted cells (codes keep their
  leading zeros) and no formula injection (a value starting with ``=`` stays text).
- :func:`read_sheet`: an uploaded file → row dicts keyed by header, each with its sheet
  row number; whole-file problems (not .xlsx, damaged, too large, empty, missing
  columns) raise :class:`ExcelImportError` with a message a user can act on.
- :class:`ImportResult` and :func:`error_workbook`: the outcome of an import and the
  workbook that repeats each rejected row with its reasons (column ``错误原因``).
- :func:`store_error_workbook` / :func:`stored_error_workbook`: keep that workbook under
  ``var/`` by a random id that only the user who ran the import can download.
- :class:`Importer` and :func:`get_importer`: the kinds of ``jisheng import KIND FILE``
  and of the import page, registered by their apps in ``jisheng.core.registry``
  (``core`` imports no domain app).

Column headers are part of the file format, so they are fixed Chinese strings; messages
are gettext strings.
"""

from __future__ import annotations

import datetime
import decimal
import inspect
import io
import re
import secrets
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from django.conf import settings
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from jisheng.core.registry import registry

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REASON_HEADER = "错误原因"
ROW_NUMBER_HEADER = "原行号"
TRUE_TEXT = "是"
FALSE_TEXT = "否"

# A zip can expand enormously; refuse workbooks whose parts unpack to more than this
# many times the upload limit.
MAX_EXPANSION = 15
# Rows formatted but left blank at the end of a sheet: stop after this many in a row.
MAX_BLANK_RUN = 1_000
# How many rows from the top may precede the header row (a title line, say).
HEADER_SEARCH_ROWS = 10

MIN_WIDTH = 6
MAX_WIDTH = 60

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97–2003 .xls
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class ExcelImportError(Exception):
    """A problem with the whole file (not one row); the message is shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------- writing


def text_width(text: Any) -> int:
    """Display width of ``text``: CJK and full-width characters count as two."""
    width = 0
    for char in str(text):
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _longest_line(value: Any) -> int:
    if value is None:
        return 0
    return max((text_width(line) for line in str(value).splitlines()), default=0)


def excel_value(value: Any) -> Any:
    """A Python value as it should be stored in a cell (booleans as 是/否)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return TRUE_TEXT if value else FALSE_TEXT
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            from django.utils import timezone

            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, int | float | decimal.Decimal | datetime.date | datetime.time):
        return value
    return str(value)


def add_sheet(
    workbook: Workbook,
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: dict[str, int] | None = None,
    wrap_columns: Sequence[str] = (),
) -> Any:
    """Append a sheet: bold frozen header row, CJK-aware widths, text cells.

    ``rows`` are sequences in the order of ``headers``. Strings are stored as text even
    when they start with ``=`` (no formula injection). ``widths`` overrides the computed
    width of named columns; ``wrap_columns`` wrap their text.
    """
    sheet = workbook.create_sheet(title=title[:31])
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.append([str(h) for h in headers])
    for cell in sheet[1]:
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center")
    column_widths = [_longest_line(h) for h in headers]
    wrapped = {i for i, h in enumerate(headers) if h in wrap_columns}
    row_index = 1
    for row in rows:
        row_index += 1
        for col_index, raw in enumerate(row, start=1):
            value = excel_value(raw)
            cell = sheet.cell(row=row_index, column=col_index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
            elif isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            if col_index - 1 in wrapped:
                cell.alignment = wrap
            if col_index <= len(column_widths):
                column_widths[col_index - 1] = max(
                    column_widths[col_index - 1], _longest_line(value)
                )
    for index, header in enumerate(headers, start=1):
        letter = get_column_letter(index)
        width = (widths or {}).get(header) or column_widths[index - 1] + 2
        sheet.column_dimensions[letter].width = max(MIN_WIDTH, min(MAX_WIDTH, width))
        # Cells typed later into the sheet stay text: 12-digit codes keep every digit.
        sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    return sheet


def write_workbook(
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: dict[str, int] | None = None,
    wrap_columns: Sequence[str] = (),
) -> Workbook:
    """A new workbook whose only sheet is ``title`` with ``headers`` and ``rows``."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    add_sheet(
        workbook,
        title=title,
        headers=headers,
        rows=rows,
        widths=widths,
        wrap_columns=wrap_columns,
    )
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(workbook: Workbook | bytes, filename: str) -> HttpResponse:
    """An attachment download of the workbook (non-ASCII file names are encoded)."""
    content = workbook if isinstance(workbook, bytes) else workbook_bytes(workbook)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class SheetRow:
    """One data row: its row number in the sheet and its values keyed by header."""

    number: int
    values: dict[str, str]


@dataclass
class SheetData:
    title: str
    headers: list[str]
    rows: list[SheetRow]


def cell_text(value: Any) -> str:
    """A cell value as trimmed text: 990100001000.0 → ``"990100001000"``, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return TRUE_TEXT if value else FALSE_TEXT
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, decimal.Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _import_limits(max_rows: int | None, max_bytes: int | None) -> tuple[int, int]:
    rows = max_rows or settings.JISHENG_IMPORT_MAX_ROWS
    size = max_bytes or settings.JISHENG_IMPORT_MAX_BYTES
    return int(rows), int(size)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _read_source(source: Any, filename: str | None, max_bytes: int) -> tuple[bytes, str]:
    """The file's bytes and its name, refusing what is too large before reading it all."""
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        name = filename or ""
    elif isinstance(source, str | Path):
        path = Path(source)
        name = filename or path.name
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise ExcelImportError(
                _("The file %(name)s cannot be read: %(error)s")
                % {"name": str(path), "error": exc.strerror or exc}
            ) from exc
        if size > max_bytes:
            raise ExcelImportError(_too_large(size, max_bytes))
        data = path.read_bytes()
    else:
        handle: BinaryIO = source
        name = filename or getattr(handle, "name", "") or ""
        size = getattr(handle, "size", None)
        if size is not None and size > max_bytes:
            raise ExcelImportError(_too_large(size, max_bytes))
        if hasattr(handle, "seek"):
            handle.seek(0)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ExcelImportError(_too_large(len(data), max_bytes))
    return data, Path(str(name)).name


def _too_large(size: int, max_bytes: int) -> str:
    return _("The file is too large (%(size)s MB); the limit is %(limit)s MB.") % {
        "size": _megabytes(size),
        "limit": _megabytes(max_bytes),
    }


def _not_xlsx() -> str:
    return _(
        "The file is not an Excel .xlsx workbook or it is damaged. Open it in Excel or "
        "WPS and save it as an Excel workbook (.xlsx)."
    )


def _check_xlsx(data: bytes, name: str, max_bytes: int) -> None:
    suffix = Path(name).suffix.lower()
    if suffix and suffix != ".xlsx":
        raise ExcelImportError(
            _(
                "Only Excel .xlsx files can be imported, not %(suffix)s files. Open the file "
                "in Excel or WPS and save it as an Excel workbook (.xlsx)."
            )
            % {"suffix": suffix}
        )
    if not data:
        raise ExcelImportError(_("The file is empty."))
    if data.startswith(_OLE_MAGIC):
        raise ExcelImportError(
            _(
                "This is an old Excel 97–2003 (.xls) file. Open it in Excel or WPS and save "
                "it as an Excel workbook (.xlsx)."
            )
        )
    if not data.startswith(_ZIP_MAGIC):
        raise ExcelImportError(_not_xlsx())
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ExcelImportError(_not_xlsx()) from exc
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        raise ExcelImportError(_not_xlsx())
    if unpacked > max_bytes * MAX_EXPANSION:
        raise ExcelImportError(_too_large(unpacked, max_bytes * MAX_EXPANSION))


def _find_header(
    rows: Iterable[tuple[int, list[str]]], required: Sequence[str]
) -> tuple[int, list[str]] | None:
    """The first of the top rows that holds every required header (else the first row)."""
    first: tuple[int, list[str]] | None = None
    for number, values in rows:
        if not any(values):
            continue
        if first is None:
            first = (number, values)
        if all(r in values for r in required):
            return number, values
    return first


def read_sheet(
    source: Any,
    *,
    filename: str | None = None,
    sheet_name: str | None = None,
    required_headers: Sequence[str] = (),
    max_rows: int | None = None,
    max_bytes: int | None = None,
) -> SheetData:
    """Read one sheet of an uploaded .xlsx into :class:`SheetRow` dicts keyed by header.

    ``source`` is a path, bytes or a file object (an ``UploadedFile``). The sheet named
    ``sheet_name`` is read when present, otherwise the first sheet. The header row is the
    first row (a title line or a few above it are skipped when the required headers are
    further down). Blank rows are skipped; values are trimmed text (see :func:`cell_text`).
    Raises :class:`ExcelImportError` for anything wrong with the file as a whole.
    """
    limit_rows, limit_bytes = _import_limits(max_rows, max_bytes)
    data, name = _read_source(source, filename, limit_bytes)
    _check_xlsx(data, name, limit_bytes)
    try:
        workbook = _open_for_reading(data)
    except Exception as exc:  # openpyxl and calamine raise many kinds on damaged files
        raise ExcelImportError(_not_xlsx()) from exc
    try:
        return _read_worksheet(workbook, sheet_name, required_headers, limit_rows)
    except ExcelImportError:
        raise
    except Exception as exc:
        raise ExcelImportError(_not_xlsx()) from exc
    finally:
        workbook.close()


class _CalamineSheet:
    """A python-calamine sheet with the few openpyxl methods :func:`_read_worksheet` uses."""

    def __init__(self, sheet: Any):
        self._sheet = sheet
        self.title = sheet.name

    def iter_rows(self, values_only: bool = True) -> Iterable[tuple[Any, ...]]:
        # calamine starts at the first used row: yield blank rows above it so that row
        # numbers are the sheet's own.
        for _index in range(self._sheet.start[0] if self._sheet.start else 0):
            yield ()
        for row in self._sheet.iter_rows():
            yield tuple(row)


class _CalamineBook:
    """A python-calamine workbook seen as a read-only openpyxl workbook."""

    def __init__(self, book: Any):
        from python_calamine import SheetTypeEnum

        self._book = book
        self.sheetnames = [
            meta.name for meta in book.sheets_metadata if meta.typ == SheetTypeEnum.WorkSheet
        ]

    def __getitem__(self, name: str) -> _CalamineSheet:
        return _CalamineSheet(self._book.get_sheet_by_name(name))

    @property
    def worksheets(self) -> list[_CalamineSheet]:
        return [self[name] for name in self.sheetnames]

    def close(self) -> None:
        self._book.close()


def _open_for_reading(data: bytes) -> Any:
    """The workbook to read: python-calamine (Rust; a 100,000-row sheet in about two
    seconds instead of half a minute) when installed, else openpyxl's read-only mode."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - calamine is a dependency
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return _CalamineBook(CalamineWorkbook.from_filelike(io.BytesIO(data)))


def _read_worksheet(
    workbook: Any, sheet_name: str | None, required: Sequence[str], max_rows: int
) -> SheetData:
    if sheet_name and sheet_name in workbook.sheetnames:
        sheet = workbook[sheet_name]
    else:
        sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
        if not sheets:
            raise ExcelImportError(_("The workbook has no worksheet."))
        sheet = sheets[0]
    iterator = enumerate(sheet.iter_rows(values_only=True), start=1)
    top: list[tuple[int, list[str]]] = []
    for number, values in iterator:
        top.append((number, [cell_text(v) for v in values]))
        if len(top) >= HEADER_SEARCH_ROWS:
            break
    found = _find_header(top, required)
    if found is None:
        raise ExcelImportError(_("The sheet %(sheet)s is empty.") % {"sheet": sheet.title})
    header_number, header_values = found
    headers: list[tuple[int, str]] = []
    seen: set[str] = set()
    for index, header in enumerate(header_values):
        if not header:
            continue
        if header in seen:
            raise ExcelImportError(
                _("The column %(column)s appears twice in the header row.") % {"column": header}
            )
        seen.add(header)
        headers.append((index, header))
    missing = [r for r in required if r not in seen]
    if missing:
        raise ExcelImportError(
            _(
                "Required columns are missing: %(missing)s. Row %(row)d must hold the column "
                "headers: %(required)s."
            )
            % {"missing": "、".join(missing), "row": header_number, "required": "、".join(required)}
        )

    rows: list[SheetRow] = []
    blank_run = 0

    def take(number: int, values: Sequence[Any]) -> bool:
        nonlocal blank_run
        texts = [cell_text(v) for v in values]
        if not any(texts):
            blank_run += 1
            return blank_run < MAX_BLANK_RUN
        blank_run = 0
        if len(rows) >= max_rows:
            raise ExcelImportError(
                _("The sheet has more than %(max)d data rows; split it into smaller files.")
                % {"max": max_rows}
            )
        rows.append(
            SheetRow(
                number=number,
                values={h: (texts[i] if i < len(texts) else "") for i, h in headers},
            )
        )
        return True

    for number, values in top:
        if number > header_number and not take(number, values):
            break
    else:
        for number, values in iterator:
            if not take(number, values):
                break
    if not rows:
        raise ExcelImportError(
            _("The sheet %(sheet)s has no data rows below the header row.") % {"sheet": sheet.title}
        )
    return SheetData(title=sheet.title, headers=[h for _i, h in headers], rows=rows)


# --------------------------------------------------------------------------- results


class RejectedRow(NamedTuple):
    row_number: int
    row: dict[str, str]
    reasons: list[str]


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do), and the rows it rejected."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False  # whether anything was saved
    headers: list[str] = field(default_factory=list)
    total: int = 0  # data rows read (0: not counted by this importer)
    valid_rows_only: bool = False

    @property
    def rejected_count(self) -> int:
        return len(self.rejected)

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def valid_count(self) -> int:
        """Rows without an error (imported, or importable with valid_rows_only)."""
        return max(self.total - self.rejected_count, 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected_count,
            "dry_run": self.dry_run,
            "written": self.written,
            "total": self.total,
            "valid": self.valid_count,
            "valid_rows_only": self.valid_rows_only,
        }

    def summary(self) -> str:
        """What the import did or would do, in one sentence (see :func:`import_summary`)."""
        return import_summary(self.as_dict())

    def details(self, *, limit: int) -> dict[str, Any]:
        """What an importer reports besides counts and rejected rows (its first ``limit``
        items of each list), kept in the import job's result for its page."""
        return {}


def valid_rows_only_help() -> str:
    """What "import the valid rows only" means: the import page and the command say it."""
    return _(
        "Rows with errors are skipped (the error workbook lists them with their reasons, "
        "to correct and import again) and the other rows are imported. Of rows with the "
        "same ID number only the first is imported; the later ones are skipped. Without "
        "this, one row with an error means the whole file is not imported."
    )


def import_summary(counts: Mapping[str, Any]) -> str:
    """One sentence on an import's outcome from :meth:`ImportResult.as_dict` counts.

    With rows in error and without ``valid_rows_only`` a file is imported whole or not
    at all: the sentence says how many rows are valid, how many have errors and that
    the file is (dry run: will be) not imported, rather than leaving "0 created"
    to be read as the file's content. Empty when the rows were not counted.
    """
    total = int(counts.get("total") or 0)
    if not total:
        return ""
    rejected = int(counts.get("rejected") or 0)
    values = {
        "total": total,
        "valid": int(counts.get("valid", max(total - rejected, 0))),
        "rejected": rejected,
    }
    dry_run = bool(counts.get("dry_run"))
    if not rejected:
        if dry_run:
            return _("All %(total)d rows are valid; this was a check only, nothing was saved.") % (
                values
            )
        return _("All %(total)d rows are valid.") % values
    if counts.get("valid_rows_only"):
        if dry_run:
            return (
                _(
                    "Of %(total)d rows, %(valid)d are valid and %(rejected)d have errors. "
                    "Importing the valid rows only will import the %(valid)d valid rows and "
                    "skip the %(rejected)d rows with errors."
                )
                % values
            )
        return (
            _(
                "Of %(total)d rows, %(valid)d were valid and %(rejected)d had errors: the "
                "valid rows were imported, the rows with errors were skipped."
            )
            % values
        )
    if dry_run:
        return (
            _(
                "%(valid)d rows are valid and %(rejected)d rows have errors; a file is "
                "imported whole or not at all, so this file will not be imported. Correct "
                "the rows with errors, or import the valid rows only (the %(rejected)d "
                "rows with errors are then skipped)."
            )
            % values
        )
    return (
        _(
            "%(valid)d rows are valid and %(rejected)d rows have errors; a file is imported "
            "whole or not at all, so this file was not imported. Correct the rows with "
            "errors, or import the valid rows only (the %(rejected)d rows with errors are "
            "then skipped)."
        )
        % values
    )


def error_workbook(
    *,
    headers: Sequence[str],
    rejected: Iterable[RejectedRow | tuple[int, dict[str, str], list[str]]],
    title: str = "Sheet1",
) -> Workbook:
    """The rejected rows as they were in the file, plus ``错误原因`` and ``原行号``.

    The user corrects the rows in this workbook and imports it again (the two extra
    columns are ignored by the importers).
    """
    columns = [*headers, REASON_HEADER, ROW_NUMBER_HEADER]

    def lines():
        for row_number, row, reasons in rejected:
            yield [*(row.get(h, "") for h in headers), "\n".join(reasons), row_number]

    workbook = write_workbook(
        title=title,
        headers=columns,
        rows=lines(),
        widths={REASON_HEADER: 50},
        wrap_columns=[REASON_HEADER],
    )
    sheet = workbook.worksheets[0]
    red = Font(bold=True, color="C00000")
    sheet.cell(row=1, column=len(headers) + 1).font = red
    return workbook


# --------------------------------------------------------------------------- storage

ERROR_KEEP_SECONDS = 24 * 3600


def _errors_dir() -> Path:
    return Path(settings.VAR_DIR) / "import_errors"


def _owner_key(user: Any) -> str:
    return str(getattr(user, "pk", None) or "system")


def store_error_workbook(workbook: Workbook, *, user: Any) -> str:
    """Save the error workbook for ``user``; returns the random id that downloads it.

    The file name holds the user's id, so another user's request for the same id finds
    nothing. Files older than a day are removed on the way.
    """
    directory = _errors_dir()
    directory.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - ERROR_KEEP_SECONDS
    for old in directory.glob("*.xlsx"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    token = secrets.token_urlsafe(18)
    workbook.save(directory / f"{_owner_key(user)}-{token}.xlsx")
    return token


def stored_error_workbook(*, user: Any, token: str) -> Path | None:
    """The stored error workbook of ``user`` with this id, or None."""
    if not token or not _TOKEN_RE.match(token):
        return None
    path = _errors_dir() / f"{_owner_key(user)}-{token}.xlsx"
    return path if path.is_file() else None


# --------------------------------------------------------------------------- importers


@dataclass(frozen=True)
class Importer:
    """One kind of Excel import: ``jisheng import KIND FILE`` and the import page.

    ``run(*, actor, rows, dry_run, valid_rows_only, unit_code, source_name, headers)``
    returns an :class:`ImportResult`; it raises :class:`ExcelImportError` for a problem
    with the whole import (e.g. an unknown ``unit_code``). ``unit_code`` is the unit that
    rows without a parent/unit belong to, ``source_name`` the file name for the audit log,
    ``headers`` the sheet's columns (for the error workbook); a ``run`` that also takes
    ``progress(done, total, phase)`` (phase ``"check"``, then ``"save"``) feeds the import
    job's progress bar. A domain app declares its importer as a module-level constant
    and registers it from its ``ready()`` with ``jisheng.core.registry.register_importer``
    (``core`` imports no domain app).

    The rest serves the import page and its background job (``jisheng.core.imports``):

    - ``label``: what the file holds, in the page's kind select; ``group``: importers of
      one group share one page (their kinds in one select; default: the kind alone);
      ``back_to``: (label, URL name) of the page the import belongs to (breadcrumbs).
    - ``read_file(*, source, filename, actor, unit_code, dry_run, valid_rows_only,
      progress, on_read)``: the whole file at once (several sheets, progress reports);
      default: the sheet ``sheet_name`` read by :func:`read_sheet`, then ``run``.
    - ``errors(result)``: the error workbook (default :func:`error_workbook` of the
      rejected rows on ``sheet_name``); ``row_label(row)``: a rejected row in a few
      words on the page (default: the values of the first two required columns).
    - ``unit_label``: the meaning of the page's unit field for this kind (empty: the
      kind takes no unit); ``check_unit(*, user, code)``: raises
      :class:`ExcelImportError` when ``user`` may not name that unit.
    - ``template`` and ``template_filename``: the empty workbook to download;
      ``sheets``: (sheet, headers, required headers) shown on the page (default the
      one sheet); ``help_text``: a paragraph on the page.
    - ``counts``: extra counts of the result (key of ``result.as_dict()``, label) shown
      beside created/updated/…; ``result_template``: a template included below the
      result (it gets ``job`` and ``result``).
    """

    kind: str
    sheet_name: str
    headers: tuple[str, ...]
    required_headers: tuple[str, ...]
    permissions: tuple[str, ...]
    run: Callable[..., ImportResult]
    description: str = ""
    # Largest sheet accepted (data rows); None: the setting JISHENG_IMPORT_MAX_ROWS.
    max_rows: int | None = None
    label: Any = ""
    group: str = ""
    back_to: tuple[Any, str] | None = None
    read_file: Callable[..., ImportResult] | None = None
    errors: Callable[[ImportResult], Workbook] | None = None
    row_label: Callable[[Mapping[str, str]], str] | None = None
    unit_label: Any = ""
    check_unit: Callable[..., Any] | None = None
    template: Callable[[], Workbook] | None = None
    template_filename: str = ""
    sheets: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()
    help_text: Any = ""
    counts: tuple[tuple[str, Any], ...] = ()
    result_template: str = ""

    @property
    def page_group(self) -> str:
        return self.group or self.kind

    @property
    def title(self) -> str:
        return str(self.label or self.description or self.kind)

    @property
    def page_sheets(self) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
        return self.sheets or ((self.sheet_name, self.headers, self.required_headers),)

    def may_import(self, user: Any) -> bool:
        """Whether ``user`` (active) holds every permission this import needs."""
        return bool(getattr(user, "is_active", False)) and all(
            user.has_perm(p) for p in self.permissions
        )

    def import_file(
        self,
        source: Any,
        *,
        filename: str | None = None,
        actor: Any,
        unit_code: str = "",
        dry_run: bool = False,
        valid_rows_only: bool = False,
        progress: Callable[[int, int, str], None] | None = None,
        on_read: Callable[[int], None] | None = None,
    ) -> ImportResult:
        """Read ``source`` (path, bytes or file object) and import it; the rows are
        counted in the result (``total``) so that its summary can say how many were valid.
        Raises :class:`ExcelImportError` for a problem with the whole file."""
        if self.read_file is None:
            return self.read_and_run(
                source,
                filename=filename,
                actor=actor,
                unit_code=unit_code,
                dry_run=dry_run,
                valid_rows_only=valid_rows_only,
                progress=progress,
                on_read=on_read,
            )
        return self.read_file(
            source=source,
            filename=filename,
            actor=actor,
            unit_code=unit_code,
            dry_run=dry_run,
            valid_rows_only=valid_rows_only,
            progress=progress,
            on_read=on_read,
        )

    def read_and_run(
        self,
        source: Any,
        *,
        filename: str | None = None,
        actor: Any,
        unit_code: str | None = "",
        dry_run: bool = False,
        valid_rows_only: bool = False,
        progress: Callable[[int, int, str], None] | None = None,
        on_read: Callable[[int], None] | None = None,
    ) -> ImportResult:
        """The sheet ``sheet_name`` of ``source`` read by :func:`read_sheet`, then ``run``
        (what ``jisheng import KIND FILE`` does, and the page without ``read_file``)."""
        sheet = read_sheet(
            source,
            filename=filename,
            sheet_name=self.sheet_name,
            required_headers=self.required_headers,
            max_rows=self.max_rows,
        )
        if on_read is not None:
            on_read(len(sheet.rows))
        extra = {"progress": progress} if progress and _takes(self.run, "progress") else {}
        result = self.run(
            actor=actor,
            rows=sheet.rows,
            dry_run=dry_run,
            valid_rows_only=valid_rows_only,
            unit_code=unit_code or None,
            source_name=filename or "",
            headers=sheet.headers,
            **extra,
        )
        if not result.total:  # an importer that does not count its rows
            result.total = len(sheet.rows)
            result.valid_rows_only = valid_rows_only
        return result

    def error_workbook(self, result: ImportResult) -> Workbook:
        if self.errors is not None:
            return self.errors(result)
        return error_workbook(
            headers=result.headers or list(self.headers),
            rejected=result.rejected,
            title=self.sheet_name,
        )

    def describe_row(self, row: Mapping[str, str]) -> str:
        if self.row_label is not None:
            return self.row_label(row)
        return " ".join(row.get(h, "") for h in self.required_headers[:2] if row.get(h)).strip()


def _takes(function: Callable[..., Any], name: str) -> bool:
    """Whether ``function`` accepts the keyword argument ``name``."""
    parameters = inspect.signature(function).parameters.values()
    return any(p.name == name or p.kind == p.VAR_KEYWORD for p in parameters)


def importer_kinds() -> list[str]:
    """The registered importer kinds (``jisheng.core.registry``), sorted."""
    return sorted(registry["importers"])


def get_importer(kind: str) -> Importer:
    """The importer registered under ``kind``; ``KeyError`` for an unknown kind."""
    importers: dict[str, Importer] = registry["importers"]
    if kind not in importers:
        raise KeyError(kind)
    return importers[kind]
