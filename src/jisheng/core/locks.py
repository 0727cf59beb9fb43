"""Period locks (SPEC §9, issue 15): an approved statistical report closes its period for
its unit's subtree, and every service that writes a dated record asks ONE question
before it does — :func:`require_open`.

- :func:`close` / :func:`reopen`: the report's approval closes ``[first, last]`` for the
  unit (a :class:`~jisheng.core.models.ClosedPeriod` naming the report); reopening that
  report removes it.
- :func:`closure_on`: the closure covering ``day`` for ``unit`` (the unit's own, or an
  ancestor's: a township's approved report closes its villages too), or ``None``.
- :func:`require_open`: a record dated inside a closed period is a *late entry*
  (补报/更正). Without a reason it is refused (:class:`PeriodClosed`, a
  ``ValidationError`` the forms show in Chinese); with one it is stored as a
  :class:`~jisheng.core.models.LateEntry` (what, when, who, why) and audited, in the
  caller's transaction. The approved report keeps its figures; the next open report
  shows the change as an adjustment to the closed period. ``field`` puts the refusal on
  the form's date field (code ``period_closed``: the forms then show their hidden
  补报/更正原因 field, :func:`jisheng.core.forms.late_reason_field`).
- :func:`late_reason`: the reason of one write (a service's ``late_reason`` argument)
  for every check made inside it, one late entry per unit and day.
- Writers that call it: people.events (every life event, its correction, the end of a
  marriage), people.services (registration), people.family (couples, births and their
  order override, pregnancies and their outcome), services.followup (methods started or
  stopped, visits, and their voids; campaign attendance), migrants.services
  (certificate checks), and the
  people Excel imports (persons, births). ``tests/reporting/test_locks_services.py``
  finds every writer of a dated record and fails on a new one not listed there.

Core imports no domain app: a unit is any treebeard materialised-path node (``path``,
``steplen``), the source and the record any model instance.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.models import ClosedPeriod, LateEntry

REASON_MAX = 500

if TYPE_CHECKING:  # types only: core imports no domain app at run time
    from jisheng.orgs.models import Unit, User


class PeriodClosed(ValidationError):
    """A record dated inside a closed period, entered without a reason."""


@dataclasses.dataclass
class _Late:
    """The reason a write was given for a late entry, and the entries it stored."""

    reason: str
    entries: dict[tuple[int, datetime.date], LateEntry] = dataclasses.field(default_factory=dict)


_LATE: contextvars.ContextVar[_Late | None] = contextvars.ContextVar("late", default=None)


@contextlib.contextmanager
def late_reason(reason: str | None) -> Iterator[None]:
    """The reason (补报/更正原因) every :func:`require_open` inside the block uses when it
    is not given one itself. A service taking ``late_reason`` opens it around its
    transaction, so the services it calls (a birth records the parents' BIRTH events, a
    visit rebuilds nothing dated …) need not pass it on. Within one block a unit and day
    get ONE late entry, however many rows the write makes (the birth, the mother's and
    the father's events)."""
    outer = _LATE.get()
    text = (reason or "").strip()
    if outer is not None and not text:
        yield
        return
    token = _LATE.set(_Late(text, outer.entries if outer is not None else {}))
    try:
        yield
    finally:
        _LATE.reset(token)


def closed_message(closure: ClosedPeriod, day: datetime.date) -> str:
    """The Chinese refusal of ``day`` inside ``closure`` (no reason given)."""
    return _(
        "%(day)s falls in %(first)s–%(last)s, closed for %(unit)s since its report "
        "was approved. A late entry (补报/更正) needs a reason."
    ) % {
        "day": f"{day:%Y年%-m月%-d日}",
        "first": f"{closure.first:%Y年%-m月%-d日}",
        "last": f"{closure.last:%Y年%-m月%-d日}",
        "unit": closure.unit.name,
    }


def _ancestor_paths(unit: Unit) -> list[str]:
    step = getattr(type(unit), "steplen", 4)
    return [unit.path[:end] for end in range(step, len(unit.path) + 1, step)]


def closure_on(unit: Unit, day: datetime.date) -> ClosedPeriod | None:
    """The closure of ``unit`` (or of an ancestor) covering ``day``, if any."""
    return (
        ClosedPeriod.objects.filter(
            unit__path__in=_ancestor_paths(unit), first__lte=day, last__gte=day
        )
        .select_related("unit")
        .order_by("unit__depth")
        .first()
    )


def is_open(unit: Unit, day: datetime.date) -> bool:
    return closure_on(unit, day) is None


def require_open(
    *,
    unit: Unit,
    day: datetime.date | None,
    reason: str = "",
    actor: User | None = None,
    record: models.Model | None = None,
    what: str = "",
    field: str | None = None,
) -> LateEntry | None:
    """Refuse a record dated inside a closed period unless a reason is given.

    Returns ``None`` when ``day`` is open for ``unit``. When closed: without ``reason``
    (nor one of an enclosing :func:`late_reason` block) raises :class:`PeriodClosed` —
    on ``field`` when given (the form's date field); with one, stores and returns the
    :class:`LateEntry` (``record``, the row written, may be given now or later —
    :func:`attach`). Call it inside the write's transaction, so a refusal later in it
    rolls the entry back too.
    """
    if day is None or unit is None:
        return None
    closure = closure_on(unit, day)
    if closure is None:
        return None
    context = _LATE.get()
    reason = (reason or "").strip() or (context.reason if context is not None else "")
    if not reason:
        refusal = ValidationError(closed_message(closure, day), code="period_closed")
        raise PeriodClosed({field: [refusal]} if field else [refusal])
    if len(reason) > REASON_MAX:
        message = _("The reason is too long (at most %(max)d characters).") % {"max": REASON_MAX}
        raise ValidationError({"late_reason": [message]} if field else message)
    if context is not None and (unit.pk, day) in context.entries:
        entry = context.entries[(unit.pk, day)]
        if record is not None and entry.object_id is None:
            attach(entry, record)
        return entry
    entry = LateEntry.objects.create(
        unit=unit,
        day=day,
        first=closure.first,
        last=closure.last,
        what=what[:200] or (str(record)[:200] if record is not None else ""),
        reason=reason,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        content_type=ContentType.objects.get_for_model(record) if record is not None else None,
        object_id=record.pk if record is not None else None,
    )
    if context is not None:
        context.entries[(unit.pk, day)] = entry
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=entry,
        changes={"day": day.isoformat(), "reason": reason, "what": entry.what},
        message=_("Late entry dated %(day)s in a closed period: %(reason)s")
        % {"day": day.isoformat(), "reason": reason},
    )
    return entry


def attach(entry: LateEntry | None, record: models.Model) -> None:
    """Name the record a late entry was for (once the record has its id)."""
    if entry is None:
        return
    entry.content_type = ContentType.objects.get_for_model(record)
    entry.object_id = record.pk
    if not entry.what:
        entry.what = str(record)[:200]
    entry.save(update_fields=["content_type", "object_id", "what"])


def close(
    *,
    unit: Unit,
    first: datetime.date,
    last: datetime.date,
    source: models.Model,
    actor: User | None,
) -> ClosedPeriod:
    """Close ``[first, last]`` for ``unit``'s subtree because ``source`` was approved."""
    closure, _created = ClosedPeriod.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(source),
        object_id=source.pk,
        defaults={
            "unit": unit,
            "first": first,
            "last": last,
            "label": str(source)[:200],
            "closed_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    return closure


def reopen(*, source: models.Model) -> int:
    """Remove the closure ``source`` made (its report reopened); how many were removed."""
    deleted, _detail = ClosedPeriod.objects.filter(
        content_type=ContentType.objects.get_for_model(source), object_id=source.pk
    ).delete()
    return deleted


def closures(unit: Unit) -> models.QuerySet[ClosedPeriod]:
    """The closures of ``unit`` and of its ancestors."""
    return ClosedPeriod.objects.filter(unit__path__in=_ancestor_paths(unit))


def late_entries(
    unit: Unit, *, first: datetime.date | None = None, last: datetime.date | None = None
) -> models.QuerySet[LateEntry]:
    """The late entries in ``unit``'s subtree dated within ``[first, last]``."""
    entries = LateEntry.objects.filter(unit__path__startswith=unit.path)
    if first is not None:
        entries = entries.filter(day__gte=first)
    if last is not None:
        entries = entries.filter(day__lte=last)
    return entries
