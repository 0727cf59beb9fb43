"""API schemas of the services app: the worklist, methods, visits and visits due.

Input bodies (``…In``) are plain pydantic models that refuse unknown fields; output
schemas (``…Out``) are ninja schemas resolved from the model objects, each code with its
translated label (``…_label``).
"""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema

from jisheng.api.inputs import MAX_ID, InputModel, column
from jisheng.people.schemas import ApiDate, choice_label
from jisheng.services.choices import ChangeReason, DueKind, Method, Satisfaction, VisitWay
from jisheng.services.models import ContraceptionRecord, FollowUpVisit
from jisheng.services.presentation import DueStatus

# --------------------------------------------------------------------------- worklist


class WorklistFilters(Schema):
    unit: str | None = Field(
        None,
        max_length=32,
        description=(
            "A unit's code: only the work of it and its sub-units (404 outside the caller's "
            "data scope). Default: the caller's whole scope."
        ),
    )
    limit: int = Field(20, ge=0, le=100, description="Items per group (the count covers them all).")


class WorkItemOut(Schema):
    person_id: int | None = Field(
        description="The person the item is about; null for work about a record (a report)."
    )
    person_name: str
    unit_name: str
    date: datetime.date = Field(
        description="Due date, expected date, marriage date or opening date, by group."
    )
    what: str = Field(description="What is due, in the request's language.")
    url: str = Field(description="The page (path) whose form clears the item.")
    late_days: int = Field(description="Days past the date (transfers: days open).")
    appointment_on: datetime.date | None = Field(
        None,
        description="Visits: the day agreed for another visit (需另约时间); the item is due then.",
    )
    message: str = Field("", description="A return's message (退回意见), if it was returned.")


class WorkGroupOut(Schema):
    kind: str = Field(
        description="overdue, due, pregnancy, newlywed, registration, transfer, absent, letter, "
        "or the kind of another app's worklist source."
    )
    label: str
    count: int = Field(description="Items in the group, all of them.")
    items: list[WorkItemOut] = Field(description="The first items, soonest first.")

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return str(obj.label)


class WorklistOut(Schema):
    today: datetime.date = Field(description="Today in the server's time zone.")
    total: int
    groups: list[WorkGroupOut]


# --------------------------------------------------------------------------- methods


class MethodOut(Schema):
    id: int
    person_id: int
    method: str
    method_label: str
    started_on: datetime.date
    ended_on: datetime.date | None = Field(description="Null while the method is in use.")
    reason: str
    reason_label: str
    reason_note: str
    provider: str
    explained_by: str
    options_offered: list[str]
    told_other_methods: bool | None
    told_side_effects: bool | None
    told_what_to_do: bool | None
    informed: bool = Field(description="Who explained and the options offered are recorded.")
    mii_complete: bool = Field(description="The three MII questions all answered yes.")
    voided: bool
    voided_at: datetime.datetime | None
    void_reason: str

    @staticmethod
    def resolve_method_label(obj: Any) -> str:
        return choice_label(Method, obj.method)

    @staticmethod
    def resolve_reason_label(obj: Any) -> str:
        return choice_label(ChangeReason, obj.reason)


class MethodIn(InputModel):
    """A method started, changed or stopped (``none``), with the informed choice."""

    person: int = Field(
        ge=1, le=MAX_ID, strict=True, description="The person's id (in the caller's data scope)."
    )
    method: Method = Field(description="The method chosen; ``none`` records stopping.")
    started_on: ApiDate = Field(
        description="YYYY-MM-DD, not in the future, after the current method's start."
    )
    reason: ChangeReason = Field(ChangeReason.FIRST, description="Why it started or changed.")
    reason_note: str = column(ContraceptionRecord, "reason_note", "")
    provider: str = column(
        ContraceptionRecord, "provider", "", description="Hospital, station or doctor."
    )
    explained_by: str = column(
        ContraceptionRecord,
        "explained_by",
        "",
        description="Who explained the methods (informed choice).",
    )
    options_offered: list[Method] = Field(
        default_factory=list, max_length=50, description="The methods offered to the person."
    )
    told_other_methods: bool = Field(description="MII 1: told about other methods?")
    told_side_effects: bool = Field(description="MII 2: told about side effects?")
    told_what_to_do: bool = Field(description="MII 3: told what to do about side effects?")
    late_reason: str = Field(
        "",
        max_length=500,
        description=(
            "补报/更正原因: required when the date falls in a closed period (its report "
            "approved); without it 422 with the reason asked for on the date field."
        ),
    )


# --------------------------------------------------------------------------- visits


class VisitOut(Schema):
    id: int
    person_id: int
    visited_on: datetime.date
    way: str
    way_label: str
    visitor_name: str
    method_in_use: str
    method_in_use_label: str
    satisfaction: str
    satisfaction_label: str
    side_effects: str
    needs: str
    commodities: str
    notes: str
    appointment_on: datetime.date | None = Field(
        None, description="需另约时间: the day agreed for another visit (this one clears nothing)."
    )
    voided: bool
    voided_at: datetime.datetime | None
    void_reason: str

    @staticmethod
    def resolve_way_label(obj: Any) -> str:
        return choice_label(VisitWay, obj.way)

    @staticmethod
    def resolve_method_in_use_label(obj: Any) -> str:
        return choice_label(Method, obj.method_in_use) if obj.method_in_use else ""

    @staticmethod
    def resolve_satisfaction_label(obj: Any) -> str:
        return choice_label(Satisfaction, obj.satisfaction) if obj.satisfaction else ""


class VisitIn(InputModel):
    """A follow-up visit made (随访)."""

    person: int = Field(
        ge=1, le=MAX_ID, strict=True, description="The person's id (in the caller's data scope)."
    )
    visited_on: ApiDate | None = Field(None, description="YYYY-MM-DD; default today.")
    way: VisitWay = Field(description="How the visit was made.")
    visitor_name: str = column(
        FollowUpVisit, "visitor_name", "", description="Default: the caller's name."
    )
    method_in_use: Method | None = Field(None, description="The method the person uses now.")
    satisfaction: Satisfaction | None = None
    side_effects: str = column(FollowUpVisit, "side_effects", "")
    needs: str = column(FollowUpVisit, "needs", "")
    commodities: str = column(
        FollowUpVisit, "commodities", "", description="Commodities handed over."
    )
    notes: str = column(FollowUpVisit, "notes", "")
    due: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        strict=True,
        description=(
            "Id of the visit due the visit was made for (a worklist item, even overdue): "
            "it clears that one rather than the period the date falls in."
        ),
    )
    appointment_on: ApiDate | None = Field(
        None,
        description=(
            "需另约时间: the visit could not be made and another day was agreed (after "
            "visited_on, within a year). It clears nothing; the person's open visits due "
            "show on the worklist as due that day."
        ),
    )
    late_reason: str = Field(
        "",
        max_length=500,
        description=(
            "补报/更正原因: required when the date falls in a closed period (its report "
            "approved); without it 422 with the reason asked for on the date field."
        ),
    )


class VoidIn(InputModel):
    reason: str = column(
        FollowUpVisit,
        "void_reason",
        min_length=1,
        description="Why the record is voided (kept with it).",
    )


# --------------------------------------------------------------------------- a person


class DueOut(Schema):
    kind: str
    kind_label: str
    method: str
    starts_on: datetime.date = Field(description="The window opens (a visit counts from then).")
    due_on: datetime.date
    sequence: int
    event_on: datetime.date | None = Field(description="The operation, delivery or abortion.")
    done_on: datetime.date | None
    visit_id: int | None
    status: str = Field(description="on_time, late, open, overdue, missed or upcoming.")
    status_label: str

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return choice_label(DueKind, obj.kind)

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(DueStatus.LABELS[obj.status])


class PersonServicesOut(Schema):
    person_id: int
    name: str
    current_method: MethodOut | None = Field(description="The latest method record in force.")
    methods: list[MethodOut] = Field(description="Oldest first, voided records included.")
    visits: list[VisitOut] = Field(description="Newest first, voided visits included.")
    due: list[DueOut] = Field(description="Visits due, by due date.")
