"""Physical counts, the quality-check register and adverse reactions
(/commodities/counts/…, namespace ``commodities``)."""

from django.urls import path

from jisheng.commodities import views_counts as views

urlpatterns: list = [
    path("", views.count_list, name="count_list"),
    path("open/", views.count_open, name="count_open"),
    path("<int:pk>/", views.count_detail, name="count"),
    path("<int:pk>/sheet/", views.count_sheet, name="count_sheet"),
    path("<int:pk>/differences/", views.count_differences, name="count_differences"),
    path("<int:pk>/submit/", views.count_submit, name="count_submit"),
    path("<int:pk>/approve/", views.count_approve, name="count_approve"),
    path("<int:pk>/return/", views.count_return, name="count_return"),
    path("<int:pk>/cancel/", views.count_cancel, name="count_cancel"),
    path("quality/", views.quality_list, name="quality_list"),
    path("quality/new/<int:store_pk>/", views.quality_new, name="quality_new"),
    path("adverse/", views.adverse_list, name="adverse_list"),
    path("adverse/new/", views.adverse_new, name="adverse_new"),
    path("adverse/export.xlsx", views.adverse_export, name="adverse_export"),
]
