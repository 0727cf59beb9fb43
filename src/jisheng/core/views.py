from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from jisheng.core.models import AuditEvent


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    return render(request, "core/home.html", {})


@login_required
@permission_required("core.view_auditevent", raise_exception=True)
def audit_list(request):
    events = AuditEvent.objects.all()[:100]
    return render(request, "core/audit_list.html", {"events": events})
