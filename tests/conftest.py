"""Shared fixtures: a small county tree and users of each role at different levels.

示范县 990100000000
├── 东城镇 990100001000
│   ├── 甲村 990100001001   (village A)
│   └── 乙村 990100001002   (village B)
├── 西城街道 990100002000
│   └── 丙社区 990100002001
└── 示范煤矿 MINE01 (enterprise) └── 一号井 MINE01-01 (branch)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import translation

from tests import factories


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts in the site's language (Chinese), whatever an earlier test in
    the same worker activated (a request in English, a command): messages a test reads
    must not depend on the order pytest-xdist gives the tests."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def tree(db):
    county = factories.unit("990100000000", "示范县", "county")
    town = factories.unit("990100001000", "东城镇", "township", county)
    village_a = factories.unit("990100001001", "甲村", "village", town)
    village_b = factories.unit("990100001002", "乙村", "village", town)
    street = factories.unit("990100002000", "西城街道", "street", county)
    community = factories.unit("990100002001", "丙社区", "community", street)
    mine = factories.unit("MINE01", "示范煤矿", "enterprise", county)
    shaft = factories.unit("MINE01-01", "一号井", "branch", mine)
    return SimpleNamespace(
        county=county,
        town=town,
        village_a=village_a,
        village_b=village_b,
        street=street,
        community=community,
        mine=mine,
        shaft=shaft,
    )


@pytest.fixture
def users(tree):
    return SimpleNamespace(
        admin=factories.user("admin", tree.county, "admin"),
        office=factories.user("office", tree.county, "office"),
        town_office=factories.user("town_office", tree.town, "office"),
        field_a=factories.user("field_a", tree.village_a, "field"),
        field_b=factories.user("field_b", tree.village_b, "field"),
        leader=factories.user("leader", tree.county, "leader"),
        auditor=factories.user("auditor", tree.county, "auditor"),
    )


@pytest.fixture
def make_person(tree) -> Callable[..., object]:
    """``make_person(unit=None, **fields)``: a registered person (a woman of village A
    unless told otherwise, ``fields`` as :func:`tests.factories.person`) with an ID number
    of her own (``seq`` counts up from 101 when not given)."""
    seqs = itertools.count(101)

    def make(unit=None, **fields):
        fields.setdefault("seq", next(seqs))
        return factories.person(unit or tree.village_a, **fields)

    return make


@pytest.fixture
def person(make_person):
    """The shared person of the tests: 李秀英, a woman of village A born 1990-05-17."""
    return make_person(name="李秀英", seq=1)


@pytest.fixture
def api(users):
    """``api("field_a")``: an API client with that user's token (English messages unless
    ``language`` says otherwise; ``api(None)``: no token)."""
    from jisheng.core.tokens import token_create
    from tests.api.conftest import ApiClient

    secrets: dict[str, str] = {}

    def make(name: str | None, language: str | None = "en") -> ApiClient:
        if name is None:
            return ApiClient(None, language=language)
        if name not in secrets:
            _token, secrets[name] = token_create(actor=None, user=getattr(users, name), name="test")
        return ApiClient(secrets[name], language=language)

    return make
