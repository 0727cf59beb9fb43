"""Pages of the organisation tree: browse, view and edit units, positions and committees,
and the working-unit selector.

Every view is thin: it finds the object inside the user's data scope (out of scope:
404 and a ``denied`` audit event), then checks the Django permission (403), then calls
a service and renders. Looking the object up first means that probing another unit's
ids is audited even for users who could not edit it anyway.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_tables2 import RequestConfig

from jisheng.core.templatetags.cn import format_cn_date
from jisheng.core.web import GET_POST, require_perm
from jisheng.orgs import selectors, services
from jisheng.orgs.choices import CommitteeRole, PositionRole
from jisheng.orgs.filters import UnitFilterSet
from jisheng.orgs.forms import (
    CommitteeForm,
    CommitteeMemberForm,
    PositionEndForm,
    PositionForm,
    UnitForm,
    UnitMoveForm,
    add_service_errors,
)
from jisheng.orgs.middleware import SESSION_KEY
from jisheng.orgs.models import Unit
from jisheng.orgs.tables import UnitTable


def _mode(request: HttpRequest) -> str:
    """Tree rows either pick the working unit (``select``) or link to unit pages."""
    return "select" if request.GET.get("mode") == "select" else "browse"


def _detail_url(unit: Unit) -> str:
    return reverse("orgs:unit_detail", args=[unit.code])


# --------------------------------------------------------------------------- working unit

# Pages about one unit: after switching the working unit, show the new unit's page.
_UNIT_PAGE_PREFIXES = ("unit_", "position_", "committee_", "member_")


def _after_switch_url(request: HttpRequest, unit: Unit) -> str:
    """Where to go after choosing a working unit: back to ``next`` (if safe)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return reverse("orgs:unit_tree")
    parts = urlsplit(target)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return target
    if match.namespace == "orgs":
        if match.url_name == "unit_tree":
            keep = QueryDict(parts.query).get("view")
            return reverse("orgs:unit_tree") + (f"?{urlencode({'view': keep})}" if keep else "")
        if match.kwargs and match.url_name.startswith(_UNIT_PAGE_PREFIXES):
            return _detail_url(unit)
    return target


@require_POST
def set_working_unit(request: HttpRequest) -> HttpResponse:
    """Choose the working unit (POST ``code``); only units in the user's scope."""
    unit = selectors.unit_get(user=request.user, code=request.POST.get("code", "").strip())
    request.session[SESSION_KEY] = unit.pk
    target = _after_switch_url(request, unit)
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)


@permission_required("orgs.view_unit", raise_exception=True)
@require_GET
def unit_roots(request: HttpRequest) -> HttpResponse:
    """The top rows of a tree (the user's own unit, or the roots for a superuser)."""
    rows = list(selectors.unit_root_for(request.user))
    return render(
        request,
        "orgs/_unit_rows.html",
        {"rows": rows, "mode": _mode(request), "open_first": len(rows) == 1},
    )


@permission_required("orgs.view_unit", raise_exception=True)
@require_GET
def unit_children(request: HttpRequest, code: str) -> HttpResponse:
    """The child rows of a unit, for lazy expansion of a tree."""
    unit = selectors.unit_get(user=request.user, code=code)
    rows = selectors.unit_children(user=request.user, unit=unit)
    return render(request, "orgs/_unit_rows.html", {"rows": rows, "mode": _mode(request)})


@permission_required("orgs.view_unit", raise_exception=True)
@require_GET
def unit_search(request: HttpRequest) -> HttpResponse:
    """Units in scope whose name contains ``q`` or whose code starts with it."""
    q = request.GET.get("q", "").strip()
    results = selectors.unit_search(user=request.user, q=q)
    return render(
        request,
        "orgs/_unit_search_results.html",
        {"results": results, "q": q, "mode": _mode(request), "limit": selectors.SEARCH_LIMIT},
    )


# --------------------------------------------------------------------------- browse


@permission_required("orgs.view_unit", raise_exception=True)
@require_GET
def unit_tree(request: HttpRequest) -> HttpResponse:
    """The tree below the working unit, or (``?view=table``) a filterable table of it."""
    root = request.working_unit
    parent_code = request.GET.get("parent", "").strip()
    view = "table" if request.GET.get("view") == "table" or parent_code else "tree"
    context: dict[str, Any] = {"root": root, "view": view}
    if root is not None and view == "tree":
        context["children"] = selectors.unit_children(user=request.user, unit=root)
        context["subtree_count"] = selectors.unit_subtree_count(user=request.user, root=root)
    elif root is not None:
        parent = selectors.unit_get(user=request.user, code=parent_code) if parent_code else None
        units = selectors.unit_list(
            user=request.user, parent=parent, within=None if parent else root
        )
        filterset = UnitFilterSet(request.GET, queryset=selectors.with_parent_fields(units))
        table = UnitTable(filterset.qs)
        RequestConfig(request, paginate={"per_page": settings.JISHENG_PAGE_SIZE}).configure(table)
        context.update(parent=parent, filter=filterset, table=table)
    return render(request, "orgs/unit_tree.html", context)


_POSITION_ORDER = {code: i for i, code in enumerate(PositionRole.values)}
_COMMITTEE_ROLE_ORDER = {code: i for i, code in enumerate(CommitteeRole.values)}


@permission_required("orgs.view_unit", raise_exception=True)
@require_GET
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = selectors.unit_get(user=user, code=code)
    show_past = request.GET.get("past") == "1"
    today = timezone.localdate()
    positions = sorted(
        selectors.position_list(user=user, unit=unit).select_related("user"),
        key=lambda p: (_POSITION_ORDER.get(p.role, 99), -p.start_date.toordinal()),
    )
    current = [p for p in positions if p.end_date is None or p.end_date >= today]
    past = [p for p in positions if p.end_date is not None and p.end_date < today]
    committees = list(selectors.committee_list(user=user, unit=unit))
    for committee in committees:
        committee.sorted_members = sorted(
            committee.members.all(),
            key=lambda m: (_COMMITTEE_ROLE_ORDER.get(m.role, 99), m.name),
        )
    ancestors = selectors.unit_ancestors(user=user, unit=unit)
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "ancestors": ancestors,
            "parent": ancestors[-1]
            if ancestors and ancestors[-1].depth == unit.depth - 1
            else None,
            "children": selectors.unit_children(user=user, unit=unit),
            "positions": current + past if show_past else current,
            "past_count": len(past),
            "show_past": show_past,
            "today": today,
            "committees": committees,
            "unit_users": selectors.user_list(user=user).filter(unit=unit),
            "is_working_unit": request.working_unit is not None
            and request.working_unit.pk == unit.pk,
        },
    )


# --------------------------------------------------------------------------- edit helpers


def _form_page(
    request: HttpRequest,
    *,
    form: Any,
    unit: Unit,
    title: str,
    cancel_url: str,
    submit_label: str | None = None,
    intro: str = "",
) -> HttpResponse:
    return render(
        request,
        "orgs/form_page.html",
        {
            "form": form,
            "unit": unit,
            "ancestors": selectors.unit_ancestors(user=request.user, unit=unit),
            "title": title,
            "cancel_url": cancel_url,
            "submit_label": submit_label or _("Save"),
            "intro": intro,
        },
    )


def _confirm_page(
    request: HttpRequest,
    *,
    unit: Unit,
    title: str,
    question: str,
    cancel_url: str,
    error: str = "",
    details: list[str] | None = None,
) -> HttpResponse:
    return render(
        request,
        "orgs/confirm_delete.html",
        {
            "unit": unit,
            "ancestors": selectors.unit_ancestors(user=request.user, unit=unit),
            "title": title,
            "question": question,
            "cancel_url": cancel_url,
            "error": error,
            "details": details or [],
        },
    )


# --------------------------------------------------------------------------- units


@GET_POST
def unit_create(request: HttpRequest, code: str) -> HttpResponse:
    parent = selectors.unit_get(user=request.user, code=code)
    require_perm(request, "orgs.add_unit")
    form = UnitForm(request.POST or None, parent=parent, initial=UnitForm.initial_for_child(parent))
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Unit %(name)s created.") % {"name": unit.name})
            return redirect(_detail_url(unit))
    return _form_page(
        request,
        form=form,
        unit=parent,
        title=_("Add a sub-unit to %(name)s") % {"name": parent.name},
        cancel_url=_detail_url(parent),
        submit_label=_("Create"),
    )


@GET_POST
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.unit_get(user=request.user, code=code)
    require_perm(request, "orgs.change_unit")
    parent = unit.parent_unit
    form = UnitForm(request.POST or None, parent=parent, initial=UnitForm.initial_for(unit))
    if request.method == "POST" and form.is_valid():
        try:
            # A copy: a refused change must not alter the unit shown on the page.
            changed = services.unit_update(
                actor=request.user, unit=Unit.objects.get(pk=unit.pk), data=form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Unit %(name)s saved.") % {"name": changed.name})
            return redirect(_detail_url(changed))
    return _form_page(
        request,
        form=form,
        unit=unit,
        title=_("Edit %(name)s") % {"name": unit.name},
        cancel_url=_detail_url(unit),
    )


@GET_POST
def unit_move(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.unit_get(user=request.user, code=code)
    require_perm(request, "orgs.change_unit")
    form = UnitMoveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.unit_move(actor=request.user, unit=unit, new_parent=form.new_parent)
        except ValidationError as exc:
            add_service_errors(form, exc, {"parent": "parent_code", "code": "parent_code"})
        else:
            messages.success(
                request,
                _("%(name)s moved under %(parent)s.")
                % {"name": moved.name, "parent": form.new_parent.name},
            )
            return redirect(_detail_url(moved))
    parent = unit.parent_unit
    return _form_page(
        request,
        form=form,
        unit=unit,
        title=_("Move %(name)s") % {"name": unit.name},
        cancel_url=_detail_url(unit),
        submit_label=_("Move"),
        intro=_("Current parent: %(parent)s. The unit moves with all its sub-units.")
        % {"parent": f"{parent.name} ({parent.code})" if parent else "—"},
    )


@GET_POST
def unit_delete(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.unit_get(user=request.user, code=code)
    require_perm(request, "orgs.delete_unit")
    error = ""
    if request.method == "POST":
        parent = unit.parent_unit
        try:
            services.unit_delete(actor=request.user, unit=unit)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Unit %(name)s deleted.") % {"name": unit.name})
            if parent is not None and selectors.unit_find(user=request.user, code=parent.code):
                return redirect(_detail_url(parent))
            return redirect("orgs:unit_tree")
    return _confirm_page(
        request,
        unit=unit,
        title=_("Delete %(name)s") % {"name": unit.name},
        question=_(
            "Delete the unit %(name)s (%(code)s)? Its positions and committees are deleted "
            "with it. Only units without sub-units and without user accounts can be deleted."
        )
        % {"name": unit.name, "code": unit.code},
        cancel_url=_detail_url(unit),
        error=error,
    )


# --------------------------------------------------------------------------- positions


def _logins_for(request: HttpRequest, unit: Unit):
    """Logins that may be linked to a position of ``unit``: those of the unit and below."""
    return selectors.user_list(user=request.user, unit=unit)


@GET_POST
def position_create(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.unit_get(user=request.user, code=code)
    require_perm(request, "orgs.add_position")
    form = PositionForm(
        request.POST or None,
        logins=_logins_for(request, unit),
        initial={"start_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.position_create(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Position added."))
            return redirect(_detail_url(unit))
    return _form_page(
        request,
        form=form,
        unit=unit,
        title=_("Add a position to %(name)s") % {"name": unit.name},
        cancel_url=_detail_url(unit),
        submit_label=_("Add"),
    )


@GET_POST
def position_edit(request: HttpRequest, pk: int) -> HttpResponse:
    position = selectors.position_get(user=request.user, pk=pk)
    require_perm(request, "orgs.change_position")
    unit = position.unit
    form = PositionForm(
        request.POST or None,
        logins=_logins_for(request, unit),
        initial=PositionForm.initial_for(position),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.position_update(actor=request.user, position=position, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Position saved."))
            return redirect(_detail_url(unit))
    return _form_page(
        request,
        form=form,
        unit=unit,
        title=_("Edit position: %(position)s") % {"position": position.get_role_display()},
        cancel_url=_detail_url(unit),
    )


@GET_POST
def position_end(request: HttpRequest, pk: int) -> HttpResponse:
    position = selectors.position_get(user=request.user, pk=pk)
    require_perm(request, "orgs.change_position")
    unit = position.unit
    form = PositionEndForm(
        request.POST or None, initial={"end_date": position.end_date or timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.position_end(
                actor=request.user, position=position, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Position ended."))
            return redirect(_detail_url(unit))
    return _form_page(
        request,
        form=form,
        unit=unit,
        title=_("End position: %(holder)s, %(position)s")
        % {"holder": position.holder_name, "position": position.get_role_display()},
        cancel_url=_detail_url(unit),
        submit_label=_("End position"),
        intro=_("Held since %(start)s.") % {"start": format_cn_date(position.start_date)},
    )


@GET_POST
def position_delete(request: HttpRequest, pk: int) -> HttpResponse:
    position = selectors.position_get(user=request.user, pk=pk)
    require_perm(request, "orgs.delete_position")
    unit = position.unit
    if request.method == "POST":
        services.position_delete(actor=request.user, position=position)
        messages.success(request, _("Position deleted."))
        return redirect(_detail_url(unit))
    return _confirm_page(
        request,
        unit=unit,
        title=_("Delete position"),
        question=_(
            "Delete the record that %(holder)s holds the post %(position)s? To record that "
            "the holder left the post, end the position instead."
        )
        % {"holder": position.holder_name, "position": position.get_role_display()},
        cancel_url=_detail_url(unit),
    )


# --------------------------------------------------------------------------- committees


@GET_POST
def committee_create(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.unit_get(user=request.user, code=code)
    require_perm(request, "orgs.add_committee")
    form = CommitteeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.committee_create(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Committee added."))
            return redirect(_detail_url(unit) + "#committees")
    return _form_page(
        request,
        form=form,
        unit=unit,
        title=_("Add a committee to %(name)s") % {"name": unit.name},
        cancel_url=_detail_url(unit),
        submit_label=_("Add"),
    )


@GET_POST
def committee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    committee = selectors.committee_get(user=request.user, pk=pk)
    require_perm(request, "orgs.change_committee")
    unit = committee.unit
    form = CommitteeForm(request.POST or None, initial=CommitteeForm.initial_for(committee))
    if request.method == "POST" and form.is_valid():
        try:
            services.committee_update(
                actor=request.user, committee=committee, data=form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Committee saved."))
            return redirect(_detail_url(unit) + "#committees")
    return _form_page(
        request,
        form=form,
        unit=unit,
        title=_("Edit %(name)s") % {"name": committee.name},
        cancel_url=_detail_url(unit),
    )


@GET_POST
def committee_delete(request: HttpRequest, pk: int) -> HttpResponse:
    committee = selectors.committee_get(user=request.user, pk=pk)
    require_perm(request, "orgs.delete_committee")
    unit = committee.unit
    if request.method == "POST":
        services.committee_delete(actor=request.user, committee=committee)
        messages.success(request, _("Committee deleted."))
        return redirect(_detail_url(unit) + "#committees")
    return _confirm_page(
        request,
        unit=unit,
        title=_("Delete %(name)s") % {"name": committee.name},
        question=_("Delete the committee %(name)s and its %(count)d members?")
        % {"name": committee.name, "count": committee.members.count()},
        cancel_url=_detail_url(unit),
    )


@GET_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    committee = selectors.committee_get(user=request.user, pk=pk)
    require_perm(request, "orgs.add_committeemember")
    unit = committee.unit
    form = CommitteeMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.committee_member_add(
                actor=request.user, committee=committee, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Member added."))
            return redirect(_detail_url(unit) + "#committees")
    return _form_page(
        request,
        form=form,
        unit=unit,
        title=_("Add a member to %(name)s") % {"name": committee.name},
        cancel_url=_detail_url(unit),
        submit_label=_("Add"),
    )


@GET_POST
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.committee_member_get(user=request.user, pk=pk)
    require_perm(request, "orgs.change_committeemember")
    unit = member.committee.unit
    form = CommitteeMemberForm(
        request.POST or None, initial=CommitteeMemberForm.initial_for(member)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.committee_member_update(
                actor=request.user, member=member, data=form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Member saved."))
            return redirect(_detail_url(unit) + "#committees")
    return _form_page(
        request,
        form=form,
        unit=unit,
        title=_("Edit member %(name)s of %(committee)s")
        % {"name": member.name, "committee": member.committee.name},
        cancel_url=_detail_url(unit),
    )


@GET_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.committee_member_get(user=request.user, pk=pk)
    require_perm(request, "orgs.delete_committeemember")
    unit = member.committee.unit
    if request.method == "POST":
        services.committee_member_remove(actor=request.user, member=member)
        messages.success(request, _("Member removed."))
        return redirect(_detail_url(unit) + "#committees")
    return _confirm_page(
        request,
        unit=unit,
        title=_("Remove member"),
        question=_("Remove %(name)s from %(committee)s?")
        % {"name": member.name, "committee": member.committee.name},
        cancel_url=_detail_url(unit),
    )
