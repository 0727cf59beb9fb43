"""GET /api/v1/units and /api/v1/units/{code}: scope, filters, pagination, content."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone, translation

from jisheng.orgs import services
from jisheng.orgs.models import Unit
from tests import factories

ALL_CODES = {
    "990100000000",
    "990100001000",
    "990100001001",
    "990100001002",
    "990100002000",
    "990100002001",
    "MINE01",
    "MINE01-01",
}


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


# --- scope -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("field_a", {"990100001001"}),
        ("field_b", {"990100001002"}),
        ("town_office", {"990100001000", "990100001001", "990100001002"}),
        ("admin", ALL_CODES),
        ("leader", ALL_CODES),
    ],
)
def test_list_is_scoped_to_the_callers_subtree(client_for, user, expected):
    response = client_for(user).get("/units")
    assert set(codes(response)) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.django_db
def test_list_is_in_tree_order(client_for):
    listed = codes(client_for("admin").get("/units"))
    paths = [Unit.objects.get(code=c).path for c in listed]
    assert paths == sorted(paths)
    assert listed[0] == "990100000000"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "code"),
    [("field_a", "990100001001"), ("town_office", "990100001002"), ("admin", "MINE01-01")],
)
def test_detail_inside_scope(client_for, user, code):
    response = client_for(user).get(f"/units/{code}")
    assert response.status_code == 200
    assert response.json()["code"] == code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "code"),
    [
        ("field_a", "990100001002"),
        ("field_a", "990100001000"),
        ("town_office", "990100002001"),
        ("town_office", "990100000000"),
        ("town_office", "MINE01"),
    ],
)
def test_detail_outside_scope_is_404(client_for, user, code):
    response = client_for(user).get(f"/units/{code}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- items -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_item_fields(client_for, tree):
    services.unit_update(
        actor=None, unit=tree.village_a, data={"address": "甲村一组", "phone": "0000-1234567"}
    )
    with translation.override("en"):
        items = {
            i["code"]: i for i in client_for("admin", language="en").get("/units").json()["items"]
        }
    assert items["990100001001"] == {
        "code": "990100001001",
        "name": "甲村",
        "unit_type": "village",
        "unit_type_label": "Village",
        "parent_code": "990100001000",
        "depth": 3,
        "path": tree.village_a.path,
        "is_active": True,
        "address": "甲村一组",
        "phone": "0000-1234567",
        "child_count": 0,
    }
    assert items["990100000000"]["parent_code"] is None
    assert items["990100000000"]["child_count"] == 3
    assert items["990100001000"]["child_count"] == 2
    assert items["MINE01-01"]["parent_code"] == "MINE01"


@pytest.mark.django_db
def test_detail_has_positions_and_committees(client_for, tree):
    today = timezone.localdate()
    services.position_create(
        actor=None,
        unit=tree.town,
        role="specialist",
        holder_name="测试甲",
        start_date=today - datetime.timedelta(days=9),
    )
    services.position_create(
        actor=None,
        unit=tree.town,
        role="propagandist",
        holder_name="测试乙",
        start_date=today - datetime.timedelta(days=99),
        end_date=today - datetime.timedelta(days=1),
    )  # ended: not listed
    committee = services.committee_create(
        actor=None, unit=tree.town, name="人口与计划生育委员会", kind="committee"
    )
    services.committee_member_add(actor=None, committee=committee, name="测试丙", role="chair")
    services.committee_member_add(actor=None, committee=committee, name="测试丁")
    body = client_for("town_office", language="en").get("/units/990100001000").json()
    assert body["parent_code"] == "990100000000"
    assert [(p["holder_name"], p["role"], p["role_label"]) for p in body["positions"]] == [
        ("测试甲", "specialist", "Full-time family-planning specialist")
    ]
    assert len(body["committees"]) == 1
    summary = body["committees"][0]
    assert summary["name"] == "人口与计划生育委员会"
    assert summary["member_count"] == 2
    assert summary["kind_label"] == "Committee"


@pytest.mark.django_db
def test_root_detail_has_no_parent(client_for):
    body = client_for("admin").get("/units/990100000000").json()
    assert body["parent_code"] is None
    assert body["depth"] == 1


# --- filters -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_filter_parent_gives_direct_children_only(client_for):
    client = client_for("admin")
    assert codes(client.get("/units", parent="990100000000")) == [
        "990100001000",
        "990100002000",
        "MINE01",
    ]
    assert codes(client.get("/units", parent="990100001000")) == [
        "990100001001",
        "990100001002",
    ]
    assert codes(client.get("/units", parent="990100001001")) == []


@pytest.mark.django_db
def test_filter_parent_own_unit_for_town_office(client_for):
    assert codes(client_for("town_office").get("/units", parent="990100001000")) == [
        "990100001001",
        "990100001002",
    ]


@pytest.mark.django_db
def test_filter_unknown_parent_is_404(client_for):
    response = client_for("admin").get("/units", parent="990100009999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("unit_type", "expected"),
    [
        ("village", ["990100001001", "990100001002"]),
        ("county", ["990100000000"]),
        ("branch", ["MINE01-01"]),
        ("hospital", []),
    ],
)
def test_filter_type(client_for, unit_type, expected):
    assert codes(client_for("admin").get("/units", type=unit_type)) == expected


@pytest.mark.django_db
def test_filter_unknown_type_is_422(client_for):
    response = client_for("admin").get("/units", type="planet")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert [d["field"] for d in body["details"]] == ["type"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("甲", ["990100001001"]),
        ("城", ["990100001000", "990100002000"]),  # name contains
        ("9901000010", ["990100001000", "990100001001", "990100001002"]),  # code prefix
        ("MINE01-", ["MINE01-01"]),
        ("001001", []),  # the middle of a code is not a prefix
    ],
)
def test_filter_q(client_for, q, expected):
    assert codes(client_for("admin").get("/units", q=q)) == expected


@pytest.mark.django_db
def test_filter_active(client_for, tree):
    services.unit_update(actor=None, unit=tree.village_b, data={"is_active": False})
    client = client_for("admin")
    assert codes(client.get("/units", active="false")) == ["990100001002"]
    assert "990100001002" not in codes(client.get("/units", active="true"))
    assert len(codes(client.get("/units"))) == 8


@pytest.mark.django_db
def test_filters_combine_and_stay_scoped(client_for):
    assert codes(client_for("town_office").get("/units", type="village", q="乙")) == [
        "990100001002"
    ]
    assert codes(client_for("field_a").get("/units", type="village")) == ["990100001001"]


# --- pagination --------------------------------------------------------------------------


@pytest.mark.django_db
def test_pagination_pages(client_for):
    client = client_for("admin")
    first = client.get("/units", page_size=3).json()
    second = client.get("/units", page_size=3, page=2).json()
    third = client.get("/units", page_size=3, page=3).json()
    assert (first["count"], first["page"], first["page_size"]) == (8, 1, 3)
    assert (second["page"], len(second["items"]), len(third["items"])) == (2, 3, 2)
    seen = [i["code"] for page in (first, second, third) for i in page["items"]]
    assert len(seen) == len(set(seen)) == 8
    assert set(seen) == ALL_CODES


@pytest.mark.django_db
def test_page_beyond_the_end_is_empty_with_count(client_for):
    body = client_for("admin").get("/units", page=99, page_size=5).json()
    assert body == {"items": [], "count": 8, "page": 99, "page_size": 5}


@pytest.mark.django_db
def test_default_page_size(client_for, settings):
    body = client_for("admin").get("/units").json()
    assert body["page_size"] == settings.JISHENG_PAGE_SIZE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": -1}, "page_size"),
        ({"page_size": 501}, "page_size"),
        ({"page_size": "many"}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": "x"}, "page"),
    ],
)
def test_pagination_bounds_are_422(client_for, params, field):
    response = client_for("admin").get("/units", **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert [d["field"] for d in body["details"]] == [field]
    assert all(d["location"] == "query" for d in body["details"])


@pytest.mark.django_db
def test_max_page_size_is_the_setting(client_for, settings):
    body = client_for("admin").get("/units", page_size=settings.JISHENG_API_MAX_PAGE_SIZE).json()
    assert body["page_size"] == settings.JISHENG_API_MAX_PAGE_SIZE == 500
    assert body["count"] == 8


# --- queries -----------------------------------------------------------------------------


def _add_villages(town: Unit, count: int) -> None:
    for n in range(count):
        factories.unit(f"990100001{100 + n:03d}", f"测试村{n}", "village", town)


def _query_count(client, path: str, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@override_settings(JISHENG_PAGE_SIZE=50)
def test_list_query_count_does_not_grow_with_items(client_for, tree):
    client = client_for("admin")
    client.get("/me")  # token's last_used_at written now, not inside the measurements
    small = _query_count(client, "/units", page_size=500)
    _add_villages(tree.town, 30)
    large = _query_count(client, "/units", page_size=500)
    assert large == small
    assert small <= 6  # token+user, permissions (2), page, [count]


@pytest.mark.django_db
def test_detail_query_count_does_not_grow_with_positions(client_for, tree):
    client = client_for("admin")
    client.get("/me")
    today = timezone.localdate()
    services.position_create(
        actor=None, unit=tree.town, role="specialist", holder_name="测试甲", start_date=today
    )
    small = _query_count(client, "/units/990100001000")
    for n in range(5):
        services.position_create(
            actor=None,
            unit=tree.town,
            role="propagandist",
            holder_name=f"测试{n}",
            start_date=today,
        )
        committee = services.committee_create(
            actor=None, unit=tree.town, name=f"小组{n}", kind="leading_group"
        )
        services.committee_member_add(actor=None, committee=committee, name="测试成员")
    large = _query_count(client, "/units/990100001000")
    assert large == small
