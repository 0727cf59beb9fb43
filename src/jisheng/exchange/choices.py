"""Choices of the exchange besides the model's (issue 17)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReplyKind(models.TextChoices):
    NOTED = "noted", _("Noted")  # 已知悉
    UPDATED = "updated", _("Record updated")  # 已更新台账
    NOT_OURS = "not_ours", _("Not of our office")  # 非本地户籍


class ImportOutcome(models.TextChoices):
    ADDED = "added", _("Taken in")  # 已接收
    APPLIED = "applied", _("Correction applied")  # 更正已生效
    HELD = "held", _("Correction held for its original")  # 更正待原件
    DUPLICATE = "duplicate", _("Already received")  # 重复
    REFUSED = "refused", _("Refused")  # 拒收
