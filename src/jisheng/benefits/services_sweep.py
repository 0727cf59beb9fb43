"""The sweep (issue 18): find the candidates of one benefit kind in a unit's subtree for a
period, and make the DRAFT batch the office reviews.

:func:`sweep` loads the facts in bulk (:func:`jisheng.benefits.facts.families`), runs
the kind's clauses on every candidate (:func:`jisheng.benefits.rules.evaluate`) and
writes one :class:`~jisheng.benefits.models.Case` per candidate:

- eligible → ``CANDIDATE`` with the months and the amount of
  :func:`jisheng.benefits.amounts.compute` and its :class:`CaseShare` lines
  (:func:`~jisheng.benefits.amounts.split`; the only-child health fee split between the
  parents' employers, ``Person.employer``), linked to the person's active
  :class:`Entitlement` of the kind (created, or continued);
- a clause failed → ``INELIGIBLE``, the explanation showing which.

It is the power to confirm eligibility (四权分离): :func:`jisheng.benefits.duties.check`
before, :func:`~jisheng.benefits.duties.exercise` inside the transaction. Running it
again for the same kind, unit and period refreshes the DRAFT batch (the sweep's cases
are made again; applications entered or imported stay); once the batch has left DRAFT
it is refused. Rows are written with ``bulk_create`` in chunks; one audit row for the
batch, with the cases and total before and after.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jisheng.benefits import duties
from jisheng.benefits.amounts import FEN, ZERO, Computed, compute, split
from jisheng.benefits.choices import (
    BatchStatus,
    CaseSource,
    CaseStatus,
    EntitlementStatus,
    Power,
)
from jisheng.benefits.facts import PREFILTER, families
from jisheng.benefits.models import Batch, Case, CaseShare, Entitlement
from jisheng.benefits.rules import Context, Evaluation, Family, PersonFact, evaluate
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.scope import path_in_scope, record_denied
from jisheng.orgs.models import Unit, User
from jisheng.policy.schema_benefits import BenefitKind
from jisheng.policy.selectors import schema_of, version_in_force

CHUNK = 2000
DAY = datetime.timedelta(days=1)


def kind_in_force(kind: str, unit: Unit, on: datetime.date) -> tuple[BenefitKind, str]:
    """The pack's kind ``kind`` for ``unit`` on ``on`` and the pack's version label, or a
    Chinese ValidationError. A period before the first pack in force is read with the
    pack in force today (its amounts are dated: a step applies from its date)."""
    version = version_in_force(unit, on) or version_in_force(unit)
    pack = schema_of(version) if version is not None else None
    benefits = pack.benefits if pack is not None else None
    if benefits is None or kind not in benefits.kinds:
        raise ValidationError(
            _("The policy in force for %(unit)s has no benefit “%(kind)s”.")
            % {"unit": unit.name, "kind": kind}
        )
    assert pack is not None
    return benefits.kinds[kind], f"{pack.id} {pack.version}"


def employers_of(kind: BenefitKind, family: Family, beneficiary: PersonFact) -> list[int]:
    """The employers (unit ids) of the parents the cost-sharing rule reads: a child's
    mother and father, or a parent and the other parent."""
    if family.birth is not None or kind.subject == "child":
        parents = [family.mother, family.father]
    else:
        parents = [family.person, family.spouse]
    return [p.employer_id for p in parents if p is not None and p.employer_id is not None]


@dataclass(frozen=True)
class Line:
    """One evaluated candidate, ready to write."""

    family: Family
    evaluation: Evaluation
    computed: Computed

    @property
    def eligible(self) -> bool:
        return self.evaluation.eligible and bool(self.computed.months)


def covers(
    line: Line, period_start: datetime.date, period_end: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The first and last day a case covers: its months, or the period."""
    if line.eligible:
        first = line.computed.months[0]
        last = line.computed.months[-1]
        end = datetime.date(last.year + last.month // 12, last.month % 12 + 1, 1) - DAY
        return first, min(end, period_end)
    return period_start, period_end


def evaluate_family(kind: BenefitKind, family: Family, ctx: Context) -> Line:
    evaluation = evaluate(kind, family, ctx)
    if evaluation.eligible:
        computed = compute(
            kind,
            start=evaluation.start,
            until=evaluation.until,
            period_start=ctx.period_start,
            period_end=ctx.period_end,
        )
    else:
        computed = Computed((), ZERO)
    return Line(family, evaluation, computed)


def is_candidate(line: Line) -> bool:
    """A candidate of the sweep: every family-pattern clause holds (facts.PREFILTER)."""
    return all(c["ok"] for c in line.evaluation.clauses if c["rule"] in PREFILTER)


def _refuse_new(actor: User | None, unit: Unit) -> None:
    """The checks of :func:`duties.check` for a batch not made yet (no power used on it)."""
    if actor is None:
        return
    if not actor.has_perm(duties.PERMISSION[Power.CONFIRM]):
        reason = _("You do not hold the power to %(power)s.") % {
            "power": Power.CONFIRM.label.lower()
        }
    elif not path_in_scope(unit.path, actor):
        reason = _("This batch belongs to a unit outside your scope.")
    else:
        return
    record_denied(actor, unit, f"confirm/sweep: {reason}")
    raise PermissionDenied(reason)


def open_batch(
    kind: str, unit: Unit, period_start: datetime.date, period_end: datetime.date
) -> Batch | None:
    return (
        Batch.objects.filter(kind=kind, unit=unit, period_start=period_start, period_end=period_end)
        .exclude(status=BatchStatus.CANCELLED)
        .order_by("-id")
        .first()
    )


def batch_title(
    benefit: BenefitKind, unit: Unit, period_start: datetime.date, period_end: datetime.date
) -> str:
    if period_start.year == period_end.year and (period_start.month, period_end.month) == (1, 12):
        period = _("%(year)s") % {"year": period_start.year}
    else:
        period = f"{period_start.isoformat()}–{period_end.isoformat()}"
    return _("%(benefit)s, %(unit)s, %(period)s") % {
        "benefit": benefit.label,
        "unit": unit.name,
        "period": period,
    }


def write_case(
    *,
    batch: Batch,
    kind_key: str,
    line: Line,
    source: str,
    entitlement: Entitlement | None,
) -> Case:
    """An unsaved Case of ``line`` (the caller saves it, in bulk or not)."""
    first, last = covers(line, batch.period_start, batch.period_end)
    return Case(
        batch=batch,
        kind=kind_key,
        person_id=line.family.person.id,
        beneficiary_id=line.evaluation.beneficiary.id,
        unit_id=line.family.person.unit_id,
        source=source,
        status=CaseStatus.CANDIDATE if line.eligible else CaseStatus.INELIGIBLE,
        eligible=line.eligible,
        explanation=list(line.evaluation.clauses),
        covers_from=first,
        covers_to=last,
        months=line.computed.month_count if line.eligible else 0,
        amount=line.computed.amount if line.eligible else ZERO,
        entitlement=entitlement,
    )


def entitlements_for(
    *, kind_key: str, unit: Unit, lines: list[Line]
) -> dict[tuple[int, int], Entitlement]:
    """The active entitlement of each eligible line (person, beneficiary): continued
    (its ``ends_on`` brought up to date) or created, in bulk."""
    eligible = [line for line in lines if line.eligible]
    persons = {line.family.person.id for line in eligible}
    found: dict[tuple[int, int], Entitlement] = {}
    if len(persons) > CHUNK:  # a sweep: the active entitlements of the subtree's persons
        rows = Entitlement.objects.filter(
            kind=kind_key,
            status=EntitlementStatus.ACTIVE,
            person__unit__path__startswith=unit.path,
        )
    else:  # an application, a small unit: by person (an entitlement may sit elsewhere)
        rows = Entitlement.objects.filter(
            kind=kind_key, status=EntitlementStatus.ACTIVE, person_id__in=sorted(persons)
        )
    for ent in rows.only("id", "person_id", "beneficiary_id", "ends_on"):
        if ent.person_id in persons:
            found[(ent.person_id, ent.beneficiary_id)] = ent
    new: list[Entitlement] = []
    changed: list[Entitlement] = []
    for line in eligible:
        key = (line.family.person.id, line.evaluation.beneficiary.id)
        ends = line.evaluation.until - DAY if line.evaluation.until is not None else None
        current = found.get(key)
        if current is None:
            ent = Entitlement(
                kind=kind_key,
                person_id=key[0],
                beneficiary_id=key[1],
                unit_id=line.family.person.unit_id,
                starts_on=line.evaluation.start,
                ends_on=ends,
            )
            found[key] = ent
            new.append(ent)
        elif current.ends_on != ends and current.pk is not None:
            current.ends_on = ends
            changed.append(current)
    Entitlement.objects.bulk_create(new, batch_size=CHUNK)
    if changed:
        Entitlement.objects.bulk_update(changed, ["ends_on"], batch_size=CHUNK)
    return found


CASE_COLUMNS = (
    ("batch_id", "bigint"),
    ("kind", "text"),
    ("person_id", "bigint"),
    ("beneficiary_id", "bigint"),
    ("unit_id", "bigint"),
    ("source", "text"),
    ("status", "text"),
    ("eligible", "boolean"),
    ("explanation", "jsonb"),
    ("covers_from", "date"),
    ("covers_to", "date"),
    ("months", "integer"),
    ("amount", "numeric"),
    ("entitlement_id", "bigint"),
    ("note", "text"),
)


def _case_row(case: Case) -> dict[str, object]:
    row: dict[str, object] = {name: getattr(case, name) for name, _type in CASE_COLUMNS}
    for name in ("covers_from", "covers_to"):
        row[name] = getattr(case, name).isoformat()
    row["amount"] = str(case.amount)
    return row


def insert_cases(cases: list[Case]) -> None:
    """Insert ``cases`` in chunks, their ids set. On PostgreSQL one statement a chunk
    with the rows as one JSON parameter (``json_to_recordset``): Django's bulk insert
    sends the explanations as a text array that psycopg quotes in Python (or, as
    VALUES, tens of thousands of parameters it splits in Python) — ten times slower at a
    county's 30,000 cases. Elsewhere ``bulk_create``."""
    if connection.vendor != "postgresql":
        Case.objects.bulk_create(cases, batch_size=CHUNK)
        return
    names = ", ".join(name for name, _type in CASE_COLUMNS)
    typed = ", ".join(f"{name} {kind}" for name, kind in CASE_COLUMNS)
    sql = (
        f"INSERT INTO {Case._meta.db_table} (created_at, updated_at, {names}) "
        f"SELECT now(), now(), {names} FROM json_to_recordset(%s::json) AS r({typed}) "
        "RETURNING id"
    )
    with connection.cursor() as cursor:
        for k in range(0, len(cases), CHUNK):
            chunk = cases[k : k + CHUNK]
            cursor.execute(sql, [json.dumps([_case_row(c) for c in chunk], ensure_ascii=False)])
            for case, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                case.pk = pk
                case._state.adding = False


def remove_sweep_cases(batch: Batch) -> set[int]:
    """Delete the sweep's cases of a DRAFT batch (and their shares) in two statements,
    not through Django's collector (which loads every case and its relations). Cases an
    office entered, imported, or a supervisor's finding names stay; their persons are
    returned (the sweep does not add them again)."""
    cases = Case.objects.filter(batch=batch)
    stays = cases.exclude(source=CaseSource.SWEEP) | cases.filter(findings__isnull=False)
    kept = set(stays.values_list("person_id", flat=True))
    gone = Case.objects.filter(batch=batch, source=CaseSource.SWEEP)
    if kept:
        gone = gone.exclude(person_id__in=stays.values("person_id"))
    shares = CaseShare.objects.filter(case_id__in=gone.values("pk"))
    shares._raw_delete(shares.db)
    gone._raw_delete(gone.db)
    return kept


def save_lines(
    *, batch: Batch, kind_key: str, benefit: BenefitKind, lines: list[Line], source: str
) -> list[Case]:
    """Write the cases of ``lines`` with their shares and entitlements (bulk, chunks)."""
    ents = entitlements_for(kind_key=kind_key, unit=batch.unit, lines=lines)
    cases = [
        write_case(
            batch=batch,
            kind_key=kind_key,
            line=line,
            source=source,
            entitlement=ents.get((line.family.person.id, line.evaluation.beneficiary.id))
            if line.eligible
            else None,
        )
        for line in lines
    ]
    insert_cases(cases)
    shares: list[CaseShare] = []
    for case, line in zip(cases, lines, strict=True):
        if not line.eligible:
            continue
        employers = employers_of(benefit, line.family, line.evaluation.beneficiary)
        for part in split(benefit, case.amount, employers=employers):
            shares.append(
                CaseShare(case=case, level=part.level, payer_id=part.payer_id, amount=part.amount)
            )
    CaseShare.objects.bulk_create(shares, batch_size=CHUNK)
    return cases


def refresh_totals(batch: Batch) -> None:
    from django.db.models import Count, Sum

    totals = Case.objects.filter(batch=batch).aggregate(n=Count("id"), total=Sum("amount"))
    batch.case_count = totals["n"] or 0
    batch.total_amount = Decimal(totals["total"] or 0).quantize(FEN)
    batch.save(update_fields=["case_count", "total_amount", "updated_at"])


def sweep(
    *,
    actor: User | None,
    kind: str,
    unit: Unit,
    period_start: datetime.date,
    period_end: datetime.date,
    today: datetime.date | None = None,
) -> Batch:
    """Find the candidates of ``kind`` in ``unit``'s subtree for the period and make (or
    refresh) the DRAFT batch; see the module."""
    if period_end < period_start:
        raise ValidationError(_("The period ends before it starts."))
    today = today or timezone.localdate()
    benefit, version = kind_in_force(kind, unit, period_end)
    if benefit.subject == "staff":
        raise ValidationError(
            _("%(benefit)s is a staff allowance: it is paid to staff, not found in the registry.")
            % {"benefit": benefit.label}
        )
    existing = open_batch(kind, unit, period_start, period_end)
    if existing is not None and existing.status != BatchStatus.DRAFT:
        raise ValidationError(
            _(
                "The batch “%(title)s” has left the candidates stage (%(status)s): the sweep "
                "can no longer change it."
            )
            % {"title": existing.title, "status": existing.get_status_display()}
        )
    if existing is not None:
        duties.check(existing, actor, Power.CONFIRM, action="sweep")
    else:
        _refuse_new(actor, unit)

    ctx = Context(unit_path=unit.path, period_start=period_start, period_end=period_end)
    with translation.override("zh-hans"):  # the explanations are kept in Chinese
        found = families(benefit, unit, period_start=period_start, period_end=period_end)
        lines = [evaluate_family(benefit, f, ctx) for f in found]
    lines = [line for line in lines if is_candidate(line)]

    with transaction.atomic():
        if existing is None:
            batch = Batch.objects.create(
                kind=kind,
                unit=unit,
                title=batch_title(benefit, unit, period_start, period_end),
                period_start=period_start,
                period_end=period_end,
                pack_version=version,
                created_by=audit.user_of(actor),
            )
            before = {"case_count": 0, "total_amount": "0.00"}
        else:
            batch = existing
            before = {"case_count": batch.case_count, "total_amount": str(batch.total_amount)}
        duties.exercise(batch, actor, Power.CONFIRM, action="sweep")
        kept = remove_sweep_cases(batch)
        lines = [line for line in lines if line.family.person.id not in kept]
        save_lines(
            batch=batch, kind_key=kind, benefit=benefit, lines=lines, source=CaseSource.SWEEP
        )
        batch.pack_version = version
        batch.save(update_fields=["pack_version", "updated_at"])
        refresh_totals(batch)
        eligible = sum(1 for line in lines if line.eligible)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE if existing is None else AuditAction.UPDATE,
            obj=batch,
            changes={
                "case_count": [before["case_count"], batch.case_count],
                "total_amount": [before["total_amount"], str(batch.total_amount)],
            },
            message=_(
                "Sweep of %(benefit)s on %(today)s: %(eligible)s eligible of %(found)s candidates."
            )
            % {
                "benefit": benefit.label,
                "today": today.isoformat(),
                "eligible": eligible,
                "found": len(lines),
            },
        )
    return batch


def year_period(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
