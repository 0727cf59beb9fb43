"""The benefits app listens to the registry (issue 18): after a person's dated state
changed (``people.signals.history_changed``: a death, a move away recorded through the
services), her active entitlements whose stop is now due are stopped in the same
transaction (:func:`jisheng.benefits.services_changes.apply_stops`). The people app
imports nothing of benefits; bulk loads send no signal and are caught by the nightly
job (:mod:`jisheng.benefits.tasks_changes`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jisheng.people.models import Person

DISPATCH = "jisheng.benefits.hooks.stops"


def person_changed(sender: object, person: Person, **kwargs: object) -> None:
    from jisheng.benefits.services_changes import apply_stops

    apply_stops(person=person)


def connect() -> None:
    from jisheng.people.signals import history_changed

    history_changed.connect(person_changed, dispatch_uid=DISPATCH)
