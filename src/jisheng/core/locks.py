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
  shows the change as an adjustment to the closed period.

Core imports no domain app: a unit is any treebeard materialised-path node (``path``,
``steplen``), the source and the record any model instance.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.models import ClosedPeriod, LateEntry

REASON_MAX = 500


class PeriodClosed(ValidationError):
    """A record dated inside a closed period, entered without a reason."""


def _ancestor_paths(unit: Any) -> list[str]:
    step = getattr(type(unit), "steplen", 4)
    return [unit.path[:end] for end in range(step, len(unit.path) + 1, step)]


def closure_on(unit: Any, day: datetime.date) -> ClosedPeriod | None:
    """The closure of ``unit`` (or of an ancestor) covering ``day``, if any."""
    return (
        ClosedPeriod.objects.filter(
            unit__path__in=_ancestor_paths(unit), first__lte=day, last__gte=day
        )
        .select_related("unit")
        .order_by("unit__depth")
        .first()
    )


def is_open(unit: Any, day: datetime.date) -> bool:
    return closure_on(unit, day) is None


def require_open(
    *,
    unit: Any,
    day: datetime.date,
    reason: str = "",
    actor: Any = None,
    record: models.Model | None = None,
    what: str = "",
) -> LateEntry | None:
    """Refuse a record dated inside a closed period unless a reason is given.

    Returns ``None`` when ``day`` is open for ``unit``. When closed: without ``reason``
    raises :class:`PeriodClosed`; with one, stores and returns the :class:`LateEntry`
    (``record``, the row written, may be given now or later — :func:`attach`). Call it
    inside the write's transaction, so a refusal later in it rolls the entry back too.
    """
    closure = closure_on(unit, day)
    if closure is None:
        return None
    reason = (reason or "").strip()
    if not reason:
        raise PeriodClosed(
            _(
                "%(day)s falls in %(first)s–%(last)s, closed for %(unit)s since its report "
                "was approved. A late entry (补报/更正) needs a reason."
            )
            % {
                "day": f"{day:%Y年%-m月%-d日}",
                "first": f"{closure.first:%Y年%-m月%-d日}",
                "last": f"{closure.last:%Y年%-m月%-d日}",
                "unit": closure.unit.name,
            },
            code="period_closed",
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            _("The reason is too long (at most %(max)d characters).") % {"max": REASON_MAX},
            code="reason_too_long",
        )
    entry = LateEntry.objects.create(
        unit=unit,
        day=day,
        first=closure.first,
        last=closure.last,
        what=what[:200] or (str(record)[:200] if record is not None else ""),
        reason=reason,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    if record is not None:
        attach(entry, record)
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
    *, unit: Any, first: datetime.date, last: datetime.date, source: models.Model, actor: Any
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


def closures(unit: Any) -> models.QuerySet[ClosedPeriod]:
    """The closures of ``unit`` and of its ancestors."""
    return ClosedPeriod.objects.filter(unit__path__in=_ancestor_paths(unit))


def late_entries(
    unit: Any, *, first: datetime.date | None = None, last: datetime.date | None = None
) -> models.QuerySet[LateEntry]:
    """The late entries in ``unit``'s subtree dated within ``[first, last]``."""
    entries = LateEntry.objects.filter(unit__path__startswith=unit.path)
    if first is not None:
        entries = entries.filter(day__gte=first)
    if last is not None:
        entries = entries.filter(day__lte=last)
    return entries
