"""Demo certificates for the demo county (示范县): a few of each state, so the register,
the worklist and the verification page have something to show.

Through the engine's services, as the office would: 光荣证 for couples with one child,
生育登记 for married couples, a 计划生育情况证明 awaiting review and one returned with a
message, a 流动人口婚育证明 issued and one revoked. Each is issued by the holder's
township. Idempotent: nothing is written when the county has a certificate of these
kinds already.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from jisheng.certificates import services
from jisheng.certificates.birth_registration import registration_issue
from jisheng.certificates.models import Certificate
from jisheng.certificates.selectors import couples_current_on, one_child_couples
from jisheng.orgs.choices import UnitType
from jisheng.orgs.demo import COUNTY_CODE
from jisheng.orgs.models import Unit
from jisheng.people.choices import RESIDENT_STATUSES, Sex
from jisheng.people.models import Couple, Person

KINDS = ("one_child_parents", "birth_registration", "status", "migrant_marriage")
TOWNSHIP_TYPES = (UnitType.TOWNSHIP, UnitType.STREET)


def _township(unit: Unit) -> Unit | None:
    """The township or street office at or above ``unit``."""
    chain = [unit, *reversed(list(Unit.objects.get_ancestors(unit)))]
    return next((u for u in chain if u.unit_type in TOWNSHIP_TYPES), None)


def _couples(queryset, county: Unit, n: int) -> list[tuple[Couple, Unit]]:
    """Up to ``n`` couples of ``queryset`` in the county, each with its township."""
    rows = (
        queryset.filter(unit__path__startswith=county.path, wife__isnull=False)
        .filter(wife__status__in=list(RESIDENT_STATUSES))
        .select_related("unit", "wife", "husband")
        .order_by("id")[: n * 3]
    )
    found = [(c, _township(c.unit)) for c in rows]
    return [(c, town) for c, town in found if town is not None][:n]


def load_demo_certificates() -> int:
    """Issue the demo certificates (once); the number written."""
    county = Unit.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return 0
    if Certificate.objects.filter(kind__in=KINDS, unit__path__startswith=county.path).exists():
        return 0
    today = timezone.localdate()
    written = 0
    for couple, town in _couples(one_child_couples(today), county, 3):
        try:
            services.issue_now(actor=None, kind="one_child_parents", issuer=town, couple=couple)
            written += 1
        except ValidationError:
            continue
    one_child = set(one_child_couples(today).values_list("pk", flat=True)[:10000])
    for couple, town in _couples(couples_current_on(today).exclude(pk__in=one_child), county, 2):
        try:
            registration_issue(
                actor=None,
                couple=couple,
                issuer=town,
                child_order=couple.births.count() + 1,
                documents="结婚证、身份证",
            )
            written += 1
        except ValidationError:
            continue
    women = list(
        Person.objects.filter(
            unit__path__startswith=county.path,
            sex=Sex.FEMALE,
            status__in=list(RESIDENT_STATUSES),
        ).order_by("id")[:40]
    )
    placed = [(w, _township(w.unit)) for w in women]
    holders = [(w, town) for w, town in placed if town is not None]
    steps = [
        ("status", {"purpose": "职称评审"}, "applied"),
        ("status", {"purpose": "入职"}, "returned"),
        ("migrant_marriage", {"destination": "浙江省杭州市"}, "issued"),
        ("migrant_marriage", {"destination": "广东省东莞市"}, "revoked"),
    ]
    for (woman, issuer), (kind, data, state) in zip(holders, steps, strict=False):
        try:
            if state in ("applied", "returned"):
                cert = services.certificate_apply(
                    actor=None, kind=kind, issuer=issuer, person=woman, data=data
                )
                if state == "returned":
                    services.certificate_return(
                        actor=None, certificate=cert, message="请补充单位出具的用途说明。"
                    )
            else:
                cert = services.issue_now(
                    actor=None, kind=kind, issuer=issuer, person=woman, data=data
                )
                if state == "revoked":
                    services.certificate_revoke(
                        actor=None, certificate=cert, reason="本人申报遗失，已补办新证。"
                    )
            written += 1
        except ValidationError:
            continue
    return written
