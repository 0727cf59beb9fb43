"""The status grid page (报表上报情况): a unit's children's reports of a form and period,
with the counts of their subtrees; drill into a child. Scoped (another unit: 404,
audited)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.core.statforms import statforms
from jisheng.core.web import require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.reporting import selectors_submissions
from jisheng.reporting import services_submission as svc
from jisheng.reporting.views_submissions import VIEW, default_period, home_unit


@require_GET
def grid(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    specs = statforms()
    code = (request.GET.get("unit") or "").strip()
    unit = org_selectors.unit_get(user=request.user, code=code) if code else home_unit(request)
    form_key = (request.GET.get("form") or "").strip() or (specs[0].key if specs else "")
    error = ""
    result = None
    spec = period = None
    try:
        if not specs:
            raise ValidationError(_("No statistical form is defined yet."))
        spec = svc.spec_get(form_key)
        code_p = (request.GET.get("period") or "").strip()
        period = svc.period_get(spec, code_p) if code_p else default_period(spec)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if spec is not None and period is not None and unit is not None:
        result = selectors_submissions.grid(
            unit=unit, spec=spec, period=period, today=timezone.localdate()
        )
    parent = None
    if unit is not None and unit.depth > 1:
        user_unit = getattr(request.user, "unit", None)
        if user_unit is not None and unit.path != user_unit.path:
            parent = unit.parent_unit
    return render(
        request,
        "reporting/grid.html",
        {
            "unit": unit,
            "specs": specs,
            "spec": spec,
            "period": period,
            "grid": result,
            "error": error,
            "parent": parent,
            "states": [
                selectors_submissions.STATE_LABELS[s] for s in selectors_submissions.STATE_ORDER
            ],
        },
    )
