"""Contract pages (/indicators/contracts/…): the year's contracts of the units below
the working unit (or ``?unit=CODE``) with a button to draw them all up from the pack,
a contract with its items, the edit page of a draft, signing, a new version, and the
printed contract (A4 page; PDF through Chromium when installed)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.core.forms import add_service_errors
from jisheng.core.pdf import pdf_response
from jisheng.core.web import GET_POST, require_perm
from jisheng.indicators import contracts
from jisheng.indicators.forms import DrawForm, ItemFormSet, SignForm, TermsForm
from jisheng.indicators.models import Contract, ContractItem
from jisheng.indicators.scoring import Rule, describe, num, target_text
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit
from jisheng.policy.measures import is_behaviour

VIEW = "indicators.view_contract"
ADD = "indicators.add_contract"
CHANGE = "indicators.change_contract"
SIGN = "indicators.sign_contract"


def _issuer(request: HttpRequest) -> Unit:
    code = (request.GET.get("unit") or request.POST.get("unit") or "").strip()
    if code:
        return org_selectors.unit_get(user=request.user, code=code)
    unit = getattr(request, "working_unit", None) or request.user.unit
    if unit is None:
        raise Http404(_("Not found."))
    return unit


def _year(request: HttpRequest) -> int:
    value = (request.GET.get("year") or request.POST.get("year") or "").strip()
    today = timezone.localdate()
    if value.isdigit() and 2000 <= int(value) <= today.year + 1:
        return int(value)
    return today.year


def item_rows(items: list[ContractItem]) -> list[dict]:
    """The items with their rule and target in words, for the pages and the print."""
    rows = []
    for item in items:
        rule = Rule(
            kind=item.scoring,
            weight=item.weight,
            target=item.target,
            direction=item.direction,
            minus_per_point=item.minus_per_point,
            floor=item.floor,
            zero_at=item.zero_at,
            full_at=item.full_at,
            unit=item.unit,
        )
        rows.append(
            {
                "item": item,
                "target": target_text(rule) if item.kind != ContractItem.Kind.VETO else "",
                "rule": describe(rule) if item.kind != ContractItem.Kind.VETO else "",
                "weight": num(item.weight),
                # a behaviour indicator: shown apart, never scored (SPEC §0)
                "information": item.kind == ContractItem.Kind.INDICATOR
                and is_behaviour(item.indicator),
            }
        )
    return rows


@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    """Each unit directly below the issuing unit with its contract for the year."""
    require_perm(request, VIEW)
    issuer = _issuer(request)
    year = _year(request)
    rows = contracts.children_rows(request.user, issuer, year)
    return render(
        request,
        "indicators/contract_list.html",
        {
            "issuer": issuer,
            "year": year,
            "rows": rows,
            "missing": sum(1 for r in rows if r.current is None),
            "can_add": request.user.has_perm(ADD),
            "draw_form": DrawForm(initial={"year": year}),
        },
    )


@require_POST
def contract_draw_all(request: HttpRequest) -> HttpResponse:
    """Draw up the contract of every unit below the issuer that has none for the year."""
    require_perm(request, ADD)
    issuer = _issuer(request)
    form = DrawForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{reverse('indicators:contract_list')}?unit={issuer.code}")
    year = form.cleaned_data["year"]
    try:
        result = contracts.contracts_draw_all(actor=request.user, issuer=issuer, year=year)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(created)s contracts drawn up; %(skipped)s units had one already.")
            % {"created": len(result.created), "skipped": len(result.skipped)},
        )
    return redirect(f"{reverse('indicators:contract_list')}?unit={issuer.code}&year={year}")


@require_GET
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    contract = contracts.contract_get(request.user, pk)
    items = contracts.contract_items(contract)
    can_edit = request.user.has_perm(CHANGE) and _writable(request, contract)
    rows = item_rows(items)
    return render(
        request,
        "indicators/contract_detail.html",
        {
            "contract": contract,
            "rows": rows,
            "information": [r for r in rows if r["information"]],
            "weights": num(contracts.weights_sum(items)),
            "problems": contracts.sign_problems(contract, items) if contract.editable else [],
            "can_edit": can_edit,
            "can_sign": request.user.has_perm(SIGN) and _writable(request, contract),
            "can_revise": request.user.has_perm(ADD) and _writable(request, contract),
            "history": Contract.objects.filter(unit=contract.unit, year=contract.year)
            .exclude(pk=contract.pk)
            .order_by("-version"),
        },
    )


def _writable(request: HttpRequest, contract: Contract) -> bool:
    """Whether the user works for the issuing unit or above it (writes need that)."""
    from jisheng.core.scope import path_in_scope

    return path_in_scope(contract.issuer.path, request.user)


def _initial(items: list[ContractItem]) -> list[dict]:
    return [
        {name: getattr(i, name) for name in contracts.ITEM_FIELDS if name != "position"}
        for i in items
    ]


@GET_POST
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The items and the total of a draft, edited as a whole."""
    require_perm(request, CHANGE)
    contract = contracts.contract_get(request.user, pk)
    if not contract.editable:
        messages.error(request, _("A signed contract cannot be changed: draw up a new version."))
        return redirect("indicators:contract_detail", contract.pk)
    items = contracts.contract_items(contract)
    post = request.POST if request.method == "POST" else None
    terms = TermsForm(
        post,
        initial={
            "total_points": contract.total_points,
            "flag_last_place": contract.flag_last_place,
        },
    )
    formset = ItemFormSet(post, initial=_initial(items), prefix="items")
    if request.method == "POST" and terms.is_valid() and formset.is_valid():
        try:
            contracts.contract_update(
                actor=request.user,
                contract=contract,
                items=formset.items(),
                total_points=terms.cleaned_data["total_points"],
                flag_last_place=terms.cleaned_data["flag_last_place"],
            )
        except ValidationError as exc:
            add_service_errors(terms, exc, models=(Contract,))
        else:
            messages.success(request, _("The contract was saved."))
            return redirect("indicators:contract_detail", contract.pk)
    return render(
        request,
        "indicators/contract_edit.html",
        {"contract": contract, "terms": terms, "formset": formset},
    )


@GET_POST
def contract_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Record who signed for each side and when; the contract becomes read-only."""
    require_perm(request, SIGN)
    contract = contracts.contract_get(request.user, pk)
    if not contract.editable:
        messages.error(request, _("This contract is signed already."))
        return redirect("indicators:contract_detail", contract.pk)
    form = SignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            contracts.contract_sign(actor=request.user, contract=contract, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, models=(Contract,))
        else:
            messages.success(request, _("The signing was recorded."))
            return redirect("indicators:contract_detail", contract.pk)
    return render(
        request,
        "indicators/contract_sign.html",
        {
            "contract": contract,
            "form": form,
            "problems": contracts.sign_problems(contract),
        },
    )


@require_POST
def contract_revise(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, ADD)
    contract = contracts.contract_get(request.user, pk)
    try:
        new = contracts.contract_revise(actor=request.user, contract=contract)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("indicators:contract_detail", contract.pk)
    messages.success(
        request, _("Version %(version)s drawn up: edit it and sign it.") % {"version": new.version}
    )
    return redirect("indicators:contract_edit", new.pk)


@require_POST
def contract_discard(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, CHANGE)
    contract = contracts.contract_get(request.user, pk)
    back = f"{reverse('indicators:contract_list')}?unit={contract.issuer.code}&year={contract.year}"
    try:
        contracts.contract_discard(actor=request.user, contract=contract)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("indicators:contract_detail", contract.pk)
    messages.success(request, _("The draft was discarded."))
    return redirect(back)


def _print_html(request: HttpRequest, contract: Contract, *, for_pdf: bool) -> str:
    """The printed contract follows the Chinese template: always in Chinese."""
    with translation.override("zh-hans"):
        return _render_print(request, contract, for_pdf=for_pdf)


def _render_print(request: HttpRequest, contract: Contract, *, for_pdf: bool) -> str:
    items = contracts.contract_items(contract)
    rows = item_rows(items)
    return render_to_string(
        "indicators/contract_print.html",
        {
            "contract": contract,
            "rows": [
                r for r in rows if r["item"].kind != ContractItem.Kind.VETO and not r["information"]
            ],
            "information": [r for r in rows if r["information"]],
            "vetoes": [r for r in rows if r["item"].kind == ContractItem.Kind.VETO],
            "weights": num(contracts.weights_sum(items)),
            "total": num(contract.total_points),
            "for_pdf": for_pdf,
        },
        request=request,
    )


@require_GET
def contract_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The contract as an A4 page to print."""
    require_perm(request, VIEW)
    contract = contracts.contract_get(request.user, pk)
    return HttpResponse(_print_html(request, contract, for_pdf=False))


@require_GET
def contract_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The contract as a PDF; the print page when Chromium is not installed."""
    require_perm(request, VIEW)
    contract = contracts.contract_get(request.user, pk)
    return pdf_response(
        request,
        _print_html(request, contract, for_pdf=True),
        filename=f"contract-{contract.year}-{contract.unit.code}-v{contract.version}.pdf",
        obj=contract,
        message=_("Contract printed."),
        fallback=reverse("indicators:contract_print", args=[contract.pk]),
    )
