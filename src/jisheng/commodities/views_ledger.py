"""Ledger pages of the commodities app (/commodities/…): the stores of the working unit,
a store's stock (today, as of a date, by lot and FEFO, status per product), the movement
forms (receipt, transfer out, transfer in, issue to a person, write-off, reversal), a
document and its printable page, the ledger of a store (分类账) with its Excel export,
and the products.

Views are thin: check the Django permission (403; a movement form asks the permission of
its kind, ``services.require_movement_perm``, which the service checks again), find the
store or document inside the user's data scope (outside: 404 and a ``denied`` audit
event), call a service or a selector, render. "Today" is ``timezone.localdate()``.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.commodities import selectors, services
from jisheng.commodities.choices import DocumentKind, StockStatus, TransferStatus
from jisheng.commodities.forms import (
    IssueForm,
    OutLines,
    ReceiptForm,
    ReceiptLines,
    ReceivedLines,
    ReversalForm,
    TransferForm,
    TransferReceiveForm,
    WriteOffForm,
    WriteOffLines,
    filled_lines,
    lots_at,
    show_service_errors,
)
from jisheng.commodities.models import Document, LedgerLine, Product, StockCard, Store
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import write_workbook, xlsx_response
from jisheng.core.scope import (
    get_in_any_scope_or_404,
    get_in_scope_or_404,
    path_in_scope,
    restrict,
)
from jisheng.core.web import GET_POST, require_perm
from jisheng.people.models import Person
from jisheng.people.search import person_search
from jisheng.people.search_query import looks_like_id_number
from jisheng.services.models import FollowUpVisit

VIEW_STORE = "commodities.view_store"
VIEW_DOCUMENT = "commodities.view_document"
VIEW_LEDGER = "commodities.view_ledgerline"
VIEW_PRODUCT = "commodities.view_product"

STORES_PAGE = 50
DOCUMENTS_PAGE = 20
PERSON_MATCHES = 10

STATUS_CSS = {
    StockStatus.STOCK_OUT: "text-bg-danger",
    StockStatus.UNDER: "text-bg-warning",
    StockStatus.ADEQUATE: "text-bg-success",
    StockStatus.OVER: "text-bg-info",
    StockStatus.UNKNOWN: "text-bg-secondary",
}

# Titles of the printed documents: fixed Chinese, part of the paper form (like the
# certificate's title and the signature lines 经手人/复核人).
PRINT_TITLES = {
    DocumentKind.RECEIPT: "入库单",
    DocumentKind.TRANSFER_OUT: "出库单",
    DocumentKind.TRANSFER_IN: "调入登记单",
    DocumentKind.ISSUE: "药具发放登记",
    DocumentKind.WRITE_OFF: "报损单",
    DocumentKind.ADJUSTMENT: "盘点调整单",
    DocumentKind.REVERSAL: "冲销单",
}


# --------------------------------------------------------------------------- helpers


def _store(request: HttpRequest, pk: int) -> Store:
    return get_in_scope_or_404(Store.objects.select_related("unit"), request.user, pk=pk)


def _documents() -> QuerySet[Document]:
    return Document.objects.select_related(
        "store", "store__unit", "counterpart", "person", "visit", "transfer", "reverses"
    )


def _document(request: HttpRequest, pk: int) -> Document:
    """A document of a store in the user's scope, or a transfer sent to one."""
    return get_in_any_scope_or_404(
        _documents(), request.user, ("store__unit__path", "counterpart__unit__path"), pk=pk
    )


def _transfer(request: HttpRequest, pk: int) -> Document:
    """A transfer out whose receiving store is in the user's scope."""
    return get_in_any_scope_or_404(
        _documents(),
        request.user,
        ("counterpart__unit__path",),
        pk=pk,
        kind=DocumentKind.TRANSFER_OUT,
    )


def parse_day(value: str | None) -> datetime.date | None:
    """``YYYY-MM-DD`` → date; raises ``ValueError`` on anything else."""
    return datetime.date.fromisoformat((value or "").strip()) if value else None


def _day_param(request: HttpRequest, name: str) -> datetime.date | None:
    try:
        return parse_day(request.GET.get(name))
    except ValueError:
        messages.error(
            request,
            _("%(value)s is not a date: use YYYY-MM-DD.") % {"value": request.GET.get(name)},
        )
        return None


def _status_rows(levels: list[selectors.StockLevel]) -> list[dict[str, Any]]:
    return [
        {
            "level": level,
            "label": StockStatus(level.status).label,
            "css": STATUS_CSS.get(level.status, "text-bg-secondary"),
        }
        for level in levels
    ]


def _done(request: HttpRequest, document: Document) -> HttpResponse:
    messages.success(
        request,
        _("%(kind)s %(number)s saved.")
        % {"kind": document.get_kind_display(), "number": document.number},
    )
    return redirect("commodities:store", document.store_id)


# --------------------------------------------------------------------------- stores


@require_GET
def store_list(request: HttpRequest) -> HttpResponse:
    """The stores of the working unit's subtree with their alerts."""
    require_perm(request, VIEW_STORE)
    unit = getattr(request, "working_unit", None)
    stores = selectors.stores_visible(request.user, unit).filter(active=True)
    page = Paginator(stores, STORES_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    ids = [s.pk for s in page]
    shown = Store.objects.filter(pk__in=ids).select_related("unit")
    with_stock = dict(
        StockCard.objects.filter(store_id__in=ids, on_hand__gt=0)
        .values("store_id")
        .annotate(n=Count("product_id", distinct=True))
        .values_list("store_id", "n")
    )
    expiring: Counter[int] = Counter()
    expired: Counter[int] = Counter()
    if ids:
        for card in selectors.expiring_lots(shown, today):
            (expired if card.lot.expires_on < today else expiring)[card.store_id] += 1
    statuses: dict[int, Counter[str]] = defaultdict(Counter)
    for level in selectors.stock_levels(shown, today) if ids else []:
        statuses[level.store.pk][level.status] += 1
    rows = [
        {
            "store": store,
            "products": with_stock.get(store.pk, 0),
            "expiring": expiring[store.pk],
            "expired": expired[store.pk],
            "statuses": [
                {"label": StockStatus(s).label, "css": STATUS_CSS[s], "n": statuses[store.pk][s]}
                for s in StockStatus.values
                if statuses[store.pk][s]
            ],
        }
        for store in page
    ]
    return render(
        request,
        "commodities/store_list.html",
        {"page": page, "rows": rows, "unit": unit, "today": today},
    )


@require_GET
def store_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW_STORE)
    store = _store(request, pk)
    today = timezone.localdate()
    as_of = _day_param(request, "as_of")
    cards = selectors.stock_today(store)
    rank: Counter[int] = Counter()
    today_rows = []
    for card in cards:
        usable = card.lot.expires_on >= today
        if usable:
            rank[card.product_id] += 1
        today_rows.append(
            {"card": card, "expired": not usable, "fefo": rank[card.product_id] if usable else None}
        )
    as_of_rows = None
    if as_of is not None:
        as_of_rows = list(
            selectors.cards_as_of([store], as_of)
            .filter(balance__gt=0)
            .select_related("product", "lot")
            .order_by("product__category", "product__code", "lot__expires_on", "lot__number")
        )
    levels = _status_rows(selectors.stock_levels([store], as_of or today))
    kind = request.GET.get("kind", "")
    kind = kind if kind in DocumentKind.values else ""
    documents = Document.objects.filter(store=store).select_related("counterpart", "person")
    if kind:
        documents = documents.filter(kind=kind)
    page = Paginator(documents, DOCUMENTS_PAGE).get_page(request.GET.get("page"))
    query = {k: v for k, v in {"kind": kind, "as_of": request.GET.get("as_of", "")}.items() if v}
    return render(
        request,
        "commodities/store_detail.html",
        {
            "store": store,
            "today": today,
            "as_of": as_of,
            "today_rows": today_rows,
            "as_of_rows": as_of_rows,
            "levels": levels,
            "in_transit": services.pending_transfers(store),
            "page": page,
            "kinds": DocumentKind.choices,
            "kind": kind,
            "query": urlencode(query),
            "can": _movement_flags(request),
            "can_ledger": request.user.has_perm(VIEW_LEDGER),
        },
    )


# --------------------------------------------------------------------------- forms


def _render_form(
    request: HttpRequest, store: Store, template: str, title: str, **context: Any
) -> HttpResponse:
    return render(
        request,
        f"commodities/{template}",
        {"store": store, "title": title, "cancel_url": _store_url(store), **context},
    )


def _movement_flags(request: HttpRequest) -> dict[str, bool]:
    """Which movement buttons to show: the kinds the user may post (the service checks)."""
    user = request.user
    return {
        "receipt": services.may_post(user, DocumentKind.RECEIPT),
        "transfer": services.may_post(user, DocumentKind.TRANSFER_OUT),
        "receive": services.may_post(user, DocumentKind.TRANSFER_IN),
        "issue": services.may_post(user, DocumentKind.ISSUE),
        "write_off": services.may_post(user, DocumentKind.WRITE_OFF),
    }


def _store_url(store: Store) -> str:
    return reverse("commodities:store", args=[store.pk])


def _post(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _submit(
    request: HttpRequest,
    form: Any,
    lines: Any,
    post: Callable[[list[tuple[int, dict[str, Any]]]], Document],
) -> HttpResponse | None:
    """Post the movement when the form and its filled lines are valid: the document's
    page; else None, with the service's errors shown on the form and its lines."""
    if request.method != "POST" or not (form.is_valid() and lines.is_valid()):
        return None
    rows = filled_lines(lines)
    try:
        document = post(rows)
    except ValidationError as exc:
        show_service_errors(form, exc, lines, [i for i, _r in rows])
        return None
    return _done(request, document)


@GET_POST
def receipt_create(request: HttpRequest, pk: int) -> HttpResponse:
    """入库单: a delivery from a supplier, several lots."""
    services.require_movement_perm(request.user, DocumentKind.RECEIPT)
    store = _store(request, pk)
    data = _post(request)
    form = ReceiptForm(data, initial={"occurred_on": timezone.localdate()})
    lines = ReceiptLines(data, prefix="lines")
    done = _submit(
        request,
        form,
        lines,
        lambda rows: services.receive(
            actor=request.user,
            store=store,
            lines=[
                services.NewLot(r["product"], r["number"], r["expires_on"], r["quantity"])
                for _i, r in rows
            ],
            **form.cleaned_data,
        ),
    )
    if done is not None:
        return done
    return _render_form(
        request, store, "store_receipt.html", _("Receipt note"), form=form, lines=lines
    )


def _out_items(rows: list[tuple[int, dict[str, Any]]]) -> list[services.Item]:
    return [services.Item(r["product"], r["quantity"], r.get("lot")) for _i, r in rows]


@GET_POST
def transfer_create(request: HttpRequest, pk: int) -> HttpResponse:
    """出库单: stock sent to another store, in transit until received."""
    services.require_movement_perm(request.user, DocumentKind.TRANSFER_OUT)
    store = _store(request, pk)
    data = _post(request)
    initial: dict[str, Any] = {"occurred_on": timezone.localdate()}
    if request.GET.get("to", "").isdigit():
        initial["to_store"] = int(request.GET["to"])
    stores = selectors.transfer_targets(user=request.user, store=store)
    form = TransferForm(data, initial=initial, stores=stores)
    lines = OutLines(data, prefix="lines", form_kwargs={"lots": lots_at(store)})
    done = _submit(
        request,
        form,
        lines,
        lambda rows: services.transfer_send(
            actor=request.user, store=store, lines=_out_items(rows), **form.cleaned_data
        ),
    )
    if done is not None:
        return done
    return _render_form(
        request,
        store,
        "store_transfer.html",
        _("Issue note (transfer out)"),
        form=form,
        lines=lines,
        stock=selectors.stock_today(store),
    )


@GET_POST
def transfer_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """调入登记: a transfer in transit arrives; per line received and damaged."""
    services.require_movement_perm(request.user, DocumentKind.TRANSFER_IN)
    transfer = _transfer(request, pk)
    store = transfer.counterpart
    sent = list(transfer.lines.select_related("product", "lot").order_by("pk"))
    data = _post(request)
    form = TransferReceiveForm(data, initial={"occurred_on": timezone.localdate()})
    lines = ReceivedLines(
        data,
        prefix="lines",
        initial=[{"received": -line.quantity, "damaged": 0} for line in sent],
    )
    if transfer.transfer_status != TransferStatus.IN_TRANSIT and data is None:
        messages.info(request, _("This transfer is not in transit: it was received or reversed."))
    if data is not None and form.is_valid() and lines.is_valid():
        received = {}
        for line, row in zip(sent, lines.forms, strict=False):
            got = row.cleaned_data.get("received")
            damaged = row.cleaned_data.get("damaged")
            received[line.pk] = (
                -line.quantity if got is None else got,
                0 if damaged is None else damaged,
            )
        try:
            document = services.transfer_receive(
                actor=request.user, transfer=transfer, received=received, **form.cleaned_data
            )
        except ValidationError as exc:
            show_service_errors(form, exc, lines, list(range(len(sent))))
        else:
            return _done(request, document)
    return _render_form(
        request,
        store,
        "store_transfer_receive.html",
        _("Transfer-in record"),
        form=form,
        lines=lines,
        transfer=transfer,
        sent_rows=list(zip(sent, lines.forms, strict=False)),
    )


def _person_choices(request: HttpRequest) -> QuerySet[Person]:
    return restrict(Person.objects.select_related("unit"), request.user)


def _visit_queryset(person: Any) -> QuerySet:
    """The person's follow-up visits (not voided), latest first."""
    if person is None:
        return FollowUpVisit.objects.none()
    return FollowUpVisit.objects.filter(person=person, voided_at__isnull=True).order_by(
        "-visited_on", "-id"
    )


@GET_POST
def issue_create(request: HttpRequest, pk: int) -> HttpResponse:
    """发放登记: commodities handed to a person (FEFO suggested, expired lots never)."""
    services.require_movement_perm(request.user, DocumentKind.ISSUE)
    store = _store(request, pk)
    persons = _person_choices(request)
    # The person search is posted (``find``): what is typed may be an ID number, which
    # must never be in a URL; a GET ``q`` that looks like one is not searched.
    finding = request.method == "POST" and "find" in request.POST
    data = None if finding else _post(request)
    person = None
    raw = (data or request.GET).get("person", "")
    if str(raw).isdigit():
        person = persons.filter(pk=int(raw)).first()
    q = (request.POST if finding else request.GET).get("q", "").strip()
    if not finding and looks_like_id_number(q):
        messages.warning(
            request, _("Search by ID number with the form: an ID number must not be put in a URL.")
        )
        q = ""
    matches = []
    if q and data is None:
        matches = list(person_search(user=request.user, q=q)[:PERSON_MATCHES])
    initial: dict[str, Any] = {"occurred_on": timezone.localdate()}
    if person is not None:
        initial["person"] = person.pk
    if request.GET.get("visit", "").isdigit():
        initial["visit"] = int(request.GET["visit"])
    form = IssueForm(data, initial=initial, persons=persons, visits=_visit_queryset(person))
    lines = OutLines(data, prefix="lines", form_kwargs={"lots": lots_at(store)})
    done = _submit(
        request,
        form,
        lines,
        lambda rows: services.issue(
            actor=request.user, store=store, lines=_out_items(rows), **form.cleaned_data
        ),
    )
    if done is not None:
        return done
    today = timezone.localdate()
    suggestion = []
    products = Product.objects.filter(
        pk__in=StockCard.objects.filter(store=store, on_hand__gt=0).values("product_id")
    )
    for product in products:
        cards = services.usable_lots(store, product, today)  # first expiry first
        suggestion.append(
            {
                "product": product,
                "usable": sum(c.on_hand for c in cards),
                "lots": [(card, card.on_hand) for card in cards],
            }
        )
    return _render_form(
        request,
        store,
        "store_issue.html",
        _("Distribution to a person"),
        form=form,
        lines=lines,
        person=person,
        q=q,
        matches=matches,
        suggestion=suggestion,
    )


@GET_POST
def write_off_create(request: HttpRequest, pk: int) -> HttpResponse:
    """报损: stock taken off the books with a reason, lot by lot."""
    services.require_movement_perm(request.user, DocumentKind.WRITE_OFF)
    store = _store(request, pk)
    data = _post(request)
    form = WriteOffForm(data, initial={"occurred_on": timezone.localdate()})
    lines = WriteOffLines(data, prefix="lines", form_kwargs={"lots": lots_at(store)})
    done = _submit(
        request,
        form,
        lines,
        lambda rows: services.write_off(
            actor=request.user, store=store, lines=_out_items(rows), **form.cleaned_data
        ),
    )
    if done is not None:
        return done
    return _render_form(
        request,
        store,
        "store_write_off.html",
        _("Write-off"),
        form=form,
        lines=lines,
        stock=selectors.stock_today(store),
    )


# --------------------------------------------------------------------------- documents


def _can_reverse(request: HttpRequest, document: Document) -> bool:
    return (
        services.may_post(request.user, DocumentKind.REVERSAL)
        and document.kind not in (DocumentKind.REVERSAL, DocumentKind.ADJUSTMENT)
        and path_in_scope(document.store.unit.path, request.user)
        and not Document.objects.filter(reverses=document).exists()
    )


def _document_context(request: HttpRequest, document: Document) -> dict[str, Any]:
    lines = list(
        document.lines.select_related("product", "lot", "reverses").order_by(
            "product__category", "product__code", "lot__expires_on", "pk"
        )
    )
    can_receive = (
        document.kind == DocumentKind.TRANSFER_OUT
        and document.transfer_status == TransferStatus.IN_TRANSIT
        and document.counterpart is not None
        and path_in_scope(document.counterpart.unit.path, request.user)
        and services.may_post(request.user, DocumentKind.TRANSFER_IN)
    )
    return {
        "document": document,
        "lines": lines,
        "total": sum(line.quantity for line in lines),
        "print_title": PRINT_TITLES.get(document.kind, document.get_kind_display()),
        "reversed_by": Document.objects.filter(reverses=document).first(),
        "received_by": list(document.receipts.all()) if document.kind == "transfer_out" else [],
        "can_receive": can_receive,
    }


@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW_DOCUMENT)
    document = _document(request, pk)
    context = _document_context(request, document)
    context["can_reverse"] = _can_reverse(request, document)
    context["reversal_form"] = ReversalForm()
    return render(request, "commodities/document_detail.html", context)


@require_GET
def document_print(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW_DOCUMENT)
    document = _document(request, pk)
    return render(request, "commodities/document_print.html", _document_context(request, document))


@GET_POST
def document_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """冲销: the opposite lines of a mistaken document, with a reason."""
    services.require_movement_perm(request.user, DocumentKind.REVERSAL)
    document = get_in_scope_or_404(_documents(), request.user, pk=pk)
    form = ReversalForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            reversal = services.reverse(
                actor=request.user, document=document, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(number)s reversed by %(reversal)s.")
                % {"number": document.number, "reversal": reversal.number},
            )
            return redirect("commodities:document", reversal.pk)
    context = _document_context(request, document)
    context.update({"reversal_form": form, "can_reverse": True, "title": _("Reverse a document")})
    return render(request, "commodities/document_reverse.html", context)


# --------------------------------------------------------------------------- ledger


def ledger_rows(
    store: Store,
    start: datetime.date,
    end: datetime.date,
    product: Product | None = None,
) -> list[dict[str, Any]]:
    """The ledger lines of ``store`` in [start, end] by product, each with the running
    balance of its product (from the balance at the end of the day before ``start``)."""
    opening = selectors.stock_as_of([store], start - datetime.timedelta(days=1))
    lines = LedgerLine.objects.filter(store=store, occurred_on__range=(start, end))
    if product is not None:
        lines = lines.filter(product=product)
    lines = lines.select_related("document", "product", "lot").order_by(
        "product__category", "product__code", "occurred_on", "id"
    )
    balance: dict[int, int] = {}
    rows: list[dict[str, Any]] = []
    for line in lines:
        if line.product_id not in balance:
            balance[line.product_id] = opening.get((store.pk, line.product_id), 0)
            rows.append(
                {"opening": True, "product": line.product, "balance": balance[line.product_id]}
            )
        balance[line.product_id] += line.quantity
        rows.append(
            {
                "opening": False,
                "line": line,
                "product": line.product,
                "in": line.quantity if line.quantity > 0 else None,
                "out": -line.quantity if line.quantity < 0 else None,
                "balance": balance[line.product_id],
            }
        )
    return rows


@require_GET
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    """分类账: the lines of a store by product (date, document, in, out, balance)."""
    require_perm(request, VIEW_LEDGER)
    store = _store(request, pk)
    today = timezone.localdate()
    start = _day_param(request, "from") or today.replace(month=1, day=1)
    end = _day_param(request, "to") or today
    if end < start:
        messages.error(request, _("The end of the period is before its start."))
        start, end = end, start
    products = Product.objects.filter(
        pk__in=StockCard.objects.filter(store=store).values("product_id")
    )
    product = None
    if request.GET.get("product", "").isdigit():
        product = products.filter(pk=int(request.GET["product"])).first()
    rows = ledger_rows(store, start, end, product)
    if request.GET.get("format") == "xlsx":
        return _ledger_xlsx(request, store, start, end, rows)
    query = {"from": start.isoformat(), "to": end.isoformat()}
    if product is not None:
        query["product"] = str(product.pk)
    return render(
        request,
        "commodities/ledger_store.html",
        {
            "store": store,
            "rows": rows,
            "start": start,
            "end": end,
            "products": products,
            "product": product,
            "xlsx_query": urlencode({**query, "format": "xlsx"}),
        },
    )


def _ledger_xlsx(
    request: HttpRequest,
    store: Store,
    start: datetime.date,
    end: datetime.date,
    rows: list[dict[str, Any]],
) -> HttpResponse:
    headers = [
        _("Product"),
        _("Date"),
        _("Document"),
        _("Kind"),
        _("Lot number"),
        _("Expiry date"),
        _("In"),
        _("Out"),
        _("Balance"),
    ]
    out = []
    for row in rows:
        if row["opening"]:
            out.append(
                [
                    row["product"].name,
                    start,
                    "",
                    _("Opening balance"),
                    "",
                    "",
                    "",
                    "",
                    row["balance"],
                ]
            )
            continue
        line = row["line"]
        out.append(
            [
                row["product"].name,
                line.occurred_on,
                line.document.number,
                line.get_kind_display(),
                line.lot.number,
                line.lot.expires_on,
                row["in"] or "",
                row["out"] or "",
                row["balance"],
            ]
        )
    workbook = write_workbook(title=_("Ledger"), headers=headers, rows=out)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=store,
        message=f"ledger {start.isoformat()}..{end.isoformat()}",
    )
    return xlsx_response(workbook, f"{store.name}-分类账-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")


# --------------------------------------------------------------------------- products


@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_PRODUCT)
    unit = getattr(request, "working_unit", None)
    stores = selectors.stores_visible(request.user, unit)
    totals = dict(
        StockCard.objects.filter(store__in=stores.values("pk"))
        .values("product_id")
        .annotate(n=Sum("on_hand"))
        .values_list("product_id", "n")
    )
    products = list(Product.objects.all())
    for product in products:
        product.total_on_hand = totals.get(product.pk, 0)
    return render(request, "commodities/product_list.html", {"products": products, "unit": unit})
