"""Choices of the floating-population work (流动人口, SPEC §4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArrivalStatus(models.TextChoices):
    # Known to have arrived (a landlord's report, a tenant list, a sweep), not yet
    # registered: on the worklist of the unit where she lives until the deadline and after.
    REPORTED = "reported", _("Reported, not registered")  # 待登记
    REGISTERED = "registered", _("Registered")  # 已登记
    LEFT = "left", _("Left")  # 已离开
    CANCELLED = "cancelled", _("Cancelled")  # 误报 / 已注销


class ArrivalSource(models.TextChoices):
    OFFICE = "office", _("Registered at the office")  # 窗口登记
    TENANT = "tenant", _("Tenant list")  # 房东/租户报告
    SWEEP = "sweep", _("Sweep finding")  # 清查发现
    EXCHANGE = "exchange", _("Notification from the home place")  # 户籍地通报


class OutflowStatus(models.TextChoices):
    AWAY = "away", _("Away")  # 在外
    RETURNED = "returned", _("Returned")  # 已返回
    TRANSFERRED = "transferred", _("Transferred")  # 已移交
    CANCELLED = "cancelled", _("Cancelled")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")  # 电话
    MESSAGE = "message", _("Message")  # 短信/微信
    LETTER = "letter", _("Letter")  # 信函
    HOME_VISIT = "home_visit", _("Visit to her family at home")  # 走访家属
    DESTINATION_VISIT = "destination_visit", _("Visit by the destination's office")  # 现居住地走访


class PropertyKind(models.TextChoices):
    HOUSE = "house", _("House")  # 民房
    APARTMENT = "apartment", _("Apartment")  # 单元房
    DORMITORY = "dormitory", _("Dormitory")  # 集体宿舍
    SHOP = "shop", _("Shop with living space")  # 门面房
    OTHER = "other", _("Other")


class SweepStatus(models.TextChoices):
    OPEN = "open", _("In progress")  # 进行中
    CLOSED = "closed", _("Completed")  # 已完成


class SweepItemOutcome(models.TextChoices):
    PENDING = "pending", _("Not yet visited")  # 未走访
    CHECKED = "checked", _("Checked")  # 已核查
    NOBODY = "nobody", _("Nobody at home")  # 无人
    VACANT = "vacant", _("Vacant")  # 空置


class FindingKind(models.TextChoices):
    NOT_REGISTERED = "not_registered", _("Living here, not registered")  # 未登记
    LEFT = "left", _("Registered, has left")  # 已离开
    NEW_BIRTH = "new_birth", _("Birth not registered")  # 新出生
    NEW_MARRIAGE = "new_marriage", _("Marriage not registered")  # 新婚
    OTHER = "other", _("Other")


class FindingResolution(models.TextChoices):
    REGISTERED = "registered", _("Registered now")  # 已补登
    RECORDED = "recorded", _("Recorded in the registry")  # 已更新
    EXPLAINED = "explained", _("Explained")  # 已说明
    FALSE = "false", _("Not confirmed")  # 核实无误
