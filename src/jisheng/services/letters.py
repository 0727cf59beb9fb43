"""Letters of inquiry (函调): the yearly target list from the policy pack's
``letter_inquiry`` rule, writing a numbered letter, recording the reply, the open
letters, and the letter printed as a PDF (Chinese fonts, through Chromium).

The rule: persons of the organisation (living or working in the issuing unit's
subtree) of the rule's sex, aged up to ``age_max`` and of the listed statuses, married
to a spouse outside the organisation — a spouse outside the system (the couple's
``outside_*`` fields) or a registered spouse who neither lives nor works in the subtree.
The letter only asks the spouse's unit to confirm marriage and birth status; nothing
follows from a missing reply but a reminder on the worklist (SPEC §0).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.pdf import PdfUnavailable, chromium_path, render_pdf  # noqa: F401 (their old home)
from jisheng.core.scope import require_in_scope, restrict, restrict_within
from jisheng.orgs.models import Unit
from jisheng.people.models import Couple, Person, PersonPeriod
from jisheng.people.selectors import birth_range_for_ages, periods_as_of
from jisheng.policy.schema import LetterInquiry
from jisheng.policy.selectors import pack_in_force
from jisheng.services.models import Letter

# --------------------------------------------------------------------------- targets


def rule_for(issuer: Unit, on: datetime.date | None = None) -> LetterInquiry | None:
    pack = pack_in_force(issuer, on)
    return pack.letter_inquiry if pack is not None else None


def day_of(year: int, today: datetime.date | None = None) -> datetime.date:
    """The day a year's list is drawn as of: today in the current year, 31 December of
    a past one."""
    today = today or timezone.localdate()
    return today if year >= today.year else datetime.date(year, 12, 31)


def _members(issuer: Unit, on: datetime.date) -> QuerySet[PersonPeriod]:
    return periods_as_of(on).filter(
        Q(unit__path__startswith=issuer.path) | Q(employer__path__startswith=issuer.path)
    )


@dataclass
class LetterTarget:
    couple: Couple
    person: Person
    spouse_name: str
    addressed_to: str
    letter: Letter | None


def _spouse_side(rule: LetterInquiry) -> tuple[str, str]:
    """(the field of the person the rule addresses, the field of the spouse)."""
    return ("husband", "wife") if rule.sex == "M" else ("wife", "husband")


def target_couples(
    user: Any, issuer: Unit, year: int, *, today: datetime.date | None = None
) -> QuerySet[Couple]:
    """The couples the year's letters go about (see the module), persons in ``user``'s
    scope; empty when the pack in force for ``issuer`` has no letter rule."""
    on = day_of(year, today)
    rule = rule_for(issuer, on)
    if rule is None:
        return Couple.objects.none()
    me, spouse = _spouse_side(rule)
    earliest, _latest = birth_range_for_ages(on, 0, rule.age_max)
    members = _members(issuer, on)
    if user is not None:  # None: the system itself (a service checking eligibility)
        members = restrict(members, user)
    persons = members.filter(
        sex=rule.sex,
        birth_date__gte=earliest,
        birth_date__lte=on,
        status__in=[str(s) for s in rule.statuses],
    )
    qs = Couple.objects.filter(
        **{f"{me}_id__in": persons.values("person_id")}, married_on__lte=on
    ).filter(Q(ended_on=None) | Q(ended_on__gt=on))
    if rule.spouse_outside_organisation:
        inside = _members(issuer, on).filter(person_id=OuterRef(f"{spouse}_id"))
        qs = qs.exclude(Q(**{f"{spouse}__isnull": False}) & Exists(inside))
    return qs.select_related(me, f"{me}__unit", spouse, f"{spouse}__unit", f"{spouse}__employer")


def address_of(couple: Couple, spouse_field: str = "wife") -> str:
    """Where the letter goes: the spouse's work unit, else her township."""
    if getattr(couple, f"{spouse_field}_id") is None:
        return couple.outside_work_unit or couple.outside_township
    spouse: Person = getattr(couple, spouse_field)
    if spouse.employer_id:
        return spouse.employer.name
    return spouse.unit.name


def letter_targets(
    user: Any, issuer: Unit, year: int, *, today: datetime.date | None = None
) -> list[LetterTarget]:
    """The year's target list with the letter already written for each, if any."""
    rule = rule_for(issuer, day_of(year, today))
    if rule is None:
        return []
    me, spouse = _spouse_side(rule)
    couples = list(target_couples(user, issuer, year, today=today).order_by("id"))
    letters = {
        x.couple_id: x
        for x in Letter.objects.filter(year=year, couple_id__in=[c.pk for c in couples])
    }
    result = []
    for couple in couples:
        partner = getattr(couple, spouse)
        result.append(
            LetterTarget(
                couple,
                getattr(couple, me),
                partner.name if partner is not None else couple.outside_name,
                address_of(couple, spouse),
                letters.get(couple.pk),
            )
        )
    result.sort(key=lambda t: (t.person.name, t.couple.pk))
    return result


# --------------------------------------------------------------------------- letters


def letter_create(
    *,
    actor: Any,
    issuer: Unit,
    couple: Couple,
    year: int,
    sent_on: datetime.date | None = None,
    addressed_to: str = "",
) -> Letter:
    """Write the year's letter about ``couple`` from ``issuer``, numbered next in the
    issuer's year (``2026-001`` …)."""
    require_in_scope(actor, issuer)
    today = timezone.localdate()
    sent_on = sent_on or today
    errors: dict[str, str] = {}
    if year > today.year:
        errors["year"] = _("The year is in the future.")
    if sent_on > today:
        errors["sent_on"] = _("The date is in the future.")
    elif sent_on.year != year:
        errors["sent_on"] = _("The letter of %(year)s must be sent in %(year)s.") % {"year": year}
    rule = rule_for(issuer, day_of(year, today))
    if rule is None:
        errors["issuer"] = _("The policy pack in force for this unit has no letter of inquiry.")
        raise ValidationError(errors)
    me, spouse = _spouse_side(rule)
    eligible = target_couples(None, issuer, year, today=today).filter(pk=couple.pk).exists()
    if not eligible:
        errors["couple"] = _(
            "This couple is not on the year's list: the person is not of the organisation, "
            "out of the age range or status, or the spouse is inside the organisation."
        )
    address = (addressed_to or address_of(couple, spouse)).strip()
    if not address:
        errors["addressed_to"] = _("Say to which work unit or township the letter goes.")
    if Letter.objects.filter(couple=couple, year=year).exists():
        errors["couple"] = _("A letter about this couple was already written for %(year)s.") % {
            "year": year
        }
    if errors:
        raise ValidationError(errors)
    person: Person = getattr(couple, me)
    partner = getattr(couple, spouse)
    with transaction.atomic():
        Unit.objects.select_for_update().filter(pk=issuer.pk).first()  # serialise numbering
        last = Letter.objects.filter(issuer=issuer, year=year).aggregate(n=Max("sequence"))["n"]
        letter = Letter.objects.create(
            person=person,
            couple=couple,
            unit=person.unit,
            issuer=issuer,
            year=year,
            sequence=(last or 0) + 1,
            sent_on=sent_on,
            addressed_to=address[:200],
            spouse_name=partner.name if partner is not None else couple.outside_name,
            recorded_by=audit.user_of(actor),
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=letter,
            changes={
                "number": [None, letter.number],
                "addressed_to": [None, letter.addressed_to],
                "sent_on": [None, sent_on.isoformat()],
            },
        )
    return letter


def letter_reply(
    *,
    actor: Any,
    letter: Letter,
    received_on: datetime.date | None,
    result: str,
    text: str = "",
) -> Letter:
    """Record the reply of the spouse's unit; the letter leaves the open list."""
    require_in_scope(actor, letter.unit)
    errors: dict[str, str] = {}
    if received_on is None:
        errors["reply_received_on"] = _("Give the date the reply was received.")
    elif received_on > timezone.localdate():
        errors["reply_received_on"] = _("The date is in the future.")
    elif received_on < letter.sent_on:
        errors["reply_received_on"] = _("The reply cannot arrive before the letter was sent.")
    if result not in Letter.Result.values:
        errors["reply_result"] = _("Choose an answer from the list.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        before = audit.snapshot(letter, ["reply_received_on", "reply_result", "reply_text"])
        letter.reply_received_on = received_on
        letter.reply_result = result
        letter.reply_text = text.strip()
        letter.reply_recorded_by = audit.user_of(actor)
        letter.save(
            update_fields=[
                "reply_received_on",
                "reply_result",
                "reply_text",
                "reply_recorded_by",
                "updated_at",
            ]
        )
        after = audit.snapshot(letter, ["reply_received_on", "reply_result", "reply_text"])
        audit.record(
            actor=actor, action=AuditAction.UPDATE, obj=letter, changes=audit.diff(before, after)
        )
    return letter


def letters_list(
    user: Any,
    *,
    unit: Unit | None = None,
    year: int | None = None,
    open_only: bool = False,
) -> QuerySet[Letter]:
    qs = restrict_within(Letter.objects, user, unit).select_related("person", "unit", "issuer")
    if year:
        qs = qs.filter(year=year)
    if open_only:
        qs = qs.filter(reply_received_on=None)
    return qs.order_by("sent_on", "issuer", "sequence")


# --------------------------------------------------------------------------- PDF
