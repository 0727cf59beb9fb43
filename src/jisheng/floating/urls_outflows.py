from django.urls import URLPattern, path

from jisheng.floating import views_outflows as views

urlpatterns: list[URLPattern] = [
    path("outflows/", views.outflow_list, name="outflow_list"),
    path("outflows/record/", views.outflow_record, name="outflow_record"),
    path("outflows/<int:pk>/", views.outflow_detail, name="outflow_detail"),
    path("outflows/<int:pk>/edit/", views.outflow_update, name="outflow_update"),
    path("outflows/<int:pk>/return/", views.outflow_return, name="outflow_return"),
    path("outflows/<int:pk>/transfer/", views.outflow_transfer, name="outflow_transfer"),
    path("outflows/<int:pk>/contacts/", views.contact_create, name="contact_create"),
    path("outflows/<int:pk>/agreement/", views.agreement_sign, name="agreement_sign"),
    path("outflows/<int:pk>/agreement/print/", views.agreement_print, name="agreement_print"),
    path("outflows/<int:pk>/certificate/", views.certificate_link, name="certificate_link"),
    path("outflows/<int:pk>/certificate/issue/", views.certificate_issue, name="certificate_issue"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_update, name="team_update"),
]
