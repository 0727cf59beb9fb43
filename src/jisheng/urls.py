from django.apps import apps
from django.conf.urls.i18n import i18n_patterns  # noqa: F401  (kept for future use)
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from django.views.i18n import set_language

from jisheng.api.urls import api
from jisheng.core import views as core_views

FAVICON = "jisheng/img/favicon.svg"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", core_views.LogoutView.as_view(), name="logout"),
    path("password/", core_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", core_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    # the language switch works before signing in (the login page offers it)
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz", core_views.healthz, name="healthz"),
    # browsers ask for /favicon.ico on pages without the <link> (prints, PDFs, errors)
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=lazy(static, str)(FAVICON), permanent=True)),
    ),
    path("system/status/", core_views.system_status, name="system_status"),
    path("import/", include("jisheng.core.urls_import")),
    # A certificate's QR code: the public verification page (no log-in), at the root
    # because it is printed on paper (the app's own pages are under certificates/).
    path("verify/", include("jisheng.certificates.urls_verify")),
    # Each installed app with pages: its ``urls`` module under its AppConfig's
    # ``url_prefix`` (core's audit log at "audit/", "people/", …) — a new app needs no
    # edit here.
    *(
        path(config.url_prefix, include(f"{config.name}.urls"))
        for config in apps.get_app_configs()
        if getattr(config, "url_prefix", None)
    ),
    path("api/v1/", api.urls),
]

# Chinese error pages inside the layout (JSON under /api/); core/views_errors.py.
handler403 = "jisheng.core.views_errors.permission_denied"
handler404 = "jisheng.core.views_errors.page_not_found"
handler500 = "jisheng.core.views_errors.server_error"
