"""Logic-check pages (/quality/…): the rules in force, the checks of a unit and period
grouped by rule, one rule's violations with the explain form, and the records behind a
violation. Scoped: a unit or a record outside the user's subtree answers 404 (audited)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.core import periods
from jisheng.core.periods import MONTH, Period
from jisheng.core.web import require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit
from jisheng.orgs.web import requested_unit
from jisheng.people.models import Person
from jisheng.quality import selectors_rules, services_rules
from jisheng.quality.checks import RECORD_KIND_LABELS
from jisheng.quality.checks_records import RECORD_CHECKS

VIEW = "quality.view_logicrule"
EXPLAIN = "quality.add_logicexplanation"
PAGE_SIZE = 50


def _period(request: HttpRequest) -> Period | str:
    try:
        return periods.parse_or_current(request.GET.get("period"), timezone.localdate(), kind=MONTH)
    except ValueError as exc:
        return str(exc)


def _query(unit: Unit, period: Period, **more: str) -> str:
    return urlencode(
        {"unit": unit.code, "period": period.code, **{k: v for k, v in more.items() if v}}
    )


@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    """The logic rules in force: what each compares or checks, its message and severity."""
    require_perm(request, VIEW)
    page = Paginator(selectors_rules.rules_in_force(), PAGE_SIZE).get_page(request.GET.get("page"))
    for rule in page.object_list:
        rule.message_shown = message_template(rule.message)
    return render(
        request,
        "quality/rule_list.html",
        {"page": page, "checks": {k: c.label for k, c in RECORD_CHECKS.items()}},
    )


PLACEHOLDERS = re.compile(r"\{(left|right|unit|detail)\}")


def message_template(message: str) -> str:
    """A rule's message as a template to read: ``{left}`` … in words, not braces."""
    words = {
        "left": _("left-hand figure"),
        "right": _("right-hand figure"),
        "unit": _("unit"),
        "detail": _("details"),
    }
    return PLACEHOLDERS.sub(lambda m: "〈" + words[m.group(1)] + "〉", message)


@require_GET
def check_run(request: HttpRequest) -> HttpResponse:
    """The checks of a unit's subtree for a period (default: the working unit, this month),
    grouped by rule with counts; each rule links to its violations."""
    require_perm(request, VIEW)
    unit = requested_unit(request)
    period = _period(request)
    if isinstance(period, str):
        return render(
            request, "quality/check_run.html", {"unit": unit, "error": period}, status=400
        )
    results = selectors_rules.results_by_rule(unit=unit, period=period)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/check_run.html",
        {
            "unit": unit,
            "period": period,
            "page": page,
            "query": _query(unit, period),
            "total": sum(r.count for r in results),
            "unexplained": sum(
                1 for r in results for v in r.violations if v.is_error and not v.explained
            ),
        },
    )


@require_GET
def check_rule(request: HttpRequest, key: str) -> HttpResponse:
    """One rule's violations in the unit's subtree for the period, each with its
    explanation (error level: the form to explain it) and its drill-down."""
    require_perm(request, VIEW)
    rule = selectors_rules.rule_get(key)
    unit = requested_unit(request)
    period = _period(request)
    if isinstance(period, str):
        return render(
            request, "quality/check_run.html", {"unit": unit, "error": period}, status=400
        )
    violations = selectors_rules.rule_violations(unit=unit, period=period, key=key)
    page = Paginator(violations, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(v, services_rules.drill_url(v, unit)) for v in page]
    return render(
        request,
        "quality/check_rule.html",
        {
            "rule": rule,
            "unit": unit,
            "period": period,
            "page": page,
            "rows": rows,
            "query": _query(unit, period),
            "can_explain": request.user.has_perm(EXPLAIN),
            "here": request.get_full_path(),
        },
    )


@require_GET
def check_records(request: HttpRequest) -> HttpResponse:
    """The records behind a violation: for a comparison, the persons behind each figure
    (``term``: which one); for a record check, the record and the persons it is about."""
    require_perm(request, VIEW)
    unit = requested_unit(request)
    if not request.GET.get("rule"):
        return render(
            request,
            "quality/check_run.html",
            {"unit": unit, "error": _("Choose a rule of the results.")},
            status=400,
        )
    rule = selectors_rules.rule_get(request.GET.get("rule", ""))
    period = _period(request)
    if isinstance(period, str):
        return render(
            request, "quality/check_run.html", {"unit": unit, "error": period}, status=400
        )
    context: dict[str, object] = {"rule": rule, "unit": unit, "period": period}
    ref = request.GET.get("record", "")
    if selectors_rules.is_record_rule(rule):
        if not ref:
            context["error"] = _("Choose a record of the rule's results.")
            return render(request, "quality/check_records.html", context, status=400)
        obj = selectors_rules.record_in_unit(request.user, unit, ref)
        persons = selectors_rules.persons_of_record(obj)
        if rule.record_check == "duplicate_person" and isinstance(obj, Person):
            persons = selectors_rules.duplicates_of(obj, unit)
        context.update(
            {
                "record": obj,
                "record_kind": RECORD_KIND_LABELS.get(ref.split(":")[0], ""),
                "page": Paginator(persons, PAGE_SIZE).get_page(request.GET.get("page")),
                "query": _query(unit, period, rule=rule.key, record=ref),
            }
        )
        return render(request, "quality/check_records.html", context)
    terms = selectors_rules.terms_behind(rule=rule, unit=unit, period=period)
    try:
        chosen = max(0, min(int(request.GET.get("term", 0)), len(terms) - 1))
    except ValueError:
        chosen = 0
    term = terms[chosen] if terms else None
    rows = term.persons if term and term.persons is not None else (term.records if term else [])
    context.update(
        {
            "terms": [(i, t.label) for i, t in enumerate(terms)],
            "chosen": chosen,
            "term": term,
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": _query(unit, period, rule=rule.key, term=str(chosen)),
            "base_query": _query(unit, period, rule=rule.key),
        }
    )
    return render(request, "quality/check_records.html", context)


@require_POST
def check_explain(request: HttpRequest) -> HttpResponse:
    """Explain an error-level violation (text; who and when are recorded)."""
    require_perm(request, EXPLAIN)
    unit = org_selectors.unit_get(user=request.user, code=request.POST.get("unit", ""))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("quality:check_run")
    try:
        period = periods.parse(request.POST.get("period", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(back)
    record = request.POST.get("record", "")
    if record:
        selectors_rules.record_in_unit(request.user, unit, record)
    try:
        services_rules.explain(
            actor=request.user,
            rule_key=request.POST.get("rule", ""),
            unit=unit,
            period=period,
            text=request.POST.get("text", ""),
            record=record,
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The explanation was saved."))
    return HttpResponseRedirect(back)
