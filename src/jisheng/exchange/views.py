"""Pages of the two-way notification (/exchange/…): the inbox and the sent notices of
the user's office, one notice (the person, the facts in words, the reply form, the
correction chain), the visit notified to her home office (走访通报), the exchange with
other systems (download, upload and the import's report; the Excel form) and the keys of
the other systems (admin).

Thin: each page reads through :mod:`selectors` and writes through :mod:`services`,
:mod:`transfer` and :mod:`excel`; a notice of another office answers 404 (audited)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.core import crypto, idnumber
from jisheng.core.excel import xlsx_response
from jisheng.core.forms import add_service_errors
from jisheng.core.scope import get_in_scope_or_404, restrict
from jisheng.core.web import GET_POST, require_perm
from jisheng.exchange import excel, selectors, services, transfer, words
from jisheng.exchange.forms import (
    AddressForm,
    ContactForm,
    InboxFilterForm,
    ReceiverForm,
    ReplyForm,
    UploadForm,
)
from jisheng.exchange.models import NoticeKind, NoticeStatus
from jisheng.floating.choices import ArrivalStatus
from jisheng.floating.models import Arrival
from jisheng.orgs.models import User
from jisheng.people.search import name_q

VIEW = "exchange.view_notice"
RECORD = "exchange.add_notice"
KEYS = "exchange.add_peerkey"
PAGE_SIZE = 50


def _me(request: HttpRequest) -> User:
    """The signed-in user (every page needs one; the middleware sends others to log in)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _page(request: HttpRequest, rows: object) -> object:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Notices addressed to the user's office: awaiting reply, overdue, by kind."""
    require_perm(request, VIEW)
    form = InboxFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    rows = selectors.inbox(
        _me(request),
        awaiting=bool(data.get("awaiting")),
        overdue=bool(data.get("overdue")),
        kind=data.get("kind") or "",
        today=today,
    )
    query = urlencode({k: v for k, v in request.GET.items() if k != "page"})
    return render(
        request,
        "exchange/inbox.html",
        {"page": _page(request, rows), "form": form, "query": query, "today": today},
    )


@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """Notices the user's office sent (``unaddressed=1``: waiting for their receiver)."""
    require_perm(request, VIEW)
    unaddressed = request.GET.get("unaddressed") == "1"
    kind = request.GET.get("kind", "")
    rows = selectors.outbox(
        _me(request), kind=kind if kind in NoticeKind.values else "", unaddressed=unaddressed
    )
    query = urlencode({k: v for k, v in request.GET.items() if k != "page"})
    return render(
        request,
        "exchange/outbox.html",
        {
            "page": _page(request, rows),
            "unaddressed": unaddressed,
            "kind": kind,
            "kinds": NoticeKind.choices,
            "query": query,
            "can_record": request.user.has_perm(RECORD),
        },
    )


@GET_POST
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One notice: the person, the facts in words, its replies and corrections; the
    reply form for the office it is addressed to; the receiver to fill in for the
    office that sent one waiting for it."""
    require_perm(request, VIEW)
    notice = selectors.notice_get(_me(request), pk)
    receiver, sender = notice.receiver_unit, notice.sender_unit
    can_record = request.user.has_perm(RECORD)
    mine_in = receiver is not None and selectors.in_scope(_me(request), receiver)
    mine_out = sender is not None and selectors.in_scope(_me(request), sender)
    can_reply = (
        can_record
        and mine_in
        and notice.status == NoticeStatus.SENT
        and notice.kind != NoticeKind.REPLY
    )
    can_address = can_record and mine_out and receiver is None and not notice.receiver_code
    reply_form = ReplyForm(request.POST if request.method == "POST" and can_reply else None)
    address_form = AddressForm(request.POST if request.method == "POST" and can_address else None)
    if request.method == "POST":
        require_perm(request, RECORD)
        action = request.POST.get("action")
        if action == "reply" and can_reply and reply_form.is_valid():
            try:
                services.notice_reply(actor=_me(request), notice=notice, **reply_form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(reply_form, exc)
            else:
                messages.success(request, _("The reply was sent."))
                return redirect("exchange:detail", notice.pk)
        elif action == "address" and can_address and address_form.is_valid():
            try:
                services.notice_address(
                    actor=_me(request), notice=notice, **address_form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(address_form, exc)
            else:
                messages.success(request, _("The receiver was filled in."))
                return redirect("exchange:detail", notice.pk)
    number = crypto.decrypt(notice.id_number_encrypted) if notice.id_number_encrypted else ""
    return render(
        request,
        "exchange/detail.html",
        {
            "notice": notice,
            "facts": words.facts(notice),
            "id_masked": idnumber.mask(number) if number else "",
            "replies": selectors.replies(notice),
            "chain": selectors.chain(notice),
            "reply_form": reply_form,
            "address_form": address_form,
            "can_reply": can_reply,
            "can_address": can_address,
        },
    )


@require_GET
def contact_find(request: HttpRequest) -> HttpResponse:
    """The in-migrants living in the user's subtree, by name or ID number, to notify a
    visit to their home office (走访通报)."""
    require_perm(request, RECORD)
    q = (request.GET.get("q") or "").strip()
    rows: list[Arrival] = []
    if q:
        arrivals = restrict(Arrival.objects.filter(status=ArrivalStatus.REGISTERED), _me(request))
        number = idnumber.normalise(q)
        if len(number) == 18:
            arrivals = arrivals.filter(id_hash=crypto.lookup_hash(number))
        else:
            arrivals = arrivals.filter(person__isnull=False).filter(name_q(q, prefix="person__"))
        rows = list(arrivals.select_related("unit", "home_unit").order_by("name", "id")[:20])
    return render(request, "exchange/contact_find.html", {"q": q, "rows": rows})


@GET_POST
def contact_create(request: HttpRequest, arrival_id: int) -> HttpResponse:
    require_perm(request, RECORD)
    arrival = get_in_scope_or_404(
        Arrival.objects.select_related("unit", "home_unit", "person"), _me(request), pk=arrival_id
    )
    form = ContactForm(
        request.POST if request.method == "POST" else None,
        initial={"contacted_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_contact(
                actor=_me(request), arrival=arrival, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The visit was notified to her home office."))
            return redirect("exchange:detail", notice.pk)
    return render(request, "exchange/contact_form.html", {"arrival": arrival, "form": form})


def _json_download(data: dict[str, object], filename: str) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, indent=1).encode()
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


@GET_POST
def transfer_page(request: HttpRequest) -> HttpResponse:
    """Download the outgoing notices (signed JSON, or the Excel form), upload a file of
    another system (its report shown) or a reply sheet."""
    require_perm(request, RECORD)
    receiver_form = ReceiverForm(request.POST if request.method == "POST" else None)
    upload_form = UploadForm()
    report_lines: list[str] = []
    action = request.POST.get("action", "") if request.method == "POST" else ""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if action in ("export_json", "export_xlsx") and receiver_form.is_valid():
        receiver = receiver_form.cleaned_data["receiver"] or ""
        if action == "export_json":
            data = transfer.export_file(actor=_me(request), receiver_code=receiver)
            return _json_download(data, f"通报-{stamp}.json")
        content = excel.export_sheet(actor=_me(request), receiver_code=receiver)
        return xlsx_response(content, f"通报-{stamp}.xlsx")
    if action in ("import_json", "import_xlsx"):
        upload_form = UploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            upload = upload_form.cleaned_data["file"]
            try:
                if action == "import_json":
                    report = transfer.import_file(actor=_me(request), content=upload.read())
                    report_lines = report.lines()
                else:
                    sheet = excel.import_replies(
                        actor=_me(request), source=upload, filename=upload.name
                    )
                    report_lines = [
                        _("%(n)s replies received, %(skipped)s rows without a reply.")
                        % {"n": sheet.replied, "skipped": sheet.skipped},
                        *sheet.errors,
                    ]
            except ValidationError as exc:
                add_service_errors(upload_form, exc)
    waiting = len(transfer.to_export(_me(request)))
    return render(
        request,
        "exchange/transfer.html",
        {
            "receiver_form": receiver_form,
            "upload_form": upload_form,
            "report_lines": report_lines,
            "waiting": waiting,
        },
    )


@GET_POST
def keys_page(request: HttpRequest) -> HttpResponse:
    """The keys of the other systems (admin): add one from its key file; download this
    system's own key file."""
    require_perm(request, KEYS)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if request.POST.get("action") == "own":
            return _json_download(dict(transfer.key_file()), "exchange-key.json")
        if form.is_valid():
            try:
                peer = transfer.peer_key_add(
                    actor=_me(request), content=form.cleaned_data["file"].read()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The key of %(name)s was added.") % {"name": peer.name})
                return redirect("exchange:keys")
    own = transfer.key_file()
    return render(
        request,
        "exchange/keys.html",
        {"form": form, "peers": selectors.peer_keys(), "own": own},
    )
