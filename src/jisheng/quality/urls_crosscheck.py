from django.urls import path

from jisheng.quality import views_crosscheck as views

urlpatterns = [
    path("crosscheck/", views.crosscheck_lists, name="crosscheck_lists"),
    path("crosscheck/import/", views.crosscheck_import, name="crosscheck_import"),
    path("crosscheck/mapping/<str:source>/", views.crosscheck_mapping, name="crosscheck_mapping"),
    path("crosscheck/<int:pk>/", views.crosscheck_list, name="crosscheck_list"),
    path("crosscheck/<int:pk>/match/", views.crosscheck_rematch, name="crosscheck_rematch"),
    path("crosscheck/records/<int:pk>/", views.crosscheck_row, name="crosscheck_row"),
]
