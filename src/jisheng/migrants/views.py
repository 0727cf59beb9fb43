"""Floating-population pages (/migrants/…): the working unit's in-migrant women aged
15–49 with their last certificate check, and the form to record a check.

Scoped: persons outside the user's subtree answer 404 (audited)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.core.forms import add_service_errors
from jisheng.core.scope import get_in_scope_or_404
from jisheng.core.web import GET_POST, require_perm
from jisheng.migrants import selectors, services
from jisheng.migrants.forms import CheckForm
from jisheng.migrants.models import MigrantCheck
from jisheng.migrants.selectors import verified_window
from jisheng.orgs import selectors as org_selectors
from jisheng.people.models import Person

VIEW = "migrants.view_migrantcheck"
ADD = "migrants.add_migrantcheck"
PAGE_SIZE = 50


@require_GET
def check_list(request: HttpRequest) -> HttpResponse:
    """In-migrant women aged 15–49 living in the working unit's subtree today, with their
    last check; ``unverified=1`` keeps those without a valid check in the last 12 months."""
    require_perm(request, VIEW)
    code = (request.GET.get("unit") or "").strip()
    unit = (
        org_selectors.unit_get(user=request.user, code=code)
        if code
        else getattr(request, "working_unit", None)
    )
    today = timezone.localdate()
    q = request.GET.get("q", "")
    unverified = request.GET.get("unverified") == "1"
    rows = selectors.in_migrant_women(
        request.user, unit=unit, day=today, q=q, unverified_only=unverified
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in {"unit": code, "q": q}.items() if v}
    if unverified:
        query["unverified"] = "1"
    return render(
        request,
        "migrants/check_list.html",
        {
            "page": page,
            "unit": unit,
            "q": q,
            "unverified": unverified,
            "query": urlencode(query),
            "today": today,
            "window_start": verified_window(today)[0],
            "can_add": request.user.has_perm(ADD),
        },
    )


@GET_POST
def check_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's checks and the form to record a new one."""
    require_perm(request, VIEW)
    person = get_in_scope_or_404(Person.objects.select_related("unit"), request.user, pk=pk)
    form = CheckForm(
        request.POST if request.method == "POST" else None,
        initial={"checked_on": timezone.localdate()},
    )
    if request.method == "POST":
        require_perm(request, ADD)
        if form.is_valid():
            try:
                services.check_record(actor=request.user, person=person, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc, models=(MigrantCheck,))
            else:
                messages.success(
                    request,
                    _("The certificate check of %(name)s was recorded.") % {"name": person.name},
                )
                return redirect("migrants:check_create", person.pk)
    return render(
        request,
        "migrants/check_form.html",
        {
            "person": person,
            "form": form,
            "checks": selectors.checks_of(person),
            "can_add": request.user.has_perm(ADD),
        },
    )
