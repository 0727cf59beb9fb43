"""Test data builders shared by every test module."""

from __future__ import annotations

from jisheng.orgs import services
from jisheng.orgs.models import Unit, User

PASSWORD = "Test-pass-2026!"


def unit(code: str, name: str, unit_type: str, parent: Unit | None = None) -> Unit:
    return services.unit_create(
        actor=None, parent=parent, code=code, name=name, unit_type=unit_type
    )


def user(username: str, unit: Unit, *roles: str, password: str = PASSWORD) -> User:
    return services.user_create(
        actor=None,
        username=username,
        unit=unit,
        roles=list(roles),
        password=password,
        full_name=username,
    )
