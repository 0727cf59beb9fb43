"""The Excel file formats of the registry: columns, Chinese values, dates, templates.

Three workbooks can be imported (see :mod:`jisheng.people.importers`):

- persons (sheet ``人员``): one person per row;
- households and couples (sheets ``户`` — one household member per row — and ``夫妇``);
- births (sheet ``出生``).

Column headers and the Chinese values of choice columns (男/女, 初婚, 在册 …) are the
file format, so they are fixed Chinese strings kept here (not only in the translation
catalog): a file reads the same whatever the interface language. Messages are gettext
strings. :func:`parse_date` accepts Excel dates, ``2026-01-05``, ``2026/1/5``,
``2026.1.5``, ``20260105`` and ``2026年1月5日``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from jisheng.core.excel import REASON_HEADER, add_sheet, write_workbook
from jisheng.people.choices import (
    Education,
    HouseholdRelation,
    HukouType,
    IdStatus,
    MaritalStatus,
    PersonStatus,
    Sex,
)

NOTES_SHEET_TITLE = "说明"

# --------------------------------------------------------------------------- persons

PERSONS_SHEET = "人员"

COL_NAME = "姓名"
COL_SEX = "性别"
COL_ID = "公民身份号码"
COL_BIRTH = "出生日期"
COL_ETHNICITY = "民族"
COL_HUKOU_PLACE = "户籍地"
COL_HUKOU_TYPE = "户口性质"
COL_UNIT = "现居住单位代码"
COL_EMPLOYER = "工作单位代码"
COL_PHONE = "联系电话"
COL_EDUCATION = "文化程度"
COL_MARITAL = "婚姻状况"
COL_STATUS = "人员状态"
COL_REGISTERED = "建档日期"
COL_NO_ID_REASON = "无证件原因"
COL_NOTES = "备注"
COL_LATE_REASON = "补报/更正原因"

PERSON_HEADERS: tuple[str, ...] = (
    COL_NAME,
    COL_SEX,
    COL_ID,
    COL_BIRTH,
    COL_ETHNICITY,
    COL_HUKOU_PLACE,
    COL_HUKOU_TYPE,
    COL_UNIT,
    COL_EMPLOYER,
    COL_PHONE,
    COL_EDUCATION,
    COL_MARITAL,
    COL_STATUS,
    COL_REGISTERED,
    COL_NO_ID_REASON,
    COL_NOTES,
    COL_LATE_REASON,
)
# The columns a sheet must have; the others may be left out (an update then leaves
# those fields alone).
PERSON_REQUIRED_HEADERS: tuple[str, ...] = (COL_NAME, COL_SEX, COL_ID, COL_BIRTH)

# --------------------------------------------------------------------------- households

HOUSEHOLDS_SHEET = "户"
COUPLES_SHEET = "夫妇"

COL_HOUSEHOLD_NUMBER = "户编号"
COL_ADDRESS = "地址"
COL_HEAD_ID = "户主身份证号"
COL_MEMBER_ID = "成员身份证号"
COL_RELATION = "与户主关系"

HOUSEHOLD_HEADERS: tuple[str, ...] = (
    COL_HOUSEHOLD_NUMBER,
    COL_ADDRESS,
    COL_HEAD_ID,
    COL_MEMBER_ID,
    COL_RELATION,
)
HOUSEHOLD_REQUIRED_HEADERS: tuple[str, ...] = (COL_HOUSEHOLD_NUMBER, COL_HEAD_ID)

COL_HUSBAND_ID = "丈夫身份证号"
COL_WIFE_ID = "妻子身份证号"
COL_SPOUSE_NAME = "配偶姓名(外单位)"
COL_SPOUSE_ID = "配偶身份证号"
COL_SPOUSE_WORK = "配偶工作单位"
COL_SPOUSE_TOWNSHIP = "配偶乡镇"
COL_MARRIED_ON = "结婚日期"

COUPLE_HEADERS: tuple[str, ...] = (
    COL_HUSBAND_ID,
    COL_WIFE_ID,
    COL_SPOUSE_NAME,
    COL_SPOUSE_ID,
    COL_SPOUSE_WORK,
    COL_SPOUSE_TOWNSHIP,
    COL_MARRIED_ON,
)
COUPLE_REQUIRED_HEADERS: tuple[str, ...] = (COL_HUSBAND_ID, COL_WIFE_ID, COL_MARRIED_ON)

# --------------------------------------------------------------------------- births

BIRTHS_SHEET = "出生"

COL_MOTHER_ID = "母亲身份证号"
COL_FATHER_ID = "父亲身份证号"
COL_CHILD_BIRTH = "出生日期"
COL_CHILD_SEX = "性别"
COL_CHILD_NAME = "孩子姓名"
COL_CHILD_ID = "孩子身份证号"
COL_PLACE = "出生地点"
COL_ORDER = "孩次(如需更正)"
COL_ORDER_REASON = "更正原因"

BIRTH_HEADERS: tuple[str, ...] = (
    COL_MOTHER_ID,
    COL_FATHER_ID,
    COL_CHILD_BIRTH,
    COL_CHILD_SEX,
    COL_CHILD_NAME,
    COL_CHILD_ID,
    COL_PLACE,
    COL_ORDER,
    COL_ORDER_REASON,
    COL_LATE_REASON,
)
BIRTH_REQUIRED_HEADERS: tuple[str, ...] = (COL_MOTHER_ID, COL_CHILD_BIRTH, COL_CHILD_SEX)

# --------------------------------------------------------------------------- choices

# The value an export writes for each choice (and the template lists), then aliases
# that an import also accepts. Keys of the alias tables are compared after
# :func:`normalise_label`.
SEX_LABELS_ZH: dict[str, str] = {Sex.MALE: "男", Sex.FEMALE: "女"}
SEX_ALIASES: dict[str, str] = {
    "男性": Sex.MALE,
    "女性": Sex.FEMALE,
    "m": Sex.MALE,
    "f": Sex.FEMALE,
    "male": Sex.MALE,
    "female": Sex.FEMALE,
}

MARITAL_LABELS_ZH: dict[str, str] = {
    MaritalStatus.SINGLE: "未婚",
    MaritalStatus.FIRST_MARRIAGE: "初婚",
    MaritalStatus.REMARRIED: "再婚",
    MaritalStatus.DIVORCED: "离婚",
    MaritalStatus.WIDOWED: "丧偶",
}
MARITAL_ALIASES: dict[str, str] = {"已婚": MaritalStatus.FIRST_MARRIAGE}

STATUS_LABELS_ZH: dict[str, str] = {
    PersonStatus.REGISTERED: "在册",
    PersonStatus.IN_MIGRANT: "流入",
    PersonStatus.OUT_MIGRANT: "流出",
    PersonStatus.TRANSFERRED_OUT: "调出",
    PersonStatus.RETIRED: "退休",
    PersonStatus.EARLY_RETIRED: "内退",
    PersonStatus.CONTRACT_ENDED: "解除合同",
    PersonStatus.DECEASED: "死亡",
}
STATUS_ALIASES: dict[str, str] = {
    "迁出": PersonStatus.TRANSFERRED_OUT,
    "正常": PersonStatus.REGISTERED,
    "已故": PersonStatus.DECEASED,
}

HUKOU_LABELS_ZH: dict[str, str] = {
    HukouType.AGRICULTURAL: "农业",
    HukouType.NON_AGRICULTURAL: "非农业",
    HukouType.RESIDENT: "居民",
    HukouType.NONE: "无",
}
HUKOU_ALIASES: dict[str, str] = {
    "农业户口": HukouType.AGRICULTURAL,
    "农村": HukouType.AGRICULTURAL,
    "非农业户口": HukouType.NON_AGRICULTURAL,
    "非农": HukouType.NON_AGRICULTURAL,
    "城镇": HukouType.NON_AGRICULTURAL,
    "居民户口": HukouType.RESIDENT,
    "统一户口": HukouType.RESIDENT,
    "无户口": HukouType.NONE,
    "外籍": HukouType.NONE,
}

EDUCATION_LABELS_ZH: dict[str, str] = {
    Education.NONE: "未上学",
    Education.PRIMARY: "小学",
    Education.JUNIOR: "初中",
    Education.SENIOR: "高中/中专",
    Education.COLLEGE: "大专",
    Education.BACHELOR: "本科",
    Education.POSTGRADUATE: "研究生",
}
EDUCATION_ALIASES: dict[str, str] = {
    "无": Education.NONE,
    "文盲": Education.NONE,
    "半文盲": Education.NONE,
    "高中": Education.SENIOR,
    "中专": Education.SENIOR,
    "职高": Education.SENIOR,
    "技校": Education.SENIOR,
    "中技": Education.SENIOR,
    "专科": Education.COLLEGE,
    "高职": Education.COLLEGE,
    "大学": Education.BACHELOR,
    "大学本科": Education.BACHELOR,
    "硕士": Education.POSTGRADUATE,
    "博士": Education.POSTGRADUATE,
}

ID_REASON_LABELS_ZH: dict[str, str] = {
    IdStatus.NONE_NEWBORN: "新生儿",
    IdStatus.NONE_FOREIGN: "外籍",
    IdStatus.NONE_OTHER: "其他",
}
ID_REASON_ALIASES: dict[str, str] = {
    "新生儿未办证": IdStatus.NONE_NEWBORN,
    "未办理": IdStatus.NONE_NEWBORN,
    "外国人": IdStatus.NONE_FOREIGN,
    "外国籍": IdStatus.NONE_FOREIGN,
}

RELATION_LABELS_ZH: dict[str, str] = {
    HouseholdRelation.HEAD: "户主",
    HouseholdRelation.SPOUSE: "配偶",
    HouseholdRelation.CHILD: "子女",
    HouseholdRelation.PARENT: "父母",
    HouseholdRelation.GRANDCHILD: "孙子女",
    HouseholdRelation.OTHER: "其他",
}
RELATION_ALIASES: dict[str, str] = {
    "本人": HouseholdRelation.HEAD,
    "妻": HouseholdRelation.SPOUSE,
    "妻子": HouseholdRelation.SPOUSE,
    "夫": HouseholdRelation.SPOUSE,
    "丈夫": HouseholdRelation.SPOUSE,
    "子": HouseholdRelation.CHILD,
    "女": HouseholdRelation.CHILD,
    "儿子": HouseholdRelation.CHILD,
    "女儿": HouseholdRelation.CHILD,
    "长子": HouseholdRelation.CHILD,
    "长女": HouseholdRelation.CHILD,
    "次子": HouseholdRelation.CHILD,
    "次女": HouseholdRelation.CHILD,
    "父": HouseholdRelation.PARENT,
    "母": HouseholdRelation.PARENT,
    "父亲": HouseholdRelation.PARENT,
    "母亲": HouseholdRelation.PARENT,
    "孙子": HouseholdRelation.GRANDCHILD,
    "孙女": HouseholdRelation.GRANDCHILD,
    "外孙子": HouseholdRelation.GRANDCHILD,
    "外孙女": HouseholdRelation.GRANDCHILD,
}


def normalise_label(text: str) -> str:
    """Whitespace removed, full-width slash folded, lower-case: for choice look-ups."""
    return "".join(str(text).split()).replace("／", "/").lower()


def choice_table(
    labels: Mapping[str, str], aliases: Mapping[str, str], values: Sequence[str]
) -> dict[str, str]:
    """Look-up table: Chinese labels, aliases and the English codes → the code."""
    table = {normalise_label(code): code for code in values}
    for code, label in labels.items():
        table[normalise_label(label)] = code
    for alias, code in aliases.items():
        table.setdefault(normalise_label(alias), code)
    return table


SEX_TABLE = choice_table(SEX_LABELS_ZH, SEX_ALIASES, Sex.values)
MARITAL_TABLE = choice_table(MARITAL_LABELS_ZH, MARITAL_ALIASES, MaritalStatus.values)
STATUS_TABLE = choice_table(STATUS_LABELS_ZH, STATUS_ALIASES, PersonStatus.values)
HUKOU_TABLE = choice_table(HUKOU_LABELS_ZH, HUKOU_ALIASES, HukouType.values)
EDUCATION_TABLE = choice_table(EDUCATION_LABELS_ZH, EDUCATION_ALIASES, Education.values)
ID_REASON_TABLE = choice_table(
    ID_REASON_LABELS_ZH,
    ID_REASON_ALIASES,
    [IdStatus.NONE_NEWBORN, IdStatus.NONE_FOREIGN, IdStatus.NONE_OTHER],
)
RELATION_TABLE = choice_table(RELATION_LABELS_ZH, RELATION_ALIASES, HouseholdRelation.values)


def choice_from_text(text: str, table: Mapping[str, str]) -> str | None:
    """The code for a cell's text, or None when the text is no known value."""
    return table.get(normalise_label(text)) if text else None


def unknown_choice(value: str, labels: Mapping[str, str]) -> str:
    return _("Unknown value %(value)s; use one of: %(values)s.") % {
        "value": value,
        "values": "、".join(labels.values()),
    }


# --------------------------------------------------------------------------- dates

_DATE_RE = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.年])\s*(?P<m>\d{1,2})\s*(?:[-/.月])\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_COMPACT_RE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
# Excel's day numbers (a date cell formatted as a number): 1927–2119.
_SERIAL_MIN, _SERIAL_MAX = 10_000, 80_000
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


class DateError(ValueError):
    """The text is not a date; ``args[0]`` is the message for the user."""


def parse_date(text: str) -> datetime.date | None:
    """A date from a cell's text (see the module doc); None for an empty cell.

    Raises :class:`DateError` for text that is no date or an impossible one
    (2026-02-31).
    """
    text = (text or "").strip()
    if not text:
        return None
    match = _DATE_RE.match(text) or _COMPACT_RE.match(text)
    if match is None:
        if text.isdigit() and _SERIAL_MIN <= int(text) <= _SERIAL_MAX:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(text))
        raise DateError(
            _("%(value)s is not a date; write it as 2026-01-05 or 2026年1月5日.") % {"value": text}
        )
    try:
        return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise DateError(
            _("%(value)s is not a real date (no such day in the calendar).") % {"value": text}
        ) from None


# --------------------------------------------------------------------------- templates


def _notes_sheet(
    workbook: Workbook,
    *,
    columns: Sequence[Sequence[str]],
    values: Sequence[tuple[str, Sequence[str]]] = (),
    advice: Sequence[str] = (),
) -> None:
    """The 说明 sheet: each column (required or not, what to write), allowed values."""
    explanation = _("Explanation")
    notes = add_sheet(
        workbook,
        title=NOTES_SHEET_TITLE,
        headers=[_("Column"), _("Required"), explanation],
        rows=columns,
        widths={explanation: 90},
        wrap_columns=[explanation],
    )
    if values:
        notes.append([])
        notes.append([_("Column"), _("Values")])
        for cell in notes[notes.max_row]:
            cell.font = Font(bold=True)
        for column, allowed in values:
            notes.append([column, "、".join(allowed)])
    notes.append([])
    for line in advice:
        notes.append([line])


def _common_advice() -> list[str]:
    return [
        _("Delete the example rows (synthetic data) before importing your own."),
        _(
            "Dates: an Excel date, or text such as 2026-01-05, 2026/1/5 or 2026年1月5日. "
            "ID numbers: 18 characters, best typed into text cells so that Excel keeps every "
            "digit."
        ),
        _(
            "Every row is checked first: unless you choose to import the valid rows only, "
            "nothing is saved while any row is rejected. Rejected rows come back in an error "
            "workbook with a column %(column)s; correct them there and import that workbook "
            "again."
        )
        % {"column": REASON_HEADER},
    ]


def persons_template() -> Workbook:
    """The persons workbook: headers, synthetic example rows and a 说明 sheet."""
    examples = [
        [
            "示例张丽",
            "女",
            "11010519900517002X",
            "1990-05-17",
            "汉族",
            "北京市朝阳区",
            "农业",
            "990100001001",
            "",
            "13800000001",
            "高中/中专",
            "初婚",
            "在册",
            "2024-03-01",
            "",
            "",
        ],
        [
            "示例李强",
            "男",
            "110105198811020013",
            "1988年11月2日",
            "汉族",
            "北京市朝阳区",
            "非农业",
            "990100001001",
            "KY001",
            "13800000002",
            "本科",
            "初婚",
            "在册",
            "2024/3/1",
            "",
            "",
        ],
        [
            "示例王小宝",
            "男",
            "",
            "2026-01-05",
            "汉族",
            "",
            "",
            "990100001001",
            "",
            "",
            "",
            "未婚",
            "在册",
            "2026-01-20",
            "新生儿",
            "示例：新生儿尚无身份证号",
        ],
    ]
    workbook = write_workbook(
        title=PERSONS_SHEET, headers=PERSON_HEADERS, rows=examples, wrap_columns=[COL_NOTES]
    )
    yes, no = _("Yes"), _("No")
    columns = [
        [COL_NAME, yes, _("The person's name.")],
        [COL_SEX, yes, _("男 or 女. May be left blank when the ID number is given.")],
        [
            COL_ID,
            _("Yes, unless there is none"),
            _(
                "The 18-character resident ID number. It must be valid (region, date, check "
                "character) and agree with the birth date and sex. A number already in the "
                "system updates that person. Leave it blank only when the column %(column)s "
                "says why there is none."
            )
            % {"column": COL_NO_ID_REASON},
        ],
        [COL_BIRTH, yes, _("May be left blank when the ID number is given.")],
        [COL_ETHNICITY, no, _("For example 汉族; blank means 汉族 for a new person.")],
        [COL_HUKOU_PLACE, no, _("Place of household registration.")],
        [COL_HUKOU_TYPE, no, _("One of the values listed below.")],
        [
            COL_UNIT,
            _("Yes, unless the import names a unit"),
            _(
                "Code of the unit (village, community, association group …) the person lives "
                "in, within your data scope."
            ),
        ],
        [COL_EMPLOYER, no, _("Code of the work unit that employs the person, if any.")],
        [COL_PHONE, no, _("Telephone number.")],
        [COL_EDUCATION, no, _("One of the values listed below.")],
        [COL_MARITAL, no, _("One of the values listed below; blank means 未婚.")],
        [COL_STATUS, no, _("One of the values listed below; blank means 在册.")],
        [
            COL_REGISTERED,
            no,
            _("The day the person was registered here; blank means today."),
        ],
        [
            COL_NO_ID_REASON,
            _("When there is no ID number"),
            _("Why the person has no ID number: one of the values listed below."),
        ],
        [COL_NOTES, no, _("Notes.")],
        [
            COL_LATE_REASON,
            _("When the registration date is in a closed period"),
            _(
                "Why a registration dated in a period whose report is approved (closed) is "
                "entered late (补报/更正)."
            ),
        ],
    ]
    values = [
        (COL_SEX, list(SEX_LABELS_ZH.values())),
        (COL_HUKOU_TYPE, list(HUKOU_LABELS_ZH.values())),
        (COL_EDUCATION, list(EDUCATION_LABELS_ZH.values())),
        (COL_MARITAL, list(MARITAL_LABELS_ZH.values())),
        (COL_STATUS, list(STATUS_LABELS_ZH.values())),
        (COL_NO_ID_REASON, list(ID_REASON_LABELS_ZH.values())),
    ]
    advice = [
        *_common_advice(),
        _(
            "A person already registered (same ID number) is updated: name, ethnicity, "
            "household registration, phone, education and notes. Blank cells leave the "
            "value as it is. Differences in unit, marital status or status are not "
            "changed by an import: the result lists them, to be recorded as life events."
        ),
        _(
            "A row without a match by ID number but with the same name, birth date and unit "
            "as a registered person is listed as a possible duplicate and not imported."
        ),
    ]
    _notes_sheet(workbook, columns=columns, values=values, advice=advice)
    return workbook


def households_template() -> Workbook:
    """The households and couples workbook (sheets 户 and 夫妇) with a 说明 sheet."""
    households = [
        ["H0001", "示范县东城镇甲村1号", "110105198811020013", "110105198811020013", "户主"],
        ["H0001", "示范县东城镇甲村1号", "110105198811020013", "11010519900517002X", "配偶"],
    ]
    couples = [
        ["110105198811020013", "11010519900517002X", "", "", "", "", "2012-10-01"],
        [
            "",
            "110105199203040023",
            "示例赵刚",
            "110105199001010010",
            "示例机械厂",
            "示例镇",
            "2015/5/1",
        ],
    ]
    workbook = write_workbook(title=HOUSEHOLDS_SHEET, headers=HOUSEHOLD_HEADERS, rows=households)
    add_sheet(workbook, title=COUPLES_SHEET, headers=COUPLE_HEADERS, rows=couples)
    yes, no = _("Yes"), _("No")
    columns = [
        [
            f"{HOUSEHOLDS_SHEET}: {COL_HOUSEHOLD_NUMBER}",
            yes,
            _("The household's number; the rows of one household share it."),
        ],
        [f"{HOUSEHOLDS_SHEET}: {COL_ADDRESS}", no, _("The household's address.")],
        [
            f"{HOUSEHOLDS_SHEET}: {COL_HEAD_ID}",
            yes,
            _("ID number of the head of household, a person already registered."),
        ],
        [
            f"{HOUSEHOLDS_SHEET}: {COL_MEMBER_ID}",
            no,
            _("ID number of a member (a registered person); the head's own row may repeat it."),
        ],
        [f"{HOUSEHOLDS_SHEET}: {COL_RELATION}", no, _("One of the values listed below.")],
        [
            f"{COUPLES_SHEET}: {COL_HUSBAND_ID} / {COL_WIFE_ID}",
            yes,
            _(
                "ID numbers of the husband and the wife, registered persons. When the spouse "
                "is not registered here, leave that column blank and fill the spouse columns."
            ),
        ],
        [
            f"{COUPLES_SHEET}: {COL_SPOUSE_NAME}, {COL_SPOUSE_ID}, {COL_SPOUSE_WORK}, "
            f"{COL_SPOUSE_TOWNSHIP}",
            no,
            _("The spouse outside the system (for letters of inquiry)."),
        ],
        [f"{COUPLES_SHEET}: {COL_MARRIED_ON}", yes, _("The date of the marriage.")],
    ]
    values = [(COL_RELATION, list(RELATION_LABELS_ZH.values()))]
    _notes_sheet(workbook, columns=columns, values=values, advice=_common_advice())
    return workbook


def births_template() -> Workbook:
    """The births workbook (sheet 出生) with a 说明 sheet."""
    examples = [
        [
            "11010519900517002X",
            "110105198811020013",
            "2026-01-05",
            "男",
            "示例王小宝",
            "",
            "示范县人民医院",
            "",
            "",
        ],
    ]
    workbook = write_workbook(title=BIRTHS_SHEET, headers=BIRTH_HEADERS, rows=examples)
    yes, no = _("Yes"), _("No")
    columns = [
        [COL_MOTHER_ID, yes, _("ID number of the mother, a registered person.")],
        [COL_FATHER_ID, no, _("ID number of the father, if registered.")],
        [COL_CHILD_BIRTH, yes, _("The child's birth date.")],
        [COL_CHILD_SEX, yes, _("男 or 女.")],
        [COL_CHILD_NAME, no, _("The child's name.")],
        [
            COL_CHILD_ID,
            no,
            _("The child's ID number, when the child is registered as a person already."),
        ],
        [COL_PLACE, no, _("Hospital or place of birth.")],
        [
            COL_ORDER,
            no,
            _(
                "Leave blank: the birth order is computed from the mother's and the couple's "
                "children. Write a number only to correct it, with the reason."
            ),
        ],
        [COL_ORDER_REASON, _("With a corrected birth order"), _("Why the order is corrected.")],
        [
            COL_LATE_REASON,
            _("When the birth date is in a closed period"),
            _(
                "Why a birth dated in a period whose report is approved (closed) is entered "
                "late (补报/更正)."
            ),
        ],
    ]
    _notes_sheet(
        workbook,
        columns=columns,
        values=[(COL_CHILD_SEX, list(SEX_LABELS_ZH.values()))],
        advice=_common_advice(),
    )
    return workbook


def cell(values: Mapping[str, Any], column: str) -> str:
    value = values.get(column)
    return "" if value is None else str(value).strip()
