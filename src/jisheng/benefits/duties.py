"""四权分离 (``003:391``): who confirms eligibility, who manages the funds, who pays and who
supervises are different people on any one batch.

Every service that acts on a batch calls :func:`check` before its transaction (a refusal
is audited and raised there, so the audit row is not rolled back with the work) and
:func:`exercise` inside it, before it writes (the batch row locked, the check made again,
the act recorded). The user needs the power's permission (their role opens the door), and must not
have used another of the four powers on the same batch — whatever their roles, so an
administrator or a user with two roles is refused the second power on a batch and allowed
it on another. A refusal is audited (``denied``) and raised as ``PermissionDenied`` with a
Chinese reason; an allowed act is a :class:`~jisheng.benefits.models.Duty` row. The
system itself (``user=None``: the sweep run by the scheduler) holds no power.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from jisheng.benefits.choices import Power
from jisheng.benefits.models import Batch, Duty
from jisheng.core.scope import path_in_scope, record_denied
from jisheng.orgs.models import User

PERMISSION: dict[str, str] = {
    Power.CONFIRM: "benefits.confirm_batch",
    Power.FUNDS: "benefits.fund_batch",
    Power.PAY: "benefits.pay_batch",
    Power.SUPERVISE: "benefits.supervise_batch",
}


def powers_used(batch: Batch, user: User | None) -> set[str]:
    """The powers ``user`` has exercised on ``batch``."""
    if user is None:
        return set()
    return set(Duty.objects.filter(batch=batch, user=user).values_list("power", flat=True))


def refusal(batch: Batch, user: User | None, power: str, *, path: str | None = None) -> str | None:
    """Why ``user`` may not exercise ``power`` on ``batch`` (in the request's language),
    or None when they may. ``path``: the tree path the act needs in the user's scope
    (default the batch's unit; a case's unit when a village reviews one case of a
    township's batch)."""
    if user is None:
        return None
    if not user.has_perm(PERMISSION[power]):
        return _("You do not hold the power to %(power)s.") % {"power": Power(power).label.lower()}
    if not path_in_scope(path if path is not None else batch.unit.path, user):
        return _("This batch belongs to a unit outside your scope.")
    other = sorted(powers_used(batch, user) - {power})
    if other:
        return _(
            "Separation of duties (四权分离): you already exercised “%(used)s” on this "
            "batch, so you may not also “%(power)s” on it."
        ) % {
            "used": "、".join(str(Power(p).label) for p in other),
            "power": Power(power).label,
        }
    return None


def check(
    batch: Batch, user: User | None, power: str, *, action: str, path: str | None = None
) -> None:
    """Refuse ``user`` the ``power`` on ``batch`` (audited ``denied``, then
    ``PermissionDenied`` with the reason), or return. Call it outside the transaction."""
    reason = refusal(batch, user, power, path=path)
    if reason is not None:
        record_denied(user, batch, f"{power}/{action}: {reason}")
        raise PermissionDenied(reason)


def exercise(
    batch: Batch, user: User | None, power: str, *, action: str, path: str | None = None
) -> Duty | None:
    """Check and record that ``user`` exercises ``power`` on ``batch`` (``action``: what
    they did, e.g. ``approve``). Locks the batch row, so two requests of one user cannot
    both pass the check. Call it inside the service's transaction."""
    if power not in PERMISSION:
        raise ValueError(f"unknown power {power!r}")
    if user is None:
        return None
    with transaction.atomic():
        locked = Batch.objects.select_for_update().select_related("unit").get(pk=batch.pk)
        reason = refusal(locked, user, power, path=path)
        if reason is not None:  # changed since check(): raised, the caller's work undone
            raise PermissionDenied(reason)
        return Duty.objects.create(batch=locked, user=user, power=power, action=action)
