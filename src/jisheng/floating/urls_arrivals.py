"""The arrivals' pages (流入, under ``floating/``)."""

from django.urls import path

from jisheng.floating import views_arrivals as views

urlpatterns = [
    path("arrivals/", views.arrival_list, name="arrival_list"),
    path("arrivals/new/", views.arrival_new, name="arrival_new"),
    path("arrivals/<int:pk>/", views.arrival_detail, name="arrival_detail"),
    path("arrivals/<int:pk>/register/", views.arrival_register, name="arrival_register"),
    path("arrivals/<int:pk>/certificate/", views.arrival_certificate, name="arrival_certificate"),
    path("arrivals/<int:pk>/leave/", views.arrival_leave, name="arrival_leave"),
    path("arrivals/<int:pk>/cancel/", views.arrival_cancel, name="arrival_cancel"),
]
