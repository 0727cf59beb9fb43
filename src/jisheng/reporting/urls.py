from __future__ import annotations

from django.urls import path

from jisheng.reporting import views_statforms

app_name = "reporting"

urlpatterns: list = [
    path("forms/", views_statforms.form_list, name="forms"),
    path("forms/<slug:key>/", views_statforms.form_detail, name="form"),
    path("forms/<slug:key>/records/", views_statforms.form_records, name="form_records"),
]
