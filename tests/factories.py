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


def id_number(birth_date, sex: str, seq: int = 1, region: str = "110105") -> str:
    """A synthetic but valid 18-character ID number (real region code, GB 11643 checksum)."""
    from stdnum.cn import ric

    # the 17th digit: odd for men, even for women
    order = (seq * 2 + (1 if sex == "M" else 0)) % 1000
    body = f"{region}{birth_date:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def person(
    unit,
    name: str = "王芳",
    sex: str = "F",
    birth_date=None,
    seq: int = 1,
    registered_on=None,
    **extra,
):
    import datetime

    from jisheng.people import services as people_services

    birth_date = birth_date or datetime.date(1990, 5, 17)
    return people_services.person_register(
        actor=None,
        name=name,
        sex=sex,
        birth_date=birth_date,
        unit=unit,
        id_number=id_number(birth_date, sex, seq),
        registered_on=registered_on or datetime.date(2020, 1, 1),
        **extra,
    )


def demo_county(*, persons: int) -> None:
    """The county of ``jisheng demo`` (units, staff, policy, services, commodities,
    certificates) with ``persons`` generated persons: what the page-crawling tests read."""
    from jisheng.certificates.demo import load_demo_certificates
    from jisheng.commodities.demo import load_demo_commodities
    from jisheng.orgs.demo import load_demo
    from jisheng.people.demo import load_demo_persons
    from jisheng.services.demo import load_demo_services

    load_demo()
    load_demo_persons(count=persons)
    load_demo_services()
    load_demo_commodities()
    load_demo_certificates()
