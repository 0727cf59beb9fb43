"""The commodity reports, under /commodities/reports/ (namespace ``commodities``)."""

from django.urls import path

from jisheng.commodities import views_reports as views

urlpatterns = [
    path("", views.index, name="reports"),
    path("stock-status/", views.stock_status, name="report_stock_status"),
    path("users/", views.users, name="report_users"),
    path("effect/", views.effect, name="report_effect"),
    path("methods/", views.methods, name="report_methods"),
]
