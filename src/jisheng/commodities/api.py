"""``/api/v1/commodities``: stock as of a date, the ledger documents, and ONE endpoint
that posts every kind of movement (receipt, transfer out and in, issue to a person,
write-off, reversal) through :mod:`jisheng.commodities.services`.

Scoped like every endpoint: a store outside the caller's subtree answers 404 exactly
like a missing one (the attempt audited as ``denied``); a person outside it is refused
with the same answer as an unknown one. A body of the wrong shape, a query date that is
not a date and a movement the services refuse (a quantity, a lot, a date, stock short …)
answer 422 ``invalid`` with one detail per field, e.g. ``lines.2.quantity``, like every
other API module (``jisheng.api.errors``); nothing is written.
(No ``from __future__ import annotations`` here: ninja's ``paginate`` reads the
``Query[…]`` annotations at import.)
"""

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.api.errors import ApiError, service_invalid
from jisheng.api.idempotency import idempotent
from jisheng.api.inputs import MAX_ID, InputModel, column
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS, WRITE_ERRORS
from jisheng.api.security import require_perm
from jisheng.commodities import selectors, services
from jisheng.commodities.choices import DocumentKind
from jisheng.commodities.models import Document, LedgerLine, Lot, Product, Store
from jisheng.core.scope import get_in_scope_or_404, record_denied, restrict
from jisheng.people.models import Person

router = Router(tags=["commodities"])


VIEW_STOCK = "commodities.view_stockcard"
VIEW_DOCUMENT = "commodities.view_document"

MovementKind = Literal["receipt", "transfer_out", "transfer_in", "issue", "write_off", "reversal"]


# --------------------------------------------------------------------------- schemas


class StockFilters(Schema):
    store: str | None = Field(None, description="A store's code; all stores in scope if left out.")
    as_of: str | None = Field(None, description="YYYY-MM-DD; today if left out.")
    by_lot: bool = Field(False, description="One row per lot (with its expiry date).")


class StockOut(Schema):
    store: str
    store_name: str
    product: str
    product_name: str
    unit: str
    lot: str | None = None
    expires_on: datetime.date | None = None
    on_hand: int


class LineIn(InputModel):
    product: str = column(Product, "code", "", description="The product's code.")
    quantity: int | None = column(
        LedgerLine, "quantity", None, description="A whole number greater than zero."
    )
    lot: str | None = column(
        Lot, "number", None, description="Lot number (receipt, write-off; else optional)."
    )
    expires_on: str | None = Field(
        None, max_length=10, description="Receipt: the lot's expiry (YYYY-MM-DD)."
    )
    manufacturer: str = column(Lot, "manufacturer", "")
    received: int | None = column(
        LedgerLine,
        "quantity",
        None,
        ge=0,
        description="Transfer in: quantity taken into stock (default: all sent).",
    )
    damaged: int | None = column(
        LedgerLine, "damaged", None, description="Transfer in: damaged on arrival."
    )


class MovementIn(InputModel):
    kind: MovementKind
    store: str | None = column(
        Store, "code", None, description="The store's code (transfer in: the receiver)."
    )
    occurred_on: str | None = Field(
        None, max_length=10, description="YYYY-MM-DD; today if left out."
    )
    supplier: str = column(Document, "supplier", "")
    to_store: str | None = column(
        Store, "code", None, description="Transfer out: the receiving store's code."
    )
    transfer: str | None = column(
        Document, "number", None, description="Transfer in: the number of the transfer."
    )
    person: int | None = Field(
        None, ge=1, le=MAX_ID, strict=True, description="Issue: the person's id."
    )
    visit: int | None = Field(
        None, ge=1, le=MAX_ID, strict=True, description="Issue: the follow-up visit's id, if any."
    )
    # a write-off's reason code (``Document.reason``) or a reversal's why (its note)
    reason: str = column(Document, "note", "", description="Write-off: reason code; reversal: why.")
    document: str | None = column(
        Document, "number", None, description="Reversal: the number of the document."
    )
    note: str = column(Document, "note", "")
    staff_name: str = column(Document, "staff_name", "")
    lines: list[LineIn] = Field(default_factory=list, max_length=500)


class LineOut(Schema):
    product: str
    product_name: str
    lot: str
    expires_on: datetime.date
    quantity: int
    sent: int | None = None
    damaged: int = 0


class DocumentOut(Schema):
    number: str
    kind: str
    store: str
    occurred_on: datetime.date
    supplier: str = ""
    counterpart: str | None = None
    transfer: str | None = None
    transfer_status: str = ""
    person: int | None = None
    visit: int | None = None
    reason: str = ""
    reverses: str | None = None
    note: str = ""
    staff_name: str = ""
    lines: list[LineOut]


class MovementFilters(Schema):
    store: str | None = Field(None, description="A store's code; all stores in scope if left out.")
    kind: str | None = None
    date_from: str | None = Field(None, description="YYYY-MM-DD")
    date_to: str | None = Field(None, description="YYYY-MM-DD")


# --------------------------------------------------------------------------- helpers


def _query_error(field: str, message: str) -> ApiError:
    return ApiError(
        422,
        "invalid",
        message,
        details=[{"field": field, "location": "query", "message": message, "type": "invalid"}],
    )


def parse_day(value: str | None, field: str) -> datetime.date:
    """A query date (YYYY-MM-DD), today when left out; 422 naming the field else."""
    if value in (None, ""):
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise _query_error(
            field,
            _("%(field)s: “%(value)s” is not a date; use YYYY-MM-DD.")
            % {"field": field, "value": value},
        ) from None


def _store(request: HttpRequest, code: str) -> Store:
    return get_in_scope_or_404(Store.objects.select_related("unit"), request.auth, code=code)


def document_data(document: Document) -> dict[str, Any]:
    """A document and its lines as :class:`DocumentOut` data."""
    lines = [
        {
            "product": line.product.code,
            "product_name": line.product.name,
            "lot": line.lot.number,
            "expires_on": line.lot.expires_on,
            "quantity": line.quantity,
            "sent": line.sent,
            "damaged": line.damaged,
        }
        for line in document.lines.all()
    ]
    return {
        "number": document.number,
        "kind": document.kind,
        "store": document.store.code,
        "occurred_on": document.occurred_on,
        "supplier": document.supplier,
        "counterpart": document.counterpart.code if document.counterpart_id else None,
        "transfer": document.transfer.number if document.transfer_id else None,
        "transfer_status": document.transfer_status,
        "person": document.person_id,
        "visit": document.visit_id,
        "reason": document.reason,
        "reverses": document.reverses.number if document.reverses_id else None,
        "note": document.note,
        "staff_name": document.staff_name,
        "lines": lines,
    }


def _with_lines(queryset: Any) -> Any:
    return queryset.select_related("store", "counterpart", "transfer", "reverses").prefetch_related(
        Prefetch(
            "lines",
            queryset=LedgerLine.objects.select_related("product", "lot").order_by("pk"),
        )
    )


# --------------------------------------------------------------------------- stock


@router.get(
    "/stock",
    response={200: list[StockOut], **SCOPED_ERRORS},
    summary="Stock of stores as of a date",
)
@paginate(PageNumber)
def stock(request: HttpRequest, filters: Query[StockFilters]):
    """Stock on hand at the end of ``as_of`` (default today) of ``store``, or of every
    store in the caller's data scope: one row per store and product (per lot with
    ``by_lot``, with its expiry date); empty balances are left out. 422 for a bad date,
    404 for a store outside the caller's scope. Needs ``commodities.view_stockcard``."""
    require_perm(request, VIEW_STOCK)
    as_of = parse_day(filters.as_of, "as_of")
    if filters.store:
        stores: list[Store] = [_store(request, filters.store)]
    else:
        stores = list(selectors.stores_visible(request.auth))
    by_id = {s.pk: s for s in stores}
    balances = selectors.stock_as_of(stores, as_of, by_lot=filters.by_lot)
    products = Product.objects.in_bulk({key[1] for key in balances})
    lots = Lot.objects.in_bulk({key[2] for key in balances}) if filters.by_lot else {}
    rows = []
    for key, on_hand in balances.items():
        store, product = by_id[key[0]], products[key[1]]
        lot = lots[key[2]] if filters.by_lot else None
        rows.append(
            {
                "store": store.code,
                "store_name": store.name,
                "product": product.code,
                "product_name": product.name,
                "unit": product.unit,
                "lot": lot.number if lot else None,
                "expires_on": lot.expires_on if lot else None,
                "on_hand": on_hand,
                "_order": (
                    store.unit.path,
                    store.code,
                    product.category,
                    product.code,
                    lot.expires_on if lot else datetime.date.min,
                    lot.number if lot else "",
                ),
            }
        )
    rows.sort(key=lambda row: row.pop("_order"))
    return rows


# --------------------------------------------------------------------------- movements


def _products(payload: MovementIn, errors: dict[str, str]) -> list[Product | None]:
    """The product of each line by its code (None, and an error naming the line, when
    there is none)."""
    products = Product.objects.in_bulk(
        {line.product for line in payload.lines if line.product}, field_name="code"
    )
    found = []
    for n, line in enumerate(payload.lines, start=1):
        product = products.get(line.product)
        if product is None:
            errors[f"lines.{n}.product"] = _("Line %(n)s: no product with the code “%(code)s”.") % {
                "n": n,
                "code": line.product,
            }
        found.append(product)
    return found


def _lines(payload: MovementIn, errors: dict[str, str], *, lot_required: bool) -> list[Any]:
    """The payload's lines with their product (and lot) found, errors named per line."""
    out = []
    for n, (line, product) in enumerate(
        zip(payload.lines, _products(payload, errors), strict=True), start=1
    ):
        if product is None:
            out.append(None)
            continue
        lot = None
        if line.lot:
            lot = Lot.objects.filter(product=product, number=line.lot.strip()).first()
            if lot is None:
                errors[f"lines.{n}.lot"] = _("Line %(n)s: no lot “%(lot)s” of %(product)s.") % {
                    "n": n,
                    "lot": line.lot,
                    "product": product.name,
                }
        elif lot_required:
            errors[f"lines.{n}.lot"] = _("Line %(n)s: name the lot written off.") % {"n": n}
        out.append(services.Item(product=product, quantity=line.quantity, lot=lot))
    return out


def _other_store(code: str | None, field: str, errors: dict[str, str]) -> Store | None:
    if not code:
        errors[field] = _("Name the receiving store.")
        return None
    store = Store.objects.select_related("unit").filter(code=code).first()
    if store is None:
        errors[field] = _("No store with the code “%(code)s”.") % {"code": code}
    return store


def _person(request: HttpRequest, person_id: int | None, errors: dict[str, str]) -> Any:
    """The person, if in the caller's scope: unknown and out of scope answer alike (the
    latter audited)."""
    if person_id is None:
        errors["person"] = _("Name the person (id).")
        return None
    person = restrict(Person.objects.select_related("unit"), request.auth).filter(pk=person_id)
    found = person.first()
    if found is None:
        outside = Person.objects.filter(pk=person_id).first()
        if outside is not None:
            record_denied(request.auth, outside)
        errors["person"] = _("No person with the id %(id)s in your data scope.") % {"id": person_id}
    return found


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise service_invalid(ValidationError(errors))


def _receipt(request: HttpRequest, payload: MovementIn, store: Store, day: Any) -> Document:
    errors: dict[str, str] = {}
    lines = []
    for line, product in zip(payload.lines, _products(payload, errors), strict=True):
        if product is None:
            continue
        lines.append(
            services.NewLot(
                product=product,
                number=line.lot or "",
                expires_on=line.expires_on or "",
                quantity=line.quantity,
                manufacturer=line.manufacturer,
            )
        )
    _raise(errors)
    return services.receive(
        actor=request.auth,
        store=store,
        occurred_on=day,
        supplier=payload.supplier,
        lines=lines,
        note=payload.note,
        staff_name=payload.staff_name,
    )


def _transfer_in(request: HttpRequest, payload: MovementIn, day: Any) -> Document:
    errors: dict[str, str] = {}
    visible = selectors.stores_visible(request.auth)
    transfer = (
        Document.objects.select_related("store", "counterpart", "counterpart__unit")
        .filter(
            kind=DocumentKind.TRANSFER_OUT,
            number=(payload.transfer or "").strip(),
            counterpart__in=visible.values("pk"),
        )
        .first()
    )
    if transfer is None:
        errors["transfer"] = _("No transfer numbered “%(number)s” to a store in your scope.") % {
            "number": payload.transfer or ""
        }
        _raise(errors)
    assert transfer is not None
    if payload.store and payload.store != transfer.counterpart.code:
        errors["store"] = _("The transfer is addressed to %(store)s.") % {
            "store": transfer.counterpart.name
        }
    sent = list(transfer.lines.select_related("product", "lot").order_by("pk"))
    received: dict[int, tuple[Any, Any]] = {}
    for n, line in enumerate(payload.lines, start=1):
        match = [
            s
            for s in sent
            if s.product.code == line.product and (not line.lot or s.lot.number == line.lot)
        ]
        if len(match) != 1:
            errors[f"lines.{n}.lot"] = _(
                "Line %(n)s: the transfer has no single line of %(product)s lot %(lot)s."
            ) % {"n": n, "product": line.product, "lot": line.lot or "—"}
            continue
        good = line.received if line.received is not None else line.quantity
        if good is None:
            good = -match[0].quantity
        received[match[0].pk] = (good, line.damaged)
    _raise(errors)
    return services.transfer_receive(
        actor=request.auth,
        transfer=transfer,
        occurred_on=day,
        received=received,
        note=payload.note,
        staff_name=payload.staff_name,
    )


def _reversal(request: HttpRequest, payload: MovementIn) -> Document:
    document = (
        restrict(Document.objects.select_related("store", "store__unit"), request.auth)
        .filter(number=(payload.document or "").strip())
        .first()
    )
    if document is None:
        _raise(
            {
                "document": _("No document numbered “%(number)s” in your scope.")
                % {"number": payload.document or ""}
            }
        )
    if payload.store and document.store.code != payload.store:
        _raise({"store": _("The document is not of this store.")})
    return services.reverse(actor=request.auth, document=document, reason=payload.reason)


def post_movement(request: HttpRequest, payload: MovementIn) -> Document:
    """Find what the payload names (in the caller's scope) and call the service."""
    day = payload.occurred_on or timezone.localdate()
    if payload.kind == "transfer_in":
        return _transfer_in(request, payload, day)
    if payload.kind == "reversal":
        return _reversal(request, payload)
    if not payload.store:
        _raise({"store": _("Name the store (its code).")})
    store = _store(request, payload.store or "")
    if payload.kind == "receipt":
        return _receipt(request, payload, store, day)
    errors: dict[str, str] = {}
    if payload.kind == "transfer_out":
        to_store = _other_store(payload.to_store, "to_store", errors)
        items = _lines(payload, errors, lot_required=False)
        _raise(errors)
        assert to_store is not None
        return services.transfer_send(
            actor=request.auth,
            store=store,
            to_store=to_store,
            occurred_on=day,
            lines=items,
            note=payload.note,
            staff_name=payload.staff_name,
        )
    if payload.kind == "issue":
        person = _person(request, payload.person, errors)
        items = _lines(payload, errors, lot_required=False)
        visit = None
        if payload.visit is not None and person is not None:
            from jisheng.services.models import FollowUpVisit

            visit = FollowUpVisit.objects.filter(pk=payload.visit, person=person).first()
            if visit is None:
                errors["visit"] = _("No follow-up visit %(id)s of this person.") % {
                    "id": payload.visit
                }
        _raise(errors)
        return services.issue(
            actor=request.auth,
            store=store,
            person=person,
            occurred_on=day,
            lines=items,
            visit=visit,
            staff_name=payload.staff_name,
            note=payload.note,
        )
    # write_off
    items = _lines(payload, errors, lot_required=True)
    _raise(errors)
    return services.write_off(
        actor=request.auth,
        store=store,
        occurred_on=day,
        reason=payload.reason,
        lines=items,
        note=payload.note,
        staff_name=payload.staff_name,
    )


@router.post(
    "/movements", response={201: DocumentOut, **WRITE_ERRORS}, summary="Post a movement (any kind)"
)
@idempotent
def movement_create(request: HttpRequest, payload: MovementIn):
    """Post one ledger document of ``kind``:

    - ``receipt`` (入库单): ``store``, ``supplier``, lines with ``product``, ``lot``,
      ``expires_on``, ``quantity``;
    - ``transfer_out`` (出库单): ``store``, ``to_store``, lines with ``product``,
      ``quantity`` and optionally ``lot`` (else first-expiry-first-out);
    - ``transfer_in`` (调入登记): ``transfer`` (the number of the transfer out); lines
      only for what did not arrive whole: ``product``, ``lot``, ``received``,
      ``damaged``;
    - ``issue`` (发放登记): ``store``, ``person`` (id), optionally ``visit``, lines;
    - ``write_off`` (报损): ``store``, ``reason`` (expired, damaged, lost, recalled,
      transit), ``note``, lines with their ``lot``;
    - ``reversal`` (冲销): ``document`` (its number) and ``reason``.

    ``occurred_on`` defaults to today. 201 with the document and its lines; 422 with a
    detail per field or line (``lines.2.quantity``) when refused, nothing written; 404
    for a store outside the caller's scope; 403 without the permission of the kind
    (``commodities.receive_stock``, ``transfer_stock`` for both halves of a transfer,
    ``issue_stock``, ``write_off_stock``, ``reverse_document``), checked by the service
    (and here first, so that a refusal names nothing; audited as ``denied``)."""
    services.require_movement_perm(request.auth, payload.kind)
    try:
        document = post_movement(request, payload)
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    document = _with_lines(Document.objects.filter(pk=document.pk)).get()
    return Status(201, document_data(document))


@router.get(
    "/movements", response={200: list[DocumentOut], **SCOPED_ERRORS}, summary="Ledger documents"
)
@paginate(PageNumber)
def movement_list(request: HttpRequest, filters: Query[MovementFilters]):
    """The ledger documents of ``store`` (or of every store in the caller's scope), with
    their lines, latest first; narrowed by ``kind`` and the dates. 422 for a bad kind or
    date, 404 for a store outside the caller's scope. Needs
    ``commodities.view_document``."""
    require_perm(request, VIEW_DOCUMENT)
    documents = selectors.documents_visible(request.auth)
    if filters.store:
        documents = documents.filter(store=_store(request, filters.store))
    if filters.kind:
        if filters.kind not in DocumentKind.values:
            raise _query_error(
                "kind",
                _("Choose one of: %(choices)s.")
                % {"choices": "、".join(f"“{kind}”" for kind in DocumentKind.values)},
            )
        documents = documents.filter(kind=filters.kind)
    if filters.date_from:
        documents = documents.filter(occurred_on__gte=parse_day(filters.date_from, "date_from"))
    if filters.date_to:
        documents = documents.filter(occurred_on__lte=parse_day(filters.date_to, "date_to"))
    return _Documents(_with_lines(documents.order_by("-occurred_on", "-id")))


class _Documents:
    """A queryset whose slices are rendered as :class:`DocumentOut` data."""

    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [document_data(d) for d in self.queryset[item]]

    def all(self) -> Any:
        return self.queryset
