"""Login roles mapped to Django permissions. Each role is a Django group named by its code."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext as _

from jisheng.orgs.choices import Role

VIEW_ORGS = [
    "orgs.view_unit",
    "orgs.view_position",
    "orgs.view_committee",
    "orgs.view_committeemember",
]
EDIT_ORGS = [
    "orgs.add_unit",
    "orgs.change_unit",
    "orgs.delete_unit",
    "orgs.add_position",
    "orgs.change_position",
    "orgs.delete_position",
    "orgs.add_committee",
    "orgs.change_committee",
    "orgs.delete_committee",
    "orgs.add_committeemember",
    "orgs.change_committeemember",
    "orgs.delete_committeemember",
]
MANAGE_USERS = ["orgs.view_user", "orgs.add_user", "orgs.change_user"]

PEOPLE_MODELS = [
    "person",
    "lifeevent",
    "household",
    "householdmember",
    "couple",
    "birth",
    "pregnancy",
    "transfer",
]
VIEW_PEOPLE = [f"people.view_{m}" for m in PEOPLE_MODELS]
EDIT_PEOPLE = [f"people.{a}_{m}" for m in PEOPLE_MODELS for a in ("add", "change")]
# Full ID numbers, imports and exports of personal data: office staff and administrators.
SENSITIVE_PEOPLE = ["people.view_full_id", "people.import_person", "people.export_person"]

# Policy packs are read in the UI; they are loaded with `jisheng policy load`.
VIEW_POLICY = ["policy.view_policypack"]

# Contraception records, follow-up visits and the visits due (derived, read-only).
VIEW_SERVICES = [
    "services.view_contraceptionrecord",
    "services.view_followupvisit",
    "services.view_followupdue",
]
RECORD_SERVICES = ["services.add_contraceptionrecord", "services.add_followupvisit"]
# Voiding a record entered by mistake.
CORRECT_SERVICES = ["services.change_contraceptionrecord", "services.change_followupvisit"]
# Campaigns (rounds, targets with attendance) and letters of inquiry (函调).
CAMPAIGN_MODELS = ["campaignround", "campaigntarget", "letter"]
VIEW_CAMPAIGNS = [f"services.view_{m}" for m in CAMPAIGN_MODELS]
ALL_CAMPAIGNS = [f"services.{a}_{m}" for m in CAMPAIGN_MODELS for a in ("view", "add", "change")]
# Field staff see rounds and record attendance (add_campaigntarget).
FIELD_CAMPAIGNS = [
    "services.view_campaignround",
    "services.view_campaigntarget",
    "services.add_campaigntarget",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: VIEW_ORGS
    + EDIT_ORGS
    + MANAGE_USERS
    + ["core.view_auditevent", "core.view_workerheartbeat"]  # 系统状态
    + VIEW_PEOPLE
    + EDIT_PEOPLE
    + SENSITIVE_PEOPLE
    + VIEW_POLICY
    + VIEW_SERVICES
    + RECORD_SERVICES
    + CORRECT_SERVICES
    + ALL_CAMPAIGNS,
    Role.OFFICE: VIEW_ORGS
    + EDIT_ORGS
    + ["orgs.view_user"]
    + VIEW_PEOPLE
    + EDIT_PEOPLE
    + SENSITIVE_PEOPLE
    + VIEW_POLICY
    + VIEW_SERVICES
    + RECORD_SERVICES
    + CORRECT_SERVICES
    + ALL_CAMPAIGNS,
    Role.FIELD: VIEW_ORGS
    + VIEW_PEOPLE
    + EDIT_PEOPLE
    + VIEW_SERVICES
    + RECORD_SERVICES
    + FIELD_CAMPAIGNS,
    Role.LEADER: VIEW_ORGS + VIEW_PEOPLE + VIEW_POLICY + VIEW_SERVICES + VIEW_CAMPAIGNS,
    Role.COMMODITY: [*VIEW_ORGS, "people.view_person"],
    Role.ASSESSOR: VIEW_ORGS + VIEW_PEOPLE + VIEW_POLICY + VIEW_SERVICES + VIEW_CAMPAIGNS,
    Role.AUDITOR: [*VIEW_ORGS, "core.view_auditevent", "orgs.view_user"],
}


# Sample verification (抽查): the office, administrators and assessors draw and check;
# field staff do not see the sample of their own ledgers.
VIEW_VERIFICATION = ["reports.view_verification", "reports.view_verificationrecord"]
ALL_VERIFICATION = [
    *VIEW_VERIFICATION,
    "reports.add_verification",
    "reports.change_verification",
    "reports.change_verificationrecord",
]
# In-migrants' marriage and childbearing certificate checks (婚育证明查验).
VIEW_MIGRANT_CHECKS = ["migrants.view_migrantcheck"]
RECORD_MIGRANT_CHECKS = [*VIEW_MIGRANT_CHECKS, "migrants.add_migrantcheck"]
# Numbered certificates: issued and voided by the office.
VIEW_CERTIFICATES = ["certificates.view_certificate"]
ALL_CERTIFICATES = [
    *VIEW_CERTIFICATES,
    "certificates.add_certificate",
    "certificates.change_certificate",
]
ROLE_PERMISSIONS[Role.ADMIN] += ALL_VERIFICATION + RECORD_MIGRANT_CHECKS + ALL_CERTIFICATES
ROLE_PERMISSIONS[Role.OFFICE] += ALL_VERIFICATION + RECORD_MIGRANT_CHECKS + ALL_CERTIFICATES
ROLE_PERMISSIONS[Role.ASSESSOR] += ALL_VERIFICATION + VIEW_MIGRANT_CHECKS + VIEW_CERTIFICATES
ROLE_PERMISSIONS[Role.LEADER] += VIEW_VERIFICATION + VIEW_MIGRANT_CHECKS + VIEW_CERTIFICATES
ROLE_PERMISSIONS[Role.FIELD] += RECORD_MIGRANT_CHECKS + VIEW_CERTIFICATES


# Target-responsibility contracts and assessments (目标责任书, 考核): the office and
# administrators draw up, sign, compute and approve; assessors score by hand; leaders read.
VIEW_ASSESSMENT = ["indicators.view_contract", "indicators.view_assessment"]
ALL_ASSESSMENT = [
    *VIEW_ASSESSMENT,
    "indicators.add_contract",
    "indicators.change_contract",
    "indicators.sign_contract",
    "indicators.add_assessment",
    "indicators.change_assessment",
    "indicators.approve_assessment",
]
ROLE_PERMISSIONS[Role.ADMIN] += ALL_ASSESSMENT
ROLE_PERMISSIONS[Role.OFFICE] += ALL_ASSESSMENT
ROLE_PERMISSIONS[Role.ASSESSOR] += [*VIEW_ASSESSMENT, "indicators.change_assessment"]
ROLE_PERMISSIONS[Role.LEADER] += VIEW_ASSESSMENT


# Contraceptive commodities (药具): the commodity keepers and the office keep the stores
# and the ledger; field staff hand commodities to persons (the issue) and report adverse
# reactions; leaders, assessors and auditors read.
COMMODITY_MODELS = [
    "product", "store", "lot", "stockcard", "document", "ledgerline",
    "physicalcount", "qualitycheck", "adversereaction",
]  # fmt: skip
VIEW_COMMODITIES = [f"commodities.view_{m}" for m in COMMODITY_MODELS]
# Each kind of ledger movement has its own permission, checked by the services (receipt,
# both halves of a transfer, issue to a person, write-off, reversal, count adjustment).
MOVE_COMMODITIES = [
    "commodities.receive_stock",
    "commodities.transfer_stock",
    "commodities.issue_stock",
    "commodities.write_off_stock",
    "commodities.reverse_document",
    "commodities.adjust_stock",
]
ALL_COMMODITIES = (
    VIEW_COMMODITIES
    + [f"commodities.{a}_{m}" for m in COMMODITY_MODELS for a in ("add", "change")]
    + MOVE_COMMODITIES
)
# Field staff issue to persons and report adverse reactions; nothing else moves stock.
FIELD_COMMODITIES = [
    *VIEW_COMMODITIES,
    "commodities.issue_stock",
    "commodities.add_adversereaction",
]
ROLE_PERMISSIONS[Role.ADMIN] += ALL_COMMODITIES
ROLE_PERMISSIONS[Role.OFFICE] += ALL_COMMODITIES
ROLE_PERMISSIONS[Role.COMMODITY] += [*ALL_COMMODITIES, "services.view_followupvisit"]
ROLE_PERMISSIONS[Role.FIELD] += FIELD_COMMODITIES
ROLE_PERMISSIONS[Role.LEADER] += VIEW_COMMODITIES
ROLE_PERMISSIONS[Role.ASSESSOR] += VIEW_COMMODITIES


# The Chinese names of the roles as the seeds and the issue write them; accepted by
# ``role_from_label`` (and so by ``jisheng createuser --role``) whatever the UI language.
ROLE_NAMES_ZH: dict[str, str] = {
    "系统管理员": Role.ADMIN,
    "管理员": Role.ADMIN,
    "计生办": Role.OFFICE,
    "专干/宣传员": Role.FIELD,
    "专干": Role.FIELD,
    "宣传员": Role.FIELD,
    "领导": Role.LEADER,
    "药具管理员": Role.COMMODITY,
    "考核员": Role.ASSESSOR,
    "审计员": Role.AUDITOR,
}
# The canonical Chinese name of each role (first entry above per role, "管理员" aside).
ROLE_NAME_ZH: dict[str, str] = {
    Role.ADMIN: "系统管理员",
    Role.OFFICE: "计生办",
    Role.FIELD: "专干/宣传员",
    Role.LEADER: "领导",
    Role.COMMODITY: "药具管理员",
    Role.ASSESSOR: "考核员",
    Role.AUDITOR: "审计员",
}


def role_from_label(text: str) -> str:
    """Role code from its code or its Chinese/English name (e.g. ``专干/宣传员``)."""
    from django.utils import translation

    wanted = text.strip()
    if wanted in ROLE_NAMES_ZH:
        return str(ROLE_NAMES_ZH[wanted])
    for code, label in Role.choices:
        if wanted == code:
            return code
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                if wanted == str(label):
                    return code
    names = ", ".join(f"{ROLE_NAME_ZH[code]} ({code})" for code in Role.values)
    raise ValueError(
        _("Unknown role %(role)s; the roles are: %(names)s") % {"role": text, "names": names}
    )


def sync_role_groups(sender: Any = None, **kwargs: Any) -> None:
    """Create or refresh one group per role with exactly its permissions.

    Runs on ``post_migrate`` once the last installed app with models has migrated (Django
    sends the signal only for apps with a models module), so the permissions of every
    app exist by then.
    """
    from django.apps import apps

    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is not None and getattr(sender, "label", None) != last.label:
        return
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for code, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=code)
        group.permissions.set([by_name[p] for p in perms if p in by_name])
