"""Quality and safety (SPEC §6, issue 6 item 6): the quality-check register of a store
(药具质量检查登记: date, lot, condition, action) and adverse-reaction reports (药具不良反应
监测) linked to a person, a product and optionally a lot, listed for the county station
with filters and an Excel export.

Nothing here computes anything against a person (SPEC §0): a report records what
happened to someone who used a commodity, for the safety of the product.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jisheng.commodities.choices import Condition, Outcome, QualityAction, Severity
from jisheng.commodities.models import AdverseReaction, Lot, Product, QualityCheck, StockCard, Store
from jisheng.commodities.services import past_date
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import write_workbook
from jisheng.core.scope import path_in_scope, record_denied, require_in_scope, restrict_within


def _text(value: Any, field: str, limit: int, errors: dict[str, Any], *, required: bool) -> str:
    text = (value or "").strip() if isinstance(value, str | type(None)) else str(value).strip()
    if required and not text:
        errors[field] = _("This field is required.")
    elif len(text) > limit:
        errors[field] = _("At most %(n)s characters.") % {"n": limit}
    return text


# --- quality-check register --------------------------------------------------------------


def quality_check_record(
    *,
    actor: Any,
    store: Store,
    checked_on: Any,
    lot: Lot | None,
    condition: str,
    action: str,
    checked_by: str,
    note: str = "",
) -> QualityCheck:
    """One line of the quality-check register: a lot that the store holds or has held,
    checked on a day not in the future, its condition and the action taken."""
    require_in_scope(actor, store, path=store.unit.path)
    errors: dict[str, Any] = {}
    day = past_date(checked_on, "checked_on", errors)
    if lot is None:
        errors["lot"] = _("Choose the lot checked.")
    elif not StockCard.objects.filter(store=store, lot=lot).exists():
        errors["lot"] = _("%(store)s has never held lot %(lot)s.") % {
            "store": store.name,
            "lot": lot.number,
        }
    elif (
        day is not None
        and StockCard.objects.filter(store=store, lot=lot, opened_on__gt=day).exists()
    ):
        errors["lot"] = _("%(store)s did not yet hold lot %(lot)s on that day.") % {
            "store": store.name,
            "lot": lot.number,
        }
    if condition not in Condition.values:
        errors["condition"] = _("Choose the condition from the list.")
    if action not in QualityAction.values:
        errors["action"] = _("Choose the action from the list.")
    checked_by = _text(checked_by, "checked_by", 50, errors, required=True)
    note = _text(note, "note", 300, errors, required=False)
    if errors:
        raise ValidationError(errors)
    assert day is not None and lot is not None
    check = QualityCheck.objects.create(
        store=store,
        checked_on=day,
        lot=lot,
        condition=condition,
        action=action,
        checked_by=checked_by,
        note=note,
        recorded_by=audit.user_of(actor),
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=check,
        changes={k: [None, v] for k, v in audit.snapshot(check).items() if v not in ("", None)},
    )
    return check


def quality_checks_visible(
    user: Any, unit: Any | None = None, store: Store | None = None
) -> QuerySet[QualityCheck]:
    rows = restrict_within(
        QualityCheck.objects.select_related("store", "store__unit", "lot", "lot__product"),
        user,
        unit,
    )
    if store is not None:
        rows = rows.filter(store=store)
    return rows.order_by("-checked_on", "-id")


def lots_held(store: Store) -> QuerySet[Lot]:
    """The lots the store holds or has held (those its register may name)."""
    return (
        Lot.objects.filter(pk__in=StockCard.objects.filter(store=store).values("lot_id"))
        .select_related("product")
        .order_by("product__category", "product__code", "expires_on", "number")
    )


# --- adverse reactions -------------------------------------------------------------------


def adverse_reaction_report(
    *,
    actor: Any,
    person: Any,
    product: Product | None,
    started_on: Any,
    reported_on: Any,
    description: str,
    severity: str,
    reporter: str,
    lot: Lot | None = None,
    action_taken: str = "",
    outcome: str = Outcome.UNKNOWN,
) -> AdverseReaction:
    """Report an adverse reaction of ``person`` (inside the actor's scope) to
    ``product`` (and its ``lot`` when known): started_on ≤ reported_on ≤ today."""
    if actor is not None and not path_in_scope(person.unit.path, actor):
        record_denied(actor, person, _("Write outside the user's data scope."))
        raise PermissionDenied(_("This person is outside your data scope."))
    errors: dict[str, Any] = {}
    started = past_date(started_on, "started_on", errors)
    reported = past_date(reported_on, "reported_on", errors)
    if started and reported and started > reported:
        errors["started_on"] = _("The reaction cannot start after it was reported.")
    if product is None:
        errors["product"] = _("Choose the product.")
    elif lot is not None and lot.product_id != product.pk:
        errors["lot"] = _("Lot %(lot)s is of another product.") % {"lot": lot.number}
    description = _text(description, "description", 500, errors, required=True)
    if severity not in Severity.values:
        errors["severity"] = _("Choose the severity from the list.")
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose the outcome from the list.")
    reporter = _text(reporter, "reporter", 50, errors, required=True)
    action_taken = _text(action_taken, "action_taken", 300, errors, required=False)
    if errors:
        raise ValidationError(errors)
    assert started is not None and reported is not None and product is not None
    report = AdverseReaction.objects.create(
        person=person,
        unit=person.unit,
        product=product,
        lot=lot,
        started_on=started,
        reported_on=reported,
        description=description,
        severity=severity,
        action_taken=action_taken,
        outcome=outcome,
        reporter=reporter,
        recorded_by=audit.user_of(actor),
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=report,
        changes={
            "person": [None, person.pk],
            "product": [None, product.pk],
            "lot": [None, lot.pk if lot else None],
            "severity": [None, severity],
            "reported_on": [None, reported.isoformat()],
        },
    )
    return report


def adverse_reactions(
    user: Any,
    unit: Any | None = None,
    *,
    product: Product | None = None,
    lot: Lot | None = None,
    severity: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[AdverseReaction]:
    """The adverse reactions of the subtree (the county station's listing), filtered by
    product, lot, severity and the reported date range."""
    rows = restrict_within(
        AdverseReaction.objects.select_related("person", "unit", "product", "lot"), user, unit
    )
    if product is not None:
        rows = rows.filter(product=product)
    if lot is not None:
        rows = rows.filter(lot=lot)
    if severity:
        rows = rows.filter(severity=severity)
    if start is not None:
        rows = rows.filter(reported_on__gte=start)
    if end is not None:
        rows = rows.filter(reported_on__lte=end)
    return rows.order_by("-reported_on", "-id")


def adverse_workbook(rows: QuerySet[AdverseReaction]) -> Any:
    """The listing as an Excel workbook (the person's ID number masked)."""
    headers = [
        _("Reported on"),
        _("Started on"),
        _("Unit"),
        _("Person"),
        _("ID number"),
        _("Product"),
        _("Lot"),
        _("Severity"),
        _("What happened"),
        _("Action taken"),
        _("Outcome"),
        _("Reported by"),
    ]
    data = (
        [
            r.reported_on,
            r.started_on,
            r.unit.name,
            r.person.name,
            r.person.id_masked,
            r.product.name,
            r.lot.number if r.lot else "",
            r.get_severity_display(),
            r.description,
            r.action_taken,
            r.get_outcome_display(),
            r.reporter,
        ]
        for r in rows
    )
    return write_workbook(
        title=_("Adverse reactions"),
        headers=headers,
        rows=data,
        wrap_columns=[_("What happened"), _("Action taken")],
    )
