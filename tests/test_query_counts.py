"""Query counts of every list: the same with 3 rows as with 30 (no N+1), and no more than
the committed baseline of ``tests/query_baselines.json`` (issue 14, item 7).

The lists are discovered, not listed by hand: the pages whose URL name ends in ``_list``
and the GET operations of the OpenAPI schema that answer a page (``Paged…``) or an array.
Each needs a row builder in :data:`BUILDERS` (``rows(n)`` adds ``n`` rows the list shows
to the admin of the county) and a baseline; a new list fails until it has both. A builder
``None`` marks a list whose rows the fixtures cannot make yet: it is skipped with that
reason (the table says which).

To set a baseline for a new list: ``JISHENG_QUERY_BASELINES=write pytest
tests/test_query_counts.py -n 0`` writes the counts measured (review the diff).
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories

BASELINES_FILE = Path(__file__).with_name("query_baselines.json")
D = datetime.date
FEW, MANY = 3, 30


def page_lists() -> list[str]:
    """``page:<url name>`` of every page whose URL name ends in ``_list``."""
    found = []

    def walk(patterns: list[Any], namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                if inner == "api":
                    continue
                walk(
                    pattern.url_patterns, f"{namespace}:{inner}".strip(":") if inner else namespace
                )
            elif isinstance(pattern, URLPattern) and (pattern.name or "").endswith("_list"):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                if not pattern.pattern.converters:
                    found.append(f"page:{name}")

    walk(get_resolver().url_patterns)
    return sorted(set(found))


def is_list_response(operation: dict[str, Any]) -> bool:
    """Whether an OpenAPI GET operation answers a list: a ``Paged…`` schema or an array."""
    response = operation.get("responses", {}).get(200) or operation.get("responses", {}).get(
        "200", {}
    )
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    return schema.get("type") == "array" or ref.rsplit("/", 1)[-1].startswith("Paged")


def api_lists() -> list[str]:
    """``api:<path>`` of every GET operation of the API schema that answers a list."""
    from jisheng.api.urls import api

    schema = api.get_openapi_schema()
    return sorted(
        f"api:{path}"
        for path, operations in schema["paths"].items()
        if "get" in operations and is_list_response(operations["get"])
    )


def every_list() -> list[str]:
    return page_lists() + api_lists()


# ------------------------------------------------------------------ row builders


def _persons(env: SimpleNamespace, n: int) -> None:
    for _ in range(n):
        env.make_person(name="陈静")


def _units(env: SimpleNamespace, n: int) -> None:
    for _ in range(n):
        env.serial += 1
        factories.unit(
            f"990100001{100 + env.serial:03d}", f"新村{env.serial}", "village", env.tree.town
        )


def _users(env: SimpleNamespace, n: int) -> None:
    for _ in range(n):
        env.serial += 1
        factories.user(f"field_{env.serial}", env.tree.village_a, "field")


def _households(env: SimpleNamespace, n: int) -> None:
    from jisheng.people import family

    for _ in range(n):
        env.serial += 1
        family.household_create(actor=None, unit=env.tree.village_a, number=f"H{env.serial:04d}")


def _births(env: SimpleNamespace, n: int) -> None:
    from jisheng.people import family

    for _ in range(n):
        mother = env.make_person(name="孙丽")
        family.birth_record(
            actor=None, mother=mother, date=D(2024, 3, 1), sex="F", child_name="孙乐"
        )


def _pregnancies(env: SimpleNamespace, n: int) -> None:
    from jisheng.people import family

    for _ in range(n):
        woman = env.make_person(name="周敏")
        family.pregnancy_register(actor=None, woman=woman, registered_on=env.today)


def _movements(env: SimpleNamespace, n: int) -> None:
    from jisheng.commodities import services

    for _ in range(n):
        env.serial += 1
        services.receive(
            actor=None,
            store=env.store,
            occurred_on=D(2026, 3, 2),
            supplier="省药具站",
            lines=[services.NewLot(env.product, f"L{env.serial}", "2028-12-31", 10)],
        )


def _lot(env: SimpleNamespace) -> Any:
    from jisheng.commodities.models import Lot

    if not Lot.objects.exists():
        _movements(env, 1)
    return Lot.objects.first()


def _quality_checks(env: SimpleNamespace, n: int) -> None:
    from jisheng.commodities import quality

    lot = _lot(env)
    for _ in range(n):
        quality.quality_check_record(
            actor=None,
            store=env.store,
            checked_on=D(2026, 3, 2),
            lot=lot,
            condition="good",
            action="none",
            checked_by="王五",
        )


def _adverse_reactions(env: SimpleNamespace, n: int) -> None:
    from jisheng.commodities import quality

    for _ in range(n):
        quality.adverse_reaction_report(
            actor=None,
            person=env.make_person(name="吴红"),
            product=env.product,
            started_on=D(2026, 3, 1),
            reported_on=D(2026, 3, 3),
            description="服药后恶心",
            severity="mild",
            reporter="赵医生",
        )


def _counts(env: SimpleNamespace, n: int) -> None:
    from jisheng.commodities import counts
    from jisheng.commodities.models import Store

    for _ in range(n):
        env.serial += 1
        store = Store.objects.create(
            unit=env.tree.village_b,
            code=f"s{env.serial}",
            name=f"药具柜{env.serial}",
            kind="village_cabinet",
        )
        counts.count_open(None, store, D(2026, 3, 2))


def _campaign_rounds(env: SimpleNamespace, n: int) -> None:
    from jisheng.services import campaigns

    for _ in range(n):
        env.serial += 1
        unit = factories.unit(
            f"990100001{100 + env.serial:03d}", f"新村{env.serial}", "village", env.tree.town
        )
        campaigns.round_create(
            actor=None,
            unit=unit,
            campaign_id="comprehensive_service",
            period_start=D(2026, 1, 1),
            period_end=D(2026, 3, 31),
        )


def _policy_packs(env: SimpleNamespace, n: int) -> None:
    from jisheng.policy.services import pack_load
    from tests.policy.conftest import minimal

    for _ in range(n):
        env.serial += 1
        pack_load(actor=None, text=minimal(code=f"pack-{env.serial}"), unit=env.tree.county)


def _moves(env: SimpleNamespace, n: int) -> None:
    """Events of the one person of the per-person lists (``{person_id}``): out-migrant and
    back, each pair a period away and one at home."""
    from jisheng.people import services

    for _ in range(n):
        env.serial += 1
        day = D(2020, 1, 1) + datetime.timedelta(days=30 * env.serial)
        kind = "flow_out" if env.serial % 2 else "flow_in"
        data = {} if kind == "flow_out" else {"unit": env.tree.village_a}
        services.event_record(actor=None, person=env.person, kind=kind, date=day, data=data)


def _transfers(env: SimpleNamespace, n: int) -> None:
    """Persons who moved out of village A: each opens a transfer case."""
    from jisheng.people import services

    for _ in range(n):
        person = env.make_person(name="郑洁")
        services.event_record(
            actor=None,
            person=person,
            kind="move_out",
            date=D(2024, 1, 1),
            data={"unit": env.tree.village_b, "to": "乙村"},
        )


def _migrant_checks(env: SimpleNamespace, n: int) -> None:
    from jisheng.migrants.services import check_record
    from jisheng.people.choices import PersonStatus

    for _ in range(n):
        person = env.make_person(
            name="流入", status=PersonStatus.IN_MIGRANT, registered_on=D(2024, 1, 1)
        )
        check_record(
            actor=None,
            person=person,
            checked_on=D(2026, 3, 1),
            result="valid",
            certificate_number="440104-2025-001",
            issuing_place="广州市某街道",
        )


def _letters(env: SimpleNamespace, n: int) -> None:
    """Letters of inquiry of the mine about its men whose wives live outside the system."""
    from jisheng.people import family
    from jisheng.policy.services import pack_load
    from jisheng.services import letters
    from tests.policy.conftest import pack_file

    if not getattr(env, "mine_pack", False):
        pack_load(actor=None, text=pack_file("mine-2005.yaml"), unit=env.tree.mine)
        env.mine_pack = True
    for _ in range(n):
        man = env.make_person(
            unit=env.tree.shaft,
            name="矿工",
            sex="M",
            birth_date=D(1985, 1, 1),
            registered_on=D(2010, 1, 1),
            employer=env.tree.shaft,
        )
        couple = family.couple_create(
            actor=None,
            married_on=D(2015, 5, 1),
            husband=man,
            outside={"name": "外妻", "township": "邻县城关镇"},
        )
        letters.letter_create(actor=None, issuer=env.tree.mine, couple=couple, year=env.today.year)


def _contracts(env: SimpleNamespace, n: int) -> None:
    """Contracts the county draws up with townships of its own."""
    from jisheng.indicators import contracts

    for _ in range(n):
        env.serial += 1
        unit = factories.unit(
            f"990100{100 + env.serial:03d}000", f"新镇{env.serial}", "township", env.tree.county
        )
        contracts.contract_draw(actor=None, issuer=env.tree.county, unit=unit, year=env.today.year)


def _verifications(env: SimpleNamespace, n: int) -> None:
    """Samples of the town's married women of childbearing age (one of the fixtures')."""
    from jisheng.reports import verification

    if not getattr(env, "married", None):
        env.married = env.make_person(name="何芳", marital_status="first_marriage")
    for _ in range(n):
        env.serial += 1
        verification.verification_create(actor=None, unit=env.tree.town, size=1, seed=env.serial)


def _assessments(env: SimpleNamespace, n: int) -> None:
    """The county's assessments of its townships, one a year back from last year."""
    from jisheng.indicators import assessment

    for _ in range(n):
        env.serial += 1
        year = env.today.year - env.serial
        assessment.assessment_create(actor=None, issuer=env.tree.county, period=str(year))


def _round_targets(env: SimpleNamespace, n: int) -> None:
    """``n`` more married women in village A, and a new round (a quarter earlier than the
    last) that draws them all: ``{round_id}`` is the newest round."""
    from jisheng.services import campaigns

    for _ in range(n):
        env.make_person(name="冯丽", marital_status="first_marriage")
    env.serial += 1
    start = D(2026 - env.serial // 4, 10 - 3 * (env.serial % 4), 1)
    end = (start + datetime.timedelta(days=92)).replace(day=1) - datetime.timedelta(days=1)
    env.round = campaigns.round_create(
        actor=None,
        unit=env.tree.village_a,
        campaign_id="comprehensive_service",
        period_start=start,
        period_end=end,
    )


# list -> rows(env, n); None: the fixtures cannot make its rows yet (skipped, and said).
BUILDERS: dict[str, Callable[[SimpleNamespace, int], None] | None] = {
    "page:core:audit_list": _persons,  # each registration writes audit events
    "page:orgs:user_list": _users,
    "page:people:person_list": _persons,
    "page:people:household_list": _households,
    "page:people:birth_list": _births,
    "page:people:pregnancy_list": _pregnancies,
    "page:people:transfer_list": _transfers,
    "page:policy:pack_list": _policy_packs,
    "page:services:campaign_list": _campaign_rounds,
    "page:services:letter_list": _letters,
    "page:indicators:contract_list": _contracts,
    "page:indicators:assessment_list": _assessments,
    "page:reports:verification_list": _verifications,
    "page:migrants:check_list": _migrant_checks,
    "page:commodities:count_list": _counts,
    "page:commodities:quality_list": _quality_checks,
    "page:commodities:adverse_list": _adverse_reactions,
    "api:/api/v1/units": _units,
    "api:/api/v1/persons": _persons,
    "api:/api/v1/commodities/movements": _movements,
    "api:/api/v1/commodities/stock": _movements,
    "api:/api/v1/policy/packs": _policy_packs,
    "api:/api/v1/services/campaigns": _campaign_rounds,
    "api:/api/v1/services/letters": _letters,
    "api:/api/v1/persons/{person_id}/periods": _moves,
    "api:/api/v1/persons/{person_id}/events": _moves,
    "api:/api/v1/services/campaigns/{round_id}/targets": _round_targets,
}


def judge(name: str, few: int, many: int, baseline: int | None) -> list[str]:
    """What is wrong with the counts of the list ``name`` (nothing: an empty list)."""
    problems = []
    if many != few:
        problems.append(f"{name}: {few} queries with {FEW} rows, {many} with {MANY} (N+1)")
    if baseline is None:
        problems.append(f"{name}: no baseline in {BASELINES_FILE.name}")
    elif few > baseline:
        problems.append(f"{name}: {few} queries, above its baseline of {baseline}")
    return problems


def test_more_queries_for_more_rows_or_above_the_baseline_is_reported() -> None:
    assert judge("page:x_list", 11, 11, 11) == []
    assert judge("page:x_list", 10, 10, 11) == []
    assert "N+1" in judge("page:x_list", 11, 38, 11)[0]
    assert "above its baseline of 11" in judge("page:x_list", 12, 12, 11)[0]
    assert "no baseline" in judge("page:x_list", 12, 12, None)[0]


def read_baselines() -> dict[str, int]:
    return json.loads(BASELINES_FILE.read_text(encoding="utf-8"))


def test_lists_are_discovered_from_the_url_conf_and_the_schema() -> None:
    found = every_list()
    assert "page:people:person_list" in found
    assert "api:/api/v1/persons" in found
    assert "api:/api/v1/persons/{person_id}" not in found  # one person, not a list
    assert is_list_response(
        {
            "responses": {
                200: {
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/PagedThingOut"}
                        }
                    }
                }
            }
        }
    )
    assert not is_list_response(
        {
            "responses": {
                200: {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ThingOut"}}
                    }
                }
            }
        }
    )


def test_every_list_has_a_builder_and_a_baseline() -> None:
    found = set(every_list())
    assert sorted(found - set(BUILDERS)) == [], "a new list: add its row builder to BUILDERS"
    assert sorted(set(BUILDERS) - found) == [], "BUILDERS names lists that are gone"
    baselines = read_baselines()
    built = {name for name, builder in BUILDERS.items() if builder is not None}
    assert sorted(built - set(baselines)) == [], "a list without a baseline in the JSON file"
    assert sorted(set(baselines) - built) == [], "a baseline of a list without a builder"


@pytest.fixture
def env(tree, users, person, make_person, api) -> SimpleNamespace:
    from django.utils import timezone

    from jisheng.commodities.models import Product, Store

    page_client = Client()
    page_client.force_login(users.admin)
    return SimpleNamespace(
        tree=tree,
        make_person=make_person,
        person=person,
        serial=0,
        today=timezone.localdate(),
        page_client=page_client,
        api_client=api("admin"),
        store=Store.objects.create(
            unit=tree.village_a, code="jiacun", name="甲村药具柜", kind="village_cabinet"
        ),
        product=Product.objects.create(
            code="pill-coc",
            name="复方左炔诺孕酮片",
            category="oral",
            unit="板",
            method="pill",
            cyp_item="pill_cycle",
            monthly_need=1,
        ),
    )


def _get(env: SimpleNamespace, name: str) -> tuple[int, int, int]:
    """(status, queries, length of the answer) of one GET of the list ``name``."""
    kind, target = name.split(":", 1)
    with CaptureQueriesContext(connection) as queries:
        if kind == "page":
            response = env.page_client.get(reverse(target))
        else:
            round_ = getattr(env, "round", None)
            path = target.format(person_id=env.person.pk, round_id=round_.pk if round_ else 0)
            response = env.api_client.client.get(path, headers=env.api_client.headers)
    return response.status_code, len(queries), len(response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_a_list_costs_the_same_queries_for_3_rows_as_for_30(env, name: str) -> None:
    builder = BUILDERS[name]
    if builder is None:
        pytest.skip(f"{name}: no row builder yet (BUILDERS)")
    builder(env, FEW)
    _get(env, name)  # warm: caches of the first request (content types, policy, …)
    status, few, few_size = _get(env, name)
    assert status == 200, f"{name} answered {status}"
    builder(env, MANY - FEW)
    status, many, many_size = _get(env, name)
    assert status == 200
    assert many_size > few_size, f"{name} shows no more with {MANY} rows: does it list them?"
    if os.environ.get("JISHENG_QUERY_BASELINES") == "write" and many == few:
        baselines = read_baselines() if BASELINES_FILE.exists() else {}
        baselines[name] = few
        BASELINES_FILE.write_text(
            json.dumps(dict(sorted(baselines.items())), indent=2) + "\n", encoding="utf-8"
        )
    assert judge(name, few, many, read_baselines().get(name)) == []
