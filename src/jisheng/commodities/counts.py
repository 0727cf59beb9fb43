"""Physical counts (盘点, SPEC §6, issue 6 item 5): the count sheet of a store on a day,
the counts entered, the differences, and one adjustment document posted on approval;
and 账物相符率 (the share of counted lines that agreed with the books).

A count goes open → submitted → approved (or cancelled). Its sheet has a line per stock
card of the store that held stock at the end of the count day or was opened on it; the
book figure is the card's balance at the end of that day. On approval the book figures
are computed again as of the count day (movements posted meanwhile, back-dated or not,
are thereby taken into account), and every difference is posted on the count day as a
line of one count adjustment document (盘点调整). An approved or cancelled count is frozen.

The approver may return a submitted count to the counter with a message (returned →
submitted again). The steps go through ``core.workflow`` (the table is
``commodities/workflows.py``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.commodities import ledger, selectors
from jisheng.commodities.choices import CountStatus, DocumentKind
from jisheng.commodities.models import CountLine, Document, PhysicalCount, Store
from jisheng.commodities.services import past_date, require_movement_perm
from jisheng.core import audit, workflow
from jisheng.core.choices import AuditAction
from jisheng.core.scope import get_in_scope_or_404, require_in_scope, restrict_within
from jisheng.core.templatetags.cn import format_cn_date

EDITABLE = (CountStatus.OPEN, CountStatus.RETURNED, CountStatus.SUBMITTED)
# Where the counter may still enter figures and submit.
WITH_COUNTER = (CountStatus.OPEN, CountStatus.RETURNED)
FROZEN = (CountStatus.APPROVED, CountStatus.CANCELLED)


# --- reads -------------------------------------------------------------------------------


def counts_visible(
    user: Any, unit: Any | None = None, store: Store | None = None
) -> QuerySet[PhysicalCount]:
    """The counts of the stores inside the user's subtree (and ``unit``'s when given)."""
    rows = restrict_within(
        PhysicalCount.objects.select_related("store", "store__unit", "approved_by"), user, unit
    )
    if store is not None:
        rows = rows.filter(store=store)
    return rows.order_by("-counted_on", "-id")


def count_get(user: Any, pk: Any) -> PhysicalCount:
    """One count inside the user's scope (404 otherwise, audited)."""
    return get_in_scope_or_404(
        PhysicalCount.objects.select_related("store", "store__unit", "created_by", "approved_by"),
        user,
        pk=pk,
    )


def count_lines(count: PhysicalCount) -> list[CountLine]:
    return list(
        count.lines.select_related("card", "card__product", "card__lot").order_by(
            "card__product__category",
            "card__product__code",
            "card__lot__expires_on",
            "card__lot__number",
            "pk",
        )
    )


def adjustment_of(count: PhysicalCount) -> Document | None:
    return Document.objects.filter(count=count).first()


# --- helpers -----------------------------------------------------------------------------


def _counted(value: Any) -> tuple[bool, int | None]:
    """(valid, number): blank is valid and None; otherwise a whole number ≥ 0."""
    if value is None:
        return True, None
    if isinstance(value, bool):
        return False, None
    if isinstance(value, int):
        return (value >= 0), (value if value >= 0 else None)
    text = str(value).strip()
    if text == "":
        return True, None
    if not text.isdigit():
        return False, None
    return True, int(text)


def _line_label(line: CountLine) -> str:
    return _("%(product)s, lot %(lot)s") % {
        "product": line.card.product.name,
        "lot": line.card.lot.number,
    }


def _frozen_error(count: PhysicalCount) -> ValidationError:
    if count.status == CountStatus.APPROVED:
        return ValidationError(
            {"count": _("This count has been approved and posted; it cannot be changed.")},
            code="frozen",
        )
    return ValidationError(
        {"count": _("This count has been cancelled; it cannot be changed.")}, code="frozen"
    )


def _scope(actor: Any, count_or_store: PhysicalCount | Store) -> Store:
    store = count_or_store.store if isinstance(count_or_store, PhysicalCount) else count_or_store
    require_in_scope(actor, count_or_store, path=store.unit.path)
    return store


def _locked(count: PhysicalCount) -> PhysicalCount:
    """The count again, row-locked, inside the caller's transaction; frozen → error."""
    fresh = PhysicalCount.objects.select_for_update().select_related("store").get(pk=count.pk)
    if fresh.status in FROZEN:
        raise _frozen_error(fresh)
    return fresh


# --- writes ------------------------------------------------------------------------------


def count_open(
    actor: Any,
    store: Store,
    counted_on: Any,
    *,
    counted_by: str = "",
    note: str = "",
) -> PhysicalCount:
    """Open the count of ``store`` on ``counted_on``: its sheet, one line per card that
    held stock at the end of that day or was opened on it, with the book balance."""
    _scope(actor, store)
    errors: dict[str, Any] = {}
    if not store.active:
        errors["store"] = _("This store is closed.")
    day = past_date(counted_on, "counted_on", errors)
    counted_by = (counted_by or "").strip()
    note = (note or "").strip()
    if len(counted_by) > 50:
        errors["counted_by"] = _("At most 50 characters.")
    if len(note) > 300:
        errors["note"] = _("At most 300 characters.")
    if errors:
        raise ValidationError(errors)
    assert day is not None
    with ledger.serialised():
        Store.objects.select_for_update().filter(pk=store.pk).first()
        running = PhysicalCount.objects.filter(store=store, status__in=EDITABLE).first()
        if running is not None:
            raise ValidationError(
                {
                    "store": _(
                        "%(store)s already has a count in progress (of %(day)s); approve "
                        "or cancel it first."
                    )
                    % {"store": store.name, "day": format_cn_date(running.counted_on)}
                },
                code="count_in_progress",
            )
        count = PhysicalCount.objects.create(
            store=store,
            counted_on=day,
            status=CountStatus.OPEN,
            counted_by=counted_by,
            note=note,
            created_by=audit.user_of(actor),
        )
        cards = (
            selectors.cards_as_of(Store.objects.filter(pk=store.pk), day)
            .filter(Q(balance__gt=0) | Q(opened_on=day))
            .order_by("pk")
        )
        CountLine.objects.bulk_create(
            [CountLine(count=count, card_id=card.pk, book=card.balance) for card in cards]
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=count,
            changes={
                "store": [None, store.pk],
                "counted_on": [None, day.isoformat()],
                "lines": [None, count.lines.count()],
            },
        )
    return count


def count_enter(
    actor: Any,
    count: PhysicalCount,
    counts: Mapping[Any, Any],
    reasons: Mapping[Any, Any] | None = None,
    *,
    counted_by: str | None = None,
) -> PhysicalCount:
    """Enter the counted figures (``{line_id: counted or None}``) and the reasons of the
    differences (``{line_id: text}``). Whole numbers ≥ 0; blank leaves a line uncounted.
    A bad value is refused with an error naming its line, and nothing is saved."""
    _scope(actor, count)
    if count.status in FROZEN:
        raise _frozen_error(count)
    reasons = reasons or {}
    lines = {line.pk: line for line in count_lines(count)}
    errors: dict[str, Any] = {}
    values: dict[int, int | None] = {}
    texts: dict[int, str] = {}
    for n, (key, raw) in enumerate(counts.items(), start=1):
        try:
            line_id = int(key)
        except (TypeError, ValueError):
            line_id = -1
        line = lines.get(line_id)
        if line is None:
            errors[f"line_{key}"] = _("Row %(n)s: this line is not on the count sheet.") % {"n": n}
            continue
        valid, number = _counted(raw)
        if not valid:
            errors[f"line_{line_id}"] = _(
                "%(line)s: the count must be a whole number, zero or more."
            ) % {"line": _line_label(line)}
            continue
        values[line_id] = number
    for key, raw in reasons.items():
        try:
            line_id = int(key)
        except (TypeError, ValueError):
            line_id = -1
        line = lines.get(line_id)
        if line is None:
            errors[f"reason_{key}"] = _("A reason was given for a line not on the sheet.")
            continue
        text = (raw or "").strip()
        if len(text) > 200:
            errors[f"reason_{line_id}"] = _("%(line)s: the reason is at most 200 characters.") % {
                "line": _line_label(line)
            }
            continue
        texts[line_id] = text
    if counted_by is not None and len(counted_by.strip()) > 50:
        errors["counted_by"] = _("At most 50 characters.")
    if errors:
        raise ValidationError(errors)
    changes: dict[str, Any] = {}
    with ledger.serialised():
        fresh = _locked(count)
        for line_id, line in lines.items():
            fields = []
            if line_id in values and values[line_id] != line.counted:
                changes[f"line {line_id} counted"] = [line.counted, values[line_id]]
                line.counted = values[line_id]
                fields.append("counted")
            if line_id in texts and texts[line_id] != line.reason:
                changes[f"line {line_id} reason"] = [line.reason, texts[line_id]]
                line.reason = texts[line_id]
                fields.append("reason")
            if fields:
                line.save(update_fields=fields)
        if counted_by is not None and counted_by.strip() != fresh.counted_by:
            changes["counted_by"] = [fresh.counted_by, counted_by.strip()]
            fresh.counted_by = counted_by.strip()
            fresh.save(update_fields=["counted_by", "updated_at"])
        if changes:
            audit.record(actor=actor, action=AuditAction.UPDATE, obj=fresh, changes=changes)
    count.counted_by = fresh.counted_by
    return fresh


def _uncounted_error(count: PhysicalCount) -> ValidationError | None:
    missing = [line for line in count_lines(count) if line.counted is None]
    if not missing:
        return None
    return ValidationError(
        {
            "count": _("%(n)s line(s) not counted yet: %(lines)s.")
            % {"n": len(missing), "lines": "; ".join(_line_label(m) for m in missing[:5])}
        },
        code="uncounted",
    )


def count_submit(actor: Any, count: PhysicalCount) -> PhysicalCount:
    """The counter hands the entered count in for approval (every line counted)."""
    _scope(actor, count)
    if count.status in FROZEN:
        raise _frozen_error(count)
    if count.status == CountStatus.SUBMITTED:
        raise ValidationError({"count": _("This count has already been submitted.")})
    error = _uncounted_error(count)
    if error is not None:
        raise error
    workflow.transition(actor=actor, obj=count, to=CountStatus.SUBMITTED)
    return count


def count_return(actor: Any, count: PhysicalCount, message: str) -> PhysicalCount:
    """The approver sends a submitted count back to the counter, saying why (退回意见):
    the counter sees the message on the count and on the worklist, corrects and submits
    again."""
    _scope(actor, count)
    if count.status in FROZEN:
        raise _frozen_error(count)
    workflow.transition(actor=actor, obj=count, to=CountStatus.RETURNED, message=message)
    return count


def all_counted(ctx: workflow.Context) -> None:
    """Guard of submit and approve: every line of the locked count is counted."""
    error = _uncounted_error(ctx.obj)
    if error is not None:
        raise error


def count_approve(actor: Any, count: PhysicalCount) -> PhysicalCount:
    """Approve the count: the book balances are computed again as of the count day, and
    every difference is posted on that day as a line of ONE count adjustment document
    (none when the shelves agree with the books). Refused while a line is uncounted, and
    without the permission to post count adjustments."""
    require_movement_perm(actor, DocumentKind.ADJUSTMENT, count)
    _scope(actor, count)
    if count.status in FROZEN:
        raise _frozen_error(count)
    error = _uncounted_error(count)
    if error is not None:
        raise error
    workflow.transition(actor=actor, obj=count, to=CountStatus.APPROVED)
    return count


def post_differences(ctx: workflow.Context) -> None:
    """Hook of approve (on the locked count): the differences posted as one adjustment."""
    fresh: PhysicalCount = ctx.obj
    actor = ctx.actor
    store = fresh.store
    day = fresh.counted_on
    differences = []
    for line in count_lines(fresh):
        card = ledger.card_for(store, line.card.lot, day, create=False)
        assert card is not None
        book = ledger.balance_on(card, day)
        if book != line.book:
            line.book = book
            line.save(update_fields=["book"])
        assert line.counted is not None
        if line.counted != book:
            differences.append((line, card, line.counted - book))
    document = None
    if differences:
        document = ledger.open_document(
            store=store,
            kind=DocumentKind.ADJUSTMENT,
            occurred_on=day,
            actor=actor,
            count=fresh,
            note=_("Physical count of %(day)s") % {"day": format_cn_date(day)},
            staff_name=fresh.counted_by[:50],
        )
        for _line, card, difference in differences:
            ledger.post_line(document, card, difference)
    fresh.approved_by = audit.user_of(actor)
    fresh.approved_at = timezone.now()
    ctx.fields += ["approved_by", "approved_at"]
    ctx.changes.update(
        adjustment=[None, document.number if document else None],
        differences=[
            None,
            [[line.card.lot.number, line.book, line.counted] for line, _c, _d in differences],
        ],
    )


def count_cancel(actor: Any, count: PhysicalCount, reason: str = "") -> PhysicalCount:
    """Cancel a count in progress (nothing is posted)."""
    _scope(actor, count)
    if count.status in FROZEN:
        raise _frozen_error(count)
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise ValidationError({"reason": _("At most 300 characters.")})
    workflow.transition(actor=actor, obj=count, to=CountStatus.CANCELLED, message=reason)
    return count


def note_reason(ctx: workflow.Context) -> None:
    """Hook of cancel: the reason appended to the count's note."""
    if ctx.message:
        note = ctx.obj.note
        ctx.obj.note = (f"{note} · {ctx.message}" if note else ctx.message)[:300]
        ctx.fields.append("note")


# --- 账物相符率 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Accuracy:
    """账物相符率: ``agreeing`` of ``lines`` counted lines equalled the books."""

    agreeing: int
    lines: int
    rate: Decimal | None  # percent, one decimal; None when no line was counted


def counted_lines(start: datetime.date, end: datetime.date) -> Q:
    """The count lines of 账物相符率 over [start, end]: counted (a figure entered) in an
    approved count whose **count day** lies in the range — the one definition, used by
    :func:`count_accuracy` and by the catalogue's ``count_accuracy`` indicator
    (``commodities.indicators``). A count approved later still belongs to its count day."""
    return Q(
        count__status=CountStatus.APPROVED,
        counted__isnull=False,
        count__counted_on__gte=start,
        count__counted_on__lte=end,
    )


def count_accuracy(
    stores: QuerySet[Store] | Iterable[Store], start: datetime.date, end: datetime.date
) -> Accuracy:
    """Of the lines of the approved counts of ``stores`` counted on a day in [start, end]
    (:func:`counted_lines`), the share whose counted figure equalled the book figure, × 100."""
    store_ids = stores.values("pk") if isinstance(stores, QuerySet) else [s.pk for s in stores]
    lines = CountLine.objects.filter(
        counted_lines(start, end), count__store__in=store_ids
    ).values_list("book", "counted")
    total = 0
    agreeing = 0
    for book, counted in lines:
        total += 1
        agreeing += int(book == counted)
    if not total:
        return Accuracy(agreeing=0, lines=0, rate=None)
    rate = (Decimal(agreeing) * 100 / Decimal(total)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return Accuracy(agreeing=agreeing, lines=total, rate=rate)
