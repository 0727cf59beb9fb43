"""What each kind of life event does: one table, read by everything that records,
replays or follows up an event.

- the replay (:mod:`jisheng.people.timeline`) takes from it the person's new status,
  marital status, unit and employer, and what the state must be for the event to fit;
- the events module (:mod:`jisheng.people.events`) takes the management transfer a
  departure opens (:mod:`jisheng.people.transfers`) and what a death ends in the family
  (the marriages in force, the household memberships);
- the bulk loader opens the same transfers; the family services (:mod:`jisheng.people.family`)
  know from it which events a marriage records and which end it.

Pure data: no database access, nothing above ``people.choices`` imported.
"""

from __future__ import annotations

from dataclasses import dataclass

from jisheng.people.choices import EventKind, MaritalStatus, PersonStatus, TransferReason

# What the state must be for an event to fit (checked by the replay).
NOT_MARRIED = "not_married"  # a marriage: the person is not married
MARRIED = "married"  # a divorce, a spouse's death: the person is married
NOT_AWAY = "not_away"  # leaving as an out-migrant: not away already
AWAY = "away"  # returning: away as an out-migrant
HAS_UNIT = "has_unit"  # an internal transfer names the new unit

# How the event changes the marital status.
MARRY = "marry"  # single → first marriage; divorced or widowed → remarried

# How the event changes the employer.
KEEP = "keep"
FROM_DATA = "from_data"  # the event's ``employer_id``, else unchanged
CLEAR = "clear"


@dataclass(frozen=True)
class Consequence:
    """What an event of one kind does to the person and around them."""

    # False: recorded for services and statistics, the state stays as it is.
    changes_state: bool = True
    requires: str = ""  # one of the conditions above, or ""
    status: str | None = None  # the person's new status
    marital_status: str | None = None  # the new marital status, or MARRY
    moves_unit: bool = False  # the event's ``unit_id`` (when given) becomes the unit
    employer: str = KEEP
    # May follow a move out (a move-in brings the person back; a death may be recorded).
    after_move_out: bool = False
    # The management transfer (管理移交) the event opens, or None.
    transfer: str | None = None
    # The event belongs to a couple: recorded by the marriage and divorce services for
    # each registered spouse, with the couple's id.
    couple: bool = False
    # A death: ends the person's marriages in force (the survivor widowed) and household
    # memberships from its date; correcting it reopens them.
    ends_family: bool = False


CONSEQUENCES: dict[str, Consequence] = {
    EventKind.MARRIAGE: Consequence(requires=NOT_MARRIED, marital_status=MARRY, couple=True),
    EventKind.BIRTH: Consequence(changes_state=False),
    EventKind.CONTRACEPTION: Consequence(changes_state=False),
    EventKind.DEATH: Consequence(
        status=PersonStatus.DECEASED, after_move_out=True, ends_family=True
    ),
    EventKind.MOVE_OUT: Consequence(
        status=PersonStatus.TRANSFERRED_OUT, transfer=TransferReason.TRANSFER
    ),
    EventKind.MOVE_IN: Consequence(
        status=PersonStatus.REGISTERED, moves_unit=True, employer=FROM_DATA, after_move_out=True
    ),
    EventKind.FLOW_OUT: Consequence(requires=NOT_AWAY, status=PersonStatus.OUT_MIGRANT),
    EventKind.FLOW_IN: Consequence(status=PersonStatus.IN_MIGRANT, moves_unit=True),
    EventKind.DIVORCE: Consequence(
        requires=MARRIED, marital_status=MaritalStatus.DIVORCED, couple=True
    ),
    EventKind.WIDOWED: Consequence(requires=MARRIED, marital_status=MaritalStatus.WIDOWED),
    EventKind.INTERNAL_TRANSFER: Consequence(
        requires=HAS_UNIT, moves_unit=True, employer=FROM_DATA
    ),
    EventKind.RETIREMENT: Consequence(
        status=PersonStatus.RETIRED, transfer=TransferReason.RETIREMENT
    ),
    EventKind.EARLY_RETIREMENT: Consequence(
        status=PersonStatus.EARLY_RETIRED, transfer=TransferReason.RETIREMENT
    ),
    EventKind.LEAVE_EMPLOYMENT: Consequence(
        status=PersonStatus.CONTRACT_ENDED, employer=CLEAR, transfer=TransferReason.LEAVING
    ),
    EventKind.RETURN: Consequence(requires=AWAY, status=PersonStatus.REGISTERED),
}

# The kinds recorded through a form or the API: every kind but the registration itself
# and a correction (which reverses another event), each with its row above.
RECORDABLE: frozenset[str] = frozenset(CONSEQUENCES)


def of(kind: str) -> Consequence | None:
    """What an event of ``kind`` does (``None``: a registration, a correction, or no kind)."""
    return CONSEQUENCES.get(kind)


def transfer_reasons() -> dict[str, str]:
    """Event kind → the reason of the management transfer it opens (departures only)."""
    return {kind: c.transfer for kind, c in CONSEQUENCES.items() if c.transfer}
