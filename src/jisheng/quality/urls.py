from __future__ import annotations

from django.urls import path  # noqa: F401

from jisheng.quality import urls_crosscheck

app_name = "quality"

urlpatterns: list = [*urls_crosscheck.urlpatterns]
