"""The pages of the benefits app's eligibility part."""

from django.urls import URLPattern, path

from jisheng.benefits import views_eligibility as views

urlpatterns: list[URLPattern] = [
    path("sweeps/", views.sweep_list, name="sweep_list"),
    path("sweeps/<int:pk>/", views.sweep_result, name="sweep_result"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("applications/new/", views.application_create, name="application_create"),
    path("disability/new/", views.disability_create, name="disability_create"),
    path("budget/", views.budget, name="budget"),
]
