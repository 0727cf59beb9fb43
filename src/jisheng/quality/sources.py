"""The kinds of external list checked at the five checkpoints (五关, SPEC §9): what
each list must hold, the usual column headers, and what in the registry it is matched
against.

A source's fields are ours; a file's headers are mapped onto them
(:class:`jisheng.quality.models.CrossCheckMapping`, saved per source). The default
headers are the ones the usual printed forms carry (Chinese, part of the file format).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# What a field holds, i.e. how its cell is read (lists.normalise_value)
TEXT = "text"
DATE = "date"
SEX = "sex"
ID = "id"  # a resident ID number: checked, hashed, never stored plain
UNIT = "unit"  # a unit code of the registry

# What a list is matched against
BIRTHS = "births"  # people.Birth (child, mother)
MARRIAGES = "marriages"  # people.Couple (wife, husband)
PERSONS = "persons"  # people.Person (the adopted child)


@dataclass(frozen=True)
class SourceField:
    key: str
    label: str | Promise
    kind: str = TEXT
    required: bool = False
    header: str = ""  # the usual header of the printed form


@dataclass(frozen=True)
class Source:
    key: str
    label: str | Promise
    fields: tuple[SourceField, ...]
    target: str
    # the field holding the date of the event that places a row in a period
    date_field: str
    # whether every registry record of the period and area should appear on the list,
    # so that a registry record with no list entry is flagged for checking
    expects_all: bool = True

    def field(self, key: str) -> SourceField:
        return next(f for f in self.fields if f.key == key)

    @property
    def required(self) -> list[SourceField]:
        return [f for f in self.fields if f.required]

    def default_mapping(self) -> dict[str, str]:
        return {f.key: f.header for f in self.fields}


_UNIT = SourceField("unit_code", _("Unit code of the address"), UNIT, header="住址单位代码")
_ADDRESS = SourceField("address", _("Address"), header="家庭住址")


def _child(required_name: bool) -> tuple[SourceField, ...]:
    return (
        SourceField("child_name", _("Child's name"), required=required_name, header="新生儿姓名"),
        SourceField("sex", _("Sex"), SEX, required=True, header="性别"),
        SourceField("birth_date", _("Birth date"), DATE, required=True, header="出生日期"),
    )


_MOTHER = (
    SourceField("mother_name", _("Mother's name"), required=True, header="母亲姓名"),
    SourceField("mother_id", _("Mother's ID number"), ID, header="母亲身份证号"),
)

HOSPITAL_BIRTHS = Source(
    key="hospital_births",
    label=_("Hospital births (birth medical certificates)"),
    fields=(
        SourceField(
            "certificate",
            _("Birth medical certificate number"),
            required=True,
            header="出生医学证明编号",
        ),
        *_child(False),
        *_MOTHER,
        SourceField("hospital", _("Hospital"), header="接生机构"),
        _UNIT,
        _ADDRESS,
    ),
    target=BIRTHS,
    date_field="birth_date",
)

HUKOU_BIRTHS = Source(
    key="hukou_births",
    label=_("Household registrations of newborns"),
    fields=(
        *_child(True),
        SourceField("child_id", _("Child's ID number"), ID, header="公民身份号码"),
        *_MOTHER,
        SourceField(
            "certificate", _("Birth medical certificate number"), header="出生医学证明编号"
        ),
        _UNIT,
        _ADDRESS,
    ),
    target=BIRTHS,
    date_field="birth_date",
)

MARRIAGES_SOURCE = Source(
    key="marriages",
    label=_("Marriage registrations"),
    fields=(
        SourceField("husband_name", _("Husband's name"), required=True, header="男方姓名"),
        SourceField("husband_id", _("Husband's ID number"), ID, header="男方身份证号"),
        SourceField("wife_name", _("Wife's name"), required=True, header="女方姓名"),
        SourceField("wife_id", _("Wife's ID number"), ID, header="女方身份证号"),
        SourceField("married_on", _("Registered on"), DATE, required=True, header="登记日期"),
        SourceField("certificate", _("Marriage certificate number"), header="结婚证字号"),
        _UNIT,
        _ADDRESS,
    ),
    target=MARRIAGES,
    date_field="married_on",
)

ADOPTIONS = Source(
    key="adoptions",
    label=_("Adoption registrations"),
    fields=(
        SourceField("child_name", _("Child's name"), required=True, header="被收养人姓名"),
        SourceField("sex", _("Sex"), SEX, required=True, header="性别"),
        SourceField("birth_date", _("Birth date"), DATE, required=True, header="出生日期"),
        SourceField("child_id", _("Child's ID number"), ID, header="被收养人身份证号"),
        SourceField("adopter_name", _("Adopter's name"), header="收养人姓名"),
        SourceField("adopted_on", _("Registered on"), DATE, header="登记日期"),
        _UNIT,
        _ADDRESS,
    ),
    target=PERSONS,
    date_field="birth_date",
    expects_all=False,
)

VACCINATIONS = Source(
    key="vaccinations",
    label=_("Vaccination records"),
    fields=(
        *_child(True),
        SourceField("child_id", _("Child's ID number"), ID, header="儿童身份证号"),
        *_MOTHER,
        SourceField("clinic", _("Vaccination clinic"), header="接种单位"),
        _UNIT,
        _ADDRESS,
    ),
    target=BIRTHS,
    date_field="birth_date",
)

SOURCES: dict[str, Source] = {
    s.key: s for s in (HOSPITAL_BIRTHS, HUKOU_BIRTHS, MARRIAGES_SOURCE, ADOPTIONS, VACCINATIONS)
}
# The registry's births are compared with the hospitals' for the indicator 出生统计符合率.
BIRTH_SOURCES = (HOSPITAL_BIRTHS.key, HUKOU_BIRTHS.key, VACCINATIONS.key)


def source_choices() -> list[tuple[str, str | Promise]]:
    return [(s.key, s.label) for s in SOURCES.values()]


def get_source(key: str) -> Source | None:
    return SOURCES.get(key)
