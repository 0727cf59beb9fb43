"""Sample verification (抽查): drawing the sample, entering the field check, closing the
check, and the results by unit — 信息准确率 and the ledger–field gap (水分).

The sample is reproducible: the frame (the records of the unit's subtree on the day of
the draw) is put in a stable order (person ids ascending) and ``random.Random(seed)``
picks from it, so the same seed over the same frame gives the same sample
(:func:`sample_ids`). The ledger values of each sampled record are snapshotted at the
draw, so later changes to the registry do not move the comparison.

A record is *accurate* when the person was found living here and the marital status,
the current method and the number of children found all agree with the ledger. The gap
of a counted figure is (ledger − field) / ledger × 100 over the records checked.

Writes validate, run in one transaction and are audited; reads are scoped by the
caller's subtree (a check of another unit answers 404 and the attempt is audited).
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import math
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core import audit, workflow
from jisheng.core.choices import AuditAction
from jisheng.core.scope import get_in_scope_or_404, require_in_scope, restrict
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.orgs.models import Unit
from jisheng.people.choices import MARRIED_STATUSES, RESIDENT_STATUSES, MaritalStatus, Sex
from jisheng.people.models import Birth, PersonPeriod
from jisheng.people.search import name_q
from jisheng.people.selectors import birth_range_for_ages, periods_as_of
from jisheng.policy.choices import LONG_ACTING, Method
from jisheng.reports.models import Verification, VerificationFrame, VerificationRecord
from jisheng.services.models import ContraceptionRecord

# A sample larger than this is refused (a sheet of more records is no spot check).
MAX_SAMPLE = 2000
MAX_CHILDREN = 20
SEED_MAX = 2**53  # seeds are shown and typed: keep them exact in JavaScript too
WRA_AGES = (15, 49)


# --------------------------------------------------------------------------- the sample


def frame_queryset(unit: Unit, frame: str, day: datetime.date) -> QuerySet[PersonPeriod]:
    """The records a sample of ``unit``'s subtree is drawn from on ``day``: residents
    (在册 or 流入) living there that day, narrowed to the women aged 15–49 (and married)
    for those frames."""
    qs = periods_as_of(day).filter(
        unit__path__startswith=unit.path, status__in=list(RESIDENT_STATUSES)
    )
    if frame in (VerificationFrame.WRA, VerificationFrame.MARRIED_WRA):
        earliest, latest = birth_range_for_ages(day, *WRA_AGES)
        qs = qs.filter(sex=Sex.FEMALE, birth_date__gte=earliest, birth_date__lte=latest)
    if frame == VerificationFrame.MARRIED_WRA:
        qs = qs.filter(marital_status__in=list(MARRIED_STATUSES))
    return qs


def frame_ids(unit: Unit, frame: str, day: datetime.date) -> list[int]:
    """The person ids of the frame in the stable order sampled from (ascending)."""
    ids = frame_queryset(unit, frame, day).order_by("person_id").values_list("person_id", flat=True)
    return list(dict.fromkeys(ids))


def frame_digest(ids: Sequence[int]) -> str:
    return hashlib.sha256(",".join(str(i) for i in ids).encode()).hexdigest()


def sample_ids(ids: Sequence[int], size: int, seed: int) -> list[int]:
    """``size`` ids picked from ``ids`` by ``random.Random(seed)``, in the order drawn.

    The ids are sorted first, so the result depends on the set of ids, the size and the
    seed only: the same seed over the same frame gives the same sample."""
    return random.Random(seed).sample(sorted(ids), size)


def size_for(population: int, size: int | None, percent: decimal.Decimal | None) -> int:
    """The sample size asked for: ``size`` records, or ``percent`` % of the frame
    (rounded up). Raises ``ValidationError`` naming the field."""
    if size is None and percent is None:
        raise ValidationError({"size": _("Give the number of records or a percentage.")})
    if size is not None and percent is not None:
        raise ValidationError(
            {"size": _("Give either the number of records or a percentage, not both.")}
        )
    if population == 0:
        raise ValidationError(
            {"unit": _("There are no records to sample in this unit on this day.")}
        )
    if percent is not None:
        if percent <= 0 or percent > 100:
            raise ValidationError(
                {"percent": _("The percentage must be more than 0 and at most 100.")}
            )
        size = max(1, math.ceil(population * percent / 100))
    assert size is not None
    if size < 1:
        raise ValidationError({"size": _("The sample must hold at least one record.")})
    if size > population:
        raise ValidationError(
            {
                "size": _(
                    "The sample (%(size)d) is larger than the records to sample from "
                    "(%(population)d)."
                )
                % {"size": size, "population": population}
            }
        )
    if size > MAX_SAMPLE:
        raise ValidationError(
            {"size": _("A sample holds at most %(max)d records.") % {"max": MAX_SAMPLE}}
        )
    return size


def _ledger(person_ids: list[int], day: datetime.date) -> tuple[dict[int, str], dict[int, int]]:
    """The method each person used on ``day`` (none recorded: 无) and their children
    born by then, from the registry."""
    methods: dict[int, str] = {}
    records = (
        ContraceptionRecord.objects.filter(
            person_id__in=person_ids, voided_at=None, started_on__lte=day
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .order_by("person_id", "-started_on", "-id")
        .values_list("person_id", "method")
    )
    for person_id, method in records:
        methods.setdefault(person_id, method)
    children: dict[int, int] = dict.fromkeys(person_ids, 0)
    births = Birth.objects.filter(date__lte=day).filter(
        Q(mother_id__in=person_ids) | Q(father_id__in=person_ids)
    )
    for mother_id, father_id in births.values_list("mother_id", "father_id"):
        for parent in {mother_id, father_id}:
            if parent in children:
                children[parent] += 1
    return methods, children


def verification_create(
    *,
    actor: Any,
    unit: Unit,
    frame: str = VerificationFrame.MARRIED_WRA,
    size: int | None = None,
    percent: decimal.Decimal | None = None,
    seed: int | None = None,
    name: str = "",
    note: str = "",
) -> Verification:
    """Draw a sample of ``size`` records (or ``percent`` %) of ``unit``'s subtree as of
    today with ``seed`` (a random one when not given) and snapshot their ledger values."""
    require_in_scope(actor, unit)
    if frame not in VerificationFrame.values:
        raise ValidationError({"frame": _("Choose the records to sample from the list.")})
    if seed is None:
        seed = secrets.randbelow(SEED_MAX)
    elif seed < 0 or seed >= SEED_MAX:
        raise ValidationError({"seed": _("The seed must be a whole number from 0 to 2^53 − 1.")})
    if percent is not None:
        percent = decimal.Decimal(str(percent)).quantize(decimal.Decimal("0.01"))
    day = timezone.localdate()
    with transaction.atomic():
        ids = frame_ids(unit, frame, day)
        size = size_for(len(ids), size, percent)
        picked = sample_ids(ids, size, seed)
        default_name = _("Sample verification of %(unit)s, %(day)s") % {
            "unit": unit.name,
            "day": day.isoformat(),
        }
        verification = Verification.objects.create(
            unit=unit,
            name=(name.strip() or default_name)[:200],
            frame=frame,
            seed=seed,
            requested_size=None if percent is not None else size,
            requested_percent=percent,
            population=len(ids),
            frame_digest=frame_digest(ids),
            drawn_on=day,
            note=note.strip(),
            created_by=audit.user_of(actor),
        )
        states = {
            row["person_id"]: row
            for row in frame_queryset(unit, frame, day)
            .filter(person_id__in=picked)
            .values("person_id", "unit_id", "sex", "birth_date", "marital_status")
        }
        methods, children = _ledger(picked, day)
        earliest, latest = birth_range_for_ages(day, *WRA_AGES)
        VerificationRecord.objects.bulk_create(
            [
                VerificationRecord(
                    verification=verification,
                    person_id=person_id,
                    unit_id=states[person_id]["unit_id"],
                    position=position,
                    ledger_wra=states[person_id]["sex"] == Sex.FEMALE
                    and earliest <= states[person_id]["birth_date"] <= latest,
                    ledger_marital_status=states[person_id]["marital_status"],
                    ledger_method=methods.get(person_id, Method.NONE),
                    ledger_children=min(children[person_id], 32767),
                )
                for position, person_id in enumerate(picked, start=1)
            ]
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=verification,
            changes={
                "unit": [None, unit.code],
                "frame": [None, frame],
                "seed": [None, seed],
                "size": [None, size],
                "percent": [None, str(percent) if percent is not None else None],
                "population": [None, len(ids)],
                "frame_digest": [None, verification.frame_digest],
            },
        )
    return verification


def sample_reproduces(verification: Verification) -> bool | None:
    """Whether drawing again with the check's seed over its frame gives the same persons
    in the same order: ``None`` when the frame changed since (different digest)."""
    ids = frame_ids(verification.unit, verification.frame, verification.drawn_on)
    if frame_digest(ids) != verification.frame_digest:
        return None
    drawn = list(verification.records.order_by("position").values_list("person_id", flat=True))
    return sample_ids(ids, len(drawn), verification.seed) == drawn


# --------------------------------------------------------------------------- the field check


def _verdict(record: VerificationRecord) -> bool:
    return bool(
        record.field_present
        and record.field_marital_status == record.ledger_marital_status
        and record.field_method == record.ledger_method
        and record.field_children == record.ledger_children
    )


RESULT_FIELDS = (
    "field_present",
    "field_marital_status",
    "field_method",
    "field_children",
    "accurate",
    "note",
    "checked_on",
)


def _check_result(
    verification: Verification,
    *,
    present: bool | None,
    marital_status: str,
    method: str,
    children: int | None,
    note: str,
    checked_on: datetime.date | None,
    today: datetime.date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if present is None:
        errors["field_present"] = _("Say whether the person was found living here.")
    elif present:
        if marital_status not in MaritalStatus.values:
            errors["field_marital_status"] = _("Choose the marital status found.")
        if method not in Method.values:
            errors["field_method"] = _("Choose the method found.")
        if children is None:
            errors["field_children"] = _("Give the number of children found.")
        elif children < 0 or children > MAX_CHILDREN:
            errors["field_children"] = _("The number of children must be from 0 to %(max)d.") % {
                "max": MAX_CHILDREN
            }
    if checked_on is None:
        errors["checked_on"] = _("Give the date of the check.")
    elif checked_on > today:
        errors["checked_on"] = _("The date is in the future.")
    elif checked_on < verification.drawn_on:
        errors["checked_on"] = _("The check cannot be before the sample was drawn (%(date)s).") % {
            "date": format_cn_date(verification.drawn_on)
        }
    if len(note) > 500:
        errors["note"] = _("At most 500 characters.")
    return errors


def record_result(
    *,
    actor: Any,
    record: VerificationRecord,
    present: bool | None,
    marital_status: str = "",
    method: str = "",
    children: int | None = None,
    note: str = "",
    checked_on: datetime.date | None = None,
) -> VerificationRecord:
    """Record what the field check found for one sampled record (again, to correct it,
    while the check is open); the verdict "accurate" follows from the values. A person
    not found living here is inaccurate and the other fields stay empty."""
    verification = record.verification
    require_in_scope(actor, verification.unit)
    today = timezone.localdate()
    checked_on = checked_on or today
    note = (note or "").strip()
    errors = _check_result(
        verification,
        present=present,
        marital_status=marital_status,
        method=method,
        children=children,
        note=note,
        checked_on=checked_on,
        today=today,
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        verification = Verification.objects.select_for_update().get(pk=verification.pk)
        if not verification.is_open:
            raise ValidationError(
                _("This sample verification is closed; its results can no longer be changed.")
            )
        record = VerificationRecord.objects.select_for_update().get(pk=record.pk)
        before = audit.snapshot(record, list(RESULT_FIELDS))
        record.field_present = present
        record.field_marital_status = marital_status if present else ""
        record.field_method = method if present else ""
        record.field_children = children if present else None
        record.note = note
        record.checked_on = checked_on
        record.accurate = _verdict(record)
        after = audit.snapshot(record, list(RESULT_FIELDS))
        changes = audit.diff(before, after)
        if not changes:
            return record
        record.checked_by = audit.user_of(actor)
        record.save(update_fields=[*RESULT_FIELDS, "checked_by", "updated_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=record, changes=changes)
    return record


def verification_close(*, actor: Any, verification: Verification) -> Verification:
    """Close the check: its results are frozen. Records not checked stay unchecked and
    count nowhere. (The step of ``core.workflow``, table in ``reports/workflows.py``.)"""
    require_in_scope(actor, verification.unit)
    if not verification.is_open:
        raise ValidationError(_("This sample verification is already closed."))
    workflow.transition(actor=actor, obj=verification, to=Verification.Status.CLOSED)
    return verification


def close_checked(ctx: workflow.Context) -> None:
    """Hook of closing (on the locked check): refused before any record was checked."""
    verification: Verification = ctx.obj
    checked = verification.records.filter(checked_on__isnull=False).count()
    if checked == 0:
        raise ValidationError(
            _("No record has been checked yet: enter the field results before closing.")
        )
    verification.closed_at = timezone.now()
    verification.closed_by = audit.user_of(ctx.actor)
    ctx.fields += ["closed_at", "closed_by"]
    ctx.note = _("Closed with %(checked)d of %(total)d records checked.") % {
        "checked": checked,
        "total": verification.records.count(),
    }


def verification_reopen(*, actor: Any, verification: Verification, message: str) -> Verification:
    """Open a closed check again (to correct a result), saying why; its earlier
    closing stays in the decision history."""
    require_in_scope(actor, verification.unit)
    if verification.is_open:
        raise ValidationError(_("This sample verification is open already."))
    workflow.transition(actor=actor, obj=verification, to=Verification.Status.OPEN, message=message)
    return verification


def reopen_check(ctx: workflow.Context) -> None:
    """Hook of reopening: the closing's who and when cleared (kept in the history)."""
    verification: Verification = ctx.obj
    verification.closed_at = None
    verification.closed_by = None
    ctx.fields += ["closed_at", "closed_by"]


# --------------------------------------------------------------------------- reads


def verification_list(user: Any, *, unit: Unit | None = None) -> QuerySet[Verification]:
    """The checks of units in the user's subtree (and in ``unit``'s, when given)."""
    qs = restrict(Verification.objects.select_related("unit"), user)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.annotate(
        records_count=Count("records"),
        checked_count=Count("records", filter=Q(records__checked_on__isnull=False)),
        accurate_count=Count("records", filter=Q(records__accurate=True)),
    ).order_by("-drawn_on", "-id")


def verification_get(user: Any, pk: Any) -> Verification:
    """One check whose unit lies in the user's subtree; else 404 (audited when it exists)."""
    return get_in_scope_or_404(
        Verification.objects.select_related("unit", "created_by", "closed_by"), user, pk=pk
    )


def record_get(user: Any, pk: Any) -> VerificationRecord:
    """One sampled record of a check the user may see; else 404 (audited when it exists)."""
    return get_in_scope_or_404(
        VerificationRecord.objects.select_related(
            "verification", "verification__unit", "person", "unit"
        ),
        user,
        pk=pk,
    )


def records_of(
    verification: Verification,
    *,
    unit: Unit | None = None,
    q: str = "",
    unchecked_only: bool = False,
) -> QuerySet[VerificationRecord]:
    """The check's records (in the subtree of ``unit`` when given), in sample order."""
    qs = verification.records.select_related("person", "unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if q.strip():
        qs = qs.filter(name_q(q.strip(), prefix="person__"))
    if unchecked_only:
        qs = qs.filter(checked_on__isnull=True)
    return qs.order_by("position")


# --------------------------------------------------------------------------- results


@dataclass
class Figure:
    """One counted figure of the checked records: the ledger's count and the field's."""

    key: str
    label: Any
    ledger: int = 0
    field: int = 0

    @property
    def gap(self) -> float | None:
        """(ledger − field) / ledger × 100; ``None`` when the ledger counts none."""
        if not self.ledger:
            return None
        return round((self.ledger - self.field) * 100.0 / self.ledger, 1)


FIGURES: tuple[tuple[str, Any], ...] = (
    ("present", gettext_lazy("Persons living here")),
    ("married_wra", gettext_lazy("Married women aged 15–49")),
    ("with_method", gettext_lazy("Persons using a method")),
    ("long_acting", gettext_lazy("Persons using a long-acting method")),
    ("children", gettext_lazy("Children")),
)

_CHECKED = Q(checked_on__isnull=False)
_FOUND = _CHECKED & Q(field_present=True)
_NO_METHOD = [Method.NONE, ""]

AGGREGATES = {
    # (named apart from the model's fields: an annotation "accurate" would shadow the
    # field in the other aggregates' filters)
    "n_records": Count("id"),
    "n_checked": Count("id", filter=_CHECKED),
    "n_accurate": Count("id", filter=_CHECKED & Q(accurate=True)),
    "n_ledger_present": Count("id", filter=_CHECKED),
    "n_field_present": Count("id", filter=_FOUND),
    "n_ledger_married_wra": Count(
        "id",
        filter=_CHECKED & Q(ledger_wra=True, ledger_marital_status__in=list(MARRIED_STATUSES)),
    ),
    "n_field_married_wra": Count(
        "id", filter=_FOUND & Q(ledger_wra=True, field_marital_status__in=list(MARRIED_STATUSES))
    ),
    "n_ledger_with_method": Count("id", filter=_CHECKED & ~Q(ledger_method__in=_NO_METHOD)),
    "n_field_with_method": Count("id", filter=_FOUND & ~Q(field_method__in=_NO_METHOD)),
    "n_ledger_long_acting": Count("id", filter=_CHECKED & Q(ledger_method__in=list(LONG_ACTING))),
    "n_field_long_acting": Count("id", filter=_FOUND & Q(field_method__in=list(LONG_ACTING))),
    "n_ledger_children": Sum("ledger_children", filter=_CHECKED),
    "n_field_children": Sum("field_children", filter=_FOUND),
}


@dataclass
class ResultRow:
    unit: Unit | None
    label: str
    records: int = 0
    checked: int = 0
    accurate: int = 0
    figures: dict[str, Figure] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.figures:
            self.figures = {key: Figure(key, label) for key, label in FIGURES}

    @property
    def accuracy(self) -> float | None:
        """信息准确率: accurate records / records checked × 100; ``None`` when none checked."""
        if not self.checked:
            return None
        return round(self.accurate * 100.0 / self.checked, 1)

    @property
    def figure_list(self) -> list[Figure]:
        return list(self.figures.values())

    def fill(self, data: dict[str, Any]) -> None:
        self.records, self.checked, self.accurate = (
            data["n_records"],
            data["n_checked"],
            data["n_accurate"],
        )
        for key, figure in self.figures.items():
            figure.ledger = data[f"n_ledger_{key}"] or 0
            figure.field = data[f"n_field_{key}"] or 0

    def add(self, other: ResultRow) -> None:
        self.records += other.records
        self.checked += other.checked
        self.accurate += other.accurate
        for key, figure in self.figures.items():
            figure.ledger += other.figures[key].ledger
            figure.field += other.figures[key].field


@dataclass
class Results:
    verification: Verification
    unit: Unit
    rows: list[ResultRow] = field(default_factory=list)
    total: ResultRow = field(default_factory=lambda: ResultRow(None, ""))


def results_by_unit(verification: Verification, unit: Unit | None = None) -> Results:
    """The check's figures per child unit of ``unit`` (the check's unit by default; its
    own row first when records live there directly) and rolled up in ``total``, from
    one grouped query."""
    unit = unit or verification.unit
    if not unit.path.startswith(verification.unit.path):
        raise ValueError("the unit lies outside the checked unit's subtree")
    length = len(unit.path) + Unit.steplen
    grouped = {
        row["prefix"]: row
        for row in verification.records.filter(unit__path__startswith=unit.path)
        .annotate(prefix=Substr("unit__path", 1, length))
        .order_by()
        .values("prefix")
        .annotate(**AGGREGATES)
    }
    results = Results(verification, unit)
    own = grouped.get(unit.path)
    if own:
        row = ResultRow(unit, unit.name)
        row.fill(own)
        results.rows.append(row)
    for child in Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by(
        "path"
    ):
        row = ResultRow(child, child.name)
        if child.path in grouped:
            row.fill(grouped[child.path])
        results.rows.append(row)
    for row in results.rows:
        results.total.add(row)
    return results


__all__ = [
    "MAX_SAMPLE",
    "Figure",
    "ResultRow",
    "Results",
    "frame_ids",
    "frame_queryset",
    "record_get",
    "record_result",
    "records_of",
    "results_by_unit",
    "sample_ids",
    "sample_reproduces",
    "size_for",
    "verification_close",
    "verification_create",
    "verification_get",
    "verification_list",
]
