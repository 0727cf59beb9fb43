from __future__ import annotations

from django.urls import path

from jisheng.quality import urls_crosscheck, views_rules, views_underreporting

app_name = "quality"

urlpatterns: list = [
    *urls_crosscheck.urlpatterns,
    path("underreporting/", views_underreporting.underreporting_scan, name="underreporting"),
    path(
        "underreporting/village/",
        views_underreporting.underreporting_village,
        name="underreporting_village",
    ),
    # logic checks
    path("rules/", views_rules.rule_list, name="rule_list"),
    path("checks/", views_rules.check_run, name="check_run"),
    path("checks/rule/<slug:key>/", views_rules.check_rule, name="check_rule"),
    path("checks/records/", views_rules.check_records, name="check_records"),
    path("checks/explain/", views_rules.check_explain, name="check_explain"),
]
