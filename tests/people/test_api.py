"""GET /api/v1/persons, /persons/{id}, /persons/{id}/periods, /persons/{id}/events.

Every endpoint: no token 401, no permission 403, out of scope 404 (audited as denied),
the happy path; the list's filters, bad filter values and pagination.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jisheng.core.models import AuditEvent
from jisheng.core.tokens import token_create
from jisheng.people import services
from jisheng.people.selectors import age_on
from tests import factories
from tests.api.conftest import ApiClient

D = dt.date


@pytest.fixture
def people(tree):
    a, b = tree.village_a, tree.village_b
    return {
        "张三": factories.person(a, "张三", "M", D(1990, 1, 2), seq=1, phone="13812345678"),
        "张三丰": factories.person(a, "张三丰", "M", D(1985, 3, 4), seq=2),
        "单丽": factories.person(
            a, "单丽", "F", D(1988, 9, 10), seq=4, marital_status="first_marriage"
        ),
        "李强": factories.person(b, "李强", "M", D(1970, 11, 12), seq=5),
        "王芳": factories.person(
            tree.community, "王芳", "F", D(2000, 2, 28), seq=6, status="in_migrant"
        ),
    }


@pytest.fixture
def api(users):
    """``api("field_a")``: a client with that user's token (English messages)."""
    secrets = {}

    def make(name: str | None) -> ApiClient:
        if name is None:
            return ApiClient(None, language="en")
        if name not in secrets:
            _token, secrets[name] = token_create(actor=None, user=getattr(users, name), name="test")
        return ApiClient(secrets[name], language="en")

    return make


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def endpoints(person) -> list[str]:
    return ["/persons", f"/persons/{person.pk}", f"/persons/{person.pk}/periods",
            f"/persons/{person.pk}/events"]  # fmt: skip


# --------------------------------------------------------------------------- access


def test_every_endpoint_needs_a_token(api, people):
    for path in endpoints(people["张三"]):
        response = api(None).get(path)
        assert response.status_code == 401, path
        assert response.json()["code"] == "unauthorized"
        bad = ApiClient("js_00000000_" + "x" * 43).get(path)
        assert bad.status_code == 401, path


def test_every_endpoint_needs_view_person(api, people, users):
    # the auditor reads the audit log but not the registry
    assert not users.auditor.has_perm("people.view_person")
    for path in endpoints(people["张三"]):
        response = api("auditor").get(path)
        assert response.status_code == 403, path
        assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize("suffix", ["", "/periods", "/events"])
def test_person_outside_scope_is_404_and_audited(api, people, users, suffix):
    person = people["李强"]  # village B
    response = api("field_a").get(f"/persons/{person.pk}{suffix}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert AuditEvent.objects.filter(
        action="denied",
        user=users.field_a,
        object_type="people.person",
        object_id=str(person.pk),
    ).exists()


@pytest.mark.parametrize("suffix", ["", "/periods", "/events"])
def test_missing_person_is_404_like_one_outside_scope(api, people, suffix):
    response = api("field_a").get(f"/persons/999999{suffix}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not AuditEvent.objects.filter(action="denied").exists()


def test_non_numeric_id_is_404(api, people):
    response = api("admin").get("/persons/abc")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_list_unit_outside_scope_is_404_and_audited(api, people, users, tree):
    response = api("field_a").get("/persons", unit=tree.village_b.code)
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action="denied", user=users.field_a, object_type="orgs.unit"
    ).exists()


def test_list_unknown_unit_is_404(api, people):
    assert api("admin").get("/persons", unit="NO-SUCH").status_code == 404


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("field_a", {"张三", "张三丰", "单丽"}),
        ("field_b", {"李强"}),
        ("town_office", {"张三", "张三丰", "单丽", "李强"}),
        ("office", {"张三", "张三丰", "单丽", "李强", "王芳"}),
        ("leader", {"张三", "张三丰", "单丽", "李强", "王芳"}),
    ],
)
def test_list_is_scoped(api, people, user, expected):
    response = api(user).get("/persons")
    assert set(names(response)) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize("who", ["field_a", "town_office", "admin"])
def test_detail_inside_scope(api, people, who):
    person = people["张三"]
    response = api(who).get(f"/persons/{person.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == person.pk


# --------------------------------------------------------------------------- content


def test_list_items_are_masked(api, people, tree):
    response = api("office").get("/persons", q="张三")
    body = response.json()
    assert body["count"] == 2
    item = body["items"][0]
    number = factories.id_number(D(1990, 1, 2), "M", 1)
    assert item == {
        "id": people["张三"].pk,
        "name": "张三",
        "sex": "M",
        "sex_label": "Male",
        "birth_date": "1990-01-02",
        "age": age_on(D(1990, 1, 2), dt.date.today()),
        "id_masked": number[:6] + "********" + number[-4:],
        "id_status": "valid",
        "unit": {"code": tree.village_a.code, "name": tree.village_a.name},
        "marital_status": "single",
        "marital_status_label": "Never married",
        "status": "registered",
        "status_label": "Registered",
        "phone": "138****5678",
    }
    assert number not in response.content.decode()


def test_detail_content(api, people, tree):
    person = people["张三"]
    response = api("office").get(f"/persons/{person.pk}")
    body = response.json()
    number = factories.id_number(D(1990, 1, 2), "M", 1)
    assert body["id_masked"] == number[:6] + "********" + number[-4:]
    assert body["phone"] == "13812345678"
    assert body["name_pinyin"] == "zhangsan"
    assert body["ethnicity"] == "汉族"
    assert body["unit"] == {"code": tree.village_a.code, "name": tree.village_a.name}
    assert body["employer"] is None
    assert body["id_status_label"] == "Valid ID number"
    assert "id_number_encrypted" not in body
    assert "id_hash" not in body
    assert number not in response.content.decode()


def test_periods_and_events(api, people, tree, users):
    person = people["张三"]
    marriage = services.event_record(actor=None, person=person, kind="marriage", date=D(2021, 5, 1))
    services.event_record(
        actor=None, person=person, kind="internal_transfer", date=D(2022, 3, 1),
        data={"unit": tree.village_b},
    )  # fmt: skip
    wrong = services.event_record(actor=None, person=person, kind="flow_out", date=D(2023, 1, 1))
    services.event_correct(actor=users.office, event=wrong, reason="recorded by mistake")

    periods = api("office").get(f"/persons/{person.pk}/periods").json()
    assert [(p["valid_from"], p["valid_to"]) for p in periods] == [
        ("2020-01-01", "2021-05-01"),
        ("2021-05-01", "2022-03-01"),
        ("2022-03-01", None),
    ]
    assert [p["marital_status"] for p in periods] == ["single", "first_marriage", "first_marriage"]
    assert periods[1]["marital_status_label"] == "First marriage"
    assert periods[1]["event_id"] == marriage.pk
    assert [p["unit"]["code"] for p in periods] == [
        tree.village_a.code,
        tree.village_a.code,
        tree.village_b.code,
    ]

    events = api("office").get(f"/persons/{person.pk}/events").json()
    assert [e["kind"] for e in events] == [
        "register",
        "marriage",
        "internal_transfer",
        "flow_out",
        "correction",
    ]
    by_kind = {e["kind"]: e for e in events}
    assert by_kind["flow_out"]["corrected"] is True
    assert by_kind["marriage"]["corrected"] is False
    assert by_kind["correction"]["reverses_id"] == wrong.pk
    assert by_kind["correction"]["note"] == "recorded by mistake"
    assert by_kind["correction"]["recorded_by"] == "office"
    assert by_kind["marriage"]["kind_label"] == "Marriage"
    assert by_kind["internal_transfer"]["data"]["unit_code"] == tree.village_b.code


def test_a_person_who_moved_is_found_where_they_live_now(api, people, tree):
    person = people["张三"]
    services.event_record(
        actor=None, person=person, kind="internal_transfer", date=D(2022, 3, 1),
        data={"unit": tree.village_b},
    )  # fmt: skip
    assert "张三" in names(api("field_b").get("/persons"))
    assert "张三" not in names(api("field_a").get("/persons"))
    assert api("field_a").get(f"/persons/{person.pk}/events").status_code == 404


# --------------------------------------------------------------------------- filters


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "张三"}, ["张三", "张三丰"]),
        ({"q": "zs"}, ["张三", "张三丰"]),
        ({"q": "zhangsanf"}, ["张三丰"]),
        ({"q": "danli"}, ["单丽"]),
        ({"q": "13812345678"}, ["张三"]),
        ({"q": "1381234"}, ["张三"]),
        ({"sex": "F"}, ["单丽", "王芳"]),
        ({"status": "in_migrant"}, ["王芳"]),
        ({"marital_status": "first_marriage"}, ["单丽"]),
        ({"unit": "990100001000"}, ["单丽", "张三", "张三丰", "李强"]),
        ({"unit": "990100001000", "sex": "M", "q": "l"}, ["李强"]),
    ],
)
def test_filters(api, people, params, expected):
    response = api("office").get("/persons", **params)
    assert sorted(names(response)) == sorted(expected)


def test_filter_by_exact_id_number(api, people):
    number = factories.id_number(D(1988, 9, 10), "F", 4)
    assert names(api("office").get("/persons", q=number)) == ["单丽"]
    assert names(api("office").get("/persons", q=number.lower())) == ["单丽"]
    assert names(api("office").get("/persons", q=number[:17])) == []


def test_filter_by_age_band(api, people):
    today = dt.date.today()
    for low, high in [(0, 30), (30, 45), (36, 60)]:
        expected = sorted(
            n for n, p in people.items() if low <= age_on(p.birth_date, today) <= high
        )
        response = api("office").get("/persons", age_min=low, age_max=high)
        assert sorted(names(response)) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "123"}, "q"),
        ({"q": "a1b2"}, "q"),
        ({"age_min": "50", "age_max": "10"}, "age_max"),
        ({"age_min": "-1"}, "age_min"),
        ({"age_max": "200"}, "age_max"),
        ({"age_min": "abc"}, "age_min"),
        ({"status": "bogus"}, "status"),
        ({"sex": "X"}, "sex"),
        ({"marital_status": "nope"}, "marital_status"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_bad_filters_are_422_with_the_field(api, people, params, field):
    response = api("office").get("/persons", **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert field in [d["field"] for d in body["details"]]


# --------------------------------------------------------------------------- pages


def test_pagination(api, people):
    first = api("office").get("/persons", page_size=2).json()
    assert first["count"] == 5
    assert first["page"] == 1
    assert first["page_size"] == 2
    second = api("office").get("/persons", page_size=2, page=2).json()
    third = api("office").get("/persons", page_size=2, page=3).json()
    listed = [i["name"] for page in (first, second, third) for i in page["items"]]
    assert listed == sorted(people)  # by name, every person once
    beyond = api("office").get("/persons", page_size=2, page=9).json()
    assert beyond["items"] == []
    assert beyond["count"] == 5


def test_pagination_bounds_are_422(api, people):
    assert api("office").get("/persons", page=0).status_code == 422
    assert api("office").get("/persons", page_size=100000).status_code == 422


def test_list_query_count_does_not_grow_with_items(api, tree):
    client = api("office")
    for i in range(3):
        factories.person(tree.village_a, f"钱{i}", "F", D(1990, 1, 1), seq=300 + i)
    client.get("/persons")  # warm up: the token's last use, permission caches
    with CaptureQueriesContext(connection) as few:
        client.get("/persons", page_size=2)
    for i in range(3, 30):
        factories.person(tree.village_a, f"钱{i}", "F", D(1990, 1, 1), seq=300 + i)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/persons", page_size=20)
    assert len(response.json()["items"]) == 20
    assert len(many.captured_queries) == len(few.captured_queries)
