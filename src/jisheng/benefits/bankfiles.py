"""The bank's files: the export of a payment roster in the layout of the pack, and the
parser of the file the bank returns.

A layout is the pack's ``benefits.bank_layouts[kind.bank_layout]``
(:class:`~jisheng.policy.schema_benefits.BankLayout`); :data:`DEFAULT_LAYOUT` (序号,
流水号, 户名, 账号, 金额, 开户行, 摘要 in an .xlsx) when the pack names none. The file is
xlsx or csv in the layout's encoding (gb18030 for the banks that want it). The parser
only reads: it returns the rows keyed by field, or refuses the whole file
(:class:`BankFileError`, a Chinese reason naming the header); the rows are checked and
applied by :func:`jisheng.benefits.services_payments.return_import`.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from jisheng.benefits.models import Batch
from jisheng.core.excel import XLSX_CONTENT_TYPE, ExcelImportError, cell_text, read_sheet
from jisheng.policy.schema_benefits import BankColumn, BankLayout

DEFAULT = "default"
DEFAULT_LAYOUT = BankLayout(
    format="xlsx",
    encoding="utf-8-sig",
    columns=[
        BankColumn(header="序号", field="line"),
        BankColumn(header="流水号", field="reference"),
        BankColumn(header="户名", field="payee"),
        BankColumn(header="账号", field="account"),
        BankColumn(header="金额", field="amount"),
        BankColumn(header="开户行", field="bank"),
        BankColumn(header="摘要", field="memo"),
    ],
)
MAX_RETURN_ROWS = 200_000
MAX_RETURN_BYTES = 40 * 1024 * 1024


class BankFileError(ValueError):
    """The whole file is refused; the message says why (in the request's language)."""


def layout_for(batch: Batch) -> tuple[str, BankLayout]:
    """The key and layout of the batch's kind in the pack in force for its unit."""
    from jisheng.policy.selectors import pack_in_force

    pack = pack_in_force(batch.unit, batch.period_start)
    benefits = getattr(pack, "benefits", None) if pack is not None else None
    if benefits is None:
        return DEFAULT, DEFAULT_LAYOUT
    kind = benefits.kinds.get(batch.kind)
    key = kind.bank_layout if kind is not None else DEFAULT
    return key, benefits.bank_layouts.get(key, DEFAULT_LAYOUT)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Written:
    content: bytes
    extension: str
    content_type: str


def write(layout: BankLayout, rows: Iterable[dict[str, object]]) -> Written:
    """The export file: the layout's headers, then one line per ``rows`` dict (keys: the
    layout's fields). Numbers the bank reads as text (account, reference) stay text;
    amounts are written with two decimals."""
    headers = [c.header for c in layout.columns]
    fields = [c.field for c in layout.columns]
    if layout.format == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_text(row.get(f)) for f in fields])
        encoding = layout.encoding
        return Written(text.getvalue().encode(encoding), "csv", f"text/csv; charset={encoding}")
    return Written(_xlsx(headers, ([_text(row.get(f)) for f in fields] for row in rows)),
                   "xlsx", XLSX_CONTENT_TYPE)  # fmt: skip


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="发放明细" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="2"><font><sz val="11"/><name val="宋体"/></font>'
        '<font><b/><sz val="11"/><name val="宋体"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="3">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        "</cellStyles></styleSheet>"
    ),
}


def _xlsx(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A one-sheet .xlsx of text cells (inline strings, the text format ``@``), the
    header bold: written directly — fifty thousand lines in well under a second, where a
    general writer takes many seconds. Every cell is text, so an account number keeps
    all its digits and nothing is a formula."""
    letters = [get_column_letter(i) for i in range(1, len(headers) + 1)]

    def line(number: int, values: Sequence[str], style: int) -> str:
        cells = "".join(
            f'<c r="{letters[i]}{number}" t="inlineStr" s="{style}"><is><t>'
            f"{escape(_NOT_XML.sub('', v))}</t></is></c>"
            for i, v in enumerate(values)
            if v != ""
        )
        return f'<row r="{number}">{cells}</row>'

    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols>',
        *(
            f'<col min="{i}" max="{i}" width="{22 if i in (2, 4) else 14}" customWidth="1"/>'
            for i in range(1, len(headers) + 1)
        ),
        "</cols><sheetData>",
        line(1, headers, 1),
    ]
    parts.extend(line(n, values, 2) for n, values in enumerate(rows, start=2))
    parts.append("</sheetData></worksheet>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in _XLSX_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", "".join(parts))
    return buffer.getvalue()


def _text(value: object) -> str:
    """Every cell as text: account numbers keep all their digits, amounts two places."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- return

RETURN_FIELDS = ("reference", "account", "amount", "status", "reason")


def return_headers(layout: BankLayout) -> dict[str, str]:
    """The header of each field of the bank's return file."""
    return {
        "reference": layout.return_reference,
        "account": layout.return_account,
        "amount": layout.return_amount,
        "status": layout.return_status,
        "reason": layout.return_reason,
    }


@dataclass(frozen=True)
class ReturnRow:
    number: int  # the line in the file (the header is line 1)
    values: dict[str, str]  # by field


def parse_return(layout: BankLayout, data: bytes, filename: str) -> list[ReturnRow]:
    """The rows of a returned file (xlsx or csv, told by its name or its first bytes),
    or :class:`BankFileError` when the file as a whole cannot be read: not a table, a
    header missing (named), a header twice."""
    wanted = return_headers(layout)
    is_xlsx = data[:2] == b"PK" or filename.lower().endswith(".xlsx")
    if is_xlsx:
        try:
            sheet = read_sheet(
                data,
                filename=filename if filename.lower().endswith(".xlsx") else "return.xlsx",
                required_headers=list(wanted.values()),
                max_rows=MAX_RETURN_ROWS,
                max_bytes=MAX_RETURN_BYTES,
            )
        except ExcelImportError as exc:
            raise BankFileError(str(exc)) from exc
        headers = sheet.headers
        _check_headers(headers, wanted)
        return [
            ReturnRow(row.number, {f: row.values.get(h, "") for f, h in wanted.items()})
            for row in sheet.rows
        ]
    if len(data) > MAX_RETURN_BYTES:
        raise BankFileError(_("The file is too large."))
    text = _decode(data, layout.encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    lines = [(n, [cell.strip() for cell in cells]) for n, cells in enumerate(reader, start=1)]
    lines = [(n, cells) for n, cells in lines if any(cells)]
    if not lines:
        raise BankFileError(_("The file is empty."))
    _header_line, headers = lines[0]
    _check_headers(headers, wanted)
    index = {h: headers.index(h) for h in wanted.values()}
    if len(lines) - 1 > MAX_RETURN_ROWS:
        raise BankFileError(_("The file has more than %(n)s rows.") % {"n": MAX_RETURN_ROWS})
    rows = []
    for number, cells in lines[1:]:
        rows.append(
            ReturnRow(
                number,
                {f: (cells[index[h]] if index[h] < len(cells) else "") for f, h in wanted.items()},
            )
        )
    return rows


def _decode(data: bytes, encoding: str) -> str:
    """The text of a csv: its BOM or the layout's encoding, then utf-8, then gb18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    for candidate in (encoding, "utf-8", "gb18030"):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise BankFileError(_("The file is neither UTF-8 nor GB18030 text."))


def _check_headers(headers: Sequence[str], wanted: dict[str, str]) -> None:
    present = [cell_text(h) for h in headers]
    missing = [h for h in wanted.values() if h not in present]
    if missing:
        raise BankFileError(
            _(
                "The file is refused: the column “%(header)s” is missing (the header row "
                "must have %(all)s)."
            )
            % {"header": "”“".join(missing), "all": "、".join(wanted.values())}
        )
    twice = sorted({h for h in wanted.values() if present.count(h) > 1})
    if twice:
        raise BankFileError(
            _("The file is refused: the column “%(header)s” appears twice.")
            % {"header": "”“".join(twice)}
        )
