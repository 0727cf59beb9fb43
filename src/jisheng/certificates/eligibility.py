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
