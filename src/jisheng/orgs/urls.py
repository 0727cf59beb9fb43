from django.urls import path

from jisheng.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.unit_tree, name="unit_tree"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
]
