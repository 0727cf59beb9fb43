"""The pages of the benefits app's flow part."""

from django.urls import URLPattern, path

from jisheng.benefits import views_flow as views

urlpatterns: list[URLPattern] = [
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/step/", views.batch_step, name="batch_step"),
    path("batches/<int:pk>/notice/", views.notice_print, name="notice_print"),
    path("batches/<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("batches/<int:pk>/findings/new/", views.finding_create, name="finding_create"),
    path("flow/cases/<int:pk>/review/", views.case_review, name="case_review"),
    path("flow/cases/<int:pk>/withdraw/", views.case_withdraw, name="case_withdraw"),
    path("flow/cases/<int:pk>/amount/", views.case_amount, name="case_amount"),
    path("flow/cases/<int:pk>/objection/", views.objection_create, name="objection_create"),
    path("objections/", views.objection_list, name="objection_list"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/<int:pk>/answer/", views.finding_answer, name="finding_answer"),
]
