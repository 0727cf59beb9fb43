"""The schema of a policy pack (pydantic v2): what one YAML file may say.

Every model forbids unknown keys. Rewards and penalties (``assessment.consequences``)
may address only a ``unit`` or a ``staff_role``, for administrative duties only (SPEC
§0); anything else is rejected with a message saying why. Free text anywhere in a pack
is scanned for person sanctions separately, in :mod:`jisheng.policy.loader`.

The field validators translate their messages when the pack is validated, so the
errors come out in the language of the request or the command.
"""

from __future__ import annotations

import datetime
import itertools
import re
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from jisheng.orgs.choices import PositionRole, UnitType
from jisheng.people.choices import MaritalStatus, PersonStatus
from jisheng.policy.choices import (
    SCORED_AGAINST_TARGET,
    AfterEvent,
    CampaignKind,
    CompositeSource,
    ConsequenceKind,
    Direction,
    Method,
    SanctionTarget,
    ScoringKind,
    TargetUnit,
    Trigger,
)
from jisheng.policy.measures import is_behaviour
from jisheng.policy.schema_base import Name, Slug, Strict, Text, policy_error
from jisheng.policy.schema_benefits import Benefits

PACK_ID = r"^[a-z0-9][a-z0-9-]*$"


def section0_error(reason: str) -> PydanticCustomError:
    return PydanticCustomError("section0", "{message}", {"message": section0_message(reason)})


def section0_message(reason: str) -> str:
    return _(
        "%(reason)s Not allowed (SPEC §0): jisheng records services and people's choices "
        "and holds only units and staff roles accountable for administrative duties; it "
        "never sanctions a private person."
    ) % {"reason": reason}


def behaviour_scored_message(indicator: str) -> str:
    """Why a behaviour indicator may not carry points, a weight or a scoring rule."""
    return _(
        "Not allowed (SPEC §0): %(indicator)s measures private behaviour (births, "
        "pregnancies, contraception, attendance at services); it is shown as information "
        "only, with its value, trend and target, and carries no points, weight or scoring."
    ) % {"indicator": indicator}


def behaviour_trigger_message(indicators: str) -> str:
    """Why no consequence may be fired by a behaviour indicator."""
    return _(
        "Not allowed (SPEC §0): %(indicators)s measure private behaviour and may not fire "
        "a veto, penalty, reward, notice or any other consequence — not even through "
        "indicator_below_target. Take the target off these items or remove the trigger."
    ) % {"indicators": indicators}


def _as_text(value: Any) -> Any:
    """YAML reads ``version: 2`` and ``lines: 120`` as numbers; they are text here."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Month = Annotated[int, Field(ge=1, le=12)]
DayOfMonth = Annotated[int, Field(ge=1, le=31)]
Age = Annotated[int, Field(ge=0, le=120)]
Amount = Annotated[float, Field(ge=0)]


# --- provenance ---------------------------------------------------------------------


class Source(Strict):
    """Where a pack was transcribed from: a seed file and its line ranges."""

    file: Name
    lines: Annotated[
        str, BeforeValidator(_as_text), Field(pattern=r"^\d+(-\d+)?(,\s*\d+(-\d+)?)*$")
    ]
    note: Text = ""


# --- who ----------------------------------------------------------------------------


class TargetGroup(Strict):
    """A population the pack's services address, e.g. married women of reproductive age."""

    label: Text = ""
    sex: Literal["F", "M"] | None = None
    age_min: Age | None = None
    age_max: Age | None = None
    marital: list[MaritalStatus] = []
    statuses: list[PersonStatus] = []
    employees_only: bool = False

    @model_validator(mode="after")
    def _ages(self) -> TargetGroup:
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise policy_error(_("age_min is greater than age_max."))
        return self


# --- follow-up visits ----------------------------------------------------------------


class MethodFollowup(Strict):
    every_months: PositiveInt
    face_to_face: bool = False


class AfterFollowup(Strict):
    """Visits after an operation, a delivery or an abortion: the first one ``first_after_days``
    days after it, then every ``then_every_months`` months, ``visits`` in all."""

    first_after_days: NonNegativeInt
    then_every_months: PositiveInt | None = None
    visits: PositiveInt = 1

    @model_validator(mode="after")
    def _repeat(self) -> AfterFollowup:
        if self.visits > 1 and self.then_every_months is None:
            raise policy_error(_("More than one visit needs then_every_months."))
        return self


class Followup(Strict):
    target: Slug
    methods: dict[Method, MethodFollowup] = {}
    after: dict[AfterEvent, AfterFollowup] = {}
    employees_every_months: PositiveInt | None = None
    note: Text = ""


# --- service rounds ------------------------------------------------------------------


class Campaign(Strict):
    """A service campaign run in rounds. Its rounds are created for every office the pack
    applies to (``services.campaigns.rounds_create_from_packs``, nightly): one round a
    month listed in ``months`` (the whole month), in the years ``every_years`` apart from
    the pack's first year. Without ``months``, the ``rounds_per_year`` rounds are spread
    evenly from January (2: January and July; 4: January, April, July, October)."""

    id: Slug
    kind: CampaignKind
    name: Name
    rounds_per_year: Annotated[int, Field(ge=1, le=12)] = 1
    every_years: Annotated[int, Field(ge=1, le=5)] = 1
    months: list[Month] = []
    target: Slug
    note: Text = ""

    @model_validator(mode="after")
    def _months(self) -> Campaign:
        if self.months and len(self.months) != self.rounds_per_year:
            raise policy_error(
                _("months lists %(n)s months but rounds_per_year is %(r)s.")
                % {"n": len(self.months), "r": self.rounds_per_year}
            )
        if self.months != sorted(set(self.months)):
            raise policy_error(_("months must be in increasing order, each once."))
        return self

    def round_months(self) -> list[int]:
        """The months in which a round opens."""
        if self.months:
            return list(self.months)
        return [1 + (12 * n) // self.rounds_per_year for n in range(self.rounds_per_year)]

    def runs_in(self, year: int, first_year: int) -> bool:
        """Whether the campaign has rounds in ``year`` (every ``every_years`` years from
        ``first_year``, the year the pack took effect)."""
        return year >= first_year and (year - first_year) % self.every_years == 0


class LetterInquiry(Strict):
    """函调: a yearly letter to the spouse's unit, for employees whose spouse works elsewhere
    (once a year: letters are numbered and kept per year, so there is no frequency key)."""

    sex: Literal["F", "M"] = "M"
    age_max: Age
    spouse_outside_organisation: bool = True
    statuses: list[PersonStatus] = [PersonStatus.REGISTERED]
    note: Text = ""


# --- deadlines -----------------------------------------------------------------------


class _Deadline(Strict):
    label: Text = ""


class QuarterMonthDay(_Deadline):
    """Day ``day`` of month ``month_of_quarter`` (1–3) of the quarter."""

    kind: Literal["quarter_month_day"]
    month_of_quarter: Annotated[int, Field(ge=1, le=3)]
    day: DayOfMonth


class DaysAfter(_Deadline):
    kind: Literal["days_after"]
    days: PositiveInt


class MonthsAfter(_Deadline):
    kind: Literal["months_after"]
    months: PositiveInt


class MonthDay(_Deadline):
    """Day ``day`` of every month (the last day when the month is shorter)."""

    kind: Literal["month_day"]
    day: DayOfMonth


class YearMonthDay(_Deadline):
    kind: Literal["year_month_day"]
    month: Month
    day: DayOfMonth

    @model_validator(mode="after")
    def _date(self) -> YearMonthDay:
        try:
            datetime.date(2024, self.month, self.day)  # a leap year: 29 February is valid
        except ValueError as exc:
            raise policy_error(_("There is no such day in that month.")) from exc
        return self


Deadline = Annotated[
    QuarterMonthDay | DaysAfter | MonthsAfter | MonthDay | YearMonthDay,
    Field(discriminator="kind"),
]


# --- births, marriage, commodities ---------------------------------------------------


REFERENCE_AGE_GROUPS: tuple[str, ...] = tuple(f"{a}–{a + 4}" for a in range(15, 50, 5))


class Births(Strict):
    """Births up to ``policy_limit`` are within policy: a statistic, never a sanction (§0).

    ``reference_asfr``: reference age-specific fertility (births per 1,000 women a year,
    the seven groups "15-19" … "45-49") for the under-reporting scan (出生漏报筛查)
    instead of the county's own rates; a statistic for a check, never a target."""

    policy_limit: PositiveInt = 3
    reference_asfr: dict[str, Annotated[float, Field(ge=0, le=1000)]] | None = None

    @field_validator("reference_asfr", mode="before")
    @classmethod
    def _groups(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        rates = {str(k).strip().replace("-", "–"): v for k, v in value.items()}
        if set(rates) != set(REFERENCE_AGE_GROUPS):
            raise policy_error(
                _("reference_asfr needs exactly the age groups %(groups)s.")
                % {"groups": ", ".join(g.replace("–", "-") for g in REFERENCE_AGE_GROUPS)}
            )
        return rates


class LateMarriageAge(Strict):
    male: Age
    female: Age


class Commodities(Strict):
    expiry_alert_days: PositiveInt = 90
    stock_months_min: PositiveInt | None = None
    stock_months_max: PositiveInt | None = None

    @model_validator(mode="after")
    def _stock(self) -> Commodities:
        low, high = self.stock_months_min, self.stock_months_max
        if low is not None and high is not None and low > high:
            raise policy_error(_("stock_months_min is greater than stock_months_max."))
        return self


class Certificates(Strict):
    """The certificates' worklist: a 婚育证明 shows there this many days before it
    expires."""

    expiry_warning_days: Annotated[int, Field(ge=1, le=365)] = 30


# --- leave (issue 16, SPEC §7) -------------------------------------------------------

# The kinds of leave a pack may give days for (the leave app's LeaveKind has the same keys).
LEAVE_KINDS: tuple[str, ...] = (
    "marriage",  # 婚假
    "maternity",  # 产假
    "paternity",  # 陪产假 / 护理假
    "parenting",  # 育儿假: days a year per child under 3
    "iud_insertion",  # 上环
    "iud_removal",  # 取环
    "female_sterilisation",  # 女扎
    "male_sterilisation",  # 男扎
    "abortion",  # 人工流产
)


class LeaveRule(Strict):
    """The leave of one kind: ``days`` counted as ``calendar`` or ``working`` days (working
    days skip the official holidays and count the make-up working days), and the
    regulation and article it comes from (``basis``, printed on the slip)."""

    days: NonNegativeInt
    count: Literal["calendar", "working"] = "calendar"
    basis: Name
    note: Text = ""


class MaternityRule(LeaveRule):
    """产假 with its extras (女职工劳动保护特别规定 第七条): a difficult birth adds
    ``difficult_birth_extra`` days, each extra baby of a multiple birth
    ``per_extra_baby`` days."""

    difficult_birth_extra: NonNegativeInt = 0
    per_extra_baby: NonNegativeInt = 0


class LeaveDays(Strict):
    """``leave_days``: the days of each kind of leave (a kind not given grants none)."""

    marriage: LeaveRule | None = None
    maternity: MaternityRule | None = None
    paternity: LeaveRule | None = None
    parenting: LeaveRule | None = None
    iud_insertion: LeaveRule | None = None
    iud_removal: LeaveRule | None = None
    female_sterilisation: LeaveRule | None = None
    male_sterilisation: LeaveRule | None = None
    abortion: LeaveRule | None = None

    def rule(self, kind: str) -> LeaveRule | None:
        return getattr(self, kind, None) if kind in LEAVE_KINDS else None


# --- targets, scoring and accountability ---------------------------------------------


class Scoring(Strict):
    """How an item's points are scored (the rules are in :mod:`jisheng.indicators.scoring`).

    ``all_or_nothing``: the weight when the target is met, else 0. ``linear_below_target``:
    the weight minus ``minus_per_point`` per percentage point short of the target (above
    it for ``direction: at_most``), never below ``floor``. ``linear_between``: 0 points at
    ``zero_at``, the weight at ``full_at``, a straight line between, clamped (so
    ``zero_at: 80, full_at: 95`` rewards a rate, ``zero_at: 5, full_at: 1`` a rate that
    should fall). ``yes_no``: the weight for a yes entered by hand. ``manual``: points
    entered by hand with evidence, at most the weight.
    """

    kind: ScoringKind
    minus_per_point: Annotated[float, Field(gt=0)] | None = None
    floor: Amount = 0
    zero_at: float | None = None
    full_at: float | None = None

    @model_validator(mode="after")
    def _linear(self) -> Scoring:
        if self.kind == ScoringKind.LINEAR_BELOW_TARGET and self.minus_per_point is None:
            raise policy_error(_("linear_below_target scoring needs minus_per_point."))
        if self.kind != ScoringKind.LINEAR_BELOW_TARGET and self.minus_per_point is not None:
            raise policy_error(_("minus_per_point is only for linear_below_target scoring."))
        if self.kind == ScoringKind.LINEAR_BETWEEN:
            if self.zero_at is None or self.full_at is None:
                raise policy_error(_("linear_between scoring needs zero_at and full_at."))
            if self.zero_at == self.full_at:
                raise policy_error(_("zero_at and full_at must differ."))
        elif self.zero_at is not None or self.full_at is not None:
            raise policy_error(_("zero_at and full_at are only for linear_between scoring."))
        return self


class TargetItem(Strict):
    """An indicator's target, its weight (points) and how its points are scored.

    An item without a weight is shown against its target but scores no points."""

    indicator: Slug
    name: Name
    target: Amount | None = None
    unit: TargetUnit = TargetUnit.PERCENT
    direction: Direction = Direction.AT_LEAST
    weight: Amount | None = None
    scoring: Scoring | None = None
    note: Text = ""

    @model_validator(mode="after")
    def _target(self) -> TargetItem:
        if self.unit == TargetUnit.PERCENT and self.target is not None and self.target > 100:
            raise policy_error(_("A percentage target cannot exceed 100."))
        scoring = self.scoring
        if scoring is None:
            return self
        if scoring.kind in SCORED_AGAINST_TARGET and self.target is None:
            raise policy_error(_("Scoring against a target needs the target."))
        if scoring.kind == ScoringKind.LINEAR_BETWEEN:
            assert scoring.zero_at is not None and scoring.full_at is not None
            rising = scoring.full_at > scoring.zero_at
            if rising != (self.direction == Direction.AT_LEAST):
                raise policy_error(
                    _(
                        "linear_between: full_at must be above zero_at for direction "
                        "at_least and below it for at_most."
                    )
                )
        if self.weight is not None and scoring.floor > self.weight:
            raise policy_error(_("The floor of the scoring is greater than the weight."))
        return self


class Band(Strict):
    min_score: Amount
    max_score: Amount | None = None
    label: Name

    @model_validator(mode="after")
    def _range(self) -> Band:
        if self.max_score is not None and self.max_score <= self.min_score:
            raise policy_error(_("max_score must be greater than min_score."))
        return self


# The part names of the seeds, for packs that do not say where a part's score comes from.
_HALF_YEAR_WORDS = ("半年", "half")
_YEAR_END_WORDS = ("年终", "全年", "年度", "year-end", "annual")


class CompositePart(Strict):
    """A part of a composite assessment (e.g. 30% random checks + 30% half-year + 40%
    year-end). ``source`` says where the part's score comes from; without it, a name
    with 半年 is the half-year assessment, one with 年终/全年/年度 the year-end one,
    anything else is scored by hand (平时抽查, 督查)."""

    part: Name
    weight: Annotated[float, Field(gt=0, le=100)]
    source: CompositeSource | None = None

    @property
    def resolved_source(self) -> str:
        if self.source is not None:
            return str(self.source)
        name = self.part.lower()
        if any(word in name for word in _HALF_YEAR_WORDS):
            return CompositeSource.HALF_YEAR
        if any(word in name for word in _YEAR_END_WORDS):
            return CompositeSource.YEAR_END
        return CompositeSource.MANUAL


FORBIDDEN_TARGETS_HINT = ("person", "individual", "employee", "relative", "spouse", "party")

FORBIDDEN_KINDS: dict[str, str] = {
    "fine": "fine",
    "fine_person": "fine",
    "social_maintenance_fee": "fee",
    "dismissal": "dismissal",
    "dismiss": "dismissal",
    "expulsion": "dismissal",
    "suspension": "suspension",
    "suspend_relative": "suspension",
    "withhold_pay": "withhold",
    "withhold_benefits": "withhold",
    "compulsory_method": "compulsory",
    "compulsory_iud": "compulsory",
    "compulsory_sterilisation": "compulsory",
}

FORBIDDEN_TRIGGERS = {
    "birth",
    "unplanned_birth",
    "out_of_policy_birth",
    "over_quota_birth",
    "pregnancy",
    "unplanned_pregnancy",
    "missed_check",
    "missed_campaign",
    "absent",
    "absence",
    "attendance",
    "no_contraception",
    "no_method",
    "declined_method",
    "method_declined",
    "method_removed",
    "early_marriage",
}


def forbidden_reason(code: str) -> str:
    reasons = {
        "fine": _("A fine on a person is a sanction."),
        "fee": _("The social maintenance fee was abolished in 2021."),
        "dismissal": _("Dismissal is a sanction on a person."),
        "suspension": _("Suspending a person or a relative from work is a sanction."),
        "withhold": _("Withholding a person's pay or benefits is a sanction."),
        "compulsory": _("A compulsory contraceptive method violates informed choice."),
        "person": _("A reward or penalty may address only a unit or a staff role."),
        "trigger": _(
            "A person's births, pregnancies, contraception or attendance may not trigger "
            "a sanction."
        ),
        "veto": _("The one-vote veto applies to units only."),
        "person_text": _("The text sanctions a person."),
    }
    return reasons[code]


def _check_trigger(value: Any) -> Any:
    """A trigger is an administrative duty: never a person's births, pregnancies,
    contraception or attendance, nor a behaviour indicator (SPEC §0)."""
    if isinstance(value, str) and value in FORBIDDEN_TRIGGERS:
        raise section0_error(forbidden_reason("trigger"))
    if isinstance(value, str) and is_behaviour(value):
        raise PydanticCustomError(
            "section0", "{message}", {"message": behaviour_trigger_message(value)}
        )
    return value


class Consequence(Strict):
    """A reward or penalty for a unit or a staff role, triggered by an administrative duty."""

    trigger: Trigger
    applies_to: SanctionTarget
    role: PositionRole | None = None
    kind: ConsequenceKind
    amount_yuan: Amount | None = None
    min_score: Amount | None = None
    max_score: Amount | None = None
    description: Text = ""

    @field_validator("applies_to", mode="before")
    @classmethod
    def _only_units_and_roles(cls, value: Any) -> Any:
        if value not in SanctionTarget.values:
            raise section0_error(forbidden_reason("person"))
        return value

    @field_validator("kind", mode="before")
    @classmethod
    def _no_person_sanction(cls, value: Any) -> Any:
        if isinstance(value, str) and value in FORBIDDEN_KINDS:
            raise section0_error(forbidden_reason(FORBIDDEN_KINDS[value]))
        return value

    @field_validator("trigger", mode="before")
    @classmethod
    def _administrative_trigger(cls, value: Any) -> Any:
        return _check_trigger(value)

    @model_validator(mode="after")
    def _consistent(self) -> Consequence:
        if self.applies_to == SanctionTarget.STAFF_ROLE and self.role is None:
            raise policy_error(_("A consequence for a staff role must name the role."))
        if self.applies_to == SanctionTarget.UNIT and self.role is not None:
            raise policy_error(_("role is only for consequences that apply to a staff role."))
        if (
            self.kind in (ConsequenceKind.VETO, ConsequenceKind.HONOURS_WITHHELD)
            and self.applies_to != SanctionTarget.UNIT
        ):
            raise section0_error(forbidden_reason("veto"))
        money = (ConsequenceKind.REWARD, ConsequenceKind.PENALTY)
        if self.amount_yuan is not None and self.kind not in money:
            raise policy_error(_("amount_yuan is only for rewards and penalties."))
        if self.trigger == Trigger.SCORE_BAND and self.min_score is None and self.max_score is None:
            raise policy_error(_("A score_band trigger needs min_score or max_score."))
        return self


class VetoItem(Strict):
    """An item whose failure vetoes a unit's assessment (一票否决), administrative only."""

    trigger: Trigger
    description: Text = ""

    @field_validator("trigger", mode="before")
    @classmethod
    def _administrative_trigger(cls, value: Any) -> Any:
        return _check_trigger(value)


class Assessment(Strict):
    """Targets, how they are scored and what follows from a score.

    A band covers ``min_score`` (included) up to ``max_score`` (excluded); the highest
    band also includes its ``max_score`` (so 90–100 includes 100). Bands may not overlap.
    """

    total_points: Amount | None = None
    targets: list[TargetItem] = []
    composite: list[CompositePart] = []
    bands: list[Band] = []
    veto_items: list[VetoItem] = []
    consequences: list[Consequence] = []
    flag_last_place: bool = False

    @model_validator(mode="after")
    def _parts_and_bands(self) -> Assessment:
        sources = [p.resolved_source for p in self.composite]
        for source in (CompositeSource.HALF_YEAR, CompositeSource.YEAR_END):
            if sources.count(source) > 1:
                raise policy_error(
                    _("composite: two parts take their score from %(source)s.")
                    % {"source": CompositeSource(source).label}
                )
        if self.composite and CompositeSource.YEAR_END not in sources:
            raise policy_error(
                _("composite: one part must be the year-end assessment (source: year_end).")
            )
        ordered = sorted(self.bands, key=lambda b: b.min_score)
        for low, high in itertools.pairwise(ordered):
            if low.max_score is None or low.max_score > high.min_score:
                raise policy_error(
                    _("The bands %(a)s and %(b)s overlap.") % {"a": low.label, "b": high.label}
                )
        return self


# --- the pack ------------------------------------------------------------------------

# Keys a pack accepted once and that had no effect (issue 14): the loader now refuses
# them as unknown, but versions loaded before are immutable and still hold them, so they
# are dropped when a stored version is read (:func:`stored`).
RETIRED_KEYS: tuple[tuple[str, ...], ...] = (
    ("allowances",),
    ("letter_inquiry", "every_months"),
)


def stored(content: dict[str, Any]) -> dict[str, Any]:
    """A stored version's content without the :data:`RETIRED_KEYS` (a copy), and
    without a ``leave_days`` of the old shape (a bare number of days per kind, retired
    in issue 14; issue 16 brought the key back as a rule per kind)."""
    content = dict(content)
    leave = content.get("leave_days")
    if isinstance(leave, dict) and any(
        isinstance(v, int | float) and not isinstance(v, bool) for v in leave.values()
    ):
        content.pop("leave_days")
    for path in RETIRED_KEYS:
        parent: Any = content
        for key in path[:-1]:
            child = parent.get(key) if isinstance(parent, dict) else None
            if not isinstance(child, dict):
                break
            parent[key] = child = dict(child)
            parent = child
        else:
            if isinstance(parent, dict):
                parent.pop(path[-1], None)
    return content


# --- floating population (issue 17, SPEC §4) -----------------------------------------


class AgreementService(Strict):
    """A service an out-migrant may ask for where she lives (a line of the agreement)."""

    code: Slug
    label: Name


# An agreement binds one private person: beyond the pack-wide scan of free text (which
# looks for a person named next to a sanction), any penalty in it is one on her (SPEC §0):
# a fine, a withdrawn or reduced benefit or service, a disciplinary measure.
AGREEMENT_SANCTIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"罚款|罚金|处罚|处以罚|违约金|赔偿|\bfines?\b|penalt", re.I), "fine"),
    (
        re.compile(
            r"(?:取消|停止|停发|扣发|扣除|扣减|收回|减少|降低|不予|不得享受)"
            r".{0,20}(?:待遇|资格|奖励|补助|补贴|扶助|福利|服务|工资)|withdraw",
            re.I,
        ),
        "withhold",
    ),
    (re.compile(r"处分|追究.{0,6}责任|责任自负|通报批评|discipline", re.I), "person_text"),
]


def _no_sanction_on_her(text: str) -> str:
    for pattern, reason in AGREEMENT_SANCTIONS:
        match = pattern.search(text)
        if match:
            raise section0_error(
                _("“%(words)s”: %(reason)s")
                % {"words": match.group(0), "reason": forbidden_reason(reason)}
            )
    return text


AgreementText = Annotated[str, Field(max_length=2000), AfterValidator(_no_sanction_on_her)]


class Agreement(Strict):
    """The out-migrant's service agreement (流出人员计划生育服务协议): its title, its
    clauses and the services she may choose. Every clause is free text scanned for
    sanctions like the rest of the pack (SPEC §0), and for any penalty on her
    (:data:`AGREEMENT_SANCTIONS`): an agreement with a penalty clause is refused."""

    title: Annotated[Name, AfterValidator(_no_sanction_on_her)] = "流出人员计划生育服务协议"
    clauses: list[AgreementText] = []
    services: list[AgreementService] = []


class Floating(Strict):
    """The floating population's timings (the registration deadline of an arrival is
    ``deadlines.in_migrant_registration``): a person away more than
    ``out_migrant_months`` gets a 流出 record; what the residence place did is notified
    within ``notify_within_days`` and the home place replies within
    ``reply_within_days``; a landlord reports a tenant within ``landlord_report_days``;
    a sweep (清查) ``sweeps_per_year`` times a year."""

    out_migrant_months: Annotated[int, Field(ge=1, le=24)] = 3
    notify_within_days: Annotated[int, Field(ge=1, le=90)] = 7
    reply_within_days: Annotated[int, Field(ge=1, le=180)] = 30
    landlord_report_days: Annotated[int, Field(ge=1, le=90)] = 3
    sweeps_per_year: Annotated[int, Field(ge=0, le=12)] = 2
    agreement: Agreement = Agreement()


ORGANISATION_KINDS = ("any", *UnitType.values)


class PolicyPackSchema(Strict):
    id: Annotated[str, Field(pattern=PACK_ID, max_length=50)]
    name: Name
    organisation_kind: Literal[tuple(ORGANISATION_KINDS)]  # type: ignore[valid-type]
    version: Annotated[
        str,
        BeforeValidator(_as_text),
        Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-]*$", max_length=32),
    ]
    effective_from: datetime.date
    description: Text = ""
    sources: list[Source] = []
    target_groups: dict[Slug, TargetGroup] = {}
    followup: Followup | None = None
    campaigns: list[Campaign] = []
    letter_inquiry: LetterInquiry | None = None
    deadlines: dict[Slug, Deadline] = {}
    births: Births = Births()
    late_marriage_age: LateMarriageAge | None = None
    late_childbearing_age: Age | None = None  # the 晚育率 statistic: mother at a first birth
    assessment: Assessment | None = None
    commodities: Commodities | None = None
    certificates: Certificates | None = None
    leave_days: LeaveDays | None = None
    floating: Floating | None = None
    benefits: Benefits | None = None

    @property
    def expiry_alert_days(self) -> int:
        return self.commodities.expiry_alert_days if self.commodities else 90
