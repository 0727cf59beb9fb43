"""Reads of the two-way notification, in the caller's scope (issue 17).

An office (a unit and its subtree) sees the notices addressed to it (its **inbox**:
``receiver_unit`` in its subtree) and those it sent (its **outbox**: ``sender_unit`` in
its subtree); any other notice answers 404 like a missing one, audited.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from jisheng.core.scope import get_in_any_scope_or_404, restrict_any, user_scope_path
from jisheng.exchange.models import Notice, NoticeKind, NoticeStatus, PeerKey

if TYPE_CHECKING:
    from jisheng.orgs.models import Unit, User

BOTH = ("receiver_unit__path", "sender_unit__path")
INBOX = ("receiver_unit__path",)
OUTBOX = ("sender_unit__path",)

AWAITING = Q(status=NoticeStatus.SENT) & ~Q(kind=NoticeKind.REPLY)
UNADDRESSED = Q(receiver_unit__isnull=True, receiver_code="")


def _within(
    qs: QuerySet[Notice], user: User | None, unit: Unit | None, fields: tuple[str, ...]
) -> QuerySet[Notice]:
    """Rows with one of ``fields`` in the user's scope and, when given, below ``unit``."""
    qs = restrict_any(qs, user, fields)
    if unit is not None:
        prefix = user_scope_path(user)
        if prefix is None or not unit.path.startswith(prefix):
            return qs.none()
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__startswith": unit.path})
        qs = qs.filter(condition)
    return qs


def inbox(
    user: User | None,
    *,
    unit: Unit | None = None,
    awaiting: bool = False,
    overdue: bool = False,
    kind: str = "",
    today: datetime.date | None = None,
) -> QuerySet[Notice]:
    """The notices addressed to the user's office (below ``unit``), newest first;
    ``awaiting``: still to reply; ``overdue``: to reply and past ``reply_due``."""
    qs = _within(Notice.objects.exclude(status=NoticeStatus.HELD), user, unit, INBOX)
    if awaiting or overdue:
        qs = qs.filter(AWAITING)
    if overdue:
        qs = qs.filter(reply_due__lt=today or timezone.localdate())
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("sender_unit", "receiver_unit").order_by("-created_at", "-id")


def outbox(
    user: User | None, *, unit: Unit | None = None, kind: str = "", unaddressed: bool = False
) -> QuerySet[Notice]:
    """The notices the user's office sent (below ``unit``), newest first."""
    qs = _within(Notice.objects.all(), user, unit, OUTBOX)
    if kind:
        qs = qs.filter(kind=kind)
    if unaddressed:
        qs = qs.filter(UNADDRESSED)
    return qs.select_related("sender_unit", "receiver_unit").order_by("-created_at", "-id")


def notice_get(user: User | None, pk: int) -> Notice:
    """One notice addressed to or sent by the user's office; else 404 (audited)."""
    return get_in_any_scope_or_404(
        Notice.objects.select_related("sender_unit", "receiver_unit", "person", "in_reply_to"),
        user,
        BOTH,
        pk=pk,
    )


def chain(notice: Notice) -> list[Notice]:
    """The corrections around ``notice``: what it corrects and what corrected it."""
    uids = [u for u in (notice.corrects_uid, notice.corrected_by_uid) if u is not None]
    if not uids:
        return []
    return list(Notice.objects.filter(uid__in=uids).order_by("created_at", "id"))


def replies(notice: Notice) -> list[Notice]:
    return list(notice.replies.order_by("created_at", "id"))


def reply_due(user: User | None, *, unit: Unit | None = None) -> QuerySet[Notice]:
    """Notices addressed to the user's office awaiting its reply, soonest due first."""
    return (
        _within(Notice.objects.filter(AWAITING, reply_due__isnull=False), user, unit, INBOX)
        .select_related("sender_unit", "receiver_unit")
        .order_by("reply_due", "id")
    )


def unaddressed(user: User | None, *, unit: Unit | None = None) -> QuerySet[Notice]:
    """Notices the user's office sent that wait for their receiver, oldest first."""
    return (
        _within(Notice.objects.filter(UNADDRESSED), user, unit, OUTBOX)
        .select_related("sender_unit")
        .order_by("event_on", "id")
    )


def in_scope(user: User | None, unit: Unit) -> bool:
    """Whether ``unit`` is in the user's subtree (the office it is)."""
    prefix = user_scope_path(user)
    return prefix is not None and unit.path.startswith(prefix)


def peer_keys() -> QuerySet[PeerKey]:
    return PeerKey.objects.select_related("added_by").order_by("instance")
