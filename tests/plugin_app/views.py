from django.http import HttpRequest, HttpResponse

from jisheng.core.web import require_perm


def widgets(request: HttpRequest) -> HttpResponse:
    require_perm(request, "plugin_app.view_widget")
    return HttpResponse("plugin widgets")
