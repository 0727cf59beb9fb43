"""Posting to the ledger: the one place where stock changes.

Every movement service (``services.py``, the physical count) opens a document with
:func:`open_document` and posts its lines with :func:`post_line`, inside
:func:`serialised` and one transaction. A line

- locks its stock card (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the whole write
  is serialised: a process-wide lock for threads and ``BEGIN IMMEDIATE`` between
  processes), so two staff issuing the last units at the same moment cannot both take
  them;
- refuses to take the balance below zero on its day or on any later day with movements
  (a back-dated issue cannot empty a shelf retroactively);
- moves the card's ``on_hand`` and the calculated balances of its day and the later days.

Documents are numbered per store, kind and year (``<store>-<RK>-<2026>-<00001>``) under
the store's row lock.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import F, Max, Min, QuerySet
from django.utils.translation import gettext as _

from jisheng.commodities.choices import DOCUMENT_PREFIX, DocumentKind
from jisheng.commodities.models import CalculatedStock, Document, LedgerLine, Lot, StockCard, Store
from jisheng.core import audit
from jisheng.core.templatetags.cn import format_cn_date

_SQLITE_WRITE_LOCK = threading.RLock()

# Each kind of movement needs its own permission (``Document.Meta.permissions``). The
# services check it, with an audited refusal, before they write
# (``services.require_movement_perm``); :func:`open_document` checks it again, so that no
# path to the ledger can post a kind its caller may not.
MOVEMENT_PERMS: dict[str, str] = {
    DocumentKind.RECEIPT: "commodities.receive_stock",
    DocumentKind.TRANSFER_OUT: "commodities.transfer_stock",
    DocumentKind.TRANSFER_IN: "commodities.transfer_stock",
    DocumentKind.ISSUE: "commodities.issue_stock",
    DocumentKind.WRITE_OFF: "commodities.write_off_stock",
    DocumentKind.REVERSAL: "commodities.reverse_document",
    DocumentKind.ADJUSTMENT: "commodities.adjust_stock",
}


def may_post(actor: Any, kind: str) -> bool:
    """Whether ``actor`` may post a movement of ``kind`` (``None``, the system, may)."""
    if actor is None:
        return True
    has_perm = getattr(actor, "has_perm", None)
    return bool(has_perm and has_perm(MOVEMENT_PERMS[kind]))


@contextlib.contextmanager
def serialised() -> Iterator[None]:
    """One transaction that writes to the ledger; on SQLite, one at a time.

    SQLite has no row locks: its ``BEGIN IMMEDIATE`` (the project's transaction mode)
    serialises writers of different processes, and this lock the threads of one process
    (which may share one in-memory database, where SQLite answers "table is locked"
    instead of waiting).
    """
    if connection.vendor == "sqlite":
        with _SQLITE_WRITE_LOCK, transaction.atomic():
            yield
    else:
        with transaction.atomic():
            yield


def number_for(store: Store, kind: str, year: int, sequence: int) -> str:
    return f"{store.code}-{DOCUMENT_PREFIX[kind]}-{year}-{sequence:05d}"


def open_document(
    *,
    store: Store,
    kind: str,
    occurred_on: datetime.date,
    actor: Any,
    note: str = "",
    staff_name: str = "",
    **fields: Any,
) -> Document:
    """Create the next numbered document of ``store`` (inside :func:`serialised`); the
    note and the staff name are trimmed to their fields. Refused (``PermissionDenied``)
    when ``actor`` may not post ``kind``."""
    if not may_post(actor, kind):
        raise PermissionDenied(
            _("You do not have permission to post a %(kind)s.") % {"kind": DocumentKind(kind).label}
        )
    Store.objects.select_for_update().filter(pk=store.pk).first()  # serialise numbering
    year = occurred_on.year
    last = Document.objects.filter(store=store, kind=kind, year=year).aggregate(n=Max("sequence"))[
        "n"
    ]
    sequence = (last or 0) + 1
    return Document.objects.create(
        store=store,
        kind=kind,
        year=year,
        sequence=sequence,
        number=number_for(store, kind, year, sequence),
        occurred_on=occurred_on,
        recorded_by=audit.user_of(actor),
        note=(note or "").strip()[:300],
        staff_name=(staff_name or "").strip()[:50],
        **fields,
    )


def locked_cards() -> QuerySet[StockCard]:
    """Stock cards locked for the transaction (only the cards: not their lot, product
    or store rows, which other stores' movements read at the same time), with those
    three loaded."""
    return StockCard.objects.select_for_update(of=("self",)).select_related(
        "lot", "product", "store"
    )


def card_for(store: Store, lot: Lot, day: datetime.date, *, create: bool) -> StockCard | None:
    """The stock card of ``lot`` at ``store``, locked; created (empty) when asked."""
    card = locked_cards().filter(store=store, lot=lot).first()
    if card is None and create:
        StockCard.objects.create(
            store=store, product_id=lot.product_id, lot=lot, on_hand=0, opened_on=day
        )
        card = locked_cards().get(store=store, lot=lot)
    return card


def balance_on(card: StockCard, day: datetime.date) -> int:
    """The card's balance at the end of ``day`` (0 before its first movement)."""
    row = (
        CalculatedStock.objects.filter(card=card, day__lte=day)
        .order_by("-day")
        .values_list("on_hand", flat=True)
        .first()
    )
    return row or 0


def shortage_error(
    card: StockCard, available: int, quantity: int, day: datetime.date
) -> ValidationError:
    return ValidationError(
        _(
            "Not enough stock of %(product)s, lot %(lot)s, at %(store)s on %(day)s: "
            "%(available)s on hand, %(quantity)s asked for."
        )
        % {
            "product": card.product.name,
            "lot": card.lot.number,
            "store": card.store.name,
            "day": format_cn_date(day),
            "available": available,
            "quantity": quantity,
        },
        code="insufficient_stock",
    )


# The largest balance a stock card (an integer column) can hold on every database.
MAX_BALANCE = BaseDatabaseOperations.integer_field_ranges["IntegerField"][1]


def check_capacity(card: StockCard, at_day: int, quantity: int, day: datetime.date) -> None:
    """Refuse to raise a balance of ``card`` (on ``day``, a later day or today's) past
    what its column holds: 400 with a message, not a database error."""
    highest = max(at_day, card.on_hand)
    if card.last_moved_on is not None and card.last_moved_on > day:
        later = CalculatedStock.objects.filter(card=card, day__gt=day).aggregate(m=Max("on_hand"))
        highest = max(highest, later["m"] or 0)
    if highest + quantity > MAX_BALANCE or quantity > MAX_BALANCE:
        raise ValidationError(
            _(
                "The balance of %(product)s, lot %(lot)s, at %(store)s would exceed "
                "%(limit)s: check the quantity."
            )
            % {
                "product": card.product.name,
                "lot": card.lot.number,
                "store": card.store.name,
                "limit": MAX_BALANCE,
            },
            code="balance_too_large",
        )


def post_line(
    document: Document,
    card: StockCard,
    quantity: int,
    **fields: Any,
) -> LedgerLine:
    """Post ``quantity`` (signed) to the locked ``card`` on the document's day."""
    day = document.occurred_on
    if card.last_moved_on is not None and card.last_moved_on <= day:
        # The usual case (today, or a day after the card's last movement): the balance
        # of the day is the card's, and no later day has a balance to keep.
        at_day, has_day, later = card.on_hand, card.last_moved_on == day, None
    else:
        row = (
            CalculatedStock.objects.filter(card=card, day__lte=day)
            .order_by("-day")
            .values_list("day", "on_hand")
            .first()
        )
        at_day, has_day = (row[1], row[0] == day) if row else (0, False)
        later = CalculatedStock.objects.filter(card=card, day__gt=day).aggregate(m=Min("on_hand"))[
            "m"
        ]
    if quantity < 0:
        lowest = at_day if later is None else min(at_day, later)
        if lowest + quantity < 0:
            raise shortage_error(card, lowest, -quantity, day)
    elif quantity > 0:
        check_capacity(card, at_day, quantity, day)
    line = LedgerLine.objects.create(
        document=document,
        card=card,
        store_id=card.store_id,
        product_id=card.product_id,
        lot_id=card.lot_id,
        kind=document.kind,
        occurred_on=day,
        quantity=quantity,
        **fields,
    )
    if quantity:
        changes: dict[str, Any] = {"on_hand": F("on_hand") + quantity}
        if card.opened_on > day:
            changes["opened_on"] = card.opened_on = day
        if card.last_moved_on is None or card.last_moved_on < day:
            changes["last_moved_on"] = card.last_moved_on = day
        StockCard.objects.filter(pk=card.pk).update(**changes)
        # The day's balance and every later one move; the day gets a row when it has none.
        CalculatedStock.objects.filter(card=card, day__gte=day).update(
            on_hand=F("on_hand") + quantity
        )
        if not has_day:
            CalculatedStock.objects.create(card=card, day=day, on_hand=at_day + quantity)
        card.on_hand += quantity
    return line
