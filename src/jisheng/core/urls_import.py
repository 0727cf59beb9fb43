"""The import pages of every importer kind (``jisheng.core.views_import``), under /import/."""

from django.urls import path

from jisheng.core import views_import

app_name = "imports"
urlpatterns = [
    path("jobs/<int:pk>/", views_import.import_job, name="job"),
    path("jobs/<int:pk>/progress/", views_import.import_job_progress, name="job_progress"),
    path("jobs/<int:pk>/errors.xlsx", views_import.import_job_errors, name="job_errors"),
    path("<slug:kind>/", views_import.import_page, name="start"),
    path("<slug:kind>/template.xlsx", views_import.import_template, name="template"),
]
