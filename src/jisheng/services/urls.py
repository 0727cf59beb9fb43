from django.urls import path

from jisheng.services import views

app_name = "services"
urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("worklist/card/", views.worklist_card, name="worklist_card"),
    path("worklist/<slug:kind>/", views.worklist_group, name="worklist_group"),
    path("persons/<int:pk>/", views.person_page, name="person"),
    path("persons/<int:pk>/visit/", views.visit_create, name="visit_create"),
    path("persons/<int:pk>/method/", views.method_create, name="method_create"),
    path("methods/<int:pk>/void/", views.method_void, name="method_void"),
    path("visits/<int:pk>/void/", views.visit_void, name="visit_void"),
]
