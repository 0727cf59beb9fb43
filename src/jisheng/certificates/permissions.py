"""The certificates' role grants: numbered certificates are issued and voided by the
office."""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

VIEW_CERTIFICATES = ["certificates.view_certificate"]
ALL_CERTIFICATES = [
    *VIEW_CERTIFICATES,
    "certificates.add_certificate",
    "certificates.change_certificate",
]
# Checking a certificate by its number, whichever unit issued it.
VERIFY_CERTIFICATES = ["certificates.verify_certificate"]


def register() -> None:
    register_grants(
        {
            Role.ADMIN.value: [*ALL_CERTIFICATES, *VERIFY_CERTIFICATES],
            Role.OFFICE.value: [*ALL_CERTIFICATES, *VERIFY_CERTIFICATES],
            Role.ASSESSOR.value: VIEW_CERTIFICATES,
            Role.LEADER.value: VIEW_CERTIFICATES,
            Role.FIELD.value: VIEW_CERTIFICATES,
        }
    )
