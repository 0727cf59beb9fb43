"""Pages of rental housing and sweeps (under ``floating/``)."""

from django.urls import URLPattern, path

from jisheng.floating import views_housing, views_sweeps

urlpatterns: list[URLPattern] = [
    path("properties/", views_housing.property_list, name="property_list"),
    path("properties/new/", views_housing.property_create, name="property_create"),
    path("properties/<int:pk>/", views_housing.property_detail, name="property_detail"),
    path("properties/<int:pk>/edit/", views_housing.property_edit, name="property_edit"),
    path("properties/<int:pk>/close/", views_housing.property_close, name="property_close"),
    path(
        "properties/<int:pk>/agreement/",
        views_housing.property_agreement,
        name="property_agreement",
    ),
    path("properties/<int:pk>/tenants/new/", views_housing.tenancy_create, name="tenancy_create"),
    path(
        "properties/<int:pk>/tenants/upload/",
        views_housing.tenancy_upload,
        name="tenancy_upload",
    ),
    path("tenancies/<int:pk>/end/", views_housing.tenancy_end, name="tenancy_end"),
    path("sweeps/", views_sweeps.sweep_list, name="sweep_list"),
    path("sweeps/new/", views_sweeps.sweep_create, name="sweep_create"),
    path("sweeps/<int:pk>/", views_sweeps.sweep_detail, name="sweep_detail"),
    path("sweeps/<int:pk>/close/", views_sweeps.sweep_close, name="sweep_close"),
    path("sweeps/<int:pk>/findings/new/", views_sweeps.finding_create, name="finding_create"),
    path("sweeps/<int:pk>/report/", views_sweeps.sweep_report, name="sweep_report"),
    path("sweeps/<int:pk>/report.xlsx", views_sweeps.sweep_report_xlsx, name="sweep_report_xlsx"),
    path("sweep-lines/<int:pk>/", views_sweeps.sweep_item_record, name="sweep_item_record"),
    path("findings/", views_sweeps.finding_list, name="finding_list"),
    path("findings/<int:pk>/", views_sweeps.finding_resolve, name="finding_resolve"),
]
