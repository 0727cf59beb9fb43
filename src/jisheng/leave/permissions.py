"""Leave approval's role grants.

The employee's office or the 计生办 applies (``office``, and ``field`` staff of a work
unit); the unit leader signs (``leader``: the leader role of the employer or of a unit
above it — the role the registry already has for unit leaders); the 计生办 approves and
issues the slip (``office``, which also holds the certificates' grants). Approval stays
apart from signing: the office does not sign for the leader, the leader does not approve.
"""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

VIEW = ["leave.view_leaverequest"]
APPLY = [*VIEW, "leave.add_leaverequest"]
OFFICE = [*APPLY, "leave.change_leaverequest", "leave.approve_leaverequest"]
LEADER = [*VIEW, "leave.sign_leaverequest"]


def register() -> None:
    register_grants(
        {
            Role.ADMIN.value: [*OFFICE, "leave.sign_leaverequest"],
            Role.OFFICE.value: OFFICE,
            Role.FIELD.value: APPLY,
            Role.LEADER.value: LEADER,
            Role.AUDITOR.value: VIEW,
        }
    )
