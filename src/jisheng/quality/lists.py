"""Reading an external list (Excel .xlsx or CSV in UTF-8 or GBK) with a source's column
mapping, and normalising each row: dates in the usual formats (2026-03-05, 2026/3/5,
2026.3.5, 2026年3月5日, 20260305), full-width digits and letters (２０２６), stray spaces,
sex as 男/女, ID numbers checked (:mod:`jisheng.core.idnumber`) and kept only as their
look-up hash and mask. A row that cannot be read is returned with its row number and
the reasons; what is wrong with the file as a whole raises :class:`ListError`.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jisheng.core import crypto, excel, idnumber, pinyin
from jisheng.quality import sources
from jisheng.quality.sources import Source

MAX_ROWS = 200_000


class ListError(ValueError):
    """The file cannot be read as a list of this source (a Chinese message)."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]


@dataclass
class ParsedRow:
    row_number: int
    data: dict[str, str] = field(default_factory=dict)
    name: str = ""
    name_key: str = ""
    sex: str = ""
    event_date: datetime.date | None = None
    id_hash: str = ""
    other_name: str = ""
    other_key: str = ""
    other_id_hash: str = ""
    unit_code: str = ""


# ------------------------------------------------------------------ values


def clean_text(value: str) -> str:
    """Full-width forms to ASCII (NFKC: ２０２６ → 2026, ＡＢ → AB, the ideographic
    space), spaces collapsed and trimmed."""
    text = value or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


def clean_name(value: str) -> str:
    """A name: no space inside a Chinese name (王 芳 → 王芳), one inside a Latin one."""
    text = clean_text(value)
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        text = text.replace(" ", "")
    return text


def name_key(name: str) -> str:
    """The name's usual pinyin reading, run together (王芳 → ``wangfang``)."""
    return pinyin.sort_key(name).replace(" ", "")


_DATE_SEPARATED = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: str) -> datetime.date:
    """2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, 20260305 (full-width digits too)."""
    text = clean_text(value)
    found = _DATE_SEPARATED.match(text) or _DATE_COMPACT.match(text)
    if not found:
        raise ValidationError(
            _("%(value)s is not a date (write it as 2026-03-05, 2026/3/5 or 2026年3月5日).")
            % {"value": value}
        )
    year, month, day = (int(part) for part in found.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise ValidationError(_("%(value)s is not a real date.") % {"value": value}) from exc


_SEXES = {"男": "M", "m": "M", "male": "M", "1": "M", "女": "F", "f": "F", "female": "F", "2": "F"}


def parse_sex(value: str) -> str:
    sex = _SEXES.get(clean_text(value).lower())
    if sex is None:
        raise ValidationError(_("%(value)s is not a sex (write 男 or 女).") % {"value": value})
    return sex


# ------------------------------------------------------------------ the file


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ListError(_("The CSV file is neither UTF-8 nor GBK text."))


def _read_csv(data: bytes) -> Table:
    reader = csv.reader(io.StringIO(_decode(data)))
    headers: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(reader, start=1):
        texts = [clean_text(v) for v in values]
        if not any(texts):
            continue
        if headers is None:
            headers = texts
            continue
        if len(rows) >= MAX_ROWS:
            raise ListError(
                _("The list has more than %(max)d rows; split it into smaller files.")
                % {"max": MAX_ROWS}
            )
        rows.append(
            (number, {h: (texts[i] if i < len(texts) else "") for i, h in enumerate(headers) if h})
        )
    if headers is None:
        raise ListError(_("The file is empty."))
    return Table(headers=[h for h in headers if h], rows=rows)


def read_table(data: bytes, filename: str) -> Table:
    """The header row and the data rows (row number, header → text) of a file."""
    suffix = Path(filename or "").suffix.lower()
    if not data or not data.strip():
        raise ListError(_("The file is empty."))
    if suffix == ".csv":
        return _read_csv(data)
    if suffix in (".xlsx", ""):
        try:
            sheet = excel.read_sheet(data, filename=filename or "list.xlsx", max_rows=MAX_ROWS)
        except excel.ExcelImportError as exc:
            raise ListError(str(exc)) from exc
        return Table(
            headers=[clean_text(h) for h in sheet.headers],
            rows=[(r.number, {clean_text(h): v for h, v in r.values.items()}) for r in sheet.rows],
        )
    raise ListError(
        _("Only Excel (.xlsx) and CSV files can be read, not %(suffix)s files.")
        % {"suffix": suffix}
    )


def check_mapping(source: Source, mapping: dict[str, str], headers: list[str]) -> None:
    """Refuse, before any row is read, a file whose headers leave a required field of
    the source unmapped: say which fields, the headers expected and those found."""
    present = set(headers)
    missing = [
        f for f in source.required if not mapping.get(f.key) or mapping[f.key] not in present
    ]
    if missing:
        raise ListError(
            _(
                "The file's headers do not match the column mapping of %(source)s: no column "
                "for %(fields)s. Expected headers: %(expected)s. Headers in the file: "
                "%(found)s. Correct the file or the column mapping."
            )
            % {
                "source": source.label,
                "fields": "、".join(str(f.label) for f in missing),
                "expected": "、".join(mapping.get(f.key) or "?" for f in missing),
                "found": "、".join(headers) or "—",
            }
        )


# ------------------------------------------------------------------ rows


def _value(source: Source, key: str, mapping: dict[str, str], values: dict[str, str]) -> str:
    header = mapping.get(key)
    if not header:
        return ""
    return values.get(header, "")


ROLES = {
    # target: (name field, ID field, other person's name field, other's ID field)
    sources.BIRTHS: ("child_name", "child_id", "mother_name", "mother_id"),
    sources.MARRIAGES: ("wife_name", "wife_id", "husband_name", "husband_id"),
    sources.PERSONS: ("child_name", "child_id", "adopter_name", ""),
}


def parse_row(
    source: Source, mapping: dict[str, str], number: int, values: dict[str, str]
) -> tuple[ParsedRow | None, list[str]]:
    """One row normalised, or None and the reasons it cannot be read."""
    row = ParsedRow(row_number=number)
    reasons: list[str] = []
    hashes: dict[str, str] = {}
    for f in source.fields:
        raw = _value(source, f.key, mapping, values)
        text = clean_text(raw)
        if not text:
            if f.required:
                reasons.append(_("%(field)s is empty.") % {"field": f.label})
            continue
        try:
            if f.kind == sources.DATE:
                row.data[f.key] = parse_date(text).isoformat()
            elif f.kind == sources.SEX:
                row.data[f.key] = parse_sex(text)
            elif f.kind == sources.ID:
                info = idnumber.parse(text)
                hashes[f.key] = crypto.lookup_hash(info.number)
                row.data[f.key] = idnumber.mask(info.number)
            elif f.key.endswith("_name"):
                row.data[f.key] = clean_name(text)[:100]
            else:
                row.data[f.key] = text[:200]
        except ValidationError as exc:
            reasons.append(f"{f.label}: {'；'.join(exc.messages)}")
    if reasons:
        return None, reasons
    name_f, id_f, other_f, other_id_f = ROLES[source.target]
    row.name = row.data.get(name_f, "")
    row.name_key = name_key(row.name) if row.name else ""
    row.id_hash = hashes.get(id_f, "")
    row.other_name = row.data.get(other_f, "")
    row.other_key = name_key(row.other_name) if row.other_name else ""
    row.other_id_hash = hashes.get(other_id_f, "") if other_id_f else ""
    row.sex = row.data.get("sex", "")
    day = row.data.get(source.date_field)
    row.event_date = datetime.date.fromisoformat(day) if day else None
    row.unit_code = row.data.get("unit_code", "")
    if source.target == sources.MARRIAGES and not row.name:
        row.name = row.other_name
    return row, []


def parse_rows(
    source: Source, mapping: dict[str, str], table: Table
) -> tuple[list[ParsedRow], list[dict[str, object]]]:
    """Every row of ``table`` normalised; the rows that cannot be read with the reasons."""
    check_mapping(source, mapping, table.headers)
    good: list[ParsedRow] = []
    rejected: list[dict[str, object]] = []
    for number, values in table.rows:
        row, reasons = parse_row(source, mapping, number, values)
        if row is None:
            rejected.append({"row": number, "reasons": reasons})
        else:
            good.append(row)
    return good, rejected
