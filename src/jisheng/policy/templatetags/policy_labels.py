"""``{% pack_label code version %}``: a policy pack as people call it — its name and
version ("示范县人口与计划生育政策（2026.1 版）"), never its code (``default-2026``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from jisheng.policy.models import PolicyPack

register = template.Library()


def pack_label(code: str | None, version: Any = "") -> str:
    """The pack's name and version; the code only when no pack has it (deleted)."""
    if not code:
        return "—"
    name = PolicyPack.objects.filter(code=code).values_list("name", flat=True).first() or code
    if version in (None, ""):
        return name
    return _("%(name)s (version %(version)s)") % {"name": name, "version": version}


@register.simple_tag(name="pack_label")
def pack_label_tag(code: str | None, version: Any = "") -> str:
    return pack_label(code, version)
