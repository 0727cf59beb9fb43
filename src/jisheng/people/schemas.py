"""API schemas of the registry. ID numbers are always masked; lists mask phones too."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.utils import timezone, translation
from ninja import Field, Schema

from jisheng.people.choices import EventKind, IdStatus, MaritalStatus, PersonStatus, Sex
from jisheng.people.selectors import age_on
from jisheng.people.tables import mask_phone

_LABELS: dict[tuple[type, str | None], dict[str, str]] = {}


def choice_label(choices: type[models.TextChoices], value: str) -> str:
    """The translated label of ``value``, translated once per language (not per row)."""
    key = (choices, translation.get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = {code: str(label) for code, label in choices.choices}
        _LABELS[key] = labels
    return labels.get(value, value)


class PersonFilters(Schema):
    q: str | None = Field(
        None,
        max_length=100,
        description=(
            "Search text: a name (张三), full pinyin or its beginning (zhangs), pinyin "
            "initials (zs), a full ID number (exact), or 7+ digits of a phone number."
        ),
    )
    unit: str | None = Field(
        None, max_length=32, description="A unit's code: only persons of it and its sub-units."
    )
    status: PersonStatus | None = Field(None, description="Registry status.")
    sex: Sex | None = Field(None, description="M or F.")
    marital_status: MaritalStatus | None = Field(None, description="Marital status.")
    age_min: int | None = Field(None, ge=0, le=150, description="Age today at least this.")
    age_max: int | None = Field(None, ge=0, le=150, description="Age today at most this.")


class UnitBriefOut(Schema):
    code: str
    name: str


class PersonOut(Schema):
    id: int
    name: str
    sex: str
    sex_label: str
    birth_date: datetime.date
    age: int = Field(description="Age in whole years today.")
    id_masked: str = Field(description="ID number with the middle digits hidden.")
    id_status: str
    unit: UnitBriefOut = Field(description="Residence unit.")
    marital_status: str
    marital_status_label: str
    status: str
    status_label: str
    phone: str = Field(description="Phone number with the middle digits hidden.")

    @staticmethod
    def resolve_sex_label(obj: Any) -> str:
        return choice_label(Sex, obj.sex)

    @staticmethod
    def resolve_age(obj: Any) -> int:
        return age_on(obj.birth_date, timezone.localdate())

    @staticmethod
    def resolve_marital_status_label(obj: Any) -> str:
        return choice_label(MaritalStatus, obj.marital_status)

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return choice_label(PersonStatus, obj.status)

    @staticmethod
    def resolve_phone(obj: Any) -> str:
        return mask_phone(obj.phone)


class PersonDetailOut(PersonOut):
    phone: str = Field(description="Phone number.")
    id_status_label: str
    name_pinyin: str = Field(description="Pinyin readings, separated by spaces.")
    ethnicity: str
    hukou_place: str
    hukou_type: str
    education: str
    employer: UnitBriefOut | None = None
    notes: str
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_phone(obj: Any) -> str:
        return obj.phone

    @staticmethod
    def resolve_id_status_label(obj: Any) -> str:
        return choice_label(IdStatus, obj.id_status)


class PeriodOut(Schema):
    valid_from: datetime.date
    valid_to: datetime.date | None = Field(description="Exclusive; null while current.")
    unit: UnitBriefOut
    employer: UnitBriefOut | None = None
    marital_status: str
    marital_status_label: str
    status: str
    status_label: str
    event_id: int | None = Field(description="The life event that opened the period.")

    @staticmethod
    def resolve_marital_status_label(obj: Any) -> str:
        return choice_label(MaritalStatus, obj.marital_status)

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return choice_label(PersonStatus, obj.status)


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    date: datetime.date
    unit: UnitBriefOut = Field(description="Unit the event was recorded in.")
    data: dict[str, Any] = Field(description="Kind-specific details.")
    note: str
    reverses_id: int | None = Field(description="For a correction: the event it reverses.")
    corrected: bool = Field(description="Whether a later correction reversed this event.")
    recorded_by: str | None = Field(description="Username of who recorded it.")
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return choice_label(EventKind, obj.kind)

    @staticmethod
    def resolve_corrected(obj: Any) -> bool:
        return bool(getattr(obj, "is_corrected", False))

    @staticmethod
    def resolve_recorded_by(obj: Any) -> str | None:
        return obj.recorded_by.username if obj.recorded_by_id else None
