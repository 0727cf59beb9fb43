from __future__ import annotations

from django.urls import path

from jisheng.reporting import views_late

app_name = "reporting"

urlpatterns: list = [
    # locks: late entries (补报/更正) and closed periods
    path("late/", views_late.late_list, name="late_list"),
]
