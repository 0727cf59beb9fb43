"""User pages: list, detail (unit, roles, API tokens), create, change roles, tokens.

Every user may open their own page and manage their own API tokens. Other users' pages
need ``orgs.view_user`` and lie inside the viewer's data scope (outside: 404 and an
audit ``denied`` event); managing them needs ``orgs.add_user`` / ``orgs.change_user``.
"""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from jisheng.core import tokens
from jisheng.core.scope import get_in_scope_or_404
from jisheng.core.tables import TABLE_ATTRS, list_page
from jisheng.orgs import selectors, services
from jisheng.orgs.forms_users import TokenCreateForm, UserCreateForm, UserFilter, UserRolesForm
from jisheng.orgs.models import User


class UserTable(tables.Table):
    username = tables.Column(
        verbose_name=gettext_lazy("Username"),
        linkify=("orgs:user_detail", {"pk": tables.A("pk")}),
    )
    full_name = tables.Column(verbose_name=gettext_lazy("Full name"))
    unit = tables.Column(verbose_name=gettext_lazy("Unit"), order_by=("unit__path",))
    roles = tables.Column(verbose_name=gettext_lazy("Roles"), empty_values=(), orderable=False)
    phone = tables.Column(verbose_name=gettext_lazy("Phone"))
    is_active = tables.BooleanColumn(verbose_name=gettext_lazy("Active"))
    last_login = tables.DateTimeColumn(
        verbose_name=gettext_lazy("Last log-in"), format="Y年n月j日 H:i"
    )

    class Meta:
        model = User
        fields = ("username", "full_name", "unit", "roles", "phone", "is_active", "last_login")
        order_by = ("username",)
        attrs = TABLE_ATTRS
        empty_text = gettext_lazy("No users match.")

    def render_roles(self, record: User) -> str:
        return "、".join(record.role_labels) or "—"


def _target_user(request, pk: int) -> User:
    """The user of the page: oneself, or another user inside the viewer's scope."""
    if request.user.pk == pk:
        return User.objects.select_related("unit").get(pk=pk)
    return get_in_scope_or_404(User.objects.select_related("unit"), request.user, pk=pk)


def _can_manage(actor: Any, target: User) -> bool:
    """Own tokens always; others' with ``orgs.change_user`` (the target is in scope)."""
    return actor.pk == target.pk or actor.has_perm("orgs.change_user")


@require_safe
@permission_required("orgs.view_user", raise_exception=True)
def user_list(request):
    context = list_page(
        request,
        queryset=selectors.user_list(user=request.user),
        filterset_class=UserFilter,
        table_class=UserTable,
    )
    context["can_add"] = request.user.has_perm("orgs.add_user")
    return render(request, "orgs/user_list.html", context)


@require_safe
def user_detail(request, pk: int):
    target = _target_user(request, pk)
    is_self = target.pk == request.user.pk
    if not is_self and not request.user.has_perm("orgs.view_user"):
        raise PermissionDenied
    can_manage_tokens = _can_manage(request.user, target)
    token_rows = (
        [
            (token, tokens.token_status(token), tokens.token_expiry(token))
            for token in tokens.token_list(user=target)
        ]
        if can_manage_tokens
        else []
    )
    return render(
        request,
        "orgs/user_detail.html",
        {
            "target": target,
            "is_self": is_self,
            "can_change_roles": request.user.has_perm("orgs.change_user"),
            "can_manage_tokens": can_manage_tokens,
            "can_view_audit": request.user.has_perm("core.view_auditevent"),
            "token_rows": token_rows,
            "token_form": TokenCreateForm(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("orgs.add_user", raise_exception=True)
def user_create(request):
    initial = {}
    unit_code = request.GET.get("unit") or getattr(
        getattr(request, "working_unit", None), "code", None
    )
    if unit_code:
        initial["unit"] = unit_code
    form = UserCreateForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                unit=data["unit"],
                roles=data["roles"],
                password=data["password1"],
                full_name=data["full_name"],
                phone=data["phone"],
            )
        except ValidationError as exc:
            _add_service_errors(form, exc, default_field="password1")
        else:
            messages.success(
                request, _("User %(username)s was created.") % {"username": user.username}
            )
            return redirect("orgs:user_detail", pk=user.pk)
    return render(request, "orgs/user_form.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def user_roles(request, pk: int):
    target = _target_user(request, pk)
    if not request.user.has_perm("orgs.change_user"):
        raise PermissionDenied
    form = UserRolesForm(request.POST or None, initial={"roles": target.role_codes})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_roles(
                actor=request.user, user=target, roles=form.cleaned_data["roles"]
            )
        except ValidationError as exc:
            _add_service_errors(form, exc, default_field="roles")
        else:
            messages.success(request, _("The roles were saved."))
            return redirect("orgs:user_detail", pk=target.pk)
    return render(request, "orgs/user_roles.html", {"target": target, "form": form})


@never_cache
@require_POST
def token_create(request, pk: int):
    target = _target_user(request, pk)
    if not _can_manage(request.user, target):
        raise PermissionDenied
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            token, secret = tokens.token_create(
                actor=request.user,
                user=target,
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            # The secret is shown on this response only; it is never stored in clear.
            return render(
                request,
                "orgs/user_token_created.html",
                {"target": target, "token": token, "secret": secret},
            )
    else:
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    return redirect("orgs:user_detail", pk=target.pk)


@require_POST
def token_revoke(request, pk: int, token_id: int):
    target = _target_user(request, pk)
    if not _can_manage(request.user, target):
        raise PermissionDenied
    token = get_object_or_404(tokens.token_list(user=target), pk=token_id)
    tokens.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The API token %(prefix)s was revoked.") % {"prefix": token.prefix})
    return redirect("orgs:user_detail", pk=target.pk)


def _add_service_errors(form, exc: ValidationError, *, default_field: str) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields: form-wide)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(default_field, exc)
