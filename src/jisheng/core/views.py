"""The shell's pages: log in, password change, home, audit log."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from jisheng.core import audit, selectors, workers, workflow
from jisheng.core.choices import AuditAction
from jisheng.core.filters import AuditEventFilter, bootstrap_widgets
from jisheng.core.menu import shortcuts_for
from jisheng.core.tables import AuditEventTable, list_page

# A browser-session cookie set at login and removed at logout: a login page reached with
# ?next= while it is still there means the session ran out (not a first visit).
SIGNED_IN_COOKIE = "jisheng_signed_in"


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["session_expired"] = bool(
            context.get("next")
            and self.request.COOKIES.get(SIGNED_IN_COOKIE)
            and not self.request.user.is_authenticated
        )
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        response.set_cookie(
            SIGNED_IN_COOKIE,
            "1",
            httponly=True,
            samesite="Lax",
            secure=self.request.is_secure(),
        )
        return response

    def get_form(self, form_class=None):
        form = bootstrap_widgets(super().get_form(form_class))
        form.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        form.fields["password"].widget.attrs["autocomplete"] = "current-password"
        return form


@method_decorator(login_not_required, name="dispatch")
class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"

    def get_form(self, form_class=None):
        form = bootstrap_widgets(super().get_form(form_class))
        form.fields["old_password"].widget.attrs["autocomplete"] = "current-password"
        for name in ("new_password1", "new_password2"):
            form.fields[name].widget.attrs["autocomplete"] = "new-password"
        return form

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(
            actor=self.request.user,
            action=AuditAction.UPDATE,
            obj=self.request.user,
            changes={"password": ["***", "***"]},
            message=_("Changed own password."),
        )
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


def home(request):
    quick_links = shortcuts_for(request.user)
    unit = getattr(request, "working_unit", None) or getattr(request.user, "unit", None)
    context = {"quick_links": quick_links, "unit": unit}
    if not request.user.has_perm("services.view_followupdue"):
        # No worklist for this role (a commodity keeper, say): what was returned to the
        # user (退回, with its message) is shown on the home page instead.
        context["returned_count"], context["returned_items"] = workflow.collect_returned(
            request.user, unit=unit
        )
    return render(request, "core/home.html", context)


@require_safe
@permission_required("core.view_auditevent", raise_exception=True)
def audit_list(request):
    context = list_page(
        request,
        queryset=selectors.audit_events_for(request.user),
        filterset_class=AuditEventFilter,
        table_class=AuditEventTable,
    )
    return render(request, "core/audit_list.html", context)


@require_safe
@permission_required("core.view_auditevent", raise_exception=True)
def audit_detail(request, pk: int):
    event = selectors.audit_event_get(user=request.user, pk=pk)
    return render(
        request,
        "core/audit_detail.html",
        {
            "event": event,
            "object_type_label": selectors.object_type_label(event.object_type),
            "change_rows": selectors.change_rows(event),
        },
    )


@login_not_required
@never_cache
@require_safe
def healthz(request):
    """``/healthz``: for a load balancer or a monitor, no login and no personal data.

    200 when the database answers, 503 when it does not; the JSON also says when a
    background worker last beat and whether that is fresh.
    """
    health = workers.health()
    return JsonResponse(health.as_json(), status=200 if health.database else 503)


@require_safe
@permission_required("core.view_workerheartbeat", raise_exception=True)
def system_status(request):
    """系统状态: the database, the background worker and the task queue."""
    from django_tasks_db.compat import TaskResultStatus

    health = workers.health()
    context = {"health": health, "fresh_seconds": workers.FRESH_SECONDS}
    if health.database:
        running = workers.recent_tasks(TaskResultStatus.RUNNING)
        failed = workers.recent_tasks(TaskResultStatus.FAILED)
        context.update(
            counts=workers.queue_counts(),
            running=[(workers.task_label(r), r, "") for r in running],
            failed=[(workers.task_label(r), r, workers.failure_reason(r)) for r in failed],
        )
    return render(
        request, "core/system_status.html", context, status=200 if health.database else 503
    )
