from django.urls import path

from jisheng.orgs import views, views_excel, views_users

app_name = "orgs"
urlpatterns = [
    path("", views.unit_tree, name="unit_tree"),
    path("working-unit/", views.set_working_unit, name="set_working_unit"),
    path("tree/roots/", views.unit_roots, name="unit_roots"),
    path("tree/search/", views.unit_search, name="unit_search"),
    path("positions/<int:pk>/edit/", views.position_edit, name="position_edit"),
    path("positions/<int:pk>/end/", views.position_end, name="position_end"),
    path("positions/<int:pk>/delete/", views.position_delete, name="position_delete"),
    path("committees/<int:pk>/edit/", views.committee_edit, name="committee_edit"),
    path("committees/<int:pk>/delete/", views.committee_delete, name="committee_delete"),
    path("committees/<int:pk>/members/add/", views.member_add, name="member_add"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("users/", views_users.user_list, name="user_list"),
    path("users/new/", views_users.user_create, name="user_create"),
    path("users/<int:pk>/", views_users.user_detail, name="user_detail"),
    path("users/<int:pk>/roles/", views_users.user_roles, name="user_roles"),
    path("users/<int:pk>/tokens/", views_users.token_create, name="token_create"),
    path(
        "users/<int:pk>/tokens/<int:token_id>/revoke/",
        views_users.token_revoke,
        name="token_revoke",
    ),
    # The import page of kind "units" (core/views_import.py); template and jobs: /import/.
    path("import/units/", views_excel.unit_import, name="unit_import"),
]

# Pages addressed by a unit code. ``units/<code>/`` would swallow any other
# ``units/<word>/`` address (a code may be a word), so these are added after every
# pattern of the list above: add new ``units/…`` pages to the list above.
urlpatterns += [
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("units/<str:code>/export.xlsx", views_excel.unit_export, name="unit_export"),
    path("units/<str:code>/children/", views.unit_children, name="unit_children"),
    path("units/<str:code>/add/", views.unit_create, name="unit_create"),
    path("units/<str:code>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<str:code>/move/", views.unit_move, name="unit_move"),
    path("units/<str:code>/delete/", views.unit_delete, name="unit_delete"),
    path("units/<str:code>/positions/add/", views.position_create, name="position_create"),
    path("units/<str:code>/committees/add/", views.committee_create, name="committee_create"),
]
