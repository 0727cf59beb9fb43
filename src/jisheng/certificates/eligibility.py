"""The checks of each kind against the registry, run when a certificate is applied for
and again when it is issued (on the locked row).

A check gets the kind, the draft certificate (holder, issuer, unit, data) and the day,
and returns the problems by field (Chinese messages, ``请核实`` in tone): an empty dict
means the certificate may be issued. Kinds register theirs with :func:`register`; a kind
without one has only the engine's own checks (holder, issuer, fields).

A check never refuses a service because of a private choice (SPEC §0): the 生育登记 in
particular is a registration, not a permission, and is never refused for the number of
children.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils.translation import gettext as _

from jisheng.certificates.kinds import KindSpec
from jisheng.certificates.models import Certificate

Check = Callable[[KindSpec, Certificate, datetime.date], dict[str, str]]
CHECKS: dict[str, Check] = {}


def register(kind: str, check: Check) -> Check:
    if kind in CHECKS and CHECKS[kind] is not check:
        raise ValueError(f"a check is already registered for the kind {kind!r}")
    CHECKS[kind] = check
    return check


def problems(kind: KindSpec, certificate: Certificate, day: datetime.date) -> dict[str, str]:
    check = CHECKS.get(kind.key)
    return check(kind, certificate, day) if check is not None else {}


def one_child_parents(
    kind: KindSpec, certificate: Certificate, day: datetime.date
) -> dict[str, str]:
    """独生子女父母光荣证: the couple married on the day (and not ended by then) with
    exactly one child of theirs recorded on or before it."""
    from jisheng.certificates.selectors import couples_current_on, one_child_couples

    couple_id = certificate.couple_id
    if couple_id is None:
        return {}
    if not couples_current_on(day).filter(pk=couple_id).exists():
        return {"couple": _("The couple was not married on the day of issue.")}
    if not one_child_couples(day).filter(pk=couple_id).exists():
        return {
            "couple": _("The couple does not have exactly one child recorded on the day of issue.")
        }
    return {}


register("one_child_parents", one_child_parents)
