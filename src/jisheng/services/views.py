"""Services pages: the worklist (待办), a person's methods, visits and visits due, the
visit and method forms, and voiding a record entered by mistake.

Views are thin: check the Django permission (403), find the person or record inside the
user's data scope (out of scope: 404 and a ``denied`` audit event), call a service or a
selector, render. "Today" is always ``timezone.localdate()`` (Asia/Shanghai).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jisheng.core import registry
from jisheng.core.scope import get_in_scope_or_404, get_person_record_or_404
from jisheng.core.web import GET_POST, require_perm
from jisheng.people.models import Person
from jisheng.services import followup, selectors
from jisheng.services.choices import Method
from jisheng.services.forms import MethodForm, VisitForm, VoidForm, add_service_errors
from jisheng.services.models import ContraceptionRecord, FollowUpDue, FollowUpVisit
from jisheng.services.presentation import (
    ADD_METHOD,
    ADD_VISIT,
    VIEW_DUE,
    VIEW_METHOD,
    VOID_METHOD,
    VOID_VISIT,
    DueStatus,
    due_status,
    item_link,
    visible_kinds,
)

# Items shown per group on the worklist page, and per page of a group's full list.
GROUP_PREVIEW = 10
GROUP_PAGE_SIZE = 25


# --------------------------------------------------------------------------- helpers


def _person(request: HttpRequest, pk: int) -> Person:
    return get_in_scope_or_404(Person.objects.select_related("unit"), request.user, pk=pk)


def _person_url(person_id: int) -> str:
    return reverse("services:person", args=[person_id])


def _next_url(request: HttpRequest) -> str:
    """The safe local address to return to (``next`` of the form or the query), or ''."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _due_for(request: HttpRequest, person: Person) -> FollowUpDue | None:
    """The visit due chosen on the worklist (``due`` of the query or the form), if it is
    one of this person's and still open."""
    value = request.POST.get("due") or request.GET.get("due") or ""
    if not value.isdigit():
        return None
    return FollowUpDue.objects.filter(pk=int(value), person=person, done_on=None).first()


def _with_next(url: str, back: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'next': back})}"


def _link_items(groups: list[selectors.WorkGroup], back: str, user: Any) -> None:
    """Give each item the address of its form with a way back to this page; an item
    whose form the user may not use leads to the person's page, or nowhere."""
    for group in groups:
        for item in group.items:
            item.url = item_link(user, item.url, item.person_id)
            item.link = _with_next(item.url, back) if item.url else ""


# --------------------------------------------------------------------------- worklist


def _worklist(request: HttpRequest, *, limit: int, kinds: tuple[str, ...] | None = None):
    return selectors.worklist(
        request.user,
        unit=request.working_unit,
        today=timezone.localdate(),
        limit=limit,
        kinds=visible_kinds(request.user) if kinds is None else kinds,
    )


@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """待办: what is due and overdue below the working unit, by group, soonest first."""
    require_perm(request, VIEW_DUE)
    work = _worklist(request, limit=GROUP_PREVIEW)
    _link_items(work.groups, request.get_full_path(), request.user)
    return render(
        request,
        "services/worklist.html",
        {"work": work, "unit": request.working_unit, "preview": GROUP_PREVIEW},
    )


@require_GET
def worklist_card(request: HttpRequest) -> HttpResponse:
    """The counts of the worklist, for the home page's card (loaded by htmx)."""
    require_perm(request, VIEW_DUE)
    work = _worklist(request, limit=0)
    return render(request, "services/_worklist_card.html", {"work": work})


class _GroupItems:
    """One worklist group as a sequence a ``Paginator`` can page through: its count,
    and a slice read as the first ``stop`` items of the group."""

    def __init__(self, request: HttpRequest, kind: str) -> None:
        self.request = request
        self.kind = kind
        self._count: int | None = None
        self.label: Any = registry.registry["worklist_sources"][kind].label

    def _group(self, limit: int) -> selectors.WorkGroup:
        group = _worklist(self.request, limit=limit, kinds=(self.kind,)).groups[0]
        self._count = group.count
        return group

    def count(self) -> int:
        if self._count is None:
            self._group(0)
        return self._count or 0

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[selectors.WorkItem]:
        if not isinstance(index, slice):
            raise TypeError("only slices are supported")
        start, stop = index.start or 0, index.stop or 0
        return self._group(stop).items[start:stop]


@require_GET
def worklist_group(request: HttpRequest, kind: str) -> HttpResponse:
    """One group of the worklist in full, a page at a time."""
    require_perm(request, VIEW_DUE)
    if kind not in visible_kinds(request.user):
        raise Http404(_("Not found."))
    items = _GroupItems(request, kind)
    page = Paginator(items, GROUP_PAGE_SIZE).get_page(request.GET.get("page"))
    group = selectors.WorkGroup(kind, items.label, page.paginator.count, list(page.object_list))
    _link_items([group], request.get_full_path(), request.user)
    return render(
        request,
        "services/worklist_group.html",
        {"group": group, "page": page, "unit": request.working_unit},
    )


# --------------------------------------------------------------------------- a person


@dataclass
class DueRow:
    due: FollowUpDue
    status: str
    late_days: int = 0

    @property
    def label(self) -> Any:
        return DueStatus.LABELS[self.status]

    @property
    def css(self) -> str:
        return DueStatus.CSS[self.status]


def _latest_method(methods: list[ContraceptionRecord]) -> ContraceptionRecord | None:
    live = [m for m in methods if not m.voided]
    return max(live, key=lambda m: (m.started_on, m.pk)) if live else None


def _due_rows(due: list[FollowUpDue], today: datetime.date) -> list[DueRow]:
    rows = []
    for row in due:
        status = due_status(row, today)
        if status == DueStatus.LATE:
            late = (row.done_on - row.due_on).days
        elif status == DueStatus.OVERDUE:
            late = (today - row.due_on).days
        else:
            late = 0
        rows.append(DueRow(row, status, late))
    return rows


MII_QUESTIONS = (
    ("told_other_methods", gettext_lazy("other methods")),
    ("told_side_effects", gettext_lazy("side effects")),
    ("told_what_to_do", gettext_lazy("what to do")),
)


def _describe(record: ContraceptionRecord) -> ContraceptionRecord:
    """Add the labels the page shows: methods offered, the three MII answers."""
    labels = dict(Method.choices)
    record.offered_labels = [str(labels.get(code, code)) for code in record.options_offered]
    record.mii_answers = [(label, getattr(record, name)) for name, label in MII_QUESTIONS]
    return record


@require_GET
def person_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's method history, visits made and visits due."""
    require_perm(request, VIEW_METHOD)
    person = _person(request, pk)
    data = selectors.person_services(person)
    today = timezone.localdate()
    latest = _latest_method(data.methods)
    return render(
        request,
        "services/person.html",
        {
            "person": person,
            "methods": [_describe(m) for m in reversed(data.methods)],
            "latest": latest,
            "visits": data.visits,
            "due_rows": _due_rows(data.due, today),
            "today": today,
            "void_form": VoidForm(),
        },
    )


def _open_due(due: list[FollowUpDue], today: datetime.date) -> list[DueRow]:
    """The visits due a visit today may clear (open or overdue), then the next one."""
    rows = _due_rows(due, today)
    opened = [row for row in rows if row.status in (DueStatus.OPEN, DueStatus.OVERDUE)]
    upcoming = [row for row in rows if row.status == DueStatus.UPCOMING]
    return opened + upcoming[:1]


@GET_POST
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a follow-up visit; back to where the user came from (the worklist)."""
    require_perm(request, ADD_VISIT)
    person = _person(request, pk)
    today = timezone.localdate()
    data = selectors.person_services(person)
    latest = _latest_method(data.methods)
    form = VisitForm(
        request.POST if request.method == "POST" else None,
        initial=VisitForm.initial_for(latest.method if latest else ""),
    )
    back = _next_url(request)
    for_due = _due_for(request, person)
    if request.method == "POST" and form.is_valid():
        try:
            followup.visit_record(
                actor=request.user,
                person=person,
                visitor_name=str(request.user),
                for_due=for_due,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The visit to %(name)s was recorded.") % {"name": person.name}
            )
            return redirect(back or _person_url(person.pk))
    return render(
        request,
        "services/visit_form.html",
        {
            "form": form,
            "person": person,
            "latest": latest,
            "open_due": _open_due(data.due, today),
            "next": back,
            "for_due": for_due,
            "cancel_url": back or _person_url(person.pk),
            "title": _("Record a follow-up visit"),
        },
    )


@GET_POST
def method_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a method started, changed or stopped, with the informed choice."""
    require_perm(request, ADD_METHOD)
    person = _person(request, pk)
    latest = _latest_method(selectors.person_services(person).methods)
    form = MethodForm(
        request.POST if request.method == "POST" else None,
        initial=MethodForm.initial_for(latest.method if latest else ""),
    )
    back = _next_url(request)
    if request.method == "POST" and form.is_valid():
        try:
            record = followup.method_start(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(method)s recorded for %(name)s.")
                % {"method": record.get_method_display(), "name": person.name},
            )
            return redirect(back or _person_url(person.pk))
    return render(
        request,
        "services/method_form.html",
        {
            "form": form,
            "person": person,
            "latest": latest,
            "next": back,
            "cancel_url": back or _person_url(person.pk),
            "title": _("Record a contraceptive method"),
        },
    )


def _void(request: HttpRequest, obj: Any, void: Any, argument: str, person_id: int):
    form = VoidForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_person_url(person_id))
    try:
        void(actor=request.user, reason=form.cleaned_data["reason"], **{argument: obj})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The record was voided."))
    return redirect(_person_url(person_id))


@require_POST
def method_void(request: HttpRequest, pk: int) -> HttpResponse:
    """Void the person's latest method record (entered by mistake), with a reason."""
    require_perm(request, VOID_METHOD)
    record = get_person_record_or_404(
        ContraceptionRecord.objects.select_related("person__unit"), request.user, pk=pk
    )
    return _void(request, record, followup.method_void, "record", record.person_id)


@require_POST
def visit_void(request: HttpRequest, pk: int) -> HttpResponse:
    """Void a visit entered by mistake, with a reason."""
    require_perm(request, VOID_VISIT)
    visit = get_person_record_or_404(
        FollowUpVisit.objects.select_related("person__unit"), request.user, pk=pk
    )
    return _void(request, visit, followup.visit_void, "visit", visit.person_id)
