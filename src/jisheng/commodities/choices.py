"""Choices of the commodities app (药具, SPEC §6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    ORAL = "oral", _("Oral contraceptive")  # 口服避孕药
    INJECTABLE = "injectable", _("Injectable")  # 针剂
    IMPLANT = "implant", _("Implant")  # 皮埋剂
    IUD = "iud", _("IUD")  # 宫内节育器
    CONDOM = "condom", _("Condom")  # 避孕套
    TOPICAL = "topical", _("Topical")  # 外用避孕药


class StoreKind(models.TextChoices):
    COUNTY_STATION = "county_station", _("County commodity station")  # 县药具站
    TOWNSHIP_WAREHOUSE = "township_warehouse", _("Township warehouse")  # 乡镇药具库
    VILLAGE_CABINET = "village_cabinet", _("Village or community cabinet")  # 村（居）药具柜
    HOSPITAL = "hospital", _("Distribution point: hospital")  # 医疗保健机构发放点
    MARRIAGE_REGISTRY = "marriage_registry", _("Distribution point: marriage registry")
    COMMUNITY_STATION = "community_station", _("Distribution point: community station")
    SELF_SERVICE = "self_service", _("Self-service machine")  # 避孕套自取机


class DocumentKind(models.TextChoices):
    """The kinds of ledger document; each posts ledger lines at one store."""

    RECEIPT = "receipt", _("Receipt note")  # 入库单
    TRANSFER_OUT = "transfer_out", _("Issue note (transfer out)")  # 出库单
    TRANSFER_IN = "transfer_in", _("Transfer-in record")  # 调入登记
    ISSUE = "issue", _("Distribution to a person")  # 发放登记
    WRITE_OFF = "write_off", _("Write-off")  # 报损
    ADJUSTMENT = "adjustment", _("Count adjustment")  # 盘点调整
    REVERSAL = "reversal", _("Reversal")  # 冲销


# Number prefix per kind (pinyin initials of the Chinese names).
DOCUMENT_PREFIX: dict[str, str] = {
    DocumentKind.RECEIPT: "RK",
    DocumentKind.TRANSFER_OUT: "CK",
    DocumentKind.TRANSFER_IN: "DR",
    DocumentKind.ISSUE: "FF",
    DocumentKind.WRITE_OFF: "BS",
    DocumentKind.ADJUSTMENT: "TZ",
    DocumentKind.REVERSAL: "CX",
}


class TransferStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")  # 在途
    RECEIVED = "received", _("Received")  # 已接收
    RECEIVED_SHORT = "received_short", _("Received with a shortfall or damage")
    REVERSED = "reversed", _("Reversed")


class WriteOffReason(models.TextChoices):
    EXPIRED = "expired", _("Expired")  # 过期
    DAMAGED = "damaged", _("Damaged or spoiled")  # 破损、变质
    LOST = "lost", _("Lost")  # 丢失
    RECALLED = "recalled", _("Recalled or failed a quality check")  # 质量不合格
    TRANSIT = "transit", _("Lost or damaged in transit")  # 运输途中损失


class StockStatus(models.TextChoices):
    STOCK_OUT = "stock_out", _("Stock-out")  # 断货
    UNDER = "under", _("Under-stocked")  # 低于下限
    ADEQUATE = "adequate", _("Adequate")  # 正常
    OVER = "over", _("Over-stocked")  # 超过上限
    UNKNOWN = "unknown", _("Unknown (no consumption history)")


class CountStatus(models.TextChoices):
    OPEN = "open", _("Being counted")
    SUBMITTED = "submitted", _("Submitted")
    # Sent back to the counter by the approver, with a message (core.workflow).
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved and posted")
    CANCELLED = "cancelled", _("Cancelled")


class Condition(models.TextChoices):
    GOOD = "good", _("Good")  # 合格
    NEAR_EXPIRY = "near_expiry", _("Near expiry")  # 近效期
    EXPIRED = "expired", _("Expired")  # 过期
    DAMAGED = "damaged", _("Damaged packaging")  # 包装破损
    SPOILED = "spoiled", _("Spoiled or invalid")  # 变质、失效


class QualityAction(models.TextChoices):
    NONE = "none", _("None needed")
    ISSUE_FIRST = "issue_first", _("Issue first")  # 优先发放
    QUARANTINE = "quarantine", _("Set aside")  # 隔离待处理
    WRITTEN_OFF = "written_off", _("Written off")  # 报损
    RETURNED = "returned", _("Returned to the supplier")  # 退回


class Severity(models.TextChoices):
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")


class Outcome(models.TextChoices):
    RECOVERED = "recovered", _("Recovered")
    RECOVERING = "recovering", _("Recovering")
    NOT_RECOVERED = "not_recovered", _("Not recovered")
    UNKNOWN = "unknown", _("Unknown")
