"""The registry checks of the kinds 生育登记, 流动人口婚育证明 and its 审验, and the
计划生育情况证明 (registered with :func:`jisheng.certificates.eligibility.register`
from the app's ``ready()``), and the facts their documents print.

SPEC §0: the 生育登记 is a service registration. It never refuses a birth for the
number of children and never asks for what the law no longer requires (no 准生证, no
contraception, no "计划外" check): a stated child order that differs from the registry
is a warning to the user (:func:`order_warning`), never a problem. The only problems
are identity and data ones (no marriage in the registry, an impossible date).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from jisheng.certificates import eligibility
from jisheng.certificates.choices import CertificateKind, CertificateStatus
from jisheng.certificates.models import Certificate
from jisheng.people.choices import PersonStatus
from jisheng.people.models import Birth

if TYPE_CHECKING:
    from jisheng.certificates.kinds import KindSpec
    from jisheng.people.models import Couple, Person

# An expected date more than this many days before the day of registration is a
# mistake (the birth has happened: record it instead); one further ahead than a
# pregnancy lasts is impossible.
EXPECTED_PAST_DAYS = 365
EXPECTED_AHEAD_DAYS = 300
# The order of the child is a positive number; no upper limit is a rule (SPEC §0),
# this one only stops a typing mistake.
MAX_CHILD_ORDER = 20


def _current(couple: Couple, day: datetime.date) -> bool:
    return couple.married_on <= day and (couple.ended_on is None or couple.ended_on > day)


def births_of_couple(couple: Couple, day: datetime.date) -> int:
    """The births of ``couple`` recorded in the registry dated on or before ``day``."""
    return Birth.objects.filter(couple=couple, date__lte=day).count()


def child_order_of(certificate: Certificate) -> int | None:
    value = (certificate.data or {}).get("child_order")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def order_warning(couple: Couple, child_order: int | None, day: datetime.date) -> str:
    """A warning when the stated order of the child differs from the registry's births
    of the couple (empty when they agree): shown to the user, never a refusal."""
    if child_order is None:
        return ""
    recorded = births_of_couple(couple, day)
    if child_order == recorded + 1:
        return ""
    return _(
        "The registration is for child number %(order)s, but the registry has %(births)s "
        "birth(s) of this couple: please check (the registration is not refused)."
    ) % {"order": child_order, "births": recorded}


def _identity(person: Person | None, field: str) -> dict[str, str]:
    if person is None:
        return {}
    if person.status == PersonStatus.DECEASED:
        return {
            field: _("The registry records %(name)s as deceased: please check.")
            % {"name": person.name}
        }
    return {}


def birth_registration(
    spec: KindSpec, certificate: Certificate, day: datetime.date
) -> dict[str, str]:
    """生育登记: the couple current on ``day`` in the registry, a possible expected
    date, a sensible child order. Never refused for the number of children."""
    couple = certificate.couple
    errors: dict[str, str] = {}
    if couple is None:
        return errors
    if not _current(couple, day):
        errors["couple"] = _(
            "The registry has no marriage of this couple in force on %(day)s: record the "
            "marriage first, then register (please check)."
        ) % {"day": day.isoformat()}
    for person in (couple.wife, couple.husband):
        errors.update(_identity(person, "couple"))
    order = child_order_of(certificate)
    if "child_order" in (certificate.data or {}) and (
        order is None or not 1 <= order <= MAX_CHILD_ORDER
    ):
        errors["child_order"] = _("Enter the order of the child as a number from 1 to %(n)s.") % {
            "n": MAX_CHILD_ORDER
        }
    expected = (certificate.data or {}).get("expected_on")
    if expected:
        expected_on = datetime.date.fromisoformat(expected)
        if expected_on < day - datetime.timedelta(days=EXPECTED_PAST_DAYS):
            errors["expected_on"] = _(
                "The expected date is more than a year in the past: if the child is born, "
                "record the birth (please check)."
            )
        elif expected_on > day + datetime.timedelta(days=EXPECTED_AHEAD_DAYS):
            errors["expected_on"] = _(
                "The expected date is more than %(days)s days ahead, longer than a "
                "pregnancy: please check."
            ) % {"days": EXPECTED_AHEAD_DAYS}
    return errors


def migrant_marriage(
    spec: KindSpec, certificate: Certificate, day: datetime.date
) -> dict[str, str]:
    """流动人口婚育证明: the person is in the registry below the issuer (the engine checks
    the unit) and alive. Age, marriage and children are printed, never a refusal."""
    errors = _identity(certificate.person, "person")
    if certificate.person is not None and certificate.person.birth_date > day:
        errors["person"] = _("The person was not born on that day: please check.")
    return errors


def status(spec: KindSpec, certificate: Certificate, day: datetime.date) -> dict[str, str]:
    """计划生育情况证明: a person of the registry, alive; the purpose is a required field."""
    return migrant_marriage(spec, certificate, day)


def _same_holder(found: Certificate, person: Person) -> bool:
    if found.person_id == person.pk:
        return True
    holder = found.person
    return bool(holder and holder.id_hash and holder.id_hash == person.id_hash)


def find_marriage_certificate(number: str) -> Certificate | None:
    """A jisheng 婚育证明 by its number, in any unit (verification across units)."""
    text = (number or "").strip()
    if not text:
        return None
    return (
        Certificate.objects.select_related("person", "issuer")
        .filter(kind=CertificateKind.MIGRANT_MARRIAGE)
        .filter(Q(number=text) | Q(number__iexact=text))
        .first()
    )


def marriage_certificate_problem(found: Certificate, day: datetime.date) -> str:
    """Why a jisheng 婚育证明 does not pass 审验 on ``day`` (empty: it is valid)."""
    if found.status == CertificateStatus.REVOKED or found.voided_at is not None:
        return _("This marriage and childbearing certificate has been revoked.")
    if found.status == CertificateStatus.REPLACED:
        return _("This certificate was replaced by a reissue: verify the new one.")
    if found.status != CertificateStatus.ISSUED:
        return _("This certificate has not been issued: please check the number.")
    if found.valid_until is not None and found.valid_until < day:
        return _("This marriage and childbearing certificate has expired.")
    return ""


def migrant_verification(
    spec: KindSpec, certificate: Certificate, day: datetime.date
) -> dict[str, str]:
    """审验 of a 婚育证明 by its number. A jisheng certificate must be issued, not
    revoked, replaced or expired, and be the person's; a number jisheng does not know is
    recorded as from outside with the issuing place the office entered."""
    errors = _identity(certificate.person, "person")
    person = certificate.person
    number = (certificate.data or {}).get("certificate_number", "")
    found = find_marriage_certificate(number)
    if found is None or person is None:
        return errors
    problem = marriage_certificate_problem(found, day)
    if problem:
        errors["certificate_number"] = problem
    elif not _same_holder(found, person):
        errors["certificate_number"] = _(
            "The certificate with this number belongs to someone else: please check."
        )
    return errors


def verified_certificate(certificate: Certificate) -> Certificate | None:
    """The jisheng 婚育证明 a 审验 verified (None: one from outside jisheng)."""
    return find_marriage_certificate((certificate.data or {}).get("certificate_number", ""))


# --- what the documents print (facts as recorded, no judgement) ----------------------


def holder_facts(person: Person, day: datetime.date) -> dict[str, object]:
    """Marital status and children of ``person`` as recorded on ``day`` (the content of
    the 婚育证明 and the 情况证明: facts only)."""
    births = Birth.objects.filter(Q(mother=person) | Q(father=person), date__lte=day).order_by(
        "date", "id"
    )
    children = list(births.values("date", "sex", "child_name"))
    return {
        "marital_status": person.get_marital_status_display(),
        "children": len(children),
        "births": children,
    }


def register() -> None:
    eligibility.register(CertificateKind.BIRTH_REGISTRATION, birth_registration)
    eligibility.register(CertificateKind.MIGRANT_MARRIAGE, migrant_marriage)
    eligibility.register(CertificateKind.MIGRANT_VERIFICATION, migrant_verification)
    eligibility.register(CertificateKind.STATUS, status)
