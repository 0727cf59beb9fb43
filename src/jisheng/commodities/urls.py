"""Pages of the commodities app, one module of views per part."""

from django.urls import include, path

app_name = "commodities"
urlpatterns = [
    path("", include("jisheng.commodities.urls_ledger")),
    path("counts/", include("jisheng.commodities.urls_counts")),
    path("reports/", include("jisheng.commodities.urls_reports")),
    path("planning/", include("jisheng.commodities.urls_planning")),
]
