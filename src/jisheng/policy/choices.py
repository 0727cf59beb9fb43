"""Codes a policy pack uses, with their translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    """Contraceptive methods (避孕节育措施)."""

    IUD = "iud", _("IUD")  # 上环
    FEMALE_STERILISATION = "female_sterilisation", _("Female sterilisation")  # 女扎
    MALE_STERILISATION = "male_sterilisation", _("Male sterilisation")  # 男扎
    IMPLANT = "implant", _("Implant")  # 皮埋
    INJECTABLE = "injectable", _("Injectable")  # 针剂
    PILL = "pill", _("Oral pill")  # 口服药
    CONDOM = "condom", _("Condom")  # 避孕套
    TOPICAL = "topical", _("Topical")  # 外用药
    OTHER = "other", _("Other method")  # 其他
    NONE = "none", _("No method")  # 无


LONG_ACTING = (Method.IUD, Method.FEMALE_STERILISATION, Method.MALE_STERILISATION, Method.IMPLANT)


class AfterEvent(models.TextChoices):
    """Events after which a follow-up visit is offered."""

    SURGERY = "surgery", _("After a family-planning operation")  # 术后
    DELIVERY = "delivery", _("After delivery")  # 产后
    ABORTION = "abortion", _("After an abortion")  # 流产后


class CampaignKind(models.TextChoices):
    COMPREHENSIVE_SERVICE = (
        "comprehensive_service",
        _("Comprehensive service (IUD and pregnancy check)"),
    )
    GYNAECOLOGICAL_SCREENING = "gynaecological_screening", _("Gynaecological screening")
    OTHER = "other", _("Other service round")


class DeadlineKind(models.TextChoices):
    QUARTER_MONTH_DAY = "quarter_month_day", _("Day of a month of each quarter")
    DAYS_AFTER = "days_after", _("Days after the event")
    MONTHS_AFTER = "months_after", _("Months after the event")
    MONTH_DAY = "month_day", _("Day of each month")
    YEAR_MONTH_DAY = "year_month_day", _("Date of each year")


class ScoringKind(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("Full points when the target is met, else none")
    LINEAR_BELOW_TARGET = "linear_below_target", _("Points deducted per point below the target")
    MANUAL = "manual", _("Scored by hand with evidence")
    LINEAR_BETWEEN = "linear_between", _("Points rising in a straight line between two values")
    YES_NO = "yes_no", _("Full points for a yes, none for a no")


# Scoring kinds whose points are computed from an indicator's value against its target.
SCORED_AGAINST_TARGET = (ScoringKind.ALL_OR_NOTHING, ScoringKind.LINEAR_BELOW_TARGET)


class CompositeSource(models.TextChoices):
    """Where a part of a composite assessment (e.g. 30% + 30% + 40%) takes its score."""

    HALF_YEAR = "half_year", _("The half-year assessment")  # 半年考核
    YEAR_END = "year_end", _("The year-end assessment")  # 年终考核
    MANUAL = "manual", _("Scored by hand (e.g. random checks)")  # 平时抽查


class TargetUnit(models.TextChoices):
    PERCENT = "percent", "%"
    PERMILLE = "permille", "‰"
    COUNT = "count", _("count")


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class SanctionTarget(models.TextChoices):
    """Whom a reward or penalty may address (SPEC §0: never a private person)."""

    UNIT = "unit", _("Organisation unit")
    STAFF_ROLE = "staff_role", _("Staff role")


class ConsequenceKind(models.TextChoices):
    REWARD = "reward", _("Reward")
    PENALTY = "penalty", _("Penalty amount")
    NOTICE = "notice", _("Public notice of criticism")  # 通报批评
    YELLOW_CARD = "yellow_card", _("Yellow card")  # 黄牌警告
    RECTIFY = "rectify", _("Rectification within a time limit")  # 限期整改
    VETO = "veto", _("One-vote veto")  # 一票否决 (units only)
    HONOURS_WITHHELD = "honours_withheld", _("No honours this year")  # 取消评先资格 (units)


class Trigger(models.TextChoices):
    """Administrative duties a unit or a staff role is held accountable for."""

    SCORE_BAND = "score_band", _("Assessment score in a band")
    LAST_PLACE = "last_place", _("Last place in the ranking")
    REPORT_LATE = "report_late", _("Report late or missing")
    VISITS_MISSED = "visits_missed", _("Follow-up visits not made")
    REGISTRATION_LATE = "registration_late", _("Registration not done on time")
    TRANSFER_NOT_DONE = "transfer_not_done", _("Management transfer not completed")
    LETTER_NOT_SENT = "letter_not_sent", _("Letter of inquiry not sent")
    LEDGER_INACCURATE = "ledger_inaccurate", _("Ledger or statistics inaccurate")
    FALSE_RECORDS = "false_records", _("False figures, operations, certificates or accounts")
    INDICATOR_BELOW_TARGET = "indicator_below_target", _("Indicator below its target")
    SERVICE_NOT_ORGANISED = "service_not_organised", _("Service round not organised")
