"""Letter-of-inquiry pages (/services/letters/…): the open letters, the year's target
list with a button to write each letter, a letter with its reply form, and the letter
printed (PDF through Chromium; the HTML print page when Chromium is missing)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.core.forms import add_service_errors
from jisheng.core.pdf import pdf_response
from jisheng.core.scope import get_in_scope_or_404
from jisheng.core.web import GET_POST, require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.people.models import Couple
from jisheng.services import letters
from jisheng.services.forms_campaigns import LetterForm, ReplyForm
from jisheng.services.models import Letter

VIEW_LETTER = "services.view_letter"
ADD_LETTER = "services.add_letter"
REPLY_LETTER = "services.change_letter"
PAGE_SIZE = 30


def _year(request: HttpRequest) -> int:
    value = request.GET.get("year") or request.POST.get("year") or ""
    today = timezone.localdate()
    if value.isdigit() and 2000 <= int(value) <= today.year:
        return int(value)
    return today.year


def _issuer(request: HttpRequest):
    code = (request.GET.get("unit") or request.POST.get("unit") or "").strip()
    if code:
        return org_selectors.unit_get(user=request.user, code=code)
    unit = getattr(request, "working_unit", None) or request.user.unit
    if unit is None:
        raise Http404(_("Not found."))
    return unit


@require_GET
def letter_list(request: HttpRequest) -> HttpResponse:
    """Letters of the year; ``?open=1``: sent and not answered."""
    require_perm(request, VIEW_LETTER)
    open_only = request.GET.get("open", "1") == "1"
    year = _year(request) if request.GET.get("year") else None
    qs = letters.letters_list(request.user, year=year, open_only=open_only)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "services/letter_list.html",
        {"page": page, "open_only": open_only, "year": year, "today": timezone.localdate()},
    )


@require_GET
def letter_targets(request: HttpRequest) -> HttpResponse:
    """The year's target list of the issuing unit, each with its letter or a button."""
    require_perm(request, VIEW_LETTER)
    issuer = _issuer(request)
    year = _year(request)
    rule = letters.rule_for(issuer, letters.day_of(year))
    rows = letters.letter_targets(request.user, issuer, year)
    return render(
        request,
        "services/letter_targets.html",
        {
            "issuer": issuer,
            "year": year,
            "rule": rule,
            "rows": rows,
            "can_add": request.user.has_perm(ADD_LETTER),
        },
    )


@require_POST
def letter_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, ADD_LETTER)
    issuer = _issuer(request)
    year = _year(request)
    form = LetterForm(request.POST)
    back = f"{reverse('services:letter_targets')}?unit={issuer.code}&year={year}"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    couple = get_in_scope_or_404(Couple.objects.all(), request.user, pk=form.cleaned_data["couple"])
    try:
        letter = letters.letter_create(
            actor=request.user,
            issuer=issuer,
            couple=couple,
            year=year,
            sent_on=form.cleaned_data["sent_on"],
            addressed_to=form.cleaned_data["addressed_to"],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("Letter %(number)s written.") % {"number": letter.number})
    return redirect("services:letter_detail", letter.pk)


def _letter(request: HttpRequest, pk: int) -> Letter:
    return get_in_scope_or_404(
        Letter.objects.select_related("person", "unit", "issuer", "couple"), request.user, pk=pk
    )


@GET_POST
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A letter and the form to record its reply."""
    require_perm(request, VIEW_LETTER)
    letter = _letter(request, pk)
    can_reply = request.user.has_perm(REPLY_LETTER)
    initial = {
        "reply_received_on": letter.reply_received_on or timezone.localdate(),
        "reply_result": letter.reply_result,
        "reply_text": letter.reply_text,
    }
    form = ReplyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        require_perm(request, REPLY_LETTER)
        if form.is_valid():
            try:
                letters.letter_reply(
                    actor=request.user,
                    letter=letter,
                    received_on=form.cleaned_data["reply_received_on"],
                    result=form.cleaned_data["reply_result"],
                    text=form.cleaned_data["reply_text"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc, models=(Letter,))
            else:
                messages.success(request, _("The reply was recorded."))
                return redirect("services:letter_detail", letter.pk)
    return render(
        request,
        "services/letter_detail.html",
        {"letter": letter, "form": form, "can_reply": can_reply},
    )


def _print_html(request: HttpRequest, letter: Letter, *, for_pdf: bool) -> str:
    return render_to_string(
        "services/letter_print.html",
        {"letter": letter, "for_pdf": for_pdf, "today": timezone.localdate()},
        request=request,
    )


@require_GET
def letter_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as an HTML page to print (Noto CJK fonts)."""
    require_perm(request, VIEW_LETTER)
    letter = _letter(request, pk)
    return HttpResponse(_print_html(request, letter, for_pdf=False))


@require_GET
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as a PDF; the HTML print page when Chromium is not installed."""
    require_perm(request, VIEW_LETTER)
    letter = _letter(request, pk)
    return pdf_response(
        request,
        _print_html(request, letter, for_pdf=True),
        filename=f"letter-{letter.number}.pdf",
        obj=letter,
        message=_("Letter printed."),
        fallback=reverse("services:letter_print", args=[letter.pk]),
    )
