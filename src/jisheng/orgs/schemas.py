"""API schemas of the organisation tree."""

from __future__ import annotations

import datetime

from django.utils import translation
from ninja import Field, Schema

from jisheng.orgs.choices import UnitType

_UNIT_TYPE_LABELS: dict[str | None, dict[str, str]] = {}


def unit_type_label(value: str) -> str:
    """The translated label of a unit type.

    ``Model.get_FOO_display()`` hashes every lazy choice label on every call (one
    translation per choice); a list of 500 units would spend most of its time there.
    The labels are translated once per language instead.
    """
    language = translation.get_language()
    labels = _UNIT_TYPE_LABELS.get(language)
    if labels is None:
        labels = {code: str(label) for code, label in UnitType.choices}
        _UNIT_TYPE_LABELS[language] = labels
    return labels.get(value, value)


class UnitFilters(Schema):
    parent: str | None = Field(
        None, max_length=32, description="A unit's code: only its direct sub-units."
    )
    type: UnitType | None = Field(None, description="Only units of this type.")
    q: str | None = Field(
        None, max_length=100, description="Name contains this text, or code starts with it."
    )
    active: bool | None = Field(None, description="Only active (true) or inactive (false) units.")


class UnitOut(Schema):
    code: str
    name: str
    unit_type: str
    unit_type_label: str
    parent_code: str | None = Field(None, description="Code of the parent unit; null at a root.")
    depth: int = Field(description="Level in the tree, 1 for a root.")
    path: str = Field(description="Materialised tree path; a sub-unit's path starts with it.")
    is_active: bool
    address: str
    phone: str
    child_count: int = Field(description="Number of direct sub-units.")

    @staticmethod
    def resolve_unit_type_label(obj) -> str:
        return unit_type_label(obj.unit_type)

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return getattr(obj, "parent_code", None)

    @staticmethod
    def resolve_child_count(obj) -> int:
        return obj.numchild


class PositionOut(Schema):
    id: int
    role: str
    role_label: str
    holder_name: str
    title: str
    phone: str
    start_date: datetime.date
    end_date: datetime.date | None

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.get_role_display())


class CommitteeSummaryOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    established_on: datetime.date | None
    dissolved_on: datetime.date | None
    member_count: int

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


class UnitDetailOut(UnitOut):
    notes: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    positions: list[PositionOut] = Field(description="Positions held today.")
    committees: list[CommitteeSummaryOut]

    @staticmethod
    def resolve_positions(obj) -> list:
        return obj.positions_today

    @staticmethod
    def resolve_committees(obj) -> list:
        return obj.committee_summary
