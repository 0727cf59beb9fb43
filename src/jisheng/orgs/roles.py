"""Login roles mapped to Django permissions. Each role is a Django group named by its code.

The permissions of each role are granted by the apps (each app's ``permissions.py``
calls ``jisheng.core.registry.register_grants`` from its ``ready()``);
:func:`sync_role_groups` gives each role's group exactly what the registry holds.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext as _

from jisheng.core.registry import registry
from jisheng.orgs.choices import Role

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
    "资金管理员": Role.FINANCE,
    "发放经办员": Role.PAYER,
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
    Role.FINANCE: "资金管理员",
    Role.PAYER: "发放经办员",
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


def role_permissions() -> dict[str, set[str]]:
    """Each role's permissions (``app_label.codename``) as the apps granted them, every
    role listed (a role no app grants anything has none)."""
    grants: dict[str, set[str]] = registry["role_grants"]
    unknown = sorted(set(grants) - set(Role.values))
    if unknown:
        raise ValueError(f"permissions granted to unknown roles: {', '.join(unknown)}")
    return {code: set(grants.get(code, ())) for code in Role.values}


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
    for code, perms in role_permissions().items():
        group, _created = Group.objects.get_or_create(name=code)
        group.permissions.set([by_name[p] for p in sorted(perms) if p in by_name])
