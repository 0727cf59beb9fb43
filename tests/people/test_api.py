"""/api/v1/persons: list, one person, periods, events, the card; registration (POST),
identity changes (PATCH), life events and their correction.

Every endpoint: no token 401, no permission 403, out of scope 404 (audited as denied),
the happy path; the list's filters, bad filter values and pagination; for the writes,
every validation rule with bad input and a clear message on the field concerned.
"""

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jisheng.core.models import AuditEvent
from jisheng.people import family as family_services
from jisheng.people import services
from jisheng.people.choices import EventKind
from jisheng.people.models import LifeEvent, Person
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


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def endpoints(person) -> list[str]:
    return ["/persons", f"/persons/{person.pk}", f"/persons/{person.pk}/periods",
            f"/persons/{person.pk}/events", f"/persons/{person.pk}/card"]  # fmt: skip


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


@pytest.mark.parametrize("suffix", ["", "/periods", "/events", "/card"])
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


@pytest.mark.parametrize("suffix", ["", "/periods", "/events", "/card"])
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
        "birth_month": "1990-01",
        "age": age_on(D(1990, 1, 2), timezone.localdate()),
        "id_masked": number[:6] + "*" * 12,
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
    assert body["id_masked"] == number[:6] + "*" * 12
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
    """By POST only: an ID number never goes in a URL (issue 13 item 8)."""
    number = factories.id_number(D(1988, 9, 10), "F", 4)
    client = api("office")
    assert names(client.post_json("/persons/search", {"q": number})) == ["单丽"]
    assert names(client.post_json("/persons/search", {"q": number.lower()})) == ["单丽"]
    assert names(client.post_json("/persons/search", {"q": number[:17]})) == []
    assert client.get("/persons", q=number).status_code == 400


def test_filter_by_age_band(api, people):
    today = timezone.localdate()
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
    # by pinyin (issue 13 item 21), every person once
    assert listed == ["李强", "单丽", "王芳", "张三", "张三丰"]
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


# =========================================================================== writes


def patch(client: ApiClient, path: str, data: dict):
    return client.request("patch", path, data=json.dumps(data), content_type="application/json")


def field_messages(response, status: int = 422) -> dict[str, str]:
    """``{field: message}`` of an error answer (asserting its status and code)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == ("invalid" if status == 422 else "not_found")
    return {d["field"]: d["message"] for d in body["details"]}


def denied(user, object_type: str) -> int:
    return AuditEvent.objects.filter(action="denied", user=user, object_type=object_type).count()


def registration(tree, **changes) -> dict:
    """A valid POST /persons body for a woman of village A."""
    body = {
        "name": "赵敏",
        "sex": "F",
        "birth_date": "1995-06-15",
        "id_number": factories.id_number(D(1995, 6, 15), "F", 77),
        "unit": tree.village_a.code,
        "registered_on": "2024-03-01",
        "phone": " 13900001111 ",
        "hukou_type": "agricultural",
        "education": "senior",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


# --------------------------------------------------------------------------- POST /persons


def test_register_a_person(api, tree, users):
    number = factories.id_number(D(1995, 6, 15), "F", 77)
    response = api("field_a").post_json("/persons", registration(tree))
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert body["name"] == "赵敏"
    assert body["name_pinyin"] == "zhaomin"
    assert body["id_masked"] == number[:6] + "*" * 12
    assert body["unit"] == {"code": tree.village_a.code, "name": tree.village_a.name}
    assert body["phone"] == "13900001111"
    assert body["hukou_type"] == "agricultural"
    assert body["education"] == "senior"
    assert body["status"] == "registered"
    assert number not in response.content.decode()
    # the same registration as the page: event, first period, name keys, audit
    assert [e.kind for e in person.events.all()] == ["register"]
    assert person.periods.get().valid_from == D(2024, 3, 1)
    assert person.events.get().recorded_by == users.field_a
    assert AuditEvent.objects.filter(
        action="create", user=users.field_a, object_type="people.person", object_id=str(person.pk)
    ).exists()
    assert names(api("field_a").get("/persons", q="zm")) == ["赵敏"]


def test_register_with_employer_and_state(api, tree):
    body = registration(
        tree,
        unit=tree.county.code,
        employer=tree.shaft.code,
        marital_status="first_marriage",
        status="in_migrant",
    )
    response = api("office").post_json("/persons", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["employer"] == {"code": tree.shaft.code, "name": tree.shaft.name}
    assert data["marital_status"] == "first_marriage"
    assert data["status"] == "in_migrant"


@pytest.mark.parametrize("id_status", ["newborn", "foreign", "other"])
def test_register_without_a_valid_id(api, tree, id_status):
    body = registration(tree, id_status=id_status, id_number="")
    response = api("field_a").post_json("/persons", body)
    assert response.status_code == 201, response.content
    assert response.json()["id_status"] == id_status
    assert response.json()["id_masked"] == ""


def test_register_without_id_refuses_a_number(api, tree):
    body = registration(tree, id_status="newborn")
    errors = field_messages(api("field_a").post_json("/persons", body))
    assert errors == {"id_number": "Leave the ID number empty when the person has none."}
    assert not Person.objects.exists()


def _bad_checksum(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"id_number": ""}, "id_number", "The ID number is empty."),
        ({"id_number": "11010519950615"}, "id_number", "has 18 characters; this one has 14"),
        ({"id_number": "11010519950615A771"}, "id_number", "17 digits followed by a digit or X"),
        ("checksum", "id_number", "The check character of the ID number is wrong"),
        ({"id_number": "110105" + "19950231" + "0772"}, "id_number", "are not a real date"),
        ({"birth_date": "1995-06-16"}, "birth_date", "does not agree with the ID number"),
        ({"sex": "M"}, "sex", "whose 17th digit says female"),
        ({"birth_date": "1995-02-31"}, "birth_date", "1995-02-31 is not a real date"),
        ({"birth_date": "15.06.1995"}, "birth_date", "Enter a date as YYYY-MM-DD."),
        ({"registered_on": "2024-13-01"}, "registered_on", "is not a real date"),
        ({"registered_on": "1990-01-01"}, "registered_on", "before the birth date"),
        ({"registered_on": "2999-01-01"}, "registered_on", "in the future"),
        ({"sex": "X"}, "sex", "Choose one of"),
        ({"name": "  "}, "name", "at least 1"),
        ({"name": "赵" * 51}, "name", "at most 50"),
        ({"status": "deceased"}, "status", "Choose one of"),
        ({"status": "transferred_out"}, "status", "Choose one of"),
        ({"id_status": "maybe"}, "id_status", "Choose one of"),
        ({"hukou_type": "city"}, "hukou_type", "Choose one of"),
        ({"unit": None}, "unit", "This field is required."),
        ({"colour": "red"}, "colour", ""),
    ],
)
def test_register_bad_input_is_422_on_the_field(api, tree, changes, field, text):
    if changes == "checksum":
        changes = {"id_number": _bad_checksum(factories.id_number(D(1995, 6, 15), "F", 77))}
    response = api("field_a").post_json("/persons", registration(tree, **changes))
    errors = field_messages(response)
    assert field in errors, errors
    assert text in errors[field]
    assert not Person.objects.exists()


def test_register_errors_are_chinese_by_default(api, tree):
    number = _bad_checksum(factories.id_number(D(1995, 6, 15), "F", 77))
    response = api("field_a", language=None).post_json(
        "/persons", registration(tree, id_number=number)
    )
    assert "身份证号码校验码错误" in field_messages(response)["id_number"]
    response = api("field_a", language=None).post_json(
        "/persons", registration(tree, birth_date="1995-02-31")
    )
    assert "不是有效日期" in field_messages(response)["birth_date"]


def test_register_a_duplicate_id_number(api, tree, people):
    number = factories.id_number(D(1990, 1, 2), "M", 1)  # 张三's
    body = registration(tree, name="张三", sex="M", birth_date="1990-01-02", id_number=number)
    errors = field_messages(api("office").post_json("/persons", body))
    assert errors == {"id_number": "A person with this ID number is already registered."}


def test_register_in_an_unknown_unit_is_404(api, tree, users):
    response = api("field_a").post_json("/persons", registration(tree, unit="NO-SUCH"))
    errors = field_messages(response, 404)
    assert errors == {"unit": "There is no unit with the code NO-SUCH in your data scope."}
    assert denied(users.field_a, "orgs.unit") == 0
    assert not Person.objects.exists()


def test_register_in_a_unit_outside_scope_is_404_like_an_unknown_one(api, tree, users):
    response = api("field_a").post_json("/persons", registration(tree, unit=tree.village_b.code))
    errors = field_messages(response, 404)
    assert errors == {
        "unit": f"There is no unit with the code {tree.village_b.code} in your data scope."
    }
    assert denied(users.field_a, "orgs.unit") == 1
    assert not Person.objects.exists()


def test_register_employer_outside_scope_or_not_a_work_unit(api, tree, users):
    response = api("field_a").post_json("/persons", registration(tree, employer=tree.mine.code))
    assert field_messages(response, 404).keys() == {"employer"}
    assert denied(users.field_a, "orgs.unit") == 1
    response = api("office").post_json("/persons", registration(tree, employer=tree.town.code))
    assert field_messages(response) == {"employer": "东城镇 is not a work unit."}
    assert not Person.objects.exists()


@pytest.mark.parametrize("who", ["leader", "auditor"])
def test_register_needs_add_person(api, tree, who):
    response = api(who).post_json("/persons", registration(tree))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Person.objects.exists()


def test_register_needs_a_token(api, tree):
    assert api(None).post_json("/persons", registration(tree)).status_code == 401


def test_register_with_a_body_that_is_not_json(api, tree):
    response = api("field_a").request(
        "post", "/persons", data="name=x", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


# --------------------------------------------------------------------------- PATCH


def test_patch_identity_details(api, people, users):
    person = people["张三"]
    response = patch(
        api("field_a"),
        f"/persons/{person.pk}",
        {"name": "张山", "phone": "13700000000", "education": "bachelor", "notes": "备注"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "张山"
    assert body["name_pinyin"] == "zhangshan"
    assert body["phone"] == "13700000000"
    assert body["education"] == "bachelor"
    assert body["ethnicity"] == "汉族"  # not sent: unchanged
    person.refresh_from_db()
    assert person.name == "张山"
    assert person.notes == "备注"
    update = AuditEvent.objects.get(
        action="update", object_type="people.person", object_id=str(person.pk)
    )
    assert update.user == users.field_a
    assert update.changes["name"] == ["张三", "张山"]
    # the name keys follow the new name
    assert "张山" in names(api("field_a").get("/persons", q="zhangshan"))


def test_patch_null_clears_a_choice(api, people):
    person = people["张三"]
    patch(api("field_a"), f"/persons/{person.pk}", {"education": "junior"})
    response = patch(api("field_a"), f"/persons/{person.pk}", {"education": None})
    assert response.status_code == 200
    assert response.json()["education"] == ""


def test_patch_with_nothing_changed_writes_nothing(api, people):
    person = people["张三"]
    response = patch(api("field_a"), f"/persons/{person.pk}", {"name": "张三"})
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="update").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"unit": "990100001002"}, "unit"),
        ({"employer": "MINE01"}, "employer"),
        ({"status": "deceased"}, "status"),
        ({"marital_status": "divorced"}, "marital_status"),
    ],
)
def test_patch_state_field_is_422_saying_events(api, people, data, field):
    person = people["张三"]
    response = patch(api("office"), f"/persons/{person.pk}", {"phone": "13700000000", **data})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert "change only through life events" in body["message"]
    errors = {d["field"]: d["message"] for d in body["details"]}
    assert f"POST /api/v1/persons/{person.pk}/events" in errors[field]
    person.refresh_from_db()
    assert (person.unit.code, person.status, person.marital_status, person.phone) == (
        "990100001001",
        "registered",
        "single",
        "13812345678",
    )  # nothing changed, not even the phone


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"birth_date": "1990-01-03"}, "birth_date", "fixed at registration"),
        ({"sex": "F"}, "sex", "fixed at registration"),
        ({"id_number": "x"}, "id_number", "fixed at registration"),
        ({"name_pinyin": "x"}, "name_pinyin", "Unknown field."),
        ({"name": ""}, "name", "at least 1"),
        ({"name": None}, "name", "Enter a text value."),
        ({"hukou_type": "city"}, "hukou_type", "Choose one of"),
        ({"phone": "1" * 33}, "phone", "at most 32"),
    ],
)
def test_patch_bad_input(api, people, data, field, text):
    person = people["张三"]
    errors = field_messages(patch(api("office"), f"/persons/{person.pk}", data))
    assert text in errors[field]
    person.refresh_from_db()
    assert person.name == "张三"


def test_patch_outside_scope_is_404_and_audited(api, people, users):
    person = people["李强"]
    response = patch(api("field_a"), f"/persons/{person.pk}", {"phone": "1"})
    assert response.status_code == 404
    assert denied(users.field_a, "people.person") == 1
    person.refresh_from_db()
    assert person.phone == ""


def test_patch_needs_change_person(api, people):
    person = people["张三"]
    response = patch(api("leader"), f"/persons/{person.pk}", {"phone": "1"})
    assert response.status_code == 403
    assert patch(api(None), f"/persons/{person.pk}", {"phone": "1"}).status_code == 401


# --------------------------------------------------------------------------- events


def event_post(client: ApiClient, person, **data):
    return client.post_json(f"/persons/{person.pk}/events", data)


def test_record_a_marriage(api, people, users):
    person = people["张三"]
    response = event_post(
        api("field_a"), person, kind="marriage", date="2021-05-01", note="登记",
        outside_spouse={"name": "吴梅"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "marriage"
    assert body["kind_label"] == "Marriage"
    assert body["date"] == "2021-05-01"
    assert body["note"] == "登记"
    assert body["recorded_by"] == "field_a"
    assert body["transfer_id"] is None
    assert body["corrected"] is False
    person.refresh_from_db()
    assert person.marital_status == "first_marriage"
    assert AuditEvent.objects.filter(
        action="create",
        user=users.field_a,
        object_type="people.lifeevent",
        object_id=str(body["id"]),
    ).exists()
    periods = api("field_a").get(f"/persons/{person.pk}/periods").json()
    assert [p["marital_status"] for p in periods] == ["single", "first_marriage"]


def test_record_an_internal_transfer(api, people, tree):
    person = people["张三"]
    response = event_post(
        api("town_office"), person, kind="internal_transfer", date="2022-03-01",
        unit=tree.village_b.code,
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["data"]["unit_code"] == tree.village_b.code
    person.refresh_from_db()
    assert person.unit == tree.village_b


def test_record_a_move_in_with_an_employer(api, people, tree):
    person = people["张三"]
    event_post(api("office"), person, kind="move_out", date="2021-01-01", to="外省")
    response = event_post(
        api("office"), person, kind="move_in", date="2022-01-01", unit=tree.county.code,
        employer=tree.shaft.code,
    )  # fmt: skip
    assert response.status_code == 201, response.content
    person.refresh_from_db()
    assert (person.unit, person.employer, person.status) == (tree.county, tree.shaft, "registered")


def test_a_departure_opens_a_transfer(api, people):
    person = people["张三"]
    response = event_post(
        api("field_a"), person, kind="leave_employment", date="2023-01-01", to="某公司"
    )
    assert response.status_code == 201
    transfer = person.transfers.get()
    assert response.json()["transfer_id"] == transfer.pk
    assert response.json()["data"] == {"to": "某公司"}
    assert transfer.receiving_name == "某公司"


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"kind": "divorce", "date": "2022-01-01"}, "date", "the person is not married"),
        ({"kind": "return", "date": "2022-01-01"}, "date", "not away as an out-migrant"),
        (
            {"kind": "marriage", "date": "2019-01-01", "outside_spouse": {"name": "吴梅"}},
            "date",
            "before the person's registration",
        ),
        ({"kind": "marriage", "date": "2022-01-01"}, "spouse", "Choose the spouse from the"),
        (
            {
                "kind": "marriage",
                "date": "2022-01-01",
                "spouse": 1,
                "outside_spouse": {"name": "x"},
            },
            "outside_name",
            "leave the outside spouse's details empty",
        ),
        ({"kind": "death", "date": "2022-01-01", "spouse": 1}, "spouse", "Only a marriage"),
        ({"kind": "death", "date": "2022-01-01", "couple": 1}, "couple", "Only a divorce"),
        (
            {"kind": "marriage", "date": "2999-01-01", "outside_spouse": {"name": "吴梅"}},
            "date",
            "in the future",
        ),
        ({"kind": "marriage", "date": "2023-02-31"}, "date", "2023-02-31 is not a real date"),
        ({"kind": "marriage", "date": "yesterday"}, "date", "YYYY-MM-DD"),
        ({"kind": "internal_transfer", "date": "2022-01-01"}, "unit", "Choose the unit"),
        ({"kind": "flow_in", "date": "2022-01-01"}, "unit", "Choose the unit"),
        ({"kind": "marriage", "date": "2022-01-01", "unit": "990100001001"}, "unit", "unit"),
        (
            {"kind": "flow_in", "date": "2022-01-01", "employer": "MINE01", "unit": "990100001001"},
            "employer",
            "employer",
        ),
        ({"kind": "register", "date": "2022-01-01"}, "kind", "Choose one of"),
        ({"kind": "correction", "date": "2022-01-01"}, "kind", "Choose one of"),
        ({"kind": "party", "date": "2022-01-01"}, "kind", "Choose one of"),
        ({"date": "2022-01-01"}, "kind", "This field is required."),
        ({"kind": "marriage"}, "date", "This field is required."),
        ({"kind": "marriage", "date": "2022-01-01", "note": "x" * 501}, "note", "at most 500"),
    ],
)
def test_event_bad_input_is_422(api, people, data, field, text):
    person = people["张三"]
    errors = field_messages(api("office").post_json(f"/persons/{person.pk}/events", data))
    assert text in errors[field], errors
    assert list(person.events.values_list("kind", flat=True)) == ["register"]


def test_event_after_death_does_not_fit(api, people):
    person = people["张三"]
    assert event_post(api("office"), person, kind="death", date="2023-01-01").status_code == 201
    response = event_post(
        api("office"), person, kind="marriage", date="2024-01-01", outside_spouse={"name": "吴梅"}
    )
    body = response.json()
    assert response.status_code == 422
    assert "recorded as deceased" in body["message"]  # one error: it is the message
    assert body["details"][0]["field"] == "date"


def test_event_that_does_not_fit_in_chinese(api, people):
    person = people["张三"]
    response = event_post(api("office", language=None), person, kind="divorce", date="2022-01-01")
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "2022-01-01 离婚：该人员未婚。"
    assert body["details"][0]["field"] == "date"


def test_a_marriage_records_the_couple_and_a_divorce_ends_it(api, people):
    from jisheng.people.models import Couple

    wife, husband = people["王芳"], people["张三"]
    response = event_post(
        api("office"), wife, kind="marriage", date="2022-05-01", spouse=husband.pk
    )
    assert response.status_code == 201, response.content
    couple = Couple.objects.get(wife=wife, husband=husband)
    assert response.json()["data"] == {"couple_id": couple.pk, "spouse": "张三"}
    assert husband.events.filter(kind="marriage", data__couple_id=couple.pk).exists()
    response = event_post(api("office"), husband, kind="divorce", date="2024-02-01")
    assert response.status_code == 201, response.content
    couple.refresh_from_db()
    assert (couple.ended_on, couple.end_reason) == (D(2024, 2, 1), "divorce")
    wife.refresh_from_db()
    assert wife.marital_status == "divorced"


def test_a_marriage_to_someone_outside_the_registry(api, people):
    from jisheng.people.models import Couple

    man = people["张三"]
    response = event_post(
        api("office"), man, kind="marriage", date="2022-05-01",
        outside_spouse={"name": "吴梅", "work_unit": "某县医院", "township": "某镇"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    couple = Couple.objects.get(husband=man)
    assert (couple.wife, couple.outside_name, couple.outside_work_unit) == (
        None,
        "吴梅",
        "某县医院",
    )


def test_a_marriage_to_someone_already_married_is_refused(api, people):
    from jisheng.people.models import Couple

    wife, husband, other = people["王芳"], people["张三"], people["张三丰"]
    assert (
        event_post(
            api("office"), wife, kind="marriage", date="2022-05-01", spouse=husband.pk
        ).status_code
        == 201
    )
    response = event_post(api("office"), wife, kind="marriage", date="2023-01-01", spouse=other.pk)
    assert response.status_code == 422
    assert Couple.objects.count() == 1


def test_event_unit_outside_scope_is_404_and_audited(api, people, tree, users):
    person = people["张三"]
    response = event_post(
        api("field_a"), person, kind="internal_transfer", date="2022-01-01",
        unit=tree.village_b.code,
    )  # fmt: skip
    assert field_messages(response, 404).keys() == {"unit"}
    assert denied(users.field_a, "orgs.unit") == 1
    response = event_post(
        api("field_a"), person, kind="internal_transfer", date="2022-01-01", unit="NO-SUCH"
    )
    assert field_messages(response, 404).keys() == {"unit"}
    assert denied(users.field_a, "orgs.unit") == 1
    assert person.events.count() == 1


def test_event_employer_must_be_a_work_unit(api, people, tree):
    person = people["张三"]
    response = event_post(
        api("office"), person, kind="internal_transfer", date="2022-01-01",
        unit=tree.village_b.code, employer=tree.town.code,
    )  # fmt: skip
    assert field_messages(response) == {"employer": "东城镇 is not a work unit."}


def test_event_for_a_person_outside_scope_is_404_and_audited(api, people, users):
    person = people["李强"]
    response = event_post(api("field_a"), person, kind="marriage", date="2022-01-01")
    assert response.status_code == 404
    assert denied(users.field_a, "people.person") == 1
    assert person.events.count() == 1


def test_event_needs_add_lifeevent(api, people):
    person = people["张三"]
    assert event_post(api("leader"), person, kind="marriage", date="2022-01-01").status_code == 403
    assert event_post(api(None), person, kind="marriage", date="2022-01-01").status_code == 401
    assert person.events.count() == 1


# --------------------------------------------------------------------------- corrections


def correct(client: ApiClient, event, reason: str = "录入错误"):
    return client.post_json(
        f"/persons/{event.person_id}/events/{event.pk}/correct", {"reason": reason}
    )


def test_correct_an_event(api, people, users):
    person = people["张三"]
    wrong = services.event_record(actor=None, person=person, kind="flow_out", date=D(2023, 1, 1))
    response = correct(api("field_a"), wrong, "记错了人")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "correction"
    assert body["reverses_id"] == wrong.pk
    assert body["note"] == "记错了人"
    assert body["recorded_by"] == "field_a"
    person.refresh_from_db()
    assert person.status == "registered"
    events = api("field_a").get(f"/persons/{person.pk}/events").json()
    assert [e["corrected"] for e in events if e["id"] == wrong.pk] == [True]
    assert AuditEvent.objects.filter(
        action="create",
        user=users.field_a,
        object_type="people.lifeevent",
        object_id=str(body["id"]),
    ).exists()


def test_correct_twice_registration_and_empty_reason(api, people):
    person = people["张三"]
    wrong = services.event_record(actor=None, person=person, kind="flow_out", date=D(2023, 1, 1))
    assert correct(api("office"), wrong).status_code == 201
    again = correct(api("office"), wrong)
    assert again.status_code == 422
    assert again.json()["message"] == "This event has already been corrected."
    register = person.events.get(kind="register")
    response = correct(api("office"), register)
    assert response.status_code == 422
    assert "cannot be corrected" in response.json()["message"]
    other = services.event_record(actor=None, person=person, kind="marriage", date=D(2023, 2, 1))
    assert field_messages(correct(api("office"), other, "")).keys() == {"reason"}
    assert field_messages(correct(api("office"), other, "   ")) == {
        "reason": "Say why the event is corrected."
    }


def test_correct_an_event_the_later_history_needs(api, people):
    person = people["张三"]
    marriage = services.event_record(actor=None, person=person, kind="marriage", date=D(2021, 1, 1))
    services.event_record(actor=None, person=person, kind="divorce", date=D(2022, 1, 1))
    response = correct(api("office"), marriage)
    assert response.status_code == 422
    assert "later history no longer fits" in response.json()["message"]
    assert not person.events.filter(kind="correction").exists()


def test_correct_an_event_of_another_person_is_404(api, people):
    wrong = services.event_record(
        actor=None, person=people["张三丰"], kind="flow_out", date=D(2023, 1, 1)
    )
    response = api("office").post_json(
        f"/persons/{people['张三'].pk}/events/{wrong.pk}/correct", {"reason": "x"}
    )
    assert response.status_code == 404
    assert not LifeEvent.objects.filter(kind="correction").exists()


def test_correct_outside_scope_and_without_permission(api, people, users):
    wrong = services.event_record(
        actor=None, person=people["李强"], kind="flow_out", date=D(2023, 1, 1)
    )
    assert correct(api("field_a"), wrong).status_code == 404
    assert denied(users.field_a, "people.person") == 1
    assert correct(api("leader"), wrong).status_code == 403
    assert not LifeEvent.objects.filter(kind="correction").exists()


# =========================================================================== the card


@pytest.fixture
def family(tree):
    """王丽 (village A): divorced from an outside spouse, remarried to 张伟, a child, a
    pregnancy, a corrected out-migration and a departure with its transfer."""
    a = tree.village_a
    wang = factories.person(a, "王丽", "F", D(1990, 4, 5), seq=21, registered_on=D(2008, 1, 1))
    zhang = factories.person(a, "张伟", "M", D(1988, 7, 8), seq=22, registered_on=D(2008, 1, 1))
    first = family_services.couple_create(
        actor=None,
        married_on=D(2012, 5, 1),
        wife=wang,
        outside={
            "name": "吴刚",
            "id_number": factories.id_number(D(1985, 9, 9), "M", 23, region="110108"),
            "work_unit": "某市机械厂",
            "township": "某镇",
            "phone": "13900000000",
        },
    )
    family_services.couple_end(actor=None, couple=first, ended_on=D(2015, 6, 1), reason="divorce")
    second = family_services.couple_create(
        actor=None, married_on=D(2019, 10, 1), wife=wang, husband=zhang
    )
    home = family_services.household_create(
        actor=None, unit=a, number="A-001", address="甲村 1 号", head=zhang,
        joined_on=D(2010, 1, 1),
    )  # fmt: skip
    family_services.household_add_member(
        actor=None, household=home, person=wang, relation="spouse", joined_on=D(2019, 10, 1)
    )
    birth = family_services.birth_record(
        actor=None, mother=wang, father=zhang, couple=second, date=D(2021, 3, 3), sex="M",
        child_name="张小宝", place="县医院",
    )  # fmt: skip
    pregnancy = family_services.pregnancy_register(
        actor=None, woman=wang, registered_on=D(2026, 6, 1), expected_on=D(2027, 1, 15)
    )
    wang.refresh_from_db()
    flow = services.event_record(actor=None, person=wang, kind="flow_out", date=D(2023, 1, 1))
    services.event_correct(actor=None, event=flow, reason="登记错误")
    leave = services.event_record(
        actor=None,
        person=wang,
        kind="leave_employment",
        date=D(2024, 2, 1),
        data={"to": "某公司"},
    )
    return SimpleNamespace(
        wang=wang, zhang=zhang, first=first, second=second, home=home, birth=birth,
        pregnancy=pregnancy, flow=flow, leave=leave,
    )  # fmt: skip


def test_card_content(api, family, tree):
    wang = family.wang
    response = api("field_a").get(f"/persons/{wang.pk}/card")
    assert response.status_code == 200, response.content
    card = response.json()
    number = factories.id_number(D(1990, 4, 5), "F", 21)
    text = response.content.decode()
    assert number not in text
    outside_number = factories.id_number(D(1985, 9, 9), "M", 23, region="110108")
    assert outside_number not in text

    identity = card["identity"]
    assert identity["name"] == "王丽"
    assert identity["id_masked"] == number[:6] + "*" * 12
    assert identity["sex_label"] == "Female"
    assert identity["age"] == age_on(D(1990, 4, 5), timezone.localdate())
    assert identity["is_wra"] is True

    state = card["state"]
    assert state["unit"] == {"code": tree.village_a.code, "name": tree.village_a.name}
    assert state["marital_status"] == "remarried"
    assert state["status"] == "contract_ended"
    assert state["registered_on"] == "2008-01-01"

    [household] = card["households"]
    assert household["number"] == "A-001"
    assert household["relation"] == "spouse"
    assert household["current"] is True
    assert household["head_id"] == family.zhang.pk
    assert {m["person"]["name"]: m["relation"] for m in household["members"]} == {
        "张伟": "head",
        "王丽": "spouse",
    }

    current, past = card["couples"]
    assert current["current"] is True
    assert current["spouse"]["name"] == "张伟"
    assert current["outside_spouse"] is None
    assert past["current"] is False
    assert past["ended_on"] == "2015-06-01"
    assert past["end_reason"] == "divorce"
    assert past["spouse"] is None
    assert past["outside_spouse"]["name"] == "吴刚"
    assert past["outside_spouse"]["id_masked"] == outside_number[:6] + "*" * 12

    [birth] = card["births"]
    assert birth["parent"] == "mother"
    assert birth["child_name"] == "张小宝"
    assert birth["child"]["id"] == family.birth.child_id
    assert birth["birth_order"] == 1
    assert birth["within_policy"] is True
    assert birth["place"] == "县医院"

    [pregnancy] = card["pregnancies"]
    assert pregnancy["registered_on"] == "2026-06-01"
    assert pregnancy["outcome"] == ""
    assert pregnancy["outcome_label"] == "Ongoing"

    kinds = [(e["kind"], e["corrected"]) for e in card["events"]]
    assert ("flow_out", True) in kinds
    assert ("correction", False) in kinds
    flow = next(e for e in card["events"] if e["id"] == family.flow.pk)
    assert flow["correction"]["reason"] == "登记错误"
    assert all(e["correction"] is None for e in card["events"] if e["id"] != family.flow.pk)
    assert card["periods"][-1]["valid_to"] is None
    assert card["periods"][-1]["status"] == "contract_ended"

    [transfer] = card["transfers"]
    assert transfer["reason"] == "leaving"
    assert transfer["status"] == "open"
    assert transfer["event_id"] == family.leave.pk
    assert transfer["receiving_name"] == "某公司"


def test_card_reads_are_audited(api, family, users):
    api("field_a").get(f"/persons/{family.wang.pk}/card")
    assert AuditEvent.objects.filter(
        action="view", user=users.field_a, object_type="people.person",
        object_id=str(family.wang.pk),
    ).count() == 1  # fmt: skip


def test_card_of_a_man_and_an_old_woman(api, people, tree):
    card = api("office").get(f"/persons/{people['张三'].pk}/card").json()
    assert card["identity"]["is_wra"] is False
    assert card["households"] == card["couples"] == card["births"] == []
    old = factories.person(tree.village_a, "老妇", "F", D(1950, 1, 1), seq=90)
    assert api("office").get(f"/persons/{old.pk}/card").json()["identity"]["is_wra"] is False


def test_card_family_rows_are_scoped(api, family, tree, users):
    """A couple recorded in a unit outside the caller's scope is not on their card."""
    family.first.unit = tree.village_b
    family.first.save(update_fields=["unit"])
    card = api("field_a").get(f"/persons/{family.wang.pk}/card").json()
    assert [c["id"] for c in card["couples"]] == [family.second.pk]
    card = api("town_office").get(f"/persons/{family.wang.pk}/card").json()
    assert len(card["couples"]) == 2


def test_card_query_count_does_not_grow_with_the_history(api, family):
    client = api("office")
    path = f"/persons/{family.wang.pk}/card"
    client.get(path)  # warm up
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    for year in range(2010, 2018):
        services.event_record(
            actor=None, person=family.wang, kind="contraception", date=D(year, 2, 2)
        )
    family_services.birth_record(
        actor=None, mother=family.wang, father=family.zhang, couple=family.second,
        date=D(2025, 3, 3), sex="F", child_name="张小妹",
    )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        response = client.get(path)
    assert len(response.json()["births"]) == 2
    assert len(many.captured_queries) == len(few.captured_queries)


# =========================================================================== OpenAPI


def test_openapi_documents_the_person_endpoints(api, tree):
    schema = ApiClient().get("/openapi.json").json()
    paths = schema["paths"]
    expected = {
        ("/api/v1/persons", "get"): 200,
        ("/api/v1/persons", "post"): 201,
        ("/api/v1/persons/{person_id}", "get"): 200,
        ("/api/v1/persons/{person_id}", "patch"): 200,
        ("/api/v1/persons/{person_id}/events", "post"): 201,
        ("/api/v1/persons/{person_id}/events/{event_id}/correct", "post"): 201,
        ("/api/v1/persons/{person_id}/card", "get"): 200,
    }
    for (path, method), ok in expected.items():
        op = paths[path][method]
        assert op["summary"], (path, method)
        assert op["description"], (path, method)
        assert op["security"] == [{"BearerTokenAuth": []}]
        responses = op["responses"]
        assert {str(ok), "401", "403", "404", "422"} <= set(responses), (path, method)
        assert "$ref" in json.dumps(responses["422"])
    body = paths["/api/v1/persons"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]
    components = schema["components"]["schemas"]
    assert set(components["RecordableEventKind"]["enum"]) == set(EventKind.values) - {
        "register",
        "correction",
    }
    assert "deceased" not in components["RegisterStatus"]["enum"]
    assert components["PersonIn"]["properties"]["birth_date"]["format"] == "date"


def test_patch_accepts_exactly_the_identity_fields_of_the_service():
    from jisheng.people.schemas import PersonPatchIn

    assert set(PersonPatchIn.model_fields) == set(services.PERSON_FIELDS)
