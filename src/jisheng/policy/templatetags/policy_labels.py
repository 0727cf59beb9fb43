"""``{% pack_label code version %}``: a policy pack as people call it — its name and
version ("示范县人口与计划生育政策（2026.1 版）"), never its code (``default-2026``)."""

from __future__ import annotations

from typing import Any, cast

from django import template
from django.utils.translation import gettext as _

from jisheng.policy.models import PolicyPack

register = template.Library()


def pack_label(code: str | None, version: Any = "", *, names: dict[str, str] | None = None) -> str:
    """The pack's name and version; the code only when no pack has it (deleted).
    ``names``: the names looked up so far (a list's rows ask one query per pack, not row)."""
    if not code:
        return "—"
    if names is not None and code in names:
        name = names[code]
    else:
        name = PolicyPack.objects.filter(code=code).values_list("name", flat=True).first() or code
        if names is not None:
            names[code] = name
    if version in (None, ""):
        return name
    return _("%(name)s (version %(version)s)") % {"name": name, "version": version}


@register.simple_tag(name="pack_label", takes_context=True)
def pack_label_tag(context: template.Context, code: str | None, version: Any = "") -> str:
    # One look-up per pack for the whole template (the rows of a list share it).
    # (django-stubs types the render context's values narrowly, hence the cast.)
    store = cast("dict[str, dict[str, str]]", context.render_context)
    names = store.setdefault("policy_pack_names", {})
    return pack_label(code, version, names=names)
