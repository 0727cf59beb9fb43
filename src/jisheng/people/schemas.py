"""API schemas of the registry. ID numbers are always masked; lists mask phones too.

Input bodies (``…In``) are plain pydantic models: a PATCH needs to know which fields
were sent (``exclude_unset``) and which were not expected at all (``model_extra``).
Output schemas (``…Out``) are ninja schemas resolved from the model objects.
"""

from __future__ import annotations

import datetime
import enum
import re
from typing import Annotated, Any

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from jisheng.api.inputs import MAX_ID, InputModel, Name, column
from jisheng.core.validation import birth_date_error
from jisheng.people import privacy
from jisheng.people.choices import (
    Education,
    EventKind,
    HukouType,
    IdStatus,
    MaritalStatus,
    PersonStatus,
    Sex,
)
from jisheng.people.models import Couple, LifeEvent, Person
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


ID_MASKED_HELP = "ID number with everything after the region (first six digits) hidden."


def _full_birth(context: Any) -> bool:
    """Whether the API caller may see exact birth dates (``people.view_full_id``)."""
    request = (context or {}).get("request")
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    return privacy.sees_full_birth(user)


class UnitBriefOut(Schema):
    code: str
    name: str


class PersonOut(Schema):
    id: int
    name: str
    sex: str
    sex_label: str
    birth_date: datetime.date | None = Field(
        description=(
            "YYYY-MM-DD for callers with ``people.view_full_id``; null for the others, who "
            "see ``birth_month`` only (a mask and a full birth date would leave too few "
            "candidate ID numbers)."
        )
    )
    birth_month: str = Field(description="YYYY-MM, for every caller.")
    age: int = Field(
        description=(
            "Age in whole years today; without ``people.view_full_id`` counted from the "
            "birth month (a year complete from the first day of the birth month)."
        )
    )
    id_masked: str = Field(description=ID_MASKED_HELP)
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
    def resolve_birth_date(obj: Any, context: Any) -> datetime.date | None:
        return obj.birth_date if _full_birth(context) else None

    @staticmethod
    def resolve_birth_month(obj: Any) -> str:
        return privacy.birth_month(obj.birth_date)

    @staticmethod
    def resolve_age(obj: Any, context: Any) -> int:
        return privacy.shown_age(obj.birth_date, timezone.localdate(), full=_full_birth(context))

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


class EventRecordedOut(EventOut):
    transfer_id: int | None = Field(
        description=(
            "The management transfer (管理移交) the event opened: leaving employment, "
            "retirement and moving out open one; null otherwise."
        )
    )

    @staticmethod
    def resolve_transfer_id(obj: Any) -> int | None:
        transfer = getattr(obj, "transfer", None)
        return transfer.pk if transfer is not None else None


# --------------------------------------------------------------------------- input

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(value: Any) -> Any:
    """A JSON date ``YYYY-MM-DD`` with a translated message for a wrong one (31 Feb …)."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if _DATE_RE.match(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            message = _("%(value)s is not a real date (no such day in the calendar).") % {
                "value": text
            }
            raise PydanticCustomError("date_invalid", "{message}", {"message": message}) from None
    raise PydanticCustomError(
        "date_format", "{message}", {"message": _("Enter a date as YYYY-MM-DD.")}
    )


ApiDate = Annotated[datetime.date, BeforeValidator(_date)]


def _birth_date(value: datetime.date) -> datetime.date:
    """A plausible date of birth (the rule of :func:`jisheng.core.validation.birth_date_error`)."""
    message = birth_date_error(value)
    if message:
        raise PydanticCustomError("birth_date", "{message}", {"message": message})
    return value


BirthDate = Annotated[ApiDate, AfterValidator(_birth_date)]


def _subset(name: str, choices: type[models.TextChoices], leave_out: set[str]) -> type[enum.Enum]:
    """A string enum of ``choices`` without ``leave_out`` (for the OpenAPI document)."""
    members = [(c.name, c.value) for c in choices if c.value not in leave_out]
    return enum.Enum(name, members, type=str)  # type: ignore[return-value]


# A person is not registered as already gone; registration and correction have their
# own endpoints.
RegisterStatus = _subset(
    "RegisterStatus", PersonStatus, {PersonStatus.TRANSFERRED_OUT, PersonStatus.DECEASED}
)
RecordableEventKind = _subset(
    "RecordableEventKind", EventKind, {EventKind.REGISTER, EventKind.CORRECTION}
)


class PersonIn(InputModel):
    """Registration (建档): identity, then the state on the registration date."""

    name: Name = column(Person, "name", min_length=1, description="Name (姓名).")
    sex: Sex = Field(description="M or F; must agree with the ID number's 17th digit.")
    birth_date: BirthDate = Field(
        description=("YYYY-MM-DD, from 1900-01-01 to today; must agree with the ID number.")
    )
    id_status: IdStatus = Field(
        IdStatus.VALID,
        description=(
            "``valid`` (default) requires ``id_number``; ``newborn``, ``foreign`` or "
            "``other`` register a person without one (``id_number`` then stays empty)."
        ),
    )
    id_number: str = Field(
        "",
        max_length=30,
        description=(
            "Resident ID number (公民身份号码), 18 characters, GB 11643 checksum. Stored "
            "encrypted; answers show it masked."
        ),
    )
    unit: str = Field(
        min_length=1,
        max_length=32,
        description="Code of the residence unit; must be in the caller's data scope.",
    )
    employer: str | None = Field(
        None,
        max_length=32,
        description="Code of the employer (a work unit in the caller's data scope).",
    )
    registered_on: ApiDate | None = Field(
        None, description="Day the person entered the registry here (default today)."
    )
    marital_status: MaritalStatus = Field(MaritalStatus.SINGLE)
    status: RegisterStatus = Field(RegisterStatus(PersonStatus.REGISTERED.value))  # type: ignore[valid-type]
    ethnicity: str = column(Person, "ethnicity", "汉族")
    hukou_place: str = column(
        Person, "hukou_place", "", description="Household registration place."
    )
    hukou_type: HukouType | None = Field(None, description="Household registration type.")
    phone: str = column(Person, "phone", "")
    education: Education | None = None
    notes: str = column(Person, "notes", "")
    late_reason: str = Field(
        "",
        max_length=500,
        description=(
            "补报/更正原因: required when the date falls in a closed period (its report "
            "approved); without it 422 with the reason asked for on the date field."
        ),
    )


# Fields of a person that change only through life events, and those fixed at
# registration: a PATCH naming one is refused with a message saying so.
STATE_FIELDS = ("unit", "employer", "marital_status", "status")
FIXED_FIELDS = ("sex", "birth_date", "id_number", "id_status", "registered_on")


class PersonPatchIn(InputModel):
    """Identity details; only the fields sent change. State fields are refused."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    # ``None`` defaults mark "not sent"; an explicit null is refused for text fields.
    name: Name = column(Person, "name", None, min_length=1)
    ethnicity: str = column(Person, "ethnicity", None)
    hukou_place: str = column(Person, "hukou_place", None)
    hukou_type: HukouType | None = Field(None, description="null clears it.")
    phone: str = column(Person, "phone", None)
    education: Education | None = Field(None, description="null clears it.")
    notes: str = column(Person, "notes", None)


class OutsideSpouseIn(InputModel):
    """A spouse outside the registry (for a marriage): what a letter of inquiry needs."""

    name: Name = column(Couple, "outside_name", min_length=1)
    id_number: str = Field("", max_length=18)
    work_unit: str = column(Couple, "outside_work_unit", "")
    township: str = column(Couple, "outside_township", "")
    phone: str = column(Couple, "outside_phone", "")


class EventIn(InputModel):
    """A life event. Which details apply depends on the kind (see the endpoint)."""

    kind: RecordableEventKind = Field(description="The event.")  # type: ignore[valid-type]
    date: ApiDate = Field(description="YYYY-MM-DD, not in the future.")
    unit: str | None = Field(
        None,
        max_length=32,
        description=(
            "Code of the unit the person moves to: required for ``flow_in`` and "
            "``internal_transfer``, optional for ``move_in``; refused for other kinds."
        ),
    )
    employer: str | None = Field(
        None,
        max_length=32,
        description=(
            "Code of the new employer (a work unit) for ``move_in`` and "
            "``internal_transfer``; refused for other kinds."
        ),
    )
    to: str = Field("", max_length=200, description="Where the person went.")
    place: str = Field("", max_length=200, description="Place of a birth or death.")
    reason: str = Field("", max_length=200, description="Free detail: why.")
    note: str = column(LifeEvent, "note", "")
    spouse: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        strict=True,
        description="``marriage``: id of the registered spouse (or ``outside_spouse``).",
    )
    outside_spouse: OutsideSpouseIn | None = Field(
        None, description="``marriage``: the spouse when not in the registry."
    )
    couple: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        strict=True,
        description="``divorce``: id of the marriage that ends (default: the only one in force).",
    )
    late_reason: str = Field(
        "",
        max_length=500,
        description=(
            "补报/更正原因: required when the date falls in a closed period (its report "
            "approved); without it 422 with the reason asked for on the date field."
        ),
    )


class EventCorrectIn(InputModel):
    # not stripped: a blank reason gets the service's own message
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    reason: str = column(
        LifeEvent,
        "note",
        min_length=1,
        description="Why the event is wrong; kept with the event, which stays in the history.",
    )


# --------------------------------------------------------------------------- the card


class PersonBriefOut(Schema):
    id: int
    name: str
    sex: str
    birth_date: datetime.date | None = Field(
        description="YYYY-MM-DD with ``people.view_full_id``, else null."
    )
    birth_month: str = Field(description="YYYY-MM.")


class CardIdentityOut(Schema):
    id: int
    name: str
    name_pinyin: str
    sex: str
    sex_label: str
    birth_date: datetime.date | None = Field(
        description="YYYY-MM-DD with ``people.view_full_id``, else null."
    )
    birth_month: str = Field(description="YYYY-MM.")
    age: int = Field(
        description="Age in whole years today (from the birth month without view_full_id)."
    )
    id_masked: str = Field(description=ID_MASKED_HELP)
    id_status: str
    id_status_label: str
    ethnicity: str
    hukou_place: str
    hukou_type: str
    hukou_type_label: str
    phone: str
    education: str
    education_label: str
    notes: str
    is_wra: bool = Field(
        description="Woman of reproductive age (育龄妇女: female, 15–49, living) today."
    )


class CardStateOut(Schema):
    unit: UnitBriefOut = Field(description="Residence unit.")
    employer: UnitBriefOut | None = None
    marital_status: str
    marital_status_label: str
    status: str
    status_label: str
    registered_on: datetime.date | None = Field(description="Date of the registration event.")


class CardMemberOut(Schema):
    person: PersonBriefOut
    relation: str
    relation_label: str
    joined_on: datetime.date | None
    left_on: datetime.date | None


class CardHouseholdOut(Schema):
    id: int
    number: str
    address: str
    unit: UnitBriefOut
    head_id: int | None
    relation: str = Field(description="The person's relation to the head.")
    relation_label: str
    joined_on: datetime.date | None
    left_on: datetime.date | None
    current: bool = Field(description="Whether the person is still a member.")
    members: list[CardMemberOut] = Field(description="Every member, past ones included.")


class OutsideSpouseOut(Schema):
    name: str
    sex: str
    id_masked: str
    work_unit: str
    township: str
    phone: str


class CardCoupleOut(Schema):
    id: int
    unit: UnitBriefOut
    married_on: datetime.date
    ended_on: datetime.date | None
    end_reason: str
    end_reason_label: str
    current: bool = Field(description="Whether the marriage has not ended.")
    spouse: PersonBriefOut | None = Field(description="The spouse, when registered here.")
    outside_spouse: OutsideSpouseOut | None = Field(
        description="The spouse outside the registry (kept for letters of inquiry, 函调)."
    )


class CardBirthOut(Schema):
    id: int
    date: datetime.date
    sex: str
    sex_label: str
    parent: str = Field(description="The person is the child's ``mother`` or ``father``.")
    child: PersonBriefOut | None = Field(description="The child, when registered.")
    child_name: str
    birth_order: int = Field(description="Birth order (孩次): the override if any, else computed.")
    computed_order: int
    order_override: int | None
    order_override_reason: str
    place: str
    within_policy: bool = Field(
        description=(
            "Whether the birth order is within the policy in force: a statistic only "
            "(SPEC §0); nothing is computed against the person from it."
        )
    )
    policy_limit: int = Field(description="The policy limit the statistic applied.")


class CardPregnancyOut(Schema):
    id: int
    registered_on: datetime.date
    expected_on: datetime.date | None
    outcome: str = Field(description="Empty while ongoing.")
    outcome_label: str
    outcome_on: datetime.date | None
    birth_id: int | None


class CorrectionOut(Schema):
    id: int
    date: datetime.date
    reason: str


class CardEventOut(EventOut):
    correction: CorrectionOut | None = Field(
        description="For a corrected event: the correction that reversed it."
    )


class CardTransferOut(Schema):
    id: int
    reason: str
    reason_label: str
    opened_on: datetime.date
    status: str
    status_label: str
    unit: UnitBriefOut = Field(description="Unit the person left.")
    receiving_unit: UnitBriefOut | None
    receiving_name: str
    records_handed: str
    completed_on: datetime.date | None
    clearance_number: str
    event_id: int


class CardOut(Schema):
    identity: CardIdentityOut
    state: CardStateOut
    households: list[CardHouseholdOut]
    couples: list[CardCoupleOut] = Field(description="Marriages, latest first, ended ones too.")
    births: list[CardBirthOut] = Field(description="As mother or father, oldest first.")
    pregnancies: list[CardPregnancyOut] = Field(description="Latest first.")
    periods: list[PeriodOut] = Field(description="The dated state, oldest first.")
    events: list[CardEventOut] = Field(description="The timeline, corrections included.")
    transfers: list[CardTransferOut] = Field(
        description="Management transfers (管理移交), latest first; cancelled ones left out."
    )
