from django.urls import path

from jisheng.indicators import views_assessment, views_contracts

app_name = "indicators"
urlpatterns = [
    # target-responsibility contracts (目标责任书)
    path("contracts/", views_contracts.contract_list, name="contract_list"),
    path("contracts/draw/", views_contracts.contract_draw_all, name="contract_draw_all"),
    path("contracts/<int:pk>/", views_contracts.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", views_contracts.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/sign/", views_contracts.contract_sign, name="contract_sign"),
    path("contracts/<int:pk>/revise/", views_contracts.contract_revise, name="contract_revise"),
    path("contracts/<int:pk>/discard/", views_contracts.contract_discard, name="contract_discard"),
    path("contracts/<int:pk>/print/", views_contracts.contract_print, name="contract_print"),
    path("contracts/<int:pk>/pdf/", views_contracts.contract_pdf, name="contract_pdf"),
    # assessments (考核)
    path("assessments/", views_assessment.assessment_list, name="assessment_list"),
    path("assessments/<int:pk>/", views_assessment.assessment_detail, name="assessment_detail"),
    path(
        "assessments/<int:pk>/recompute/",
        views_assessment.assessment_recompute,
        name="assessment_recompute",
    ),
    path(
        "assessments/<int:pk>/approve/",
        views_assessment.assessment_approve,
        name="assessment_approve",
    ),
    path(
        "assessments/<int:pk>/reopen/",
        views_assessment.assessment_reopen,
        name="assessment_reopen",
    ),
    path(
        "assessments/<int:pk>/units/<int:unit_id>/",
        views_assessment.assessment_score,
        name="assessment_score",
    ),
    path(
        "assessments/evidence/<int:pk>/",
        views_assessment.assessment_evidence,
        name="assessment_evidence",
    ),
    path(
        "assessments/<int:pk>/export.xlsx",
        views_assessment.assessment_export,
        name="assessment_export",
    ),
    path("assessments/<int:pk>/print/", views_assessment.assessment_print, name="assessment_print"),
    path("assessments/<int:pk>/pdf/", views_assessment.assessment_pdf, name="assessment_pdf"),
]
