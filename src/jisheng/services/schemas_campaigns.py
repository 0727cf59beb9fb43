"""API schemas of campaigns (rounds, targets, attendance) and letters of inquiry."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Schema

from jisheng.api.inputs import MAX_ID, InputModel, column
from jisheng.services.models import CampaignTarget


class RoundOut(Schema):
    id: int
    kind: str
    name: str
    campaign_id: str
    target_group: str
    period_start: datetime.date
    period_end: datetime.date
    unit_code: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.name")
    pack_code: str
    pack_version: str


class TargetOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    unit_code: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.name")
    attended_on: datetime.date | None
    iud_in_place: str
    pregnant: str
    findings: str
    referred: bool
    referred_to: str
    checked_elsewhere: bool
    checked_elsewhere_on: datetime.date | None
    voided: bool


class TargetFilters(Schema):
    unit: str | None = Field(None, max_length=32, description="Only targets below this unit.")
    q: str = Field("", max_length=50, description="Name, pinyin or initials.")
    open: bool = Field(False, description="Only those not attended nor checked elsewhere.")


class AttendanceRowIn(InputModel):
    target: int = Field(ge=1, le=MAX_ID, strict=True)
    attended_on: datetime.date | None = None
    iud_in_place: Literal["", "yes", "no", "na"] = ""
    pregnant: Literal["", "yes", "no"] = ""
    findings: str = column(CampaignTarget, "findings", "")
    referred: bool = False
    referred_to: str = column(CampaignTarget, "referred_to", "")


class AttendanceIn(InputModel):
    rows: list[AttendanceRowIn] = Field(min_length=1, max_length=500)
    late_reason: str = Field(
        "",
        max_length=500,
        description=(
            "补报/更正原因: required when a changed row is attended on a day inside a closed "
            "period (its report approved); without it 422 on that row's attended_on."
        ),
    )


class AttendanceOut(Schema):
    changed: int


class LetterOut(Schema):
    id: int
    number: str
    issuer_code: str = Field(alias="issuer.code")
    year: int
    person_id: int
    person_name: str = Field(alias="person.name")
    couple_id: int
    spouse_name: str
    addressed_to: str
    sent_on: datetime.date
    reply_received_on: datetime.date | None
    reply_result: str
    reply_text: str


class LetterFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    open: bool = Field(False, description="Only letters sent without a reply.")
