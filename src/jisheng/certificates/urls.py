from django.urls import path

from jisheng.certificates import views
from jisheng.certificates.urls_verify import staff_urlpatterns

app_name = "certificates"
urlpatterns = [
    path("", views.certificate_list, name="list"),
    path("candidates/", views.candidates, name="candidates"),
    path("couples/<int:couple_pk>/issue/", views.certificate_issue, name="issue"),
    path("<int:pk>/", views.certificate_detail, name="detail"),
    path("<int:pk>/print/", views.certificate_print, name="print"),
    path("<int:pk>/void/", views.certificate_void, name="void"),
]
urlpatterns += staff_urlpatterns
