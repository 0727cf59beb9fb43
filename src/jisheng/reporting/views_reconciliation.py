"""The year-end reconciliation page (对账): the differences between the approved year-end
report and the registry, record by record, each with the unit's explanation. Scoped (a
unit outside the user's subtree: 404, audited)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core.web import GET_POST, require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.reporting import reconciliation
from jisheng.reporting.views_submissions import ADD, VIEW, home_unit


def _year(text: str) -> int:
    try:
        year = int(text)
    except (TypeError, ValueError):
        return timezone.localdate().year - 1
    return year if 1900 <= year <= 2200 else timezone.localdate().year - 1


@GET_POST
def reconciliation_page(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    source = request.POST if request.method == "POST" else request.GET
    code = (source.get("unit") or "").strip()
    unit = org_selectors.unit_get(user=request.user, code=code) if code else home_unit(request)
    year = _year(source.get("year", ""))
    result = reconciliation.reconcile(unit=unit, year=year) if unit is not None else None
    if request.method == "POST" and result is not None and result.submission is not None:
        require_perm(request, ADD)
        try:
            reconciliation.explain(
                actor=request.user,
                submission=result.submission,
                record=request.POST.get("record", ""),
                explanation=request.POST.get("explanation", ""),
            )
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("The explanation was saved."))
        return redirect(f"{request.path}?unit={unit.code}&year={year}")
    user_unit = getattr(request.user, "unit", None)
    return render(
        request,
        "reporting/submission_reconciliation.html",
        {
            "unit": unit,
            "year": year,
            "result": result,
            "can_explain": unit is not None
            and user_unit is not None
            and user_unit.pk == unit.pk
            and request.user.has_perm(ADD),
        },
    )
