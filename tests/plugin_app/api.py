from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router

router = Router(tags=["plugin"])


@router.get("/widgets", summary="The plugin's widgets")
def widgets(request: HttpRequest) -> dict:
    from tests.plugin_app.models import Widget

    if not request.auth.has_perm("plugin_app.view_widget"):
        raise PermissionDenied
    return {"names": list(Widget.objects.order_by("name").values_list("name", flat=True))}
