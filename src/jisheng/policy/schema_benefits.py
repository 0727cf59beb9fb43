"""The ``benefits:`` section of a policy pack (issue 18, SPEC §7): each benefit kind as
data, and the layouts of the files the bank takes and returns.

A kind says who it is for (``subject``) and who is paid (``beneficiary``), the clauses of
its eligibility (all must hold; each is shown with whether it held and why), its amounts
by date (a rise applies from its date; yuan with at most two decimals — decimals, never
floats), how a part of a period is paid (``prorate``), who pays what share
(``funding``, or the employers' ``cost_sharing`` rule of ``003:245``), whether the sweep
finds candidates or people apply, the days of the 公示, and what stops the payments.

SPEC §0: a benefit is an entitlement. No clause, stop rule or text may withdraw or reduce
it as a sanction for a birth or any other private choice beyond the eligibility the law
sets; :func:`_no_sanction` refuses one with the reason.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from jisheng.policy.schema_base import SLUG, Name, Slug, Strict, Text, policy_error

FUNDING_LEVELS = ("central", "province", "city", "county", "township", "employer")

# The clause vocabulary: the evaluators are :data:`jisheng.benefits.rules.EVALUATORS`
# (a test keeps the two lists equal; the schema does not import the benefits app).
RULES = (
    "age_below",
    "age_at_least",
    "born_on_or_after",
    "alive",
    "household_here",
    "hukou_type",
    "children_at_most",
    "only_child_or_two_daughters",
    "no_living_child",
    "child_disability",
    "holds_certificate",
    "mother_age_at_least",
)

# A rule name that makes a benefit depend on a later birth, a pregnancy or contraception
# is a sanction, not an eligibility the law sets (SPEC §0): refused with that reason.
SANCTION_RULE = re.compile(
    r"birth_after|after_birth|later_birth|no_birth|no_more_child|no_.*pregnan|pregnan"
    r"|contracept|steril|ligat|iud|abortion|withdraw|reduce|cancel|revoke|forfeit|sanction"
    r"|penalt|fine",
    re.I,
)


def _known_rule(name: str) -> str:
    if SANCTION_RULE.search(name):
        from jisheng.policy.schema import forbidden_reason, section0_error

        raise section0_error(
            _("Rule “%(rule)s”: %(reason)s") % {"rule": name, "reason": forbidden_reason("trigger")}
        )
    if name not in RULES:
        raise policy_error(
            _("Unknown eligibility rule “%(rule)s”; the rules are: %(rules)s.")
            % {"rule": name, "rules": "、".join(RULES)}
        )
    return name


RuleName = Annotated[str, Field(pattern=SLUG, max_length=50), AfterValidator(_known_rule)]


def _money(value: object) -> Decimal:
    """Yuan as a Decimal with at most two places (fen); a YAML float is read through its
    text, so ``3600.5`` is exactly 3600.50."""
    if isinstance(value, bool):
        raise policy_error(_("An amount must be a number of yuan."))
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise policy_error(_("An amount must be a number of yuan: %(v)s") % {"v": value}) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise policy_error(
            _("An amount must be zero or more, in yuan with at most two decimals: %(v)s")
            % {"v": value}
        )
    return amount.quantize(Decimal("0.01"))


def _share(value: object) -> Decimal:
    if isinstance(value, bool):
        raise policy_error(_("A share must be a fraction between 0 and 1."))
    try:
        share = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise policy_error(_("A share must be a fraction between 0 and 1.")) from None
    if not share.is_finite() or not Decimal(0) <= share <= Decimal(1):
        raise policy_error(_("A share must be a fraction between 0 and 1."))
    return share


Money = Annotated[Decimal, BeforeValidator(_money)]
Share = Annotated[Decimal, BeforeValidator(_share)]


def _no_sanction(text: str) -> str:
    """Refuse text that withdraws or reduces a benefit as a sanction (SPEC §0). The rules
    are the eligibility the law sets; the words are those of a penalty."""
    from jisheng.policy.schema import AGREEMENT_SANCTIONS, forbidden_reason, section0_error

    for pattern, reason in AGREEMENT_SANCTIONS:
        match = pattern.search(text)
        if match:
            raise section0_error(
                _("“%(words)s”: %(reason)s")
                % {"words": match.group(0), "reason": forbidden_reason(reason)}
            )
    return text


ClauseText = Annotated[Name, AfterValidator(_no_sanction)]


class Clause(Strict):
    """One clause of a kind's eligibility: a ``rule`` of the vocabulary of
    :mod:`jisheng.benefits.rules` with its parameters, and the text shown to the office
    (the regulation's words)."""

    code: Slug
    rule: RuleName
    text: ClauseText
    of: Literal["person", "beneficiary", "couple"] = "person"
    years: Annotated[int, Field(ge=0, le=120)] | None = None
    grade_max: Annotated[int, Field(ge=1, le=4)] | None = None
    values: list[Slug] = []
    count: Annotated[int, Field(ge=0, le=20)] | None = None
    date: datetime.date | None = None

    @model_validator(mode="after")
    def _parameters(self) -> Clause:
        needs = {
            "age_below": "years",
            "age_at_least": "years",
            "mother_age_at_least": "years",
            "born_on_or_after": "date",
            "children_at_most": "count",
            "child_disability": "grade_max",
        }.get(self.rule)
        if needs is not None and getattr(self, needs) is None:
            raise policy_error(
                _("Clause %(code)s (rule %(rule)s) needs “%(param)s”.")
                % {"code": self.code, "rule": self.rule, "param": needs}
            )
        if self.rule in ("hukou_type", "holds_certificate") and not self.values:
            raise policy_error(
                _("Clause %(code)s (rule %(rule)s) needs “%(param)s”.")
                % {"code": self.code, "rule": self.rule, "param": "values"}
            )
        return self


class AmountStep(Strict):
    """The amount from ``from`` on (until the next step): exactly one of ``yearly``,
    ``monthly`` or ``once``."""

    model_config = Strict.model_config | {"populate_by_name": True}

    from_: datetime.date = Field(alias="from")
    yearly: Money | None = None
    monthly: Money | None = None
    once: Money | None = None

    @model_validator(mode="after")
    def _one_amount(self) -> AmountStep:
        given = [x for x in (self.yearly, self.monthly, self.once) if x is not None]
        if len(given) != 1:
            raise policy_error(
                _("An amount step gives exactly one of yearly, monthly or once (from %(d)s).")
                % {"d": self.from_}
            )
        return self


class FundingShare(Strict):
    level: Literal[FUNDING_LEVELS]  # type: ignore[valid-type]
    share: Share


class CostSharing(Strict):
    """The only-child health fee's rule (``003:245``): each employed parent's employer
    pays ``per_employed_parent`` of the amount; with one parent employed her employer pays
    it all; with none, ``otherwise`` (the county) pays."""

    per_employed_parent: Share = Decimal("0.5")
    otherwise: Literal[FUNDING_LEVELS] = "county"  # type: ignore[valid-type]


class BenefitKind(Strict):
    label: Name
    subject: Literal["child", "parent", "person", "staff"]
    beneficiary: Literal["self", "guardian"] = "self"
    mode: Literal["sweep", "application"] = "sweep"
    period: Literal["year", "month", "once"] = "year"
    prorate: Literal["none", "months"] = "none"
    eligibility: list[Clause] = []
    amounts: list[AmountStep]
    funding: list[FundingShare] = []
    cost_sharing: CostSharing | None = None
    notice_days: Annotated[int, Field(ge=0, le=60)] = 7
    stop_on: list[Literal["death", "moved_away", "eligibility_ended"]] = [
        "death",
        "moved_away",
        "eligibility_ended",
    ]
    registered_here: bool = True  # claimed where the household is registered
    taxable: bool = False
    counts_as_income: bool = False  # e.g. for 低保: the 育儿补贴 does not
    staff_positions: list[Slug] = []  # subject "staff": the positions paid
    bank_layout: Slug = "default"
    note: Annotated[Text, AfterValidator(_no_sanction)] = ""

    @model_validator(mode="after")
    def _consistent(self) -> BenefitKind:
        if not self.amounts:
            raise policy_error(_("A benefit kind needs at least one amount."))
        days = [a.from_ for a in self.amounts]
        if days != sorted(days) or len(set(days)) != len(days):
            raise policy_error(_("Amount steps must be in date order, one per date."))
        if self.funding and self.cost_sharing:
            raise policy_error(_("Give either funding shares or a cost-sharing rule, not both."))
        if self.funding and sum(f.share for f in self.funding) != Decimal(1):
            raise policy_error(_("The funding shares must add up to 1."))
        codes = [c.code for c in self.eligibility]
        if len(set(codes)) != len(codes):
            raise policy_error(_("Each eligibility clause needs its own code."))
        if self.subject == "staff" and not self.staff_positions:
            raise policy_error(_("A staff allowance names the positions it pays."))
        return self


class BankColumn(Strict):
    header: Name
    field: Literal[
        "line", "reference", "payee", "account", "bank", "amount", "unit", "unit_code", "memo"
    ]


class BankLayout(Strict):
    """The file the bank takes (``columns``, in order) and the file it returns: the header
    of each field the return must have, and the values of ``status`` meaning paid."""

    format: Literal["xlsx", "csv"] = "xlsx"
    encoding: Literal["utf-8", "utf-8-sig", "gb18030"] = "utf-8-sig"
    columns: list[BankColumn]
    return_reference: Name = "流水号"
    return_account: Name = "账号"
    return_amount: Name = "金额"
    return_status: Name = "状态"
    return_reason: Name = "失败原因"
    paid_values: list[Name] = ["成功"]


class Benefits(Strict):
    kinds: dict[Slug, BenefitKind] = {}
    bank_layouts: dict[Slug, BankLayout] = {}

    @model_validator(mode="after")
    def _layouts_known(self) -> Benefits:
        for key, kind in self.kinds.items():
            if kind.bank_layout != "default" and kind.bank_layout not in self.bank_layouts:
                raise policy_error(
                    _("Benefit %(kind)s names an unknown bank layout %(layout)s.")
                    % {"kind": key, "layout": kind.bank_layout}
                )
        return self
