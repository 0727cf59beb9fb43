"""Writes of the commodities app: one function per kind of movement.

Each validates what it is given (the field, the line and the rule in the message),
checks the caller's data scope, then posts one numbered document and its ledger lines
in one serialised transaction (``ledger.py``) and records the audit event. Nothing is
ever edited or deleted: :func:`reverse` posts the opposite lines with a reason.

Items are given as :class:`Item` (a product, a quantity and, optionally, a lot). Where
no lot is named on the way out, the lots are taken first-expiry-first-out (FEFO) among
those not expired on the day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.commodities import ledger, selectors
from jisheng.commodities.choices import DocumentKind, TransferStatus, WriteOffReason
from jisheng.commodities.models import Document, LedgerLine, Lot, Product, StockCard, Store
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.scope import path_in_scope, record_denied, require_in_scope
from jisheng.core.templatetags.cn import format_cn_date


@dataclass(frozen=True)
class Item:
    """A line asked for: ``quantity`` of ``product``, from ``lot`` when named."""

    product: Product
    quantity: Any
    lot: Lot | None = None


@dataclass(frozen=True)
class NewLot:
    """A line of a receipt: the lot as printed on the delivery."""

    product: Product
    number: str
    expires_on: Any
    quantity: Any
    manufacturer: str = ""


def _quantity(value: Any) -> int | None:
    """A whole number greater than zero (an int, or its digits as text), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    text = str(value if value is not None else "").strip()
    if not text.isdigit():
        return None
    number = int(text)
    return number if number > 0 else None


def as_date(value: Any) -> datetime.date | None:
    """A date, a datetime's date, or an ISO ``YYYY-MM-DD`` text; None for anything else."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def past_date(value: Any, field: str, errors: dict[str, Any]) -> datetime.date | None:
    """The date ``value`` (see :func:`as_date`), not after today; else an error on
    ``field`` and None."""
    day = as_date(value) if isinstance(value, str | datetime.date) else None
    if day is None:
        errors[field] = _("Enter a real date (YYYY-MM-DD).")
        return None
    if day > timezone.localdate():
        errors[field] = _("The date is in the future.")
        return None
    return day


def _line_errors(items: list[Any], errors: dict[str, Any]) -> list[int]:
    """The quantities of ``items`` (positive whole numbers), errors per line."""
    quantities = []
    if not items:
        errors["lines"] = _("Add at least one line.")
    for n, item in enumerate(items, start=1):
        quantity = _quantity(item.quantity)
        if quantity is None:
            errors[f"lines.{n}.quantity"] = _(
                "Line %(n)s: the quantity must be a whole number greater than zero."
            ) % {"n": n}
        quantities.append(quantity or 0)
    return quantities


# --- who may post what ------------------------------------------------------------------

# Each kind of movement needs its own permission (``ledger.MOVEMENT_PERMS``); the services
# check it whoever calls them, so the pages and the API cannot disagree.
MOVEMENT_PERMS = ledger.MOVEMENT_PERMS
may_post = ledger.may_post


def require_movement_perm(actor: Any, kind: str, obj: Any = None) -> None:
    """Refuse a movement of ``kind`` that ``actor`` may not post: the refusal is audited
    (``denied``, on ``obj`` — the store, the document or the count — when known) and
    raises ``PermissionDenied`` with a message naming the kind. Call it before opening
    the write's transaction, so that the audit event is not rolled back with it."""
    if may_post(actor, kind):
        return
    label = DocumentKind(kind).label
    audit.record(
        actor=actor,
        action=AuditAction.DENIED,
        obj=obj,
        object_type="" if obj is not None else Document._meta.label_lower,
        object_repr="" if obj is not None else str(label),
        message=_("Movement refused: no permission to post a %(kind)s.") % {"kind": label},
    )
    raise PermissionDenied(_("You do not have permission to post a %(kind)s.") % {"kind": label})


def _require_store(actor: Any, store: Store) -> None:
    if not store.active:
        raise ValidationError({"store": _("This store is closed.")})
    require_in_scope(actor, store, path=store.unit.path)


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


def _record(actor: Any, document: Document, lines: list[LedgerLine], extra: dict[str, Any]) -> None:
    """The audit event of a new document and its ``lines`` (as posted, in order)."""
    rows = [[line.card.lot.number, line.card.product.code, line.quantity] for line in lines]
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=document,
        changes={
            "number": [None, document.number],
            "kind": [None, document.kind],
            "occurred_on": [None, document.occurred_on.isoformat()],
            "lines": [None, rows],
            **extra,
        },
    )


def usable_lots(store: Store, product: Product, day: datetime.date) -> list[StockCard]:
    """The cards of ``product`` at ``store`` with stock whose lot has not expired on
    ``day``, first expiry first (FEFO)."""
    return list(
        StockCard.objects.filter(
            store=store, product=product, on_hand__gt=0, lot__expires_on__gte=day
        )
        .select_related("lot", "product", "store")
        .order_by("lot__expires_on", "lot__number", "pk")
    )


def _allocate(
    store: Store, item: Item, quantity: int, day: datetime.date, n: int, *, allow_expired: bool
) -> list[tuple[StockCard, int]]:
    """The locked cards and quantities that give ``quantity`` of ``item``: its lot, or
    FEFO over the usable lots."""
    if item.lot is not None:
        if item.lot.product_id != item.product.pk:
            raise ValidationError(
                {f"lines.{n}.lot": _("Line %(n)s: the lot is of another product.") % {"n": n}}
            )
        if not allow_expired and item.lot.expires_on < day:
            raise ValidationError(
                {
                    f"lines.{n}.lot": _(
                        "Line %(n)s: lot %(lot)s expired on %(expiry)s and cannot be issued."
                    )
                    % {
                        "n": n,
                        "lot": item.lot.number,
                        "expiry": format_cn_date(item.lot.expires_on),
                    }
                }
            )
        card = ledger.card_for(store, item.lot, day, create=False)
        if card is None:
            raise ValidationError(
                {
                    f"lines.{n}.lot": _("Line %(n)s: %(store)s holds no stock of lot %(lot)s.")
                    % {"n": n, "store": store.name, "lot": item.lot.number}
                }
            )
        return [(card, quantity)]
    cards = list(
        ledger.locked_cards()
        .filter(store=store, product=item.product, on_hand__gt=0, lot__expires_on__gte=day)
        .order_by("lot__expires_on", "lot__number", "pk")
    )
    taken: list[tuple[StockCard, int]] = []
    left = quantity
    for card in cards:
        if left <= 0:
            break
        part = min(card.on_hand, left)
        if part > 0:
            taken.append((card, part))
            left -= part
    if left > 0:
        available = quantity - left
        raise ValidationError(
            {
                f"lines.{n}.quantity": _(
                    "Line %(n)s: not enough usable stock of %(product)s at %(store)s: "
                    "%(available)s on hand, %(quantity)s asked for."
                )
                % {
                    "n": n,
                    "product": item.product.name,
                    "store": store.name,
                    "available": available,
                    "quantity": quantity,
                }
            },
            code="insufficient_stock",
        )
    return taken


def _take(
    document: Document,
    store: Store,
    items: list[Item],
    quantities: list[int],
    *,
    allow_expired: bool = False,
) -> list[LedgerLine]:
    """Post the lines that take ``items`` out of ``store``; the lines."""
    posted = []
    for n, (item, quantity) in enumerate(zip(items, quantities, strict=True), start=1):
        for card, part in _allocate(
            store, item, quantity, document.occurred_on, n, allow_expired=allow_expired
        ):
            posted.append(ledger.post_line(document, card, -part))
    return posted


# --- receipt (入库单) -------------------------------------------------------------------


def receive(
    *,
    actor: Any,
    store: Store,
    occurred_on: Any,
    supplier: str,
    lines: list[NewLot],
    note: str = "",
    staff_name: str = "",
) -> Document:
    """A delivery from a supplier into ``store``: lots created when new."""
    require_movement_perm(actor, DocumentKind.RECEIPT, store)
    _require_store(actor, store)
    errors: dict[str, Any] = {}
    day = past_date(occurred_on, "occurred_on", errors)
    supplier = (supplier or "").strip()
    if not supplier:
        errors["supplier"] = _("Name the supplier.")
    quantities = _line_errors(lines, errors)
    lots: list[Lot | None] = []
    expiries = [as_date(line.expires_on) for line in lines]
    for n, (line, expiry) in enumerate(zip(lines, expiries, strict=True), start=1):
        number = (line.number or "").strip()
        lot = None
        if not number:
            errors[f"lines.{n}.number"] = _("Line %(n)s: enter the lot number.") % {"n": n}
        elif expiry is None:
            errors[f"lines.{n}.expires_on"] = _(
                "Line %(n)s: enter the expiry date (YYYY-MM-DD)."
            ) % {"n": n}
        else:
            lot = Lot.objects.filter(product=line.product, number=number).first()
            if lot is not None and lot.expires_on != expiry:
                errors[f"lines.{n}.expires_on"] = _(
                    "Line %(n)s: lot %(lot)s is recorded with the expiry date %(expiry)s."
                ) % {"n": n, "lot": number, "expiry": format_cn_date(lot.expires_on)}
            elif day is not None and expiry < day:
                errors[f"lines.{n}.expires_on"] = _(
                    "Line %(n)s: lot %(lot)s expired on %(expiry)s; do not take it into stock."
                ) % {"n": n, "lot": number, "expiry": format_cn_date(expiry)}
        lots.append(lot)
    _raise(errors)
    assert day is not None
    with ledger.serialised():
        document = ledger.open_document(
            store=store,
            kind=DocumentKind.RECEIPT,
            occurred_on=day,
            actor=actor,
            supplier=supplier,
            note=note,
            staff_name=staff_name,
        )
        posted = []
        for line, lot, expiry, quantity in zip(lines, lots, expiries, quantities, strict=True):
            if lot is None:
                lot, _created = Lot.objects.get_or_create(
                    product=line.product,
                    number=line.number.strip(),
                    defaults={
                        "expires_on": expiry,
                        "manufacturer": (line.manufacturer or "").strip()[:100],
                    },
                )
            card = ledger.card_for(store, lot, day, create=True)
            posted.append(ledger.post_line(document, card, quantity))
        _record(actor, document, posted, {"supplier": [None, supplier]})
    return document


# --- transfer (出库单 → 调入登记) -----------------------------------------------------------


def transfer_send(
    *,
    actor: Any,
    store: Store,
    to_store: Store,
    occurred_on: Any,
    lines: list[Item],
    note: str = "",
    staff_name: str = "",
) -> Document:
    """The issue note of a transfer: the stock leaves ``store`` and is in transit to
    ``to_store`` until received there."""
    require_movement_perm(actor, DocumentKind.TRANSFER_OUT, store)
    _require_store(actor, store)
    errors: dict[str, Any] = {}
    if to_store.pk == store.pk:
        errors["to_store"] = _("A store cannot transfer to itself.")
    elif not to_store.active:
        errors["to_store"] = _("The receiving store is closed.")
    elif not selectors.transfer_targets(user=actor, store=store).filter(pk=to_store.pk).exists():
        errors["to_store"] = _(
            "This store cannot receive a transfer from here: choose a store in your data "
            "scope, or of the unit above or a unit below."
        )
    day = past_date(occurred_on, "occurred_on", errors)
    quantities = _line_errors(lines, errors)
    _raise(errors)
    assert day is not None
    with ledger.serialised():
        document = ledger.open_document(
            store=store,
            kind=DocumentKind.TRANSFER_OUT,
            occurred_on=day,
            actor=actor,
            counterpart=to_store,
            transfer_status=TransferStatus.IN_TRANSIT,
            note=note,
            staff_name=staff_name,
        )
        posted = _take(document, store, lines, quantities)
        _record(actor, document, posted, {"to_store": [None, to_store.code]})
    return document


def transfer_receive(
    *,
    actor: Any,
    transfer: Document,
    occurred_on: Any,
    received: dict[int, tuple[Any, Any]] | None = None,
    note: str = "",
    staff_name: str = "",
) -> Document:
    """The transfer-in record (调入登记) at the receiving store.

    ``received`` maps each line of the transfer (its id) to (quantity taken into stock,
    quantity damaged on arrival); lines left out arrived whole. What was sent and neither
    taken in nor damaged went missing; the transfer is then "received with a shortfall".
    """
    require_movement_perm(actor, DocumentKind.TRANSFER_IN, transfer)
    if transfer.kind != DocumentKind.TRANSFER_OUT or transfer.counterpart is None:
        raise ValidationError(_("This document is not a transfer."))
    store = transfer.counterpart
    _require_store(actor, store)
    if transfer.transfer_status != TransferStatus.IN_TRANSIT:
        raise ValidationError(_("This transfer is not in transit: it was received or reversed."))
    errors: dict[str, Any] = {}
    day = past_date(occurred_on, "occurred_on", errors)
    if day is not None and day < transfer.occurred_on:
        errors["occurred_on"] = _("The transfer cannot arrive before it was sent (%(day)s).") % {
            "day": format_cn_date(transfer.occurred_on)
        }
    sent_lines = list(transfer.lines.select_related("lot").order_by("pk"))
    received = dict(received or {})
    unknown = set(received) - {line.pk for line in sent_lines}
    if unknown:
        errors["lines"] = _("Lines %(ids)s are not lines of this transfer.") % {
            "ids": ", ".join(str(i) for i in sorted(unknown))
        }
    outcome: list[tuple[LedgerLine, int, int]] = []
    for n, line in enumerate(sent_lines, start=1):
        sent = -line.quantity
        good_raw, damaged_raw = received.get(line.pk, (sent, 0))
        good = _count(good_raw)
        damaged = _count(damaged_raw)
        if good is None or damaged is None:
            errors[f"lines.{n}.quantity"] = _(
                "Line %(n)s: quantities received and damaged are whole numbers, zero or more."
            ) % {"n": n}
        elif good + damaged > sent:
            errors[f"lines.{n}.quantity"] = _(
                "Line %(n)s: %(got)s received and damaged, but only %(sent)s were sent."
            ) % {"n": n, "got": good + damaged, "sent": sent}
        else:
            outcome.append((line, good, damaged))
    _raise(errors)
    assert day is not None
    short = any(good < -line.quantity for line, good, _d in outcome)
    with ledger.serialised():
        locked = Document.objects.select_for_update().get(pk=transfer.pk)
        if locked.transfer_status != TransferStatus.IN_TRANSIT:
            raise ValidationError(
                _("This transfer is not in transit: it was received or reversed.")
            )
        document = ledger.open_document(
            store=store,
            kind=DocumentKind.TRANSFER_IN,
            occurred_on=day,
            actor=actor,
            counterpart=transfer.store,
            transfer=transfer,
            note=note,
            staff_name=staff_name,
        )
        posted = [
            ledger.post_line(
                document,
                ledger.card_for(store, line.lot, day, create=True),
                good,
                sent=-line.quantity,
                damaged=damaged,
            )
            for line, good, damaged in outcome
        ]
        locked.transfer_status = TransferStatus.RECEIVED_SHORT if short else TransferStatus.RECEIVED
        locked.save(update_fields=["transfer_status", "updated_at"])
        _record(actor, document, posted, {"transfer": [None, transfer.number]})
    transfer.transfer_status = locked.transfer_status
    return document


def _count(value: Any) -> int | None:
    """A whole number ≥ 0, or None."""
    if value in (None, ""):
        return 0
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


# --- issue to a person (发放登记) ----------------------------------------------------------


def issue(
    *,
    actor: Any,
    store: Store,
    person: Any,
    occurred_on: Any,
    lines: list[Item],
    visit: Any = None,
    staff_name: str = "",
    note: str = "",
) -> Document:
    """Commodities handed to ``person`` from ``store`` (FEFO unless a lot is named;
    expired lots never), linked to the follow-up visit when made during one."""
    require_movement_perm(actor, DocumentKind.ISSUE, store)
    _require_store(actor, store)
    if actor is not None and not path_in_scope(person.unit.path, actor):
        record_denied(actor, person, _("Write outside the user's data scope."))
        raise PermissionDenied(_("This person is outside your data scope."))
    errors: dict[str, Any] = {}
    day = past_date(occurred_on, "occurred_on", errors)
    quantities = _line_errors(lines, errors)
    if visit is not None and visit.person_id != person.pk:
        errors["visit"] = _("The follow-up visit is another person's.")
    if getattr(person, "death_date", None) and day and person.death_date < day:
        errors["person"] = _("The person died before this date.")
    _raise(errors)
    assert day is not None
    with ledger.serialised():
        document = ledger.open_document(
            store=store,
            kind=DocumentKind.ISSUE,
            occurred_on=day,
            actor=actor,
            person=person,
            visit=visit,
            staff_name=staff_name,
            note=note,
        )
        posted = _take(document, store, lines, quantities)
        _record(actor, document, posted, {"person": [None, person.pk]})
    return document


# --- write-off (报损) --------------------------------------------------------------------


def write_off(
    *,
    actor: Any,
    store: Store,
    occurred_on: Any,
    reason: str,
    lines: list[Item],
    note: str = "",
    staff_name: str = "",
) -> Document:
    """Stock taken off the books: expired, damaged, lost, recalled (with a reason)."""
    require_movement_perm(actor, DocumentKind.WRITE_OFF, store)
    _require_store(actor, store)
    errors: dict[str, Any] = {}
    day = past_date(occurred_on, "occurred_on", errors)
    if reason not in WriteOffReason.values:
        errors["reason"] = _("Choose the reason for the write-off from the list.")
    note = (note or "").strip()
    if reason in (WriteOffReason.LOST, WriteOffReason.DAMAGED) and not note:
        errors["note"] = _("Say what happened.")
    quantities = _line_errors(lines, errors)
    for n, item in enumerate(lines, start=1):
        if item.lot is None:
            errors[f"lines.{n}.lot"] = _("Line %(n)s: name the lot written off.") % {"n": n}
    _raise(errors)
    assert day is not None
    with ledger.serialised():
        document = ledger.open_document(
            store=store,
            kind=DocumentKind.WRITE_OFF,
            occurred_on=day,
            actor=actor,
            reason=reason,
            note=note,
            staff_name=staff_name,
        )
        posted = _take(document, store, lines, quantities, allow_expired=True)
        _record(actor, document, posted, {"reason": [None, reason]})
    return document


# --- reversal (冲销) ---------------------------------------------------------------------


def reverse(*, actor: Any, document: Document, reason: str) -> Document:
    """Correct a mistaken document: a reversal document on the same day with the
    opposite lines. A reversal cannot be reversed, a document is reversed once, a
    transfer only while in transit (reverse its transfer-in record first), and a
    reversal that would take a balance below zero is refused."""
    require_movement_perm(actor, DocumentKind.REVERSAL, document)
    store = document.store
    require_in_scope(actor, store, path=store.unit.path)
    reason = (reason or "").strip()
    errors: dict[str, Any] = {}
    if not reason:
        errors["reason"] = _("Say why the document is reversed.")
    elif len(reason) > 300:
        errors["reason"] = _("At most 300 characters.")
    if document.kind == DocumentKind.REVERSAL:
        errors["document"] = _("A reversal cannot be reversed; post the movement again.")
    elif document.kind == DocumentKind.ADJUSTMENT:
        errors["document"] = _("A count adjustment is corrected by a new physical count.")
    elif Document.objects.filter(reverses=document).exists():
        errors["document"] = _("This document has already been reversed.")
    elif (
        document.kind == DocumentKind.TRANSFER_OUT
        and document.transfer_status != TransferStatus.IN_TRANSIT
    ):
        errors["document"] = _(
            "The transfer has been received; reverse the receiving store's transfer-in "
            "record first."
        )
    _raise(errors)
    with ledger.serialised():
        original = Document.objects.select_for_update().get(pk=document.pk)
        if Document.objects.filter(reverses=original).exists():
            raise ValidationError({"document": _("This document has already been reversed.")})
        reversal = ledger.open_document(
            store=store,
            kind=DocumentKind.REVERSAL,
            occurred_on=original.occurred_on,
            actor=actor,
            reverses=original,
            counterpart=original.counterpart,
            person=original.person,
            note=reason,
        )
        for line in original.lines.select_related("card__lot", "card__product", "card__store"):
            card = ledger.card_for(store, line.lot, original.occurred_on, create=False)
            assert card is not None
            if line.quantity == 0:
                continue
            ledger.post_line(
                reversal, card, -line.quantity, reverses=line, original_kind=original.kind
            )
        if original.kind == DocumentKind.TRANSFER_OUT:
            original.transfer_status = TransferStatus.REVERSED
            original.save(update_fields=["transfer_status", "updated_at"])
        elif original.kind == DocumentKind.TRANSFER_IN and original.transfer_id:
            Document.objects.filter(pk=original.transfer_id).update(
                transfer_status=TransferStatus.IN_TRANSIT
            )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=reversal,
            changes={"number": [None, reversal.number], "reverses": [None, original.number]},
            message=reason,
        )
    return reversal


def pending_transfers(store: Store) -> list[Document]:
    """Transfers in transit to ``store``."""
    return list(
        Document.objects.filter(
            Q(counterpart=store),
            kind=DocumentKind.TRANSFER_OUT,
            transfer_status=TransferStatus.IN_TRANSIT,
        ).select_related("store")
    )
