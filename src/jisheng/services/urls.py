from django.urls import path

from jisheng.services import views, views_campaigns, views_letters

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
    # campaigns (综合服务, 妇女病普查)
    path("campaigns/", views_campaigns.round_list, name="campaign_list"),
    path("campaigns/new/", views_campaigns.round_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views_campaigns.round_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/export/", views_campaigns.round_export, name="campaign_export"),
    path("campaigns/<int:pk>/draw/", views_campaigns.round_draw, name="campaign_draw"),
    path(
        "campaigns/<int:pk>/attendance/",
        views_campaigns.attendance,
        name="campaign_attendance",
    ),
    path(
        "campaigns/targets/<int:pk>/elsewhere/",
        views_campaigns.checked_elsewhere,
        name="campaign_elsewhere",
    ),
    path(
        "campaigns/targets/<int:pk>/certificate/",
        views_campaigns.certificate,
        name="campaign_certificate",
    ),
    path("campaigns/targets/<int:pk>/void/", views_campaigns.target_void, name="campaign_void"),
    path(
        "campaigns/targets/<int:pk>/appointment/",
        views_campaigns.target_appointment,
        name="campaign_appointment",
    ),
    # letters of inquiry (函调)
    path("letters/", views_letters.letter_list, name="letter_list"),
    path("letters/targets/", views_letters.letter_targets, name="letter_targets"),
    path("letters/new/", views_letters.letter_create, name="letter_create"),
    path("letters/<int:pk>/", views_letters.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/print/", views_letters.letter_print, name="letter_print"),
    path("letters/<int:pk>/pdf/", views_letters.letter_pdf, name="letter_pdf"),
]
