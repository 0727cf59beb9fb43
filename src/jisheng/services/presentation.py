"""What the services pages and the API show alike: the permissions they check, the
worklist groups a user sees, and where a visit due stands today.

The worklist selector returns every kind of work in the user's scope; a group is shown
only to users who may open what it lists (a leader without the transfer pages does not
get the open transfers).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from jisheng.core import registry
from jisheng.services.models import FollowUpDue
from jisheng.services.selectors import OVERDUE_DAYS

VIEW_DUE = "services.view_followupdue"
VIEW_METHOD = "services.view_contraceptionrecord"
VIEW_VISIT = "services.view_followupvisit"
ADD_VISIT = "services.add_followupvisit"
ADD_METHOD = "services.add_contraceptionrecord"
VOID_VISIT = "services.change_followupvisit"
VOID_METHOD = "services.change_contraceptionrecord"


def visible_kinds(user: Any) -> tuple[str, ...]:
    """The worklist groups ``user`` may see, in the worklist's order (the registered
    sources'): none without the worklist itself (a group's page asks it), then those of
    the source's permission."""
    if not user.has_perm(VIEW_DUE):
        return ()
    return tuple(
        source.kind
        for source in registry.worklist_sources()
        if not source.permission or user.has_perm(source.permission)
    )


# The permission that the page of each kind of worklist item asks (its view checks the
# same): an item the user cannot act on links to the person's services page instead.
ITEM_PERMISSIONS: dict[str, str] = {
    "services:visit_create": ADD_VISIT,
    "services:method_create": "services.add_contraceptionrecord",
    "services:campaign_attendance": "services.view_campaigntarget",
    "services:letter_detail": "services.view_letter",
    "people:transfer_complete": "people.change_transfer",
    "people:person_detail": "people.view_person",
    "people:birth_detail": "people.view_birth",
    "people:person_create": "people.add_person",
}


def item_link(user: Any, url: str, person_id: int | None) -> str:
    """Where a worklist item leads ``user``: its form, or the person's services page
    when the user may not use the form (a leader, an assessor), or nowhere ("")."""
    from django.urls import Resolver404, resolve, reverse

    try:
        name = resolve(url.split("?", 1)[0]).view_name
    except Resolver404:
        name = ""
    permission = ITEM_PERMISSIONS.get(name)
    if name and (permission is None or user.has_perm(permission)):
        return url
    if person_id is not None and user.has_perm(VIEW_METHOD):
        return reverse("services:person", args=[person_id])
    return ""


class DueStatus:
    ON_TIME = "on_time"
    LATE = "late"
    OPEN = "open"
    OVERDUE = "overdue"
    MISSED = "missed"
    UPCOMING = "upcoming"

    LABELS = {
        ON_TIME: _("Done on time"),
        LATE: _("Done late"),
        OPEN: _("Due now"),
        OVERDUE: _("Overdue"),
        MISSED: _("Missed"),
        UPCOMING: _("Not yet due"),
    }
    CSS = {
        ON_TIME: "text-bg-success",
        LATE: "text-bg-warning",
        OPEN: "text-bg-primary",
        OVERDUE: "text-bg-danger",
        MISSED: "text-bg-secondary",
        UPCOMING: "text-bg-light border",
    }


def due_status(row: FollowUpDue, today: datetime.date) -> str:
    """Where a visit due stands today (missed: overdue longer than the worklist keeps it)."""
    if row.done_on is not None:
        return DueStatus.ON_TIME if row.done_on <= row.due_on else DueStatus.LATE
    if row.starts_on > today:
        return DueStatus.UPCOMING
    if row.due_on >= today:
        return DueStatus.OPEN
    if row.due_on >= today - datetime.timedelta(days=OVERDUE_DAYS):
        return DueStatus.OVERDUE
    return DueStatus.MISSED
