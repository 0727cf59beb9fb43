from django.urls import path

from jisheng.migrants import views

app_name = "migrants"
urlpatterns = [
    path("checks/", views.check_list, name="check_list"),
    path("persons/<int:pk>/check/", views.check_create, name="check_create"),
]
