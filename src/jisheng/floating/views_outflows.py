"""People-away pages (/floating/outflows/…, /floating/teams/…): the list, the record
form, the detail with its contacts, agreement, certificate and actions, the agreement's
print page, and the teams working away. Thin: parse, authorise, call a service, render.

Scoped: a record, person or team outside the user's subtree answers 404 (audited)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.certificates.kinds import kind as kind_spec
from jisheng.certificates.selectors_register import issuers_for
from jisheng.core.forms import add_service_errors
from jisheng.core.periods import add_months
from jisheng.core.scope import get_in_scope_or_404
from jisheng.core.web import GET_POST, require_perm
from jisheng.floating import selectors_outflows as selectors
from jisheng.floating import services_outflows as services
from jisheng.floating.choices import OutflowStatus
from jisheng.floating.forms_outflows import (
    AgreementForm,
    ContactForm,
    DissolveForm,
    IssueForm,
    OutflowForm,
    ReturnForm,
    TeamForm,
    TransferForm,
)
from jisheng.floating.models import AwayTeam, ContactRecord, Outflow, ServiceAgreement
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import User
from jisheng.people.models import Person

VIEW = "floating.view_outflow"
ADD = "floating.add_outflow"
CHANGE = "floating.change_outflow"
ADD_CONTACT = "floating.add_contactrecord"
ADD_AGREEMENT = "floating.add_serviceagreement"
VIEW_TEAM = "floating.view_awayteam"
ADD_TEAM = "floating.add_awayteam"
CHANGE_TEAM = "floating.change_awayteam"
ISSUE_ADD = "certificates.add_certificate"
ISSUE_CHANGE = "certificates.change_certificate"
ISSUE = (ISSUE_ADD, ISSUE_CHANGE)
PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_GET
def outflow_list(request: HttpRequest) -> HttpResponse:
    """People away of the working unit's subtree: status, unit, contact overdue, without
    an agreement, name search."""
    require_perm(request, VIEW)
    user = _user(request)
    code = (request.GET.get("unit") or "").strip()
    unit = (
        org_selectors.unit_get(user=user, code=code)
        if code
        else getattr(request, "working_unit", None)
    )
    status = request.GET.get("status", OutflowStatus.AWAY)
    if status not in OutflowStatus.values and status != "all":
        status = OutflowStatus.AWAY
    q = request.GET.get("q", "")
    overdue = request.GET.get("overdue") == "1"
    no_agreement = request.GET.get("no_agreement") == "1"
    today = timezone.localdate()
    rows = selectors.outflows(
        user,
        unit=unit,
        status="" if status == "all" else status,
        q=q,
        overdue=overdue,
        no_agreement=no_agreement,
        today=today,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query: dict[str, str] = {k: v for k, v in {"unit": code, "q": q, "status": status}.items() if v}
    if overdue:
        query["overdue"] = "1"
    if no_agreement:
        query["no_agreement"] = "1"
    return render(
        request,
        "floating/outflow_list.html",
        {
            "page": page,
            "unit": unit,
            "q": q,
            "status": status,
            "statuses": OutflowStatus.choices,
            "overdue": overdue,
            "no_agreement": no_agreement,
            "query": urlencode(query),
            "contact_before": add_months(today, -services.CONTACT_EVERY_MONTHS),
            "can_add": user.has_perm(ADD),
        },
    )


@GET_POST
def outflow_record(request: HttpRequest) -> HttpResponse:
    """The form to record a person away; without ``person``, a search for her."""
    require_perm(request, ADD)
    user = _user(request)
    pk = request.POST.get("person") or request.GET.get("person")
    if not pk:
        q = request.GET.get("q", "")
        return render(
            request,
            "floating/outflow_pick.html",
            {"q": q, "persons": selectors.persons_for_record(user, q=q)},
        )
    person = get_in_scope_or_404(Person.objects.select_related("unit"), user, pk=pk)
    form = OutflowForm(
        request.POST if request.method == "POST" else None,
        teams=selectors.teams(user).filter(unit_id=person.unit_id),
        initial={"left_on": timezone.localdate(), "phone": person.phone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            outflow = services.outflow_record(actor=user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, models=(Outflow,))
        else:
            messages.success(request, _("%(name)s was recorded as away.") % {"name": person.name})
            return redirect("floating:outflow_detail", outflow.pk)
    return render(
        request,
        "floating/outflow_form.html",
        {"person": person, "form": form, "outflow": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
def outflow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    user = _user(request)
    outflow = selectors.outflow_get(user, pk)
    return _detail(request, user, outflow)


def _detail(
    request: HttpRequest,
    user: User,
    outflow: Outflow,
    *,
    return_form: ReturnForm | None = None,
    transfer_form: TransferForm | None = None,
    issue_form: IssueForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    is_open = outflow.status == OutflowStatus.AWAY
    can_issue = all(user.has_perm(p) for p in ISSUE)
    issuers = issuers_for(user, kind_spec("migrant_marriage"), outflow.unit) if can_issue else []
    contacts = list(selectors.contacts_of(outflow))
    last = contacts[0].contacted_on if contacts else outflow.recorded_on
    return render(
        request,
        "floating/outflow_detail.html",
        {
            "outflow": outflow,
            "person": outflow.person,
            "contacts": contacts,
            "agreement": selectors.agreement_of(outflow),
            "agreement_due": services.agreement_due(outflow.unit, outflow.left_on, on=today),
            "contact_due": services.contact_due(last) if is_open else None,
            "transfer": services.transfer_of(outflow),
            "valid_certificate": (
                services.valid_certificate_of(outflow.person, today)
                if outflow.certificate_id is None
                else None
            ),
            "is_open": is_open,
            "can_change": user.has_perm(CHANGE) and is_open,
            "can_contact": user.has_perm(ADD_CONTACT) and is_open,
            "can_sign": user.has_perm(ADD_AGREEMENT) and is_open,
            "can_issue": can_issue and is_open and bool(issuers),
            "return_form": return_form or ReturnForm(initial={"returned_on": today}),
            "transfer_form": transfer_form or TransferForm(initial={"transferred_on": today}),
            "issue_form": issue_form or IssueForm(issuers=issuers),
        },
        status=status,
    )


@GET_POST
def outflow_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Change where she lives and how to reach her."""
    require_perm(request, CHANGE)
    user = _user(request)
    outflow = selectors.outflow_get(user, pk)
    initial = {f: getattr(outflow, f) for f in services.UPDATABLE}
    initial["destination_unit"] = (
        outflow.destination_unit.code if outflow.destination_unit is not None else ""
    )
    form = OutflowForm(
        request.POST if request.method == "POST" else None,
        teams=selectors.teams(user).filter(unit_id=outflow.unit_id),
        update=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.outflow_update(actor=user, outflow=outflow, data=dict(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc, models=(Outflow,))
        else:
            messages.success(request, _("The record was saved."))
            return redirect("floating:outflow_detail", outflow.pk)
    return render(
        request,
        "floating/outflow_form.html",
        {"person": outflow.person, "form": form, "outflow": outflow},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
def outflow_return(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, CHANGE)
    user = _user(request)
    outflow = selectors.outflow_get(user, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.outflow_return(actor=user, outflow=outflow, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, models=(Outflow,))
        else:
            messages.success(request, _("%(name)s has returned.") % {"name": outflow.person.name})
            return redirect("floating:outflow_detail", outflow.pk)
    return _detail(request, user, outflow, return_form=form, status=400)


@require_POST
def outflow_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, CHANGE)
    user = _user(request)
    outflow = selectors.outflow_get(user, pk)
    form = TransferForm(request.POST)
    if form.is_valid():
        try:
            transfer = services.outflow_transfer(actor=user, outflow=outflow, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, models=(Outflow,))
        else:
            messages.success(
                request,
                _("Her management is handed over; complete the transfer with its clearance."),
            )
            if transfer is not None:
                return redirect("people:transfer_complete", transfer.pk)
            return redirect("floating:outflow_detail", outflow.pk)
    return _detail(request, user, outflow, transfer_form=form, status=400)


@require_POST
def certificate_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link her valid 婚育证明 to the record."""
    require_perm(request, CHANGE)
    user = _user(request)
    outflow = selectors.outflow_get(user, pk)
    try:
        services.certificate_link(actor=user, outflow=outflow)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The certificate was linked."))
    return redirect("floating:outflow_detail", outflow.pk)


@require_POST
def certificate_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue her a 婚育证明 now (the certificates' permissions) and link it."""
    require_perm(request, ISSUE_ADD)
    require_perm(request, ISSUE_CHANGE)
    user = _user(request)
    outflow = selectors.outflow_get(user, pk)
    issuers = issuers_for(user, kind_spec("migrant_marriage"), outflow.unit)
    form = IssueForm(request.POST, issuers=issuers)
    if form.is_valid():
        try:
            certificate = services.certificate_issue_now(
                actor=user, outflow=outflow, issuer=form.cleaned_data["issuer"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"kind": "issuer", "person": "issuer"})
        else:
            messages.success(
                request, _("Certificate %(number)s issued.") % {"number": certificate.number}
            )
            return redirect("floating:outflow_detail", outflow.pk)
    return _detail(request, user, outflow, issue_form=form, status=400)


@GET_POST
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Her contacts and the form to record one."""
    require_perm(request, VIEW)
    user = _user(request)
    outflow = selectors.outflow_get(user, pk)
    form = ContactForm(
        request.POST if request.method == "POST" else None,
        initial={"contacted_on": timezone.localdate()},
    )
    if request.method == "POST":
        require_perm(request, ADD_CONTACT)
        if form.is_valid():
            try:
                services.contact_record(actor=user, outflow=outflow, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc, models=(ContactRecord,))
            else:
                messages.success(request, _("The contact was recorded."))
                return redirect("floating:outflow_detail", outflow.pk)
    return render(
        request,
        "floating/outflow_contact.html",
        {
            "outflow": outflow,
            "form": form,
            "contacts": selectors.contacts_of(outflow),
            "can_add": user.has_perm(ADD_CONTACT) and outflow.status == OutflowStatus.AWAY,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@GET_POST
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The pack's agreement in force for her unit, and the services she chooses."""
    require_perm(request, ADD_AGREEMENT)
    user = _user(request)
    outflow = selectors.outflow_get(user, pk)
    if selectors.agreement_of(outflow) is not None:
        return redirect("floating:agreement_print", outflow.pk)
    today = timezone.localdate()
    agreement, _version = services.agreement_in_force(outflow.unit, today)
    form = AgreementForm(
        request.POST if request.method == "POST" else None,
        agreement=agreement,
        initial={"signed_on": today, "phone": outflow.phone, "address": outflow.destination},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_sign(actor=user, outflow=outflow, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, models=(ServiceAgreement,))
        else:
            messages.success(request, _("The service agreement was signed."))
            return redirect("floating:outflow_detail", outflow.pk)
    return render(
        request,
        "floating/agreement_form.html",
        {"outflow": outflow, "form": form, "agreement": agreement},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
def agreement_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed agreement as an A4 page to print (Noto CJK fonts)."""
    require_perm(request, VIEW)
    user = _user(request)
    outflow = selectors.outflow_get(user, pk)
    agreement = get_in_scope_or_404(
        ServiceAgreement.objects.select_related("unit"), user, outflow=outflow
    )
    return render(
        request,
        "floating/agreement_print.html",
        {"outflow": outflow, "agreement": agreement, "lines": agreement.text.splitlines()},
    )


# --------------------------------------------------------------------------- teams


@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_TEAM)
    user = _user(request)
    show_all = request.GET.get("all") == "1"
    unit = getattr(request, "working_unit", None)
    rows = selectors.teams(user, unit=unit, active=not show_all)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "floating/team_list.html",
        {
            "page": page,
            "unit": unit,
            "show_all": show_all,
            "can_add": user.has_perm(ADD_TEAM) and unit is not None,
        },
    )


@GET_POST
def team_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, ADD_TEAM)
    user = _user(request)
    unit = getattr(request, "working_unit", None) or user.unit
    if unit is None:
        raise Http404(_("Not found."))
    form = TeamForm(
        request.POST if request.method == "POST" else None,
        initial={"formed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.team_create(actor=user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, models=(AwayTeam,))
        else:
            messages.success(request, _("The team was saved."))
            return redirect("floating:team_list")
    return render(
        request,
        "floating/team_form.html",
        {"form": form, "team": None, "unit": unit},
        status=400 if form.is_bound and form.errors else 200,
    )


@GET_POST
def team_update(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW_TEAM)
    user = _user(request)
    team = selectors.team_get(user, pk)
    initial = {f: getattr(team, f) for f in services.TEAM_FIELDS}
    form = TeamForm(
        request.POST if request.method == "POST" else None, update=True, initial=initial
    )
    dissolve = DissolveForm(initial={"dissolved_on": timezone.localdate()})
    if request.method == "POST":
        require_perm(request, CHANGE_TEAM)
        if "dissolve" in request.POST:
            dissolve = DissolveForm(request.POST)
            if dissolve.is_valid():
                try:
                    services.team_dissolve(actor=user, team=team, **dissolve.cleaned_data)
                except ValidationError as exc:
                    add_service_errors(dissolve, exc, models=(AwayTeam,))
                else:
                    messages.success(request, _("The team was dissolved."))
                    return redirect("floating:team_list")
            form = TeamForm(update=True, initial=initial)
        elif form.is_valid():
            try:
                services.team_update(actor=user, team=team, data=dict(form.cleaned_data))
            except ValidationError as exc:
                add_service_errors(form, exc, models=(AwayTeam,))
            else:
                messages.success(request, _("The team was saved."))
                return redirect("floating:team_list")
    members = team.members.filter(status=OutflowStatus.AWAY).select_related("person")
    bound = bool(form.is_bound and form.errors) or bool(dissolve.is_bound and dissolve.errors)
    return render(
        request,
        "floating/team_form.html",
        {
            "form": form,
            "dissolve": dissolve,
            "team": team,
            "unit": team.unit,
            "members": members,
            "can_change": user.has_perm(CHANGE_TEAM) and team.dissolved_on is None,
        },
        status=400 if bound else 200,
    )
