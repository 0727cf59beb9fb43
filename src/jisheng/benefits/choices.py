"""The benefits app's statuses and kinds (issue 18, SPEC §7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Power(models.TextChoices):
    """The four powers kept apart (四权分离, ``003:391``): one user may hold only one of
    them on a batch, whatever their roles (:mod:`jisheng.benefits.duties`)."""

    CONFIRM = "confirm", _("Confirm eligibility")  # 资格确认
    FUNDS = "funds", _("Manage the funds")  # 资金管理
    PAY = "pay", _("Pay")  # 资金发放
    SUPERVISE = "supervise", _("Supervise")  # 监督


class BatchStatus(models.TextChoices):
    """A batch (发放批次) of one benefit kind, one unit and one period
    (``benefits/workflows.py``)."""

    DRAFT = "draft", _("Candidates found")  # 待审核
    REVIEWED = "reviewed", _("Reviewed")  # 村(居)/乡镇审核
    NOTICE = "notice", _("On public notice")  # 公示中
    APPROVED = "approved", _("Approved")  # 县级审批
    FUNDED = "funded", _("Funds allocated")  # 资金已落实
    EXPORTED = "exported", _("Sent to the bank")  # 已送银行
    CLOSED = "closed", _("Paid and closed")  # 发放完毕
    RETURNED = "returned", _("Returned")  # 退回
    CANCELLED = "cancelled", _("Cancelled")


class CaseSource(models.TextChoices):
    SWEEP = "sweep", _("Found by the sweep")
    ENTERED = "entered", _("Application entered")
    IMPORTED = "imported", _("Imported from an upper system")
    ARREARS = "arrears", _("Arrears")  # months found late


class CaseStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")  # 待审核
    INELIGIBLE = "ineligible", _("Not eligible")  # a clause failed: shown with it
    REVIEWED = "reviewed", _("Reviewed")
    OBJECTED = "objected", _("Objection open")  # blocks this case only
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Payment failed")
    WITHDRAWN = "withdrawn", _("Withdrawn")  # by review or a resolved objection


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld: the case is withdrawn")
    DISMISSED = "dismissed", _("Dismissed: the case stands")


class EntitlementStatus(models.TextChoices):
    ACTIVE = "active", _("Being paid")
    STOPPED = "stopped", _("Stopped")


class StopReason(models.TextChoices):
    """Why payments stop (the pack's ``stop_on``): eligibility ending is never a sanction
    (SPEC §0)."""

    DEATH = "death", _("Death")
    MOVED_AWAY = "moved_away", _("Left the area")
    ELIGIBILITY_ENDED = "eligibility_ended", _("End of eligibility")  # e.g. the child is 3
    OTHER = "other", _("Other (with a note)")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("On the roster")
    EXPORTED = "exported", _("Sent to the bank")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    REISSUED = "reissued", _("Paid again in a later batch")


class BankFileDirection(models.TextChoices):
    EXPORT = "export", _("Sent to the bank")
    RETURN = "return", _("Returned by the bank")


class OverpaymentStatus(models.TextChoices):
    OPEN = "open", _("To resolve")
    RESOLVED = "resolved", _("Resolved")
