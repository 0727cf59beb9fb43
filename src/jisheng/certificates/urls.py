from django.urls import path

from jisheng.certificates import views, views_registration
from jisheng.certificates.urls_verify import staff_urlpatterns

app_name = "certificates"
urlpatterns = [
    path("", views.certificate_list, name="list"),
    path("kinds/", views.kind_list, name="kinds"),
    path("apply/", views.apply_choose, name="apply_choose"),
    path("apply/<slug:kind>/", views.certificate_apply, name="apply"),
    path("candidates/", views.candidates, name="candidates"),
    path("registrations/", views_registration.registration_list, name="registration_list"),
    path(
        "couples/<int:couple_pk>/registration/",
        views_registration.registration_new,
        name="registration_new",
    ),
    path("<int:pk>/", views.certificate_detail, name="detail"),
    path("<int:pk>/step/", views.certificate_step, name="step"),
]
urlpatterns += staff_urlpatterns
