from __future__ import annotations

from django.urls import path

from jisheng.reporting import views_forms

app_name = "reporting"

urlpatterns: list = [
    path("forms/", views_forms.form_list, name="forms"),
    path("forms/<slug:key>/", views_forms.form_detail, name="form"),
    path("forms/<slug:key>/records/", views_forms.form_records, name="form_records"),
]
