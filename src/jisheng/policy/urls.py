from django.urls import path

from jisheng.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.pack_list, name="pack_list"),
    path("<slug:code>/", views.pack_detail, name="pack_detail"),
    path("<slug:code>/versions/<int:pk>/diff/", views.version_diff, name="version_diff"),
]
