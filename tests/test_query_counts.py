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

from tests import rows
from tests.benefits import factories_changes

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


# list -> rows(env, n); None: the fixtures cannot make its rows yet (skipped, and said).
BUILDERS: dict[str, Callable[[SimpleNamespace, int], None] | None] = {
    "page:core:audit_list": rows.persons,  # each registration writes audit events
    "page:orgs:user_list": rows.users,
    "page:people:person_list": rows.persons,
    "page:people:household_list": rows.households,
    "page:people:birth_list": rows.births,
    "page:certificates:registration_list": rows.birth_registrations,
    "page:people:pregnancy_list": rows.pregnancies,
    "page:people:transfer_list": rows.transfers,
    "page:policy:pack_list": rows.policy_packs,
    "page:services:campaign_list": rows.campaign_rounds,
    "page:services:letter_list": rows.letters,
    "page:indicators:contract_list": rows.contracts,
    "page:indicators:assessment_list": rows.assessments,
    "page:reports:verification_list": rows.verifications,
    "page:migrants:check_list": rows.migrant_checks,
    "page:floating:arrival_list": rows.arrivals,
    "page:reporting:late_list": rows.late_entries,
    "page:commodities:count_list": rows.counts,
    "page:commodities:quality_list": rows.quality_checks,
    "page:commodities:adverse_list": rows.adverse_reactions,
    "page:quality:rule_list": rows.logic_rules,
    "page:reporting:submission_list": rows.report_submissions,
    "page:leave:leave_list": rows.leave_requests,
    "api:/api/v1/units": rows.units,
    "api:/api/v1/persons": rows.persons,
    "api:/api/v1/commodities/movements": rows.movements,
    "api:/api/v1/commodities/stock": rows.movements,
    "api:/api/v1/policy/packs": rows.policy_packs,
    "api:/api/v1/services/campaigns": rows.campaign_rounds,
    "api:/api/v1/services/letters": rows.letters,
    "api:/api/v1/persons/{person_id}/periods": rows.moves,
    "api:/api/v1/persons/{person_id}/events": rows.moves,
    "api:/api/v1/services/campaigns/{round_id}/targets": rows.round_targets,
    "api:/api/v1/quality/underreporting": rows.underreporting_villages,
    "api:/api/v1/quality/checks": rows.logic_violations,
    "api:/api/v1/reporting/submissions": rows.report_submissions,
    "api:/api/v1/certificates": rows.certificates,
    "api:/api/v1/leave": rows.leave_requests,
    "api:/api/v1/floating/arrivals": rows.arrivals,
    "api:/api/v1/exchange/inbox": rows.notices,
    "api:/api/v1/exchange/outbox": rows.notices,
    # its rows are the forms registered by the apps (code), not rows of data
    "api:/api/v1/statforms": None,
    # issue 18: lists of the eligibility and payments parts without a row builder yet
    # (skipped, named in the note)
    "api:/api/v1/benefits/eligibility/kinds": None,
    "api:/api/v1/benefits/eligibility/sweeps": None,
    "api:/api/v1/benefits/payments": None,
    "page:benefits:failed_list": None,
    "page:benefits:roster_list": None,
    "page:benefits:sweep_list": None,
    "api:/api/v1/quality/lists": rows.crosscheck_lists,
    "api:/api/v1/quality/lists/{list_id}/results": rows.crosscheck_rows,
    # issue 17 / housing
    "page:floating:property_list": rows.rental_properties,
    "page:floating:sweep_list": rows.sweeps,
    "page:floating:finding_list": rows.sweep_findings,
    "api:/api/v1/floating/properties": rows.rental_properties,
    "api:/api/v1/floating/properties/{property_id}/tenants": rows.tenancies,
    "api:/api/v1/floating/sweeps": rows.sweeps,
    "api:/api/v1/floating/sweeps/{sweep_id}/items": rows.sweep_items,
    "api:/api/v1/floating/sweeps/{sweep_id}/findings": rows.sweep_findings,
    # issue 17 / outflows
    "page:floating:outflow_list": rows.outflows,
    "page:floating:team_list": rows.away_teams,
    "api:/api/v1/floating/outflows": rows.outflows,
    "api:/api/v1/floating/teams": rows.away_teams,
    # issue 18 / flow
    "page:benefits:batch_list": rows.benefit_batches,
    "page:benefits:objection_list": rows.benefit_objections,
    "page:benefits:finding_list": rows.benefit_findings,
    "api:/api/v1/benefits/batches": rows.benefit_batches,
    "api:/api/v1/benefits/batches/{batch_id}/cases": rows.benefit_cases,
    "api:/api/v1/benefits/objections": rows.benefit_objections,
    "api:/api/v1/benefits/findings": rows.benefit_findings,
    # issue 18 / changes
    "api:/api/v1/benefits/entitlements": factories_changes.entitlement_rows,
    "api:/api/v1/benefits/overpayments": factories_changes.overpayment_rows,
    "api:/api/v1/benefits/allowances": factories_changes.allowance_rows,
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
            checklist = getattr(env, "crosscheck_list", None)
            prop = getattr(env, "rental_property", None)  # issue 17 / housing
            sweep = getattr(env, "sweep", None)
            path = target.format(
                person_id=env.person.pk,
                round_id=round_.pk if round_ else 0,
                list_id=checklist.pk if checklist else 0,
                property_id=prop.pk if prop else 0,
                sweep_id=sweep.pk if sweep else 0,
                batch_id=getattr(getattr(env, "benefit_batch", None), "pk", 0),  # issue 18
            )
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
