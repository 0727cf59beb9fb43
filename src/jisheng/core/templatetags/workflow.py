"""``{% decisions obj %}``: an object's 退回意见 box (who, when, message of the return it
is in) and its decision history (core.workflow), for any object page."""

from __future__ import annotations

from typing import Any

from django import template

from jisheng.core import workflow

register = template.Library()


@register.inclusion_tag("core/_decisions.html")
def decisions(obj: Any) -> dict[str, Any]:
    rows = list(workflow.history(obj)) if obj is not None and obj.pk else []
    returned = workflow.last_return(obj) if rows else None
    return {"returned": returned, "rows": workflow.status_labels(obj, rows)}
