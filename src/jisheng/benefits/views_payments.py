"""Payment pages (/benefits/payments/…): the batches to pay, a roster with its
subtotals by village (print and A4 Excel), building it, the bank's export and return
files, closing a batch, bank accounts of a person, and failed payments for the office.
Thin: parse, authorise, call a service, render.

Scoped: a batch, payment, file or person outside the user's subtree answers 404
(audited). A refusal of 四权分离 is shown with its reason."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.benefits import selectors_payments as selectors
from jisheng.benefits import services_payments as services
from jisheng.benefits.choices import BatchStatus, PaymentStatus
from jisheng.benefits.forms_payments import AccountForm, FailureForm, ReturnFileForm
from jisheng.benefits.models import Payment
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import write_workbook, xlsx_response
from jisheng.core.forms import add_service_errors
from jisheng.core.scope import get_in_scope_or_404
from jisheng.core.web import GET_POST, require_perm
from jisheng.orgs.models import User
from jisheng.people.models import Person

VIEW = "benefits.view_payment"
PAY = "benefits.pay_batch"
ACCOUNT = "benefits.add_bankaccount"
PAGE_SIZE = 50
MAX_UPLOAD = 40 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _refused(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.error(request, str(exc) or _("You may not do this."))


@require_GET
def roster_list(request: HttpRequest) -> HttpResponse:
    """Approved batches and after, of the working unit's subtree."""
    require_perm(request, VIEW)
    user = _user(request)
    rows = selectors.batches_to_pay(user, unit=getattr(request, "working_unit", None))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "benefits/payments/roster_list.html", {"page": page})


def _roster_context(request: HttpRequest, pk: int) -> dict[str, object]:
    user = _user(request)
    batch = selectors.batch_get(user, pk)
    roster = selectors.roster(user, batch)
    return {
        "batch": batch,
        "roster": roster,
        "can_pay": user.has_perm(PAY),
        "can_account": user.has_perm(ACCOUNT),
        "files": selectors.bank_files(user, batch)[:20],
        "Status": BatchStatus,
        "can_close": batch.status == BatchStatus.EXPORTED
        and not roster.by_status.get(PaymentStatus.EXPORTED),
    }


@require_GET
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's payment roster: lines by village with subtotals, the total in 大写, the
    lines without an account, the bank files; print with ``?print=1``."""
    require_perm(request, VIEW)
    context = _roster_context(request, pk)
    template = (
        "benefits/payments/roster_print.html"
        if request.GET.get("print") == "1"
        else "benefits/payments/roster.html"
    )
    return render(request, template, context)


@require_GET
def roster_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster as an A4 Excel sheet (masked accounts; signatures column)."""
    require_perm(request, VIEW)
    user = _user(request)
    batch = selectors.batch_get(user, pk)
    data = selectors.roster(user, batch)
    rows: list[list[object]] = []
    for village in data.villages:
        for line in village.lines:
            rows.append(
                [
                    line.line,
                    village.name,
                    line.payee_name,
                    line.account.number_masked if line.account else _("No account"),
                    line.amount,
                    line.get_status_display(),
                    "",
                ]
            )
        rows.append(["", village.name, _("Subtotal"), "", village.total, "", ""])
    rows.append(["", "", _("Total"), data.total_upper, data.total, "", ""])
    book = write_workbook(
        title=_("Payment roster"),
        headers=[
            _("No."),
            _("Village"),
            _("Payee"),
            _("Account"),
            _("Amount (yuan)"),
            _("Status"),
            _("Signature"),
        ],
        rows=rows,
    )
    sheet = book.active
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.print_title_rows = "1:1"
    audit.record(
        actor=user, action=AuditAction.EXPORT, obj=batch, message=_("Payment roster exported.")
    )
    return xlsx_response(book, f"{batch.title}-花名册.xlsx")


@require_POST
def roster_build(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, PAY)
    user = _user(request)
    batch = selectors.batch_get(user, pk)
    try:
        result = services.roster_build(actor=user, batch=batch)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("Roster built: %(n)s lines added, %(re)s paid again; %(missing)s without an account.")
            % {"n": result.created, "re": result.reissued, "missing": result.without_account},
        )
    return redirect("benefits:roster", pk=batch.pk)


@require_POST
def bank_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank's file, downloaded (the only place with the full account numbers)."""
    require_perm(request, PAY)
    user = _user(request)
    batch = selectors.batch_get(user, pk)
    try:
        exported = services.roster_export(actor=user, batch=batch)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
        return redirect("benefits:roster", pk=batch.pk)
    from django.utils.http import content_disposition_header

    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = content_disposition_header(True, exported.filename)
    response["Cache-Control"] = "no-store"
    return response


@GET_POST
def bank_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the bank's return file: checked row by row, then the report."""
    require_perm(request, PAY)
    user = _user(request)
    batch = selectors.batch_get(user, pk)
    form = ReturnFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", _("The file is too large."))
        else:
            try:
                result = services.return_import(
                    actor=user, batch=batch, data=upload.read(), filename=upload.name
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if result.seen_before:
                    messages.warning(
                        request,
                        _("This file was already imported: nothing was changed."),
                    )
                else:
                    messages.success(
                        request,
                        _("%(ok)s rows applied, %(bad)s refused.")
                        % {"ok": result.bank_file.accepted, "bad": result.bank_file.refused},
                    )
                return redirect("benefits:bankfile_detail", pk=result.bank_file.pk)
    return render(request, "benefits/payments/return_form.html", {"batch": batch, "form": form})


@require_GET
def bankfile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A bank file: its lines applied and the rows refused with their reasons."""
    require_perm(request, VIEW)
    user = _user(request)
    bank_file = selectors.bank_file_get(user, pk)
    lines = selectors.returned_lines(user, bank_file)
    page = Paginator(lines, 200).get_page(request.GET.get("page"))
    return render(
        request,
        "benefits/payments/bankfile_detail.html",
        {"file": bank_file, "page": page, "refused": bank_file.report},
    )


@require_POST
def batch_close(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, PAY)
    user = _user(request)
    batch = selectors.batch_get(user, pk)
    try:
        services.batch_close(actor=user, batch=batch)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The batch is paid and closed."))
    return redirect("benefits:roster", pk=batch.pk)


@GET_POST
def account_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record (or replace) the account a person is paid into; the earlier ones listed
    masked."""
    require_perm(request, ACCOUNT)
    user = _user(request)
    person = get_in_scope_or_404(Person.objects.select_related("unit"), user, pk=pk)
    form = AccountForm(request.POST or None, initial={"holder_name": person.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.account_record(actor=user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The account is recorded."))
            back = request.POST.get("next", "")
            if back.startswith("/benefits/"):
                return redirect(back)
            return redirect("benefits:account_create", pk=person.pk)
    return render(
        request,
        "benefits/payments/account_form.html",
        {
            "person": person,
            "form": form,
            "accounts": selectors.accounts_of(user, person.pk),
            "next": request.GET.get("next", request.POST.get("next", "")),
        },
    )


@require_GET
def failed_list(request: HttpRequest) -> HttpResponse:
    """Failed payments of the working unit's subtree, to fix and pay again."""
    require_perm(request, VIEW)
    user = _user(request)
    show_all = request.GET.get("all") == "1"
    rows = selectors.failed(
        user, unit=getattr(request, "working_unit", None), waiting_only=not show_all
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "benefits/payments/failed_list.html",
        {"page": page, "show_all": show_all, "can_account": user.has_perm(ACCOUNT)},
    )


@GET_POST
def failure_handle(request: HttpRequest, pk: int) -> HttpResponse:
    """The office deals with a failed payment: the account fixed (or a note why it is
    right); the next roster of the kind pays it again."""
    require_perm(request, ACCOUNT)
    user = _user(request)
    payment = selectors.payment_get(user, pk)
    form = FailureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.failure_handle(actor=user, payment=payment, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Done: the next roster of this benefit pays it again."))
            return redirect("benefits:failed_list")
    account = selectors.account_in_use(payment.beneficiary_id) if payment.beneficiary_id else None
    return render(
        request,
        "benefits/payments/failure_form.html",
        {"payment": payment, "form": form, "account": account, "Payment": Payment},
    )
