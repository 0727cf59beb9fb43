from __future__ import annotations

from django.urls import path

from jisheng.quality import views_underreporting

app_name = "quality"

urlpatterns: list = [
    path("underreporting/", views_underreporting.underreporting_scan, name="underreporting"),
    path(
        "underreporting/village/",
        views_underreporting.underreporting_village,
        name="underreporting_village",
    ),
]
