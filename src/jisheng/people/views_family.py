"""Family pages: households and members, couples, births (with the computed birth order),
pregnancies, and the person picker they share.

Views are thin: find the object inside the user's data scope (out of scope: 404 and a
``denied`` audit event), check the Django permission (403), call a service in
:mod:`jisheng.people.family`, render. The policy status of a birth is shown as a
statistic only (SPEC §0).
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

import django_tables2 as tables
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jisheng.core.scope import get_person_record_or_404, path_in_scope
from jisheng.core.tables import TABLE_ATTRS, list_page
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.core.web import GET_POST, require_perm
from jisheng.people import family, privacy, selectors, selectors_family, views_export
from jisheng.people.choices import Sex
from jisheng.people.forms_family import (
    BirthChildForm,
    BirthForm,
    BirthOverrideForm,
    CoupleEndForm,
    CoupleForm,
    HouseholdForm,
    HouseholdHeadForm,
    HouseholdLeaveForm,
    HouseholdMemberForm,
    PregnancyCloseForm,
    PregnancyForm,
    add_family_errors,
)
from jisheng.people.models import Birth, Couple, Household, Person, Pregnancy
from jisheng.people.search_query import looks_like_id_number


def _person_url(person: Person, anchor: str = "") -> str:
    return reverse("people:person_detail", args=[person.pk]) + (f"#{anchor}" if anchor else "")


def _household_url(household: Household) -> str:
    return reverse("people:household_detail", args=[household.pk])


def _couple_url(couple: Couple) -> str:
    return reverse("people:couple_detail", args=[couple.pk])


def _birth_url(birth: Birth) -> str:
    return reverse("people:birth_detail", args=[birth.pk])


def _form_page(
    request: HttpRequest,
    *,
    form: Any,
    title: str,
    cancel_url: str,
    submit_label: str | None = None,
    intro: str = "",
    person: Person | None = None,
    household: Household | None = None,
) -> HttpResponse:
    return render(
        request,
        "people/household_form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": cancel_url,
            "submit_label": submit_label or _("Save"),
            "intro": intro,
            "person": person,
            "household": household,
        },
    )


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


# --------------------------------------------------------------------------- picker


@GET_POST
def person_pick(request: HttpRequest) -> HttpResponse:
    """Search results for a person field: radio buttons named after the field.

    The picker posts what was typed (it may be an ID number, which must never be in a
    URL); a GET whose search text looks like an ID number is refused (400)."""
    require_perm(request, "people.view_person")
    data = request.POST if request.method == "POST" else request.GET
    field = data.get("field", "")
    if not field.isidentifier():
        field = "person"
    sex = data.get("sex", "")
    sex = sex if sex in Sex.values else ""
    q = data.get(f"{field}_q", data.get("q", ""))
    if request.method != "POST" and looks_like_id_number(q):
        return HttpResponseBadRequest(
            _("Search by ID number with the form: an ID number must not be put in a URL.")
        )
    return render(
        request,
        "people/household_pick_results.html",
        {
            "field_name": field,
            "q": q.strip(),
            "results": selectors_family.person_pick(user=request.user, q=q, sex=sex),
            "limit": selectors_family.PICK_LIMIT,
            "optional": data.get("optional") == "1",
        },
    )


# --------------------------------------------------------------------------- households


class HouseholdTable(tables.Table):
    number = tables.Column(
        verbose_name=gettext_lazy("Household number"),
        linkify=("people:household_detail", {"pk": tables.A("pk")}),
        empty_values=(),
    )
    address = tables.Column(verbose_name=gettext_lazy("Address"))
    head = tables.Column(verbose_name=gettext_lazy("Head of household"), order_by=("head__name",))
    member_count = tables.Column(verbose_name=gettext_lazy("Members"))
    unit = tables.Column(verbose_name=gettext_lazy("Unit"), order_by=("unit__path",))

    class Meta:
        model = Household
        fields = ("number", "address", "head", "member_count", "unit")
        attrs = TABLE_ATTRS
        empty_text = gettext_lazy("No households match.")

    def render_number(self, record: Household) -> str:
        return record.number or "—"


def _household_query(request: HttpRequest) -> tuple[Any, dict[str, Any]]:
    """The household list's rows and filters (shared by the page and its export)."""
    q = request.GET.get("q", "").strip()
    filters = {"q": views_export.audited_text(q)} if q else {}
    return selectors_family.household_list(user=request.user, q=q), filters


def _export_url(request: HttpRequest, name: str) -> str | None:
    return reverse(name) if views_export.can_export(request) else None


@require_GET
def household_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "people.view_household")
    queryset, _filters = _household_query(request)
    context = list_page(
        request,
        queryset=queryset,
        table_class=HouseholdTable,
        export_url=_export_url(request, "people:household_export"),
    )
    context.update(
        q=request.GET.get("q", "").strip(),
        can_add=request.user.has_perm("people.add_household"),
    )
    return render(request, "people/household_list.html", context)


def _list_url(request: HttpRequest, name: str) -> str:
    query = request.GET.copy()
    query.pop("export", None)
    url = reverse(name)
    return f"{url}?{query.urlencode()}" if query else url


@require_GET
def household_export(request: HttpRequest) -> HttpResponse:
    """The household list with its filters as an .xlsx workbook (masked), audited."""
    views_export.require_export(request, "people.view_household")
    queryset, filters = _household_query(request)
    return views_export.export_list(
        request,
        queryset=queryset,
        title=views_export.HOUSEHOLD_TITLE,
        headers=views_export.HOUSEHOLD_HEADERS,
        rows=views_export.household_rows,
        filters=filters,
        list_url=_list_url(request, "people:household_list"),
        message=_("Exported the household list (%(count)d rows)."),
        widths={"户主公民身份号码": 22, "户主联系电话": 15},
    )


@GET_POST
def household_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "people.add_household")
    initial: dict[str, Any] = {}
    if request.working_unit is not None:
        initial["unit"] = request.working_unit.code
    head = selectors_family.person_find(user=request.user, pk=request.GET.get("head"))
    if head is not None:  # from the person's page: the household of the head's unit
        initial.update(head=head.pk, unit=head.unit.code)
    form = HouseholdForm(_data(request), user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            household = family.household_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_family_errors(form, exc)
        else:
            messages.success(request, _("Household %(name)s created.") % {"name": household})
            return redirect(_household_url(household))
    return _form_page(
        request,
        form=form,
        title=_("New household"),
        cancel_url=reverse("people:household_list"),
        submit_label=_("Create"),
    )


@require_GET
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors_family.household_get(user=request.user, pk=pk)
    require_perm(request, "people.view_household")
    show_past = request.GET.get("past") == "1"
    members = list(selectors_family.household_members(household=household, include_past=True))
    current = [m for m in members if m.left_on is None]
    user = request.user
    return render(
        request,
        "people/household_detail.html",
        {
            "household": household,
            "members": members if show_past else current,
            "past_count": len(members) - len(current),
            "show_past": show_past,
            "can_add_member": user.has_perm("people.add_householdmember"),
            "can_remove_member": user.has_perm("people.change_householdmember"),
            "can_change": user.has_perm("people.change_household"),
            "member_form": HouseholdMemberForm(
                user=user, initial={"joined_on": timezone.localdate()}
            ),
        },
    )


@GET_POST
def household_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors_family.household_get(user=request.user, pk=pk)
    require_perm(request, "people.add_householdmember")
    form = HouseholdMemberForm(
        _data(request), user=request.user, initial={"joined_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            member = family.household_add_member(
                actor=request.user, household=household, **form.cleaned_data
            )
        except ValidationError as exc:
            add_family_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added.") % {"name": member.person.name})
            return redirect(_household_url(household))
    return _form_page(
        request,
        form=form,
        title=_("Add a member to household %(name)s") % {"name": household},
        cancel_url=_household_url(household),
        submit_label=_("Add"),
        household=household,
    )


@GET_POST
def household_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors_family.household_member_get(user=request.user, pk=pk)
    require_perm(request, "people.change_householdmember")
    household = member.household
    form = HouseholdLeaveForm(_data(request), initial={"left_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            family.household_remove_member(
                actor=request.user, member=member, left_on=form.cleaned_data["left_on"]
            )
        except ValidationError as exc:
            add_family_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s left the household.") % {"name": member.person.name}
            )
            return redirect(_household_url(household))
    return _form_page(
        request,
        form=form,
        title=_("%(name)s leaves household %(household)s")
        % {"name": member.person.name, "household": household},
        cancel_url=_household_url(household),
        submit_label=_("Record"),
        intro=_("The membership is kept with the date the person left."),
        household=household,
    )


@GET_POST
def household_set_head(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors_family.household_get(user=request.user, pk=pk)
    require_perm(request, "people.change_household")
    members = list(selectors_family.household_members(household=household))
    form = HouseholdHeadForm(_data(request), members=members)
    if request.method == "POST" and form.is_valid():
        try:
            family.household_set_head(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as exc:
            add_family_errors(form, exc)
        else:
            messages.success(request, _("Head of household changed."))
            return redirect(_household_url(household))
    return _form_page(
        request,
        form=form,
        title=_("Change the head of household %(name)s") % {"name": household},
        cancel_url=_household_url(household),
        household=household,
    )


# --------------------------------------------------------------------------- couples


@GET_POST
def couple_create(request: HttpRequest) -> HttpResponse:
    """A marriage of two registered persons, or of one and a spouse outside the registry.
    ``?wife=<id>`` or ``?husband=<id>`` pre-selects a spouse (from the person's page)."""
    require_perm(request, "people.add_couple")
    initial: dict[str, Any] = {"record_events": True}
    cancel_url = reverse("people:household_list")
    for key in ("wife", "husband"):
        spouse = selectors_family.person_find(user=request.user, pk=request.GET.get(key))
        if spouse is not None:
            initial[key] = spouse.pk
            cancel_url = _person_url(spouse, "family")
    form = CoupleForm(_data(request), user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            couple = family.couple_create(
                actor=request.user,
                married_on=data["married_on"],
                wife=data["wife"],
                husband=data["husband"],
                outside=form.outside(),
                record_events=data["record_events"],
                late_reason=data.get("late_reason", ""),
            )
        except ValidationError as exc:
            add_family_errors(form, exc)
        else:
            messages.success(request, _("Marriage recorded."))
            return redirect(_couple_url(couple))
    return render(
        request,
        "people/couple_form.html",
        {"form": form, "title": _("Record a marriage"), "cancel_url": cancel_url},
    )


def _couple_context(request: HttpRequest, couple: Couple, full_id: str = "") -> dict[str, Any]:
    user = request.user
    return {
        "couple": couple,
        "births": selectors_family.birth_list(user=user).filter(couple=couple).order_by("date"),
        "full_id": full_id,
        "can_end": couple.ended_on is None and user.has_perm("people.change_couple"),
        "can_view_full_id": bool(couple.outside_id_encrypted)
        and user.has_perm("people.view_full_id"),
    }


@require_GET
def couple_detail(request: HttpRequest, pk: int) -> HttpResponse:
    couple = selectors_family.couple_get(user=request.user, pk=pk)
    require_perm(request, "people.view_couple")
    return render(request, "people/couple_detail.html", _couple_context(request, couple))


@require_POST
def couple_reveal_id(request: HttpRequest, pk: int) -> HttpResponse:
    """The outside spouse's full ID number (each look is a ``view`` audit event)."""
    couple = selectors_family.couple_get(user=request.user, pk=pk)
    require_perm(request, "people.view_couple")
    require_perm(request, "people.view_full_id")
    full_id = selectors_family.couple_outside_id(user=request.user, couple=couple)
    return render(
        request, "people/couple_detail.html", _couple_context(request, couple, full_id=full_id)
    )


@GET_POST
def couple_end(request: HttpRequest, pk: int) -> HttpResponse:
    couple = selectors_family.couple_get(user=request.user, pk=pk)
    require_perm(request, "people.change_couple")
    form = CoupleEndForm(_data(request), initial={"ended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            family.couple_end(actor=request.user, couple=couple, **form.cleaned_data)
        except ValidationError as exc:
            add_family_errors(form, exc)
        else:
            messages.success(request, _("The end of the marriage is recorded."))
            return redirect(_couple_url(couple))
    return _form_page(
        request,
        form=form,
        title=_("End the marriage %(couple)s") % {"couple": couple},
        cancel_url=_couple_url(couple),
        submit_label=_("Record"),
        intro=_(
            "A divorce is recorded as a life event of each registered spouse; the death "
            "of a spouse as a death of the deceased and a widowhood of the survivor."
        ),
    )


# --------------------------------------------------------------------------- births


def _mother(request: HttpRequest, pk: int) -> Person:
    return selectors.person_get(user=request.user, pk=pk)


def _order_preview(
    mother: Person, date: datetime.date | None, couple: Couple | None
) -> dict[str, Any]:
    """What the birth order of a birth on ``date`` would be (shown before saving)."""
    if date is None or date <= mother.birth_date:
        return {"order": None}
    couple = couple or family.couple_in_force(mother, date)
    order = family.birth_order_for(mother=mother, date=date, couple=couple)
    limit = family.policy_birth_limit(mother.unit, date)
    return {"order": order, "limit": limit, "within": order <= limit, "couple": couple}


def _parse_date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        return None


@GET_POST
def birth_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a birth of the mother ``pk`` (from her page)."""
    mother = _mother(request, pk)
    require_perm(request, "people.add_birth")
    couples = list(selectors_family.couples_of(user=request.user, person=mother))
    couples = [c for c in couples if c.wife_id == mother.pk]
    form = BirthForm(
        _data(request),
        user=request.user,
        couples=couples,
        initial={"register_child": True},
    )
    preview: dict[str, Any] = {"order": None}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            birth = family.birth_record(actor=request.user, mother=mother, **data)
        except ValidationError as exc:
            add_family_errors(form, exc)
        else:
            messages.success(
                request,
                _("Birth recorded: birth order %(order)d.") % {"order": birth.birth_order},
            )
            return redirect(_birth_url(birth))
    if request.method == "POST":
        preview = _order_preview(
            mother, _parse_date(request.POST.get("date", "")), form.cleaned_data.get("couple")
        )
    return render(
        request,
        "people/birth_form.html",
        {
            "form": form,
            "person": mother,
            "title": _("Record a birth"),
            "preview": preview,
            "births": selectors_family.births_of(user=request.user, person=mother),
        },
    )


@require_GET
def birth_order_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The computed birth order for the date being entered (htmx fragment)."""
    mother = _mother(request, pk)
    require_perm(request, "people.add_birth")
    couple = None
    if request.GET.get("couple", "").isdigit():
        couple = (
            selectors_family.couples_of(user=request.user, person=mother)
            .filter(pk=int(request.GET["couple"]), wife=mother)
            .first()
        )
    preview = _order_preview(mother, _parse_date(request.GET.get("date", "")), couple)
    return render(request, "people/birth_order_preview.html", {"preview": preview})


@require_GET
def birth_detail(request: HttpRequest, pk: int) -> HttpResponse:
    birth = selectors_family.birth_get(user=request.user, pk=pk)
    require_perm(request, "people.view_birth")
    pregnancy = Pregnancy.objects.filter(birth=birth).first()
    return render(
        request,
        "people/birth_detail.html",
        {
            "birth": birth,
            "person": birth.mother,
            "pregnancy": pregnancy,
            # changed where the mother is now (see _birth_to_change)
            "can_override": request.user.has_perm("people.change_birth")
            and path_in_scope(birth.mother.unit.path, request.user),
            "can_register_child": birth.child_id is None
            and request.user.has_perm("people.add_person")
            and path_in_scope(birth.mother.unit.path, request.user),
        },
    )


def _birth_to_change(request: HttpRequest, pk: int) -> Birth:
    """A birth to change: its mother is now in the user's scope (after a move, her new
    office changes it, not the one she left); 404, audited, otherwise."""
    return get_person_record_or_404(
        Birth.objects.select_related("unit", "mother", "mother__unit", "father", "child", "couple"),
        request.user,
        person_field="mother",
        pk=pk,
    )


@GET_POST
def birth_register_child(request: HttpRequest, pk: int) -> HttpResponse:
    """Register the child of a birth recorded without it (the worklist lists those past
    the registration deadline)."""
    birth = _birth_to_change(request, pk)
    require_perm(request, "people.add_person")
    form = BirthChildForm(_data(request), initial={"child_name": birth.child_name})
    if request.method == "POST" and form.is_valid():
        try:
            child = family.birth_register_child(
                actor=request.user,
                birth=birth,
                child_name=form.cleaned_data["child_name"],
                child_id_number=form.cleaned_data["child_id_number"],
            )
        except ValidationError as exc:
            add_family_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": child.name})
            return redirect(_birth_url(birth))
    return _form_page(
        request,
        form=form,
        title=_("Register the child"),
        cancel_url=_birth_url(birth),
        intro=_("The child is registered in the mother's unit, born on %(date)s.")
        % {"date": format_cn_date(birth.date)},
        person=birth.mother,
    )


@GET_POST
def birth_override(request: HttpRequest, pk: int) -> HttpResponse:
    birth = _birth_to_change(request, pk)
    require_perm(request, "people.change_birth")
    form = BirthOverrideForm(_data(request), initial={"order_override": birth.order_override})
    if request.method == "POST" and form.is_valid():
        try:
            family.birth_override_order(
                actor=request.user,
                birth=birth,
                order=form.cleaned_data["order_override"],
                reason=form.cleaned_data["override_reason"],
            )
        except ValidationError as exc:
            add_family_errors(form, exc)
        else:
            messages.success(request, _("Birth order saved."))
            return redirect(_birth_url(birth))
    return _form_page(
        request,
        form=form,
        title=_("Override the birth order"),
        cancel_url=_birth_url(birth),
        intro=_("Computed birth order: %(order)d. The reason is kept in the audit log.")
        % {"order": birth.computed_order},
        person=birth.mother,
    )


class BirthTable(tables.Table):
    date = tables.DateColumn(
        verbose_name=gettext_lazy("Birth date"),
        format="Y年n月j日",
        linkify=("people:birth_detail", {"pk": tables.A("pk")}),
    )
    mother = tables.Column(verbose_name=gettext_lazy("Mother"), order_by=("mother__name",))
    father = tables.Column(verbose_name=gettext_lazy("Father"), order_by=("father__name",))
    child_name = tables.Column(verbose_name=gettext_lazy("Child"))
    sex = tables.Column(verbose_name=gettext_lazy("Sex"))
    order = tables.Column(
        verbose_name=gettext_lazy("Birth order"), empty_values=(), order_by=("computed_order",)
    )
    within_policy = tables.BooleanColumn(verbose_name=gettext_lazy("Within policy (statistic)"))
    unit = tables.Column(verbose_name=gettext_lazy("Unit"), order_by=("unit__path",))

    class Meta:
        model = Birth
        fields = ("date", "mother", "father", "child_name", "sex", "order", "within_policy", "unit")
        attrs = TABLE_ATTRS
        empty_text = gettext_lazy("No births match.")

    def render_order(self, record: Birth) -> str:
        return str(record.birth_order)


def _birth_query(request: HttpRequest) -> tuple[Any, dict[str, Any]]:
    """The birth list's rows and filters (shared by the page and its export)."""
    q = request.GET.get("q", "").strip()
    year_text = request.GET.get("year", "").strip()
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    policy = {"1": True, "0": False}.get(request.GET.get("policy", ""))
    filters: dict[str, Any] = {}
    if q:
        filters["q"] = views_export.audited_text(q)
    if year:
        filters["year"] = year
    if policy is not None:
        filters["within_policy"] = policy
    queryset = selectors_family.birth_list(user=request.user, q=q, year=year, within_policy=policy)
    return queryset, filters


@require_GET
def birth_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "people.view_birth")
    queryset, filters = _birth_query(request)
    context = list_page(
        request,
        queryset=queryset,
        table_class=BirthTable,
        export_url=_export_url(request, "people:birth_export"),
    )
    context.update(
        q=request.GET.get("q", "").strip(),
        year=filters.get("year", ""),
        policy=request.GET.get("policy", ""),
    )
    return render(request, "people/birth_list.html", context)


@require_GET
def birth_export(request: HttpRequest) -> HttpResponse:
    """The birth list with its filters as an .xlsx workbook (masked), audited."""
    views_export.require_export(request, "people.view_birth")
    queryset, filters = _birth_query(request)
    return views_export.export_list(
        request,
        queryset=queryset,
        title=views_export.BIRTH_TITLE,
        headers=views_export.BIRTH_HEADERS,
        rows=views_export.birth_rows,
        filters=filters,
        list_url=_list_url(request, "people:birth_list"),
        message=_("Exported the birth list (%(count)d rows)."),
        widths={"母亲公民身份号码": 22, "父亲公民身份号码": 22},
    )


# --------------------------------------------------------------------------- pregnancies


@GET_POST
def pregnancy_create(request: HttpRequest, pk: int) -> HttpResponse:
    woman = selectors.person_get(user=request.user, pk=pk)
    require_perm(request, "people.add_pregnancy")
    form = PregnancyForm(_data(request), initial={"registered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            family.pregnancy_register(actor=request.user, woman=woman, **form.cleaned_data)
        except ValidationError as exc:
            add_family_errors(form, exc)
        else:
            messages.success(request, _("Pregnancy registered."))
            return redirect(_person_url(woman, "pregnancies"))
    return _form_page(
        request,
        form=form,
        title=_("Register a pregnancy"),
        cancel_url=_person_url(woman),
        submit_label=_("Register"),
        person=woman,
    )


@GET_POST
def pregnancy_close(request: HttpRequest, pk: int) -> HttpResponse:
    # changed by the office where the woman is now (after a move, not the one she left)
    pregnancy = get_person_record_or_404(
        Pregnancy.objects.select_related("unit", "woman", "woman__unit", "birth"),
        request.user,
        person_field="woman",
        pk=pk,
    )
    require_perm(request, "people.change_pregnancy")
    woman = pregnancy.woman
    form = PregnancyCloseForm(
        _data(request),
        births=list(selectors_family.births_without_pregnancy(person=woman)),
        initial={"outcome_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            family.pregnancy_close(actor=request.user, pregnancy=pregnancy, **form.cleaned_data)
        except ValidationError as exc:
            add_family_errors(form, exc)
        else:
            messages.success(request, _("Outcome recorded."))
            return redirect(_person_url(woman, "pregnancies"))
    return _form_page(
        request,
        form=form,
        title=_("Outcome of the pregnancy registered on %(date)s")
        % {"date": format_cn_date(pregnancy.registered_on)},
        cancel_url=_person_url(woman),
        submit_label=_("Record"),
        intro=_("A live birth is best recorded on the birth page: it closes the pregnancy."),
        person=woman,
    )


class PregnancyTable(tables.Table):
    woman = tables.Column(
        verbose_name=gettext_lazy("Woman"),
        order_by=("woman__name",),
        linkify=("people:person_detail", {"pk": tables.A("woman_id")}),
    )
    registered_on = tables.DateColumn(
        verbose_name=gettext_lazy("Registered on"), format="Y年n月j日"
    )
    expected_on = tables.DateColumn(verbose_name=gettext_lazy("Expected date"), format="Y年n月j日")
    outcome = tables.Column(verbose_name=gettext_lazy("Outcome"), empty_values=())
    unit = tables.Column(verbose_name=gettext_lazy("Unit"), order_by=("unit__path",))
    actions = tables.TemplateColumn(
        template_name="people/pregnancy_actions.html",
        verbose_name="",
        orderable=False,
    )

    class Meta:
        model = Pregnancy
        fields = ("woman", "registered_on", "expected_on", "outcome", "unit", "actions")
        attrs = TABLE_ATTRS
        empty_text = gettext_lazy("No pregnancies match.")

    def render_outcome(self, record: Pregnancy) -> str:
        return record.get_outcome_display()


def _pregnancy_query(request: HttpRequest) -> tuple[Any, dict[str, Any]]:
    """The pregnancy list's rows and filters (shared by the page and its export)."""
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "ongoing")
    ongoing = {"ongoing": True, "closed": False}.get(status)
    filters: dict[str, Any] = {"status": status if ongoing is not None else "all"}
    if q:
        filters["q"] = views_export.audited_text(q)
    queryset = selectors_family.pregnancy_list(user=request.user, ongoing=ongoing, q=q)
    return queryset, filters


@require_GET
def pregnancy_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "people.view_pregnancy")
    queryset, filters = _pregnancy_query(request)
    context = list_page(
        request,
        queryset=queryset,
        table_class=PregnancyTable,
        export_url=_export_url(request, "people:pregnancy_export"),
    )
    context.update(
        q=request.GET.get("q", "").strip(),
        status=filters["status"],
        can_close=request.user.has_perm("people.change_pregnancy"),
    )
    return render(request, "people/pregnancy_list.html", context)


@require_GET
def pregnancy_export(request: HttpRequest) -> HttpResponse:
    """The pregnancy list with its filters as an .xlsx workbook (masked), audited."""
    views_export.require_export(request, "people.view_pregnancy")
    queryset, filters = _pregnancy_query(request)
    return views_export.export_list(
        request,
        queryset=queryset,
        title=views_export.PREGNANCY_TITLE,
        headers=views_export.PREGNANCY_HEADERS,
        rows=functools.partial(
            views_export.pregnancy_rows, full_birth=privacy.sees_full_birth(request.user)
        ),
        filters=filters,
        list_url=_list_url(request, "people:pregnancy_list"),
        message=_("Exported the pregnancy list (%(count)d rows)."),
        widths={"公民身份号码": 22, "联系电话": 15},
    )
