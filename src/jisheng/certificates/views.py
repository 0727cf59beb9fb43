"""Certificate pages (/certificates/…): the register of every kind, applying for one
(the kind chosen, then its form), a certificate with its steps (review, issue, return,
apply again, revoke, reissue), the kinds as the office reads them, and the couples to
offer the 独生子女父母光荣证. Scoped: another unit's certificate answers 404 (audited).
The rules are the engine's (:mod:`jisheng.certificates.services`)."""

from __future__ import annotations

import contextlib
import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jisheng.certificates import selectors, selectors_register, services
from jisheng.certificates.choices import CertificateStatus
from jisheng.certificates.forms import ApplyForm, StepForm
from jisheng.certificates.kinds import KindSpec, kinds
from jisheng.certificates.models import Certificate
from jisheng.core import workflow
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.core.web import GET_POST, require_perm
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit
from jisheng.policy import selectors as policy_selectors
from jisheng.policy.presentation import deadline_text, well_known_deadlines

if TYPE_CHECKING:
    from jisheng.orgs.models import User
    from jisheng.people.models import Couple, Person

VIEW = "certificates.view_certificate"
ADD = "certificates.add_certificate"
CHANGE = "certificates.change_certificate"
PAGE_SIZE = 50

# The steps of a certificate's page: the status a step leads to → the button's key, and
# the key → the engine's service that takes it.
STEP_KEYS = {
    CertificateStatus.REVIEWED: "review",
    CertificateStatus.ISSUED: "issue",
    CertificateStatus.RETURNED: "return",
    CertificateStatus.APPLIED: "resubmit",
    CertificateStatus.REVOKED: "revoke",
    CertificateStatus.REPLACED: "reissue",
}
SERVICES = {
    "review": "certificate_review",
    "issue": "certificate_issue",
    "return": "certificate_return",
    "resubmit": "certificate_resubmit",
    "revoke": "certificate_revoke",
    "reissue": "certificate_reissue",
}
MESSAGE_LABELS = {
    "return": gettext_lazy("Why it is returned (the applicant reads this)"),
    "revoke": gettext_lazy("Reason for revoking"),
    "reissue": gettext_lazy("Reason for the reissue"),
}
BUTTON_CLASSES = {
    "review": "btn-primary",
    "issue": "btn-success",
    "return": "btn-outline-warning",
    "resubmit": "btn-primary",
    "revoke": "btn-outline-danger",
    "reissue": "btn-outline-secondary",
}
APPLICANT_LABELS = {
    "holder": gettext_lazy("the holder (entered by staff for them)"),
    "office": gettext_lazy("the family planning office"),
    "employer": gettext_lazy("the holder's work unit"),
}
SOURCE_LABELS = {
    "registry": gettext_lazy("the population register"),
    "marriage": gettext_lazy("marriages"),
    "births": gettext_lazy("births"),
    "only_child": gettext_lazy("the only child"),
    "methods": gettext_lazy("contraception"),
    "migrant": gettext_lazy("the floating population"),
    "certificate": gettext_lazy("the certificate shown"),
    "transfer": gettext_lazy("management transfers"),
    "leave": gettext_lazy("leave"),
}
PAPER_LABELS = {
    "A4": gettext_lazy("A4, portrait"),
    "A5": gettext_lazy("A5, portrait"),
    "A4-landscape": gettext_lazy("A4, landscape"),
    "A5-landscape": gettext_lazy("A5, landscape"),
}
FIELD_TYPE_LABELS = {
    "text": gettext_lazy("text"),
    "date": gettext_lazy("date"),
    "int": gettext_lazy("whole number"),
    "choice": gettext_lazy("choice"),
}


def _year(value: str) -> int | None:
    return int(value) if value.isdigit() and 1900 <= int(value) <= 2200 else None


def _reverse_or_none(name: str, *args: object) -> str | None:
    """The URL of a page another helper adds (PDF, verification): None until it exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _spec(key: str) -> KindSpec:
    spec = kinds().get(key)
    if spec is None:
        raise Http404(_("There is no such kind of certificate."))
    return spec


def _kind_title(key: str) -> str:
    spec = kinds().get(key)
    return spec.title if spec is not None else key


# --------------------------------------------------------------------------- the register


@require_GET
def certificate_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    unit = getattr(request, "working_unit", None)
    kind = request.GET.get("kind", "")
    kind = kind if kind in kinds() else ""
    status = request.GET.get("status", "")
    status = status if status in CertificateStatus.values else ""
    year = _year(request.GET.get("year", "").strip())
    q = request.GET.get("q", "").strip()[:60]
    rows = selectors_register.register(
        request.user, unit=unit, kind=kind, status=status, year=year, q=q
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {
        k: v for k, v in {"kind": kind, "status": status, "year": year or "", "q": q}.items() if v
    }
    return render(
        request,
        "certificates/certificate_list.html",
        {
            "page": page,
            "rows": [{"certificate": c, "kind_title": _kind_title(c.kind)} for c in page],
            "unit": unit,
            "kinds": [(k.key, k.title) for k in kinds().values()],
            "statuses": CertificateStatus.choices,
            "kind": kind,
            "status": status,
            "year": year,
            "q": q,
            "filtered": bool(query),
            "query": urlencode(query),
            "can_add": request.user.has_perm(ADD),
        },
    )


@require_GET
def kind_list(request: HttpRequest) -> HttpResponse:
    """The kinds of certificate (``kinds.yaml``) in words: who issues, who applies, what
    is checked and entered, how long it is valid, whether it is reviewed."""
    require_perm(request, VIEW)
    types = dict(UnitType.choices)
    unit = getattr(request, "working_unit", None)
    rows = [
        {
            "spec": spec,
            "issuers": [types.get(t, t) for t in spec.issuers],
            "applicants": [APPLICANT_LABELS[a] for a in spec.applicants],
            "sources": [SOURCE_LABELS[s] for s in spec.draws_on],
            "fields": [{"field": f, "type": FIELD_TYPE_LABELS[f.type]} for f in spec.fields],
            "deadline": _deadline_label(spec.deadline, unit),
            "paper": PAPER_LABELS[spec.paper],
        }
        for spec in kinds().values()
    ]
    return render(
        request,
        "certificates/kind_list.html",
        {"rows": rows, "can_add": request.user.has_perm(ADD)},
    )


def _deadline_label(key: str | None, unit: Unit | None) -> str:
    """The label of a deadline in the policy pack in force for ``unit`` (the key itself
    is never shown), or its rule in words."""
    if not key:
        return ""
    pack = policy_selectors.pack_in_force(unit)
    rule = pack.deadlines.get(key) if pack is not None else None
    if rule is not None:
        label = getattr(rule, "label", "") or well_known_deadlines().get(key, "")
        return str(label) if label else deadline_text(rule)  # a pack's label says its rule
    return well_known_deadlines().get(key, "") or _("a deadline of the policy pack")


@require_GET
def candidates(request: HttpRequest) -> HttpResponse:
    """Couples with exactly one child today and no 独生子女父母光荣证 in force."""
    require_perm(request, VIEW)
    unit = getattr(request, "working_unit", None)
    rows = selectors.candidates(request.user, unit=unit, day=timezone.localdate())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "certificates/candidates.html",
        {"page": page, "unit": unit, "can_add": request.user.has_perm(ADD)},
    )


# --------------------------------------------------------------------------- applying


@require_GET
def apply_choose(request: HttpRequest) -> HttpResponse:
    """Apply for a certificate: choose the kind."""
    require_perm(request, ADD)
    return render(
        request,
        "certificates/apply_choose.html",
        {"kinds": list(kinds().values())},
    )


@GET_POST
def certificate_apply(request: HttpRequest, kind: str) -> HttpResponse:
    require_perm(request, ADD)
    spec = _spec(kind)
    user = request.user
    working = getattr(request, "working_unit", None)
    couple: Couple | None = None
    couple_pk = request.POST.get("couple") or request.GET.get("couple")
    if spec.holder == "couple" and couple_pk:
        couple = selectors_register.couple_get(user, couple_pk)
    issuers = selectors_register.issuers_for(user, spec, working)
    can_issue_now = not spec.review and user.has_perm(CHANGE)
    form = ApplyForm(
        request.POST if request.method == "POST" else None,
        spec=spec,
        user=user,
        issuers=issuers,
        couple=couple,
        initial={"issuer": issuers[0].pk if issuers else None},
    )
    if request.method == "POST" and form.is_valid():
        certificate = _apply(request, form, spec, couple, can_issue_now)
        if certificate is not None:
            return redirect("certificates:detail", certificate.pk)
    return render(
        request,
        "certificates/certificate_apply.html",
        {
            "spec": spec,
            "form": form,
            "couple": couple,
            "picked": form.picked(),
            "issuers": issuers,
            "can_issue_now": can_issue_now,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _apply(
    request: HttpRequest,
    form: ApplyForm,
    spec: KindSpec,
    couple: Couple | None,
    can_issue_now: bool,
) -> Certificate | None:
    user = request.user
    person = form.cleaned_data.get("person")
    holder: dict[str, Couple | Person | None] = {"couple": couple, "person": None}
    if spec.holder == "person":
        holder = {"couple": None, "person": person}
    elif couple is None and person is not None:
        holder["couple"] = selectors_register.couple_in_force(user, person, timezone.localdate())
        if holder["couple"] is None:
            form.add_error("person", _("%(name)s has no marriage in force.") % {"name": person})
            return None
    issue_now = can_issue_now and "issue_now" in request.POST
    arguments = {
        "actor": user,
        "kind": spec.key,
        "issuer": form.issuer_unit(),
        "data": form.data_for_service(),
        **holder,
    }
    try:
        if issue_now:
            certificate = services.issue_now(**arguments)
        else:
            certificate = services.certificate_apply(**arguments)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None
    if issue_now:
        messages.success(
            request, _("Certificate %(number)s issued.") % {"number": certificate.number}
        )
    else:
        messages.success(request, _("The application was recorded."))
    return certificate


# --------------------------------------------------------------------------- one certificate


def _field_rows(certificate: Certificate, spec: KindSpec | None) -> list[tuple[str, str]]:
    if spec is None:
        return []
    rows = []
    for field in spec.fields:
        value = certificate.data.get(field.key)
        if value in (None, ""):
            continue
        text = str(value)
        if field.type == "date":
            with contextlib.suppress(ValueError):
                text = format_cn_date(datetime.date.fromisoformat(text))
        rows.append((field.title, text))
    return rows


def _steps(request: HttpRequest, certificate: Certificate) -> list[dict[str, str | bool]]:
    steps = []
    for step in workflow.available(request.user, certificate):
        key = STEP_KEYS.get(step.target)  # type: ignore[call-overload]
        if key is None:
            continue
        steps.append(
            {
                "key": key,
                "verb": step.verb,
                "message_required": step.message_required,
                "message_label": MESSAGE_LABELS.get(key, ""),
                "css": BUTTON_CLASSES[key],
            }
        )
    return steps


def _detail(
    request: HttpRequest,
    certificate: Certificate,
    *,
    errors: dict[str, list[str]] | None = None,
    posted: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    spec = kinds().get(certificate.kind)
    issued = certificate.status == CertificateStatus.ISSUED
    has_number = bool(certificate.number)
    verify_url = ""
    if certificate.code and has_number:
        verify_url = (
            _reverse_or_none("verify:public", certificate.code) or f"/verify/{certificate.code}"
        )
    child = None
    if certificate.couple is not None and certificate.kind == "one_child_parents":
        child = selectors.only_child_of(
            certificate.couple, certificate.issued_on or timezone.localdate()
        )
    return render(
        request,
        "certificates/certificate_detail.html",
        {
            "certificate": certificate,
            "spec": spec,
            "kind_title": _kind_title(certificate.kind),
            "fields": _field_rows(certificate, spec),
            "child": child,
            "steps": _steps(request, certificate),
            "errors": errors or {},
            "posted": posted or {},
            "pdf_url": _reverse_or_none("certificates:pdf", certificate.pk) if has_number else None,
            "verify_url": verify_url if issued else "",
            "replaced_by": selectors_register.replaced_by(certificate),
        },
        status=status,
    )


@require_GET
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    return _detail(request, selectors_register.certificate_get(request.user, pk))


@require_POST
def certificate_step(request: HttpRequest, pk: int) -> HttpResponse:
    """One step on a certificate (the page's buttons): the engine's service for it."""
    require_perm(request, VIEW)
    certificate = selectors_register.certificate_get(request.user, pk)
    form = StepForm(request.POST)
    if not form.is_valid() or form.cleaned_data["action"] not in SERVICES:
        messages.error(request, _("Choose a step from the page."))
        return redirect("certificates:detail", certificate.pk)
    key = form.cleaned_data["action"]
    message = form.cleaned_data["message"]
    posted = {"action": key, "message": message}
    allowed = {s["key"]: s for s in _steps(request, certificate)}
    step = allowed.get(key)
    if step is None:
        messages.error(request, _("This step is not open to you on this certificate now."))
        return redirect("certificates:detail", certificate.pk)
    if step["message_required"] and not message:
        errors = {key: [_("Write the message: it is required for this step.")]}
        return _detail(request, certificate, errors=errors, posted=posted, status=400)
    try:
        result = _run_step(request.user, certificate, key, message)
    except ValidationError as exc:
        texts = exc.messages
        certificate = selectors_register.certificate_get(request.user, pk)
        return _detail(request, certificate, errors={key: texts}, posted=posted, status=400)
    messages.success(request, _("Done: %(step)s.") % {"step": step["verb"]})
    target = result if isinstance(result, Certificate) else certificate
    return redirect("certificates:detail", target.pk)


def _run_step(actor: User, certificate: Certificate, key: str, message: str) -> object:
    """Call the engine's service of the step ``key`` (by name)."""
    service = getattr(services, SERVICES[key], None)
    arguments: dict[str, object] = {"actor": actor, "certificate": certificate}
    if key == "return":
        arguments["message"] = message
    elif key in ("revoke", "reissue"):
        arguments["reason"] = message
    if service is None:  # the engine's service is not there yet: the bare step
        target = next(s for s, k in STEP_KEYS.items() if k == key)
        if key == "reissue":
            raise ValidationError(_("Reissuing is not available yet."))
        workflow.transition(actor=actor, obj=certificate, to=target, message=message)
        return certificate
    return service(**arguments)
