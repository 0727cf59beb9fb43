from django.urls import path

from jisheng.reports import views_dashboard, views_demography, views_indicators
from jisheng.reports import views_verification as verification

app_name = "reports"
urlpatterns: list = [
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", views_dashboard.dashboard_export, name="dashboard_export"),
    path("dashboard/print/", views_dashboard.dashboard_print, name="dashboard_print"),
    path("dashboard/report.pdf", views_dashboard.dashboard_pdf, name="dashboard_pdf"),
    path("indicators/", views_indicators.catalogue_page, name="catalogue"),
    path("indicators/export.xlsx", views_indicators.catalogue_export, name="catalogue_export"),
    path("drill/", views_indicators.drill, name="drill"),
    path("drill/export.xlsx", views_indicators.drill_export, name="drill_export"),
    path("demography/", views_demography.demography, name="demography"),
    path("demography/export.xlsx", views_demography.demography_export, name="demography_export"),
    # sample verification (抽查)
    path("verification/", verification.verification_list, name="verification_list"),
    path("verification/new/", verification.verification_create, name="verification_create"),
    path("verification/<int:pk>/", verification.verification_detail, name="verification_detail"),
    path(
        "verification/<int:pk>/print/",
        verification.verification_print,
        name="verification_print",
    ),
    path(
        "verification/<int:pk>/close/",
        verification.verification_close,
        name="verification_close",
    ),
    path(
        "verification/<int:pk>/reopen/",
        verification.verification_reopen,
        name="verification_reopen",
    ),
    path(
        "verification/<int:pk>/results/",
        verification.verification_results,
        name="verification_results",
    ),
    path(
        "verification/<int:pk>/results/export.xlsx",
        verification.verification_export,
        name="verification_export",
    ),
    path("verification/records/<int:pk>/", verification.record_entry, name="verification_record"),
]
