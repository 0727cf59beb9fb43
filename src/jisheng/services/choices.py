"""Codes of the services app (methods are the policy packs' :class:`Method`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.policy.choices import LONG_ACTING, Method

__all__ = ["LONG_ACTING", "ChangeReason", "DueKind", "Method", "Satisfaction", "VisitWay"]


class ChangeReason(models.TextChoices):
    """Why a method was started, changed or stopped."""

    FIRST = "first", _("First method")
    SIDE_EFFECTS = "side_effects", _("Side effects")
    WANTS_PREGNANCY = "wants_pregnancy", _("Wants a pregnancy")
    FAILURE = "failure", _("Method failure (pregnancy)")
    EXPIRED = "expired", _("Method due for replacement")
    MENOPAUSE = "menopause", _("Menopause")
    SPOUSE_AWAY = "spouse_away", _("Spouse away")
    PREFERENCE = "preference", _("Own preference")
    OTHER = "other", _("Other reason")


class VisitWay(models.TextChoices):
    HOME = "home", _("Home visit")  # 上门
    PHONE = "phone", _("By phone")  # 电话
    OFFICE = "office", _("Came to the office")  # 来访
    WORKPLACE = "workplace", _("At the workplace")  # 单位


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    PARTLY = "partly", _("Partly satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class DueKind(models.TextChoices):
    METHOD = "method", _("Regular follow-up")  # 常规随访
    AFTER_SURGERY = "after_surgery", _("Follow-up after an operation")  # 术后随访
    AFTER_DELIVERY = "after_delivery", _("Post-partum visit")  # 产后访视
    AFTER_ABORTION = "after_abortion", _("Follow-up after an abortion")  # 流产后随访
