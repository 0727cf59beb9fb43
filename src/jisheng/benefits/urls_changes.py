"""The pages of the benefits app's changes part."""

from django.urls import URLPattern, path

from jisheng.benefits import views_changes as views

urlpatterns: list[URLPattern] = [
    path("person/", views.person_benefits, name="person_benefits"),
    path("stops/", views.stops_to_confirm, name="stops_to_confirm"),
    path("stops/<int:pk>/", views.stop_confirm, name="stop_confirm"),
    path("overpayments/", views.overpayments, name="overpayments"),
    path("overpayments/<int:pk>/", views.overpayment_resolve, name="overpayment_resolve"),
    path("arrears/", views.arrears_due, name="arrears_due"),
    path("allowances/", views.allowance_batches, name="allowances"),
    path("allowances/<int:pk>/", views.allowance_detail, name="allowance_detail"),
]
