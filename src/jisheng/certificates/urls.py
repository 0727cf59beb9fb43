from django.urls import path

from jisheng.certificates import views, views_registration

app_name = "certificates"
urlpatterns = [
    path("", views.certificate_list, name="list"),
    path("candidates/", views.candidates, name="candidates"),
    path("couples/<int:couple_pk>/issue/", views.certificate_issue, name="issue"),
    path("registrations/", views_registration.registration_list, name="registration_list"),
    path(
        "couples/<int:couple_pk>/registration/",
        views_registration.registration_new,
        name="registration_new",
    ),
    path("<int:pk>/", views.certificate_detail, name="detail"),
    path("<int:pk>/print/", views.certificate_print, name="print"),
    path("<int:pk>/void/", views.certificate_void, name="void"),
]
