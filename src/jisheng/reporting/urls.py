from __future__ import annotations

from django.urls import path

from jisheng.reporting import (
    views_grid,
    views_late,
    views_reconciliation,
    views_statforms,
    views_submissions,
)

app_name = "reporting"

urlpatterns: list = [
    path("submissions/", views_submissions.submission_list, name="submission_list"),
    path("grid/", views_grid.grid, name="grid"),
    path("reconciliation/", views_reconciliation.reconciliation_page, name="reconciliation"),
    path(
        "submissions/<str:form_key>/<str:period>/<str:code>/",
        views_submissions.submission_detail,
        name="submission",
    ),
    path(
        "submissions/<str:form_key>/<str:period>/<str:code>/step/",
        views_submissions.submission_step,
        name="submission_step",
    ),
    path("forms/", views_statforms.form_list, name="forms"),
    path("forms/<slug:key>/", views_statforms.form_detail, name="form"),
    path("forms/<slug:key>/records/", views_statforms.form_records, name="form_records"),
    # locks: late entries (补报/更正) and closed periods
    path("late/", views_late.late_list, name="late_list"),
]
