"""Planning pages, included at /commodities/planning/ (namespace "commodities")."""

from django.urls import path

from jisheng.commodities import views_planning

urlpatterns = [
    path("", views_planning.plan, name="plan"),
    path("transfers/", views_planning.transfers, name="transfers"),
]
