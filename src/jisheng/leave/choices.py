from django.db import models
from django.utils.translation import gettext_lazy as _


class LeaveKind(models.TextChoices):
    """The kinds of leave (the keys of the pack's ``leave_days``)."""

    MARRIAGE = "marriage", _("Marriage leave")  # 婚假
    MATERNITY = "maternity", _("Maternity leave")  # 产假
    PATERNITY = "paternity", _("Paternity leave")  # 陪产假 / 护理假
    PARENTING = "parenting", _("Parenting leave")  # 育儿假
    IUD_INSERTION = "iud_insertion", _("Leave after an IUD insertion")  # 上环
    IUD_REMOVAL = "iud_removal", _("Leave after an IUD removal")  # 取环
    FEMALE_STERILISATION = "female_sterilisation", _("Leave after a female sterilisation")
    MALE_STERILISATION = "male_sterilisation", _("Leave after a male sterilisation")
    ABORTION = "abortion", _("Leave after an induced abortion")  # 人工流产


OPERATION_KINDS = (
    LeaveKind.IUD_INSERTION,
    LeaveKind.IUD_REMOVAL,
    LeaveKind.FEMALE_STERILISATION,
    LeaveKind.MALE_STERILISATION,
)
BIRTH_KINDS = (LeaveKind.MATERNITY, LeaveKind.PATERNITY, LeaveKind.PARENTING)


class LeaveStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")  # 已申请
    LEADER_APPROVED = "leader_approved", _("Signed by the unit leader")  # 单位领导已签
    APPROVED = "approved", _("Approved")  # 计生办已批准
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


# A request in one of these holds its days (overlap, yearly totals).
HOLDING = (LeaveStatus.APPLIED, LeaveStatus.LEADER_APPROVED, LeaveStatus.APPROVED)


class DayCount(models.TextChoices):
    CALENDAR = "calendar", _("calendar days")
    WORKING = "working", _("working days")
