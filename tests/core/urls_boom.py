"""A URLconf with a view that fails, for the 500 page's test (the project's handlers)."""

from django.urls import path

from jisheng.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", boom), path("api/boom/", boom), *urlpatterns]
