from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitType(models.TextChoices):
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Township")
    STREET = "street", _("Street office")
    VILLAGE = "village", _("Village")
    COMMUNITY = "community", _("Community")
    GROUP = "group", _("Association group")
    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    AGENCY = "agency", _("Government agency")
    BRANCH = "branch", _("Branch")
    SECTION = "section", _("Department / team")


# Territorial units carry 12-digit statistical division codes (GB/T 2260 + township
# and village digits). The number is how many leading digits are significant.
TERRITORIAL_CODE_DIGITS: dict[str, int] = {
    UnitType.COUNTY: 6,
    UnitType.TOWNSHIP: 9,
    UnitType.STREET: 9,
    UnitType.VILLAGE: 12,
    UnitType.COMMUNITY: 12,
}


class PositionRole(models.TextChoices):
    FIRST_RESPONSIBLE = "first_responsible", _("First responsible person")
    LEADER_IN_CHARGE = "leader_in_charge", _("Leader in charge")
    OFFICE_DIRECTOR = "office_director", _("Family-planning office director")
    SPECIALIST = "specialist", _("Full-time family-planning specialist")
    PROPAGANDIST = "propagandist", _("Family-planning propagandist")
    COMMODITY_KEEPER = "commodity_keeper", _("Commodity keeper")
    ASSOCIATION_HEAD = "association_head", _("Association president")
    GROUP_LEADER = "group_leader", _("Group leader")


class CommitteeKind(models.TextChoices):
    COMMITTEE = "committee", _("Committee")
    LEADING_GROUP = "leading_group", _("Leading group")


class CommitteeRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice chair")
    MEMBER = "member", _("Member")
    SECRETARY = "secretary", _("Office secretary")


class Role(models.TextChoices):
    """Login roles. Each is a Django group holding the permissions in roles.py."""

    ADMIN = "admin", _("System administrator")
    OFFICE = "office", _("Family-planning office")
    FIELD = "field", _("Specialist / propagandist")
    LEADER = "leader", _("Leader")
    COMMODITY = "commodity", _("Commodity manager")
    ASSESSOR = "assessor", _("Assessor")
    AUDITOR = "auditor", _("Auditor")
    FINANCE = "finance", _("Fund manager")  # 资金管理员 (四权分离: manages the funds)
    PAYER = "payer", _("Payment clerk")  # 发放经办员 (四权分离: pays through the bank)
