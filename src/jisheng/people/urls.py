from django.urls import path

from jisheng.people import views_family, views_import, views_list, views_person, views_transfers

app_name = "people"
urlpatterns = [
    path("", views_list.person_list, name="person_list"),
    path("export.xlsx", views_list.person_export, name="person_export"),
    path("new/", views_person.person_create, name="person_create"),
    path("<int:pk>/", views_person.person_detail, name="person_detail"),
    path("<int:pk>/edit/", views_person.person_edit, name="person_edit"),
    path("<int:pk>/reveal-id/", views_person.person_reveal_id, name="person_reveal_id"),
    path("<int:pk>/card/", views_person.person_card_print, name="person_card_print"),
    path("<int:pk>/events/new/", views_person.event_create, name="event_create"),
    path("events/<int:pk>/correct/", views_person.event_correct, name="event_correct"),
    path("transfers/", views_transfers.transfer_list, name="transfer_list"),
    path("transfers/export.xlsx", views_transfers.transfer_export, name="transfer_export"),
    path(
        "transfers/<int:pk>/complete/",
        views_transfers.transfer_complete,
        name="transfer_complete",
    ),
    path(
        "transfers/<int:pk>/clearance/",
        views_transfers.transfer_clearance,
        name="transfer_clearance",
    ),
]

# Families: households, couples, births, pregnancies (views_family).
urlpatterns += [
    path("pick/", views_family.person_pick, name="family_person_pick"),
    path("households/", views_family.household_list, name="household_list"),
    path("households/export.xlsx", views_family.household_export, name="household_export"),
    path("households/new/", views_family.household_create, name="household_create"),
    path("households/<int:pk>/", views_family.household_detail, name="household_detail"),
    path(
        "households/<int:pk>/members/add/",
        views_family.household_member_add,
        name="household_member_add",
    ),
    path("households/<int:pk>/head/", views_family.household_set_head, name="household_set_head"),
    path(
        "households/members/<int:pk>/leave/",
        views_family.household_member_remove,
        name="household_member_remove",
    ),
    path("couples/new/", views_family.couple_create, name="couple_create"),
    path("couples/<int:pk>/", views_family.couple_detail, name="couple_detail"),
    path("couples/<int:pk>/reveal-id/", views_family.couple_reveal_id, name="couple_reveal_id"),
    path("couples/<int:pk>/end/", views_family.couple_end, name="couple_end"),
    path("<int:pk>/births/new/", views_family.birth_create, name="birth_create"),
    path("<int:pk>/births/order/", views_family.birth_order_preview, name="birth_order_preview"),
    path("births/", views_family.birth_list, name="birth_list"),
    path("births/export.xlsx", views_family.birth_export, name="birth_export"),
    path("births/<int:pk>/", views_family.birth_detail, name="birth_detail"),
    path("births/<int:pk>/order/", views_family.birth_override, name="birth_override"),
    path(
        "births/<int:pk>/child/",
        views_family.birth_register_child,
        name="birth_register_child",
    ),
    path("<int:pk>/pregnancies/new/", views_family.pregnancy_create, name="pregnancy_create"),
    path("pregnancies/", views_family.pregnancy_list, name="pregnancy_list"),
    path("pregnancies/export.xlsx", views_family.pregnancy_export, name="pregnancy_export"),
    path("pregnancies/<int:pk>/close/", views_family.pregnancy_close, name="pregnancy_close"),
]

# Excel import: the import page of the registry's kinds (core/views_import.py); the
# jobs, their progress and error workbooks and the templates are under /import/.
urlpatterns += [
    path("import/", views_import.person_import, name="person_import"),
]
