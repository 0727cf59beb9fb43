from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class PersonStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")  # 在册
    IN_MIGRANT = "in_migrant", _("In-migrant")  # 流入
    OUT_MIGRANT = "out_migrant", _("Out-migrant")  # 流出
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")  # 调出
    RETIRED = "retired", _("Retired")  # 退休
    EARLY_RETIRED = "early_retired", _("Early retired")  # 内退
    CONTRACT_ENDED = "contract_ended", _("Contract ended")  # 解除合同
    DECEASED = "deceased", _("Deceased")  # 死亡


# Statuses of people managed where they live (the denominators of most indicators).
RESIDENT_STATUSES = (PersonStatus.REGISTERED, PersonStatus.IN_MIGRANT)


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Never married")  # 未婚
    FIRST_MARRIAGE = "first_marriage", _("First marriage")  # 初婚
    REMARRIED = "remarried", _("Remarried")  # 再婚
    DIVORCED = "divorced", _("Divorced")  # 离婚
    WIDOWED = "widowed", _("Widowed")  # 丧偶


MARRIED_STATUSES = (MaritalStatus.FIRST_MARRIAGE, MaritalStatus.REMARRIED)


class HukouType(models.TextChoices):
    AGRICULTURAL = "agricultural", _("Agricultural")  # 农业
    NON_AGRICULTURAL = "non_agricultural", _("Non-agricultural")  # 非农业
    RESIDENT = "resident", _("Resident (unified)")  # 居民户口
    NONE = "none", _("None / foreign")


class Education(models.TextChoices):
    NONE = "none", _("No schooling")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary / vocational")
    COLLEGE = "college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor")
    POSTGRADUATE = "postgraduate", _("Postgraduate")


class IdStatus(models.TextChoices):
    VALID = "valid", _("Valid ID number")
    NONE_NEWBORN = "newborn", _("No ID yet (newborn)")
    NONE_FOREIGN = "foreign", _("Foreign national")
    NONE_OTHER = "other", _("No valid ID (other reason)")


class EventKind(models.TextChoices):
    """The eight events of the 计划生育信息报告单, plus the registry's own."""

    REGISTER = "register", _("Registration")  # 建档入册
    MARRIAGE = "marriage", _("Marriage")  # 新婚
    BIRTH = "birth", _("Birth")  # 出生
    CONTRACEPTION = "contraception", _("Contraceptive procedure")  # 节育
    DEATH = "death", _("Death")  # 死亡
    MOVE_OUT = "move_out", _("Moved / transferred out")  # 迁出(调出)
    MOVE_IN = "move_in", _("Moved / transferred in")  # 迁入(调入)
    FLOW_OUT = "flow_out", _("Left as out-migrant")  # 流出
    FLOW_IN = "flow_in", _("Arrived as in-migrant")  # 流入
    DIVORCE = "divorce", _("Divorce")
    WIDOWED = "widowed", _("Spouse died")  # 丧偶: the surviving spouse's marital status
    INTERNAL_TRANSFER = "internal_transfer", _("Internal transfer")  # 内部调动
    RETIREMENT = "retirement", _("Retirement")  # 退休
    EARLY_RETIREMENT = "early_retirement", _("Early retirement")  # 内退
    LEAVE_EMPLOYMENT = "leave_employment", _("Left employment")  # 解除合同
    RETURN = "return", _("Returned")  # 流出返回
    CORRECTION = "correction", _("Correction")  # 更正 (reverses an earlier event)


class HouseholdRelation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER = "other", _("Other relative")


class PregnancyOutcome(models.TextChoices):
    ONGOING = "", _("Ongoing")
    LIVE_BIRTH = "live_birth", _("Live birth")
    STILLBIRTH = "stillbirth", _("Stillbirth")
    ABORTION = "abortion", _("Induced abortion")  # 人流
    INDUCED_LABOUR = "induced_labour", _("Induced labour")  # 引产
    MISCARRIAGE = "miscarriage", _("Miscarriage")


class TransferReason(models.TextChoices):
    LEAVING = "leaving", _("Leaving employment")
    RETIREMENT = "retirement", _("Retirement")
    TRANSFER = "transfer", _("Transferred out")


class TransferStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class CoupleEnd(models.TextChoices):
    DIVORCE = "divorce", _("Divorce")
    DEATH = "death", _("Death of a spouse")
