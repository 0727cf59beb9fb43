"""The statistical reports' role grants: the office and field staff submit their unit's
reports; the office approves its children's; leaders and assessors view. The forms are
read by the offices, field workers, leaders and assessors (data scope limits each to its
subtree)."""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

VIEW_SUBMISSIONS = ["reporting.view_submission"]
SUBMIT_SUBMISSIONS = [*VIEW_SUBMISSIONS, "reporting.add_submission"]
APPROVE_SUBMISSIONS = [*SUBMIT_SUBMISSIONS, "reporting.change_submission"]
VIEW_FORMS = ["reporting.view_formdefinition"]
# locks: who reads the late entries (补报/更正记录) and the closed periods
VIEW_LATE_ENTRIES = ["core.view_lateentry"]


def register() -> None:
    register_grants(
        {
            Role.ADMIN.value: [*APPROVE_SUBMISSIONS, *VIEW_FORMS, *VIEW_LATE_ENTRIES],
            Role.OFFICE.value: [*APPROVE_SUBMISSIONS, *VIEW_FORMS, *VIEW_LATE_ENTRIES],
            Role.FIELD.value: [*SUBMIT_SUBMISSIONS, *VIEW_FORMS, *VIEW_LATE_ENTRIES],
            Role.LEADER.value: [*VIEW_SUBMISSIONS, *VIEW_FORMS, *VIEW_LATE_ENTRIES],
            Role.ASSESSOR.value: [*VIEW_SUBMISSIONS, *VIEW_FORMS, *VIEW_LATE_ENTRIES],
            Role.AUDITOR.value: VIEW_LATE_ENTRIES,
        }
    )
