"""The public verification page at the root, ``/verify/<code>`` (included by
``jisheng/urls.py`` under ``verify/``: the app's pages live under ``certificates/``),
and the staff pages of the verification helper (added to ``certificates.urls``)."""

from django.urls import path

from jisheng.certificates import views_verify

app_name = "verify"
urlpatterns = [
    path("<str:code>", views_verify.verify_public, name="public"),
]

# Added to ``certificates.urls`` (namespace ``certificates``).
staff_urlpatterns = [
    path("<int:pk>/pdf/", views_verify.certificate_pdf, name="pdf"),
    path("verify/", views_verify.verify_number, name="verify"),
]
