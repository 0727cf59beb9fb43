from django.urls import path

from jisheng.leave import views

app_name = "leave"
urlpatterns = [
    path("", views.leave_list, name="leave_list"),
    path("apply/", views.leave_apply, name="apply"),
    path("apply/<int:pk>/", views.leave_apply_person, name="apply_person"),
    path("<int:pk>/", views.leave_detail, name="detail"),
    path("<int:pk>/act/", views.leave_act, name="act"),
    path("person/<int:pk>/", views.leave_person, name="person"),
]
