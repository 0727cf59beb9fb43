"""The shipped statistical forms registered as ``core.statforms.FormSpec``: the reporting
chain (submission, approval, locks) reaches them through the registry only —
``registry["statforms"][key].build(unit, period)``."""

from __future__ import annotations

import datetime
from functools import partial

from jisheng.core.periods import Period
from jisheng.core.statforms import Form, FormSpec, register_statform
from jisheng.orgs.models import Unit
from jisheng.reporting.definitions import shipped_definitions

SOURCE = "reporting"


def _build(key: str, unit: Unit, period: Period) -> Form:
    from jisheng.reporting import selectors_statforms

    return selectors_statforms.build(key, unit, period)


def _deadline(key: str, unit: Unit, period: Period) -> datetime.date:
    from jisheng.reporting import selectors_statforms

    return selectors_statforms.deadline(key, unit, period)


def register() -> None:
    """Register every shipped definition (read from its file: no database at start-up;
    the build reads the version in force)."""
    for definition in shipped_definitions():
        register_statform(
            FormSpec(
                key=definition.key,
                title=definition.title,
                frequency=definition.frequency,
                build=partial(_build, definition.key),
                deadline=partial(_deadline, definition.key),
                order=definition.order,
                version=str(definition.version),
                source=SOURCE,
            )
        )
