"""Reads of households, couples, births and pregnancies, always in the caller's scope."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from jisheng.core import audit, crypto, idnumber
from jisheng.core.choices import AuditAction
from jisheng.core.scope import get_in_scope_or_404, restrict
from jisheng.people.models import Birth, Couple, Household, HouseholdMember, Person, Pregnancy
from jisheng.people.search import name_q

PICK_LIMIT = 20

_ID_LIKE = re.compile(r"^\d{17}[\dXx]$")


# --------------------------------------------------------------------------- persons


def person_pick(*, user: Any, q: str, sex: str = "", limit: int = PICK_LIMIT) -> list[Person]:
    """Persons in scope for a picker: by exact ID number, phone, name or pinyin."""
    q = (q or "").strip()
    if not q:
        return []
    qs = restrict(Person.objects.select_related("unit"), user)
    if sex:
        qs = qs.filter(sex=sex)
    compact = idnumber.normalise(q)
    if _ID_LIKE.match(compact):
        qs = qs.filter(id_hash=crypto.lookup_hash(compact))
    elif q.isdigit():
        qs = qs.filter(phone=q)
    else:
        qs = qs.filter(name_q(q))
    return list(qs.order_by("name_sort", "name", "pk")[:limit])


def person_find(*, user: Any, pk: Any) -> Person | None:
    """A person by id inside the user's scope, or None (for form fields). A person
    outside the scope answers like a missing one, and the attempt is audited."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    person = restrict(Person.objects.select_related("unit"), user).filter(pk=pk).first()
    if person is None:
        outside = Person.objects.filter(pk=pk).first()
        if outside is not None:
            audit.record(
                actor=user,
                action=AuditAction.DENIED,
                obj=outside,
                message=_("Picked a person outside the user's data scope."),
            )
    return person


# --------------------------------------------------------------------------- households


def household_list(*, user: Any, q: str = "") -> QuerySet[Household]:
    """Households in scope with their active member count; ``q`` matches the number,
    the address or the head's name (characters or pinyin)."""
    qs = restrict(Household.objects.select_related("unit", "head"), user).annotate(
        member_count=Count("members", filter=Q(members__left_on__isnull=True))
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(address__icontains=q) | name_q(q, "head__"))
    return qs.order_by("unit__path", "number", "pk")


def household_get(*, user: Any, pk: Any) -> Household:
    return get_in_scope_or_404(Household.objects.select_related("unit", "head"), user, pk=pk)


def household_members(
    *, household: Household, include_past: bool = False
) -> QuerySet[HouseholdMember]:
    qs = household.members.select_related("person", "person__unit")
    if not include_past:
        qs = qs.filter(left_on__isnull=True)
    return qs.order_by("left_on", "relation", "person__birth_date", "pk")


def household_member_get(*, user: Any, pk: Any) -> HouseholdMember:
    return get_in_scope_or_404(
        HouseholdMember.objects.select_related("household", "household__unit", "person"),
        user,
        pk=pk,
    )


def households_of(*, user: Any, person: Person) -> QuerySet[HouseholdMember]:
    """The person's memberships (current first) in households the user may see."""
    return (
        restrict(HouseholdMember.objects.select_related("household", "household__unit"), user)
        .filter(person=person)
        .order_by("left_on", "-joined_on", "-pk")
    )


# --------------------------------------------------------------------------- couples


def couple_get(*, user: Any, pk: Any) -> Couple:
    return get_in_scope_or_404(
        Couple.objects.select_related("unit", "wife", "husband"), user, pk=pk
    )


def couples_of(*, user: Any, person: Person) -> QuerySet[Couple]:
    """The person's marriages (latest first) that the user may see."""
    return (
        restrict(Couple.objects.select_related("unit", "wife", "husband"), user)
        .filter(Q(wife=person) | Q(husband=person))
        .order_by("-married_on", "-pk")
    )


def couple_outside_id(*, user: Any, couple: Couple) -> str:
    """The outside spouse's full ID number for users allowed to see it (the view is
    audited); the masked number for the others."""
    if not couple.outside_id_encrypted:
        return ""
    if not user.has_perm("people.view_full_id"):
        return couple.outside_id_masked
    audit.record(
        actor=user,
        action=AuditAction.VIEW,
        obj=couple,
        message=_("Viewed the outside spouse's full ID number."),
    )
    return crypto.decrypt(couple.outside_id_encrypted)


# --------------------------------------------------------------------------- births


def _births() -> QuerySet[Birth]:
    return Birth.objects.select_related("unit", "mother", "father", "child", "couple")


def birth_get(*, user: Any, pk: Any) -> Birth:
    return get_in_scope_or_404(_births(), user, pk=pk)


def birth_list(
    *, user: Any, q: str = "", year: int | None = None, within_policy: bool | None = None
) -> QuerySet[Birth]:
    """Births in scope; ``q`` matches the mother's, father's or child's name."""
    qs = restrict(_births(), user)
    q = (q or "").strip()
    if q:
        qs = qs.filter(name_q(q, "mother__") | name_q(q, "father__") | Q(child_name__contains=q))
    if year:
        qs = qs.filter(date__year=year)
    if within_policy is not None:
        qs = qs.filter(within_policy=within_policy)
    return qs.order_by("-date", "-pk")


def births_of(*, user: Any, person: Person) -> QuerySet[Birth]:
    """Births to the person as mother or father (oldest first) that the user may see."""
    return (
        restrict(_births(), user).filter(Q(mother=person) | Q(father=person)).order_by("date", "pk")
    )


# --------------------------------------------------------------------------- pregnancies


def pregnancy_get(*, user: Any, pk: Any) -> Pregnancy:
    return get_in_scope_or_404(
        Pregnancy.objects.select_related("unit", "woman", "birth"), user, pk=pk
    )


def pregnancy_list(*, user: Any, ongoing: bool | None = True, q: str = "") -> QuerySet[Pregnancy]:
    qs = restrict(Pregnancy.objects.select_related("unit", "woman", "birth"), user)
    if ongoing is True:
        qs = qs.filter(outcome="")
    elif ongoing is False:
        qs = qs.exclude(outcome="")
    q = (q or "").strip()
    if q:
        qs = qs.filter(name_q(q, "woman__"))
    return qs.order_by("expected_on", "registered_on", "pk")


def pregnancies_of(*, user: Any, person: Person) -> QuerySet[Pregnancy]:
    return (
        restrict(Pregnancy.objects.select_related("birth"), user)
        .filter(woman=person)
        .order_by("-registered_on", "-pk")
    )


def births_without_pregnancy(*, person: Person) -> QuerySet[Birth]:
    """The person's births not linked to a pregnancy (to link one when closing)."""
    return Birth.objects.filter(mother=person, pregnancy__isnull=True).order_by("-date", "-pk")
