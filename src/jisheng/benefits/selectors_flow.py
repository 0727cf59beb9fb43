"""Reads of the benefit flow (issue 18): batches, their cases, totals, the duty log,
objections and findings — always scoped.

A user sees a batch whose unit is in their subtree, or one with a case in it (the
village 专干 reviews her village's cases of the township's batch); of a batch she sees
only the cases of her subtree.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.benefits.choices import BatchStatus, CaseStatus, ObjectionStatus, Power
from jisheng.benefits.models import Batch, Case, CaseShare, Duty, Finding, Objection
from jisheng.benefits.services_flow import NOT_COUNTED, is_county_user
from jisheng.core.scope import ALL, record_denied, restrict, restrict_within, user_scope_path
from jisheng.orgs.models import Unit, User

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

# Names of the kinds the national pack ships, when the pack in force has no label.
KIND_NAMES: dict[str, Promise] = {
    "childcare": gettext_lazy("Childcare subsidy"),
    "rural_reward": gettext_lazy("Rural family reward"),
    "special_assistance": gettext_lazy("Special assistance"),
    "only_child_reward": gettext_lazy("Only-child parents' reward"),
    "only_child_health": gettext_lazy("Only-child health fee"),
}
FUNDING_NAMES: dict[str, Promise] = {
    "central": gettext_lazy("Central government"),
    "province": gettext_lazy("Province"),
    "city": gettext_lazy("City"),
    "county": gettext_lazy("County"),
    "township": gettext_lazy("Township"),
    "employer": gettext_lazy("Employer"),
}


def kind_label(kind: str, unit: Unit | None = None, on: datetime.date | None = None) -> str:
    """The kind's name: the pack's label, else the national name, else the key."""
    if unit is not None:
        from jisheng.policy.selectors import pack_in_force

        pack = pack_in_force(unit, on)
        benefits = getattr(pack, "benefits", None) if pack is not None else None
        found = benefits.kinds.get(kind) if benefits is not None else None
        if found is not None:
            return str(found.label)
    return str(KIND_NAMES.get(kind, kind))


def funding_label(level: str) -> str:
    return str(FUNDING_NAMES.get(level, level))


def mask_name(name: str) -> str:
    """A name partly masked for the 公示: 张*华, 欧阳**华; a two-character name 张*."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# --------------------------------------------------------------------------- batches


def _visible(user: User) -> Q | None:
    """The condition of the batches ``user`` sees (None: none)."""
    prefix = user_scope_path(user)
    if prefix is None:
        return None
    if prefix == ALL:
        return Q()
    has_case = Exists(
        Case.objects.filter(batch=OuterRef("pk"), unit__path__startswith=prefix).values("id")
    )
    return Q(unit__path__startswith=prefix) | Q(has_case)


def batches(
    user: User,
    *,
    unit: Unit | None = None,
    kind: str = "",
    status: str = "",
    year: int | None = None,
) -> QuerySet[Batch]:
    """The batches ``user`` sees (below ``unit``), the latest period first."""
    where = _visible(user)
    if where is None:
        return Batch.objects.none()
    rows = Batch.objects.filter(where).select_related("unit")
    if unit is not None:  # within what the user sees (``where``)
        rows = rows.filter(
            Q(unit__path__startswith=unit.path)
            | Q(Exists(Case.objects.filter(batch=OuterRef("pk"), unit__path__startswith=unit.path)))
        )
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if year:
        rows = rows.filter(period_start__year=year)
    return rows.order_by("-period_start", "-id")


def batch_get(user: User, pk: int | str) -> Batch:
    """One batch ``user`` sees; another answers 404 (audited)."""
    try:
        return batches(user).get(pk=pk)
    except (Batch.DoesNotExist, ValueError, TypeError):
        pass
    outside = Batch.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if outside is not None:
        record_denied(user, outside)
    raise Http404(_("Not found."))


def list_totals(rows: QuerySet[Batch]) -> dict[str, object]:
    found = rows.aggregate(n=Count("id"), cases=Sum("case_count"), total=Sum("total_amount"))
    return {
        "batches": int(found["n"] or 0),
        "cases": int(found["cases"] or 0),
        "total": Decimal(found["total"] or ZERO).quantize(FEN),
    }


def kinds_in(user: User) -> list[tuple[str, str]]:
    keys = sorted(set(batches(user).values_list("kind", flat=True)))
    return [(k, kind_label(k)) for k in keys]


# --------------------------------------------------------------------------- cases


def cases(
    user: User,
    batch: Batch,
    *,
    status: str = "",
    unit: Unit | None = None,
    q: str = "",
) -> QuerySet[Case]:
    """The cases of ``batch`` in the user's subtree (below ``unit``)."""
    rows = restrict_within(
        Case.objects.filter(batch=batch).select_related("unit", "person", "beneficiary"),
        user,
        unit,
    )
    if status:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(Q(person__name__contains=q) | Q(beneficiary__name__contains=q))
    return rows.order_by("unit__path", "id")


def case_get(user: User, pk: int | str) -> Case:
    """One case in the user's subtree; another answers 404 (audited)."""
    try:
        return restrict(Case.objects.select_related("batch", "batch__unit", "unit"), user).get(
            pk=pk
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        pass
    outside = Case.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if outside is not None:
        record_denied(user, outside)
    raise Http404(_("Not found."))


def by_village(user: User, batch: Batch) -> list[dict[str, object]]:
    """Cases counted (not withdrawn or refused) and their amounts by unit."""
    rows = (
        restrict(Case.objects.filter(batch=batch), user)
        .exclude(status__in=NOT_COUNTED)
        .values("unit_id", "unit__name", "unit__path")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("unit__path")
    )
    return [
        {
            "unit_id": r["unit_id"],
            "unit": r["unit__name"],
            "cases": r["n"],
            "total": Decimal(r["total"] or ZERO).quantize(FEN),
        }
        for r in rows
    ]


def by_level(user: User, batch: Batch) -> list[dict[str, object]]:
    """The counted cases' amounts by funding level (and employer)."""
    rows = (
        CaseShare.objects.filter(case__batch=batch)
        .exclude(case__status__in=NOT_COUNTED)
        .filter(case__in=restrict(Case.objects.filter(batch=batch), user))
        .values("level", "payer__name")
        .annotate(total=Sum("amount"))
        .order_by("level", "payer__name")
    )
    return [
        {
            "level": funding_label(r["level"]),
            "payer": r["payer__name"] or "",
            "total": Decimal(r["total"] or ZERO).quantize(FEN),
        }
        for r in rows
    ]


def case_counts(user: User, batch: Batch) -> dict[str, int]:
    rows = restrict(Case.objects.filter(batch=batch), user).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


def duty_log(batch: Batch) -> QuerySet[Duty]:
    """Who exercised which power on ``batch``, when (oldest first)."""
    return (
        Duty.objects.filter(batch=batch).select_related("user", "user__unit").order_by("at", "id")
    )


def public_cases(user: User, batch: Batch, *, unit: Unit | None = None) -> QuerySet[Case]:
    """The cases on the 公示 list: reviewed, objected or approved ones."""
    return cases(user, batch, unit=unit).filter(
        status__in=(CaseStatus.REVIEWED, CaseStatus.OBJECTED, CaseStatus.APPROVED)
    )


# --------------------------------------------------------------------------- objections


def objections(
    user: User, *, status: str = "", batch: Batch | None = None, unit: Unit | None = None
) -> QuerySet[Objection]:
    rows = restrict_within(
        Objection.objects.select_related(
            "case", "case__person", "case__batch", "unit", "recorded_by"
        ),
        user,
        unit,
    )
    if status:
        rows = rows.filter(status=status)
    if batch is not None:
        rows = rows.filter(case__batch=batch)
    return rows.order_by("-raised_on", "-id")


def objection_get(user: User, pk: int | str) -> Objection:
    try:
        return restrict(Objection.objects.select_related("case", "case__batch"), user).get(pk=pk)
    except (Objection.DoesNotExist, ValueError, TypeError):
        pass
    outside = Objection.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if outside is not None:
        record_denied(user, outside)
    raise Http404(_("Not found."))


# --------------------------------------------------------------------------- findings


def findings(
    user: User, *, batch: Batch | None = None, unanswered: bool = False, unit: Unit | None = None
) -> QuerySet[Finding]:
    rows = restrict_within(
        Finding.objects.select_related("batch", "case", "case__person", "unit", "found_by"),
        user,
        unit,
    )
    if batch is not None:
        rows = rows.filter(batch=batch)
    if unanswered:
        rows = rows.filter(answer="")
    return rows.order_by("-created_at", "-id")


def finding_get(user: User, pk: int | str) -> Finding:
    try:
        return restrict(Finding.objects.select_related("batch", "case"), user).get(pk=pk)
    except (Finding.DoesNotExist, ValueError, TypeError):
        pass
    outside = Finding.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if outside is not None:
        record_denied(user, outside)
    raise Http404(_("Not found."))


# --------------------------------------------------------------------------- worklist


def awaiting(user: User, *, unit: Unit | None = None, today: datetime.date) -> QuerySet[Batch]:
    """Batches of the user's subtree waiting for a step the user may take: the review
    (draft, reviewed: confirm), the county's approval once the notice is over (a county
    office), the funds (approved: fund manager) — leaving out batches where the user used
    another power (四权分离)."""
    where = Q(pk__in=[])
    if user.has_perm("benefits.confirm_batch"):
        where |= Q(status__in=(BatchStatus.DRAFT, BatchStatus.REVIEWED))
        county = getattr(user, "unit", None)
        if county is not None and is_county_user(user, Batch(unit=county)):
            where |= Q(status=BatchStatus.NOTICE, notice_until__lt=today)
    if user.has_perm("benefits.fund_batch"):
        where |= Q(status=BatchStatus.APPROVED)
    rows = restrict_within(Batch.objects.select_related("unit"), user, unit).filter(where)
    own = Duty.objects.filter(batch=OuterRef("pk"), user=user)
    confirm_used = Exists(own.exclude(power=Power.CONFIRM))
    funds_used = Exists(own.exclude(power=Power.FUNDS))
    return (
        rows.exclude(Q(status=BatchStatus.APPROVED) & Q(funds_used))
        .exclude(~Q(status=BatchStatus.APPROVED) & Q(confirm_used))
        .order_by("notice_until", "period_start", "id")
    )


def open_objections(user: User, *, unit: Unit | None = None) -> QuerySet[Objection]:
    return objections(user, status=ObjectionStatus.OPEN, unit=unit).order_by("raised_on", "id")
