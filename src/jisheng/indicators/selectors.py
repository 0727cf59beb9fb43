"""Reads of the indicators app. Callers pass a root unit in the user's scope."""

from __future__ import annotations

from typing import Any

from jisheng.core import periods
from jisheng.core.scope import get_in_scope_or_404
from jisheng.indicators import catalogue, engine
from jisheng.orgs.models import Unit


def unit_values(
    user: Any,
    *,
    unit_code: str,
    period: str,
    ids: str | list[str] | None = None,
    level: str = engine.CHILDREN,
) -> list[engine.UnitValues]:
    """The indicators for the units of ``level`` under the unit of ``unit_code`` (in the
    user's scope, else 404); bad period or ids raise ``ValueError``."""
    root = get_in_scope_or_404(Unit.objects.all(), user, code=unit_code)
    return engine.compute(catalogue.select(ids), root, periods.parse(period), level)
