"""Every pydantic error type has a Chinese message (issue 13, item 12): the table covers
all of pydantic-core's ``ErrorType``s, each renders with its context, and the errors the
API's own schemas raise answer in Chinese."""

from __future__ import annotations

import typing

import pytest
from django.utils import translation
from pydantic_core.core_schema import ErrorType

from jisheng.api.errors import ERROR_MESSAGES, _field_message
from tests.api.chinese import assert_chinese_error, english_words, is_chinese

pytestmark = pytest.mark.django_db

# A context like pydantic's for the types whose message shows a value.
CTX = {
    "min_length": 1,
    "max_length": 50,
    "gt": 0,
    "ge": 1,
    "lt": 10,
    "le": 2147483647,
    "multiple_of": 5,
    "expected": "'M' or 'F'",
    "max_digits": 5,
    "decimal_places": 2,
    "whole_digits": 3,
}


def test_every_pydantic_error_type_has_a_message():
    assert set(typing.get_args(ErrorType)) == set(ERROR_MESSAGES)


@pytest.mark.parametrize("kind", sorted(typing.get_args(ErrorType)))
def test_every_pydantic_error_type_is_chinese(kind):
    with translation.override("zh-hans"):
        message = _field_message({"type": kind, "ctx": CTX, "msg": "English text"})
    assert is_chinese(message), (kind, message, english_words(message))
    with translation.override("en"):
        assert _field_message({"type": kind, "ctx": CTX}) != ""


def test_enum_choices_are_listed_without_english():
    with translation.override("zh-hans"):
        message = _field_message({"type": "enum", "ctx": {"expected": "'a', 'b' or 'c'"}})
    assert "'a'、'b'、'c'" in message and " or " not in message


def test_an_unknown_type_is_not_shown_in_english():
    with translation.override("zh-hans"):
        assert is_chinese(_field_message({"type": "brand_new", "msg": "Something broke"}))


# The errors the schemas raise, through the API (no Accept-Language: Chinese).
BAD_BODIES = [
    ("post", "/persons", b"{not json"),
    ("post", "/persons", b"[]"),
    ("post", "/persons", {"name": "李红", "extra_field": 1}),
    ("post", "/persons", {"name": 5, "sex": "Q", "birth_date": "1990-13-01", "unit": []}),
    ("post", "/persons", {"name": "李红", "sex": "F", "birth_date": 5, "unit": "x"}),
    ("post", "/services/visits", {"person": "x", "way": "nowhere"}),
    ("post", "/services/visits", {"person": 1.5, "way": "home", "visited_on": "2026/01/01"}),
    ("post", "/services/methods", {"person": 1, "method": "x", "options_offered": "pill"}),
    (
        "post",
        "/services/methods",
        {
            "person": 1,
            "method": "iud",
            "started_on": "2026-01-01",
            "told_other_methods": "maybe",
            "told_side_effects": 1,
            "told_what_to_do": None,
        },
    ),
    ("post", "/commodities/movements", {"kind": "gift", "lines": {"a": 1}}),
    ("post", "/commodities/movements", {"kind": "receipt", "lines": [{"quantity": "1"}]}),
    ("post", "/commodities/movements", {"kind": "receipt", "lines": [5]}),
    ("post", "/services/campaigns/1/attendance", {"rows": []}),
    ("post", "/services/campaigns/1/attendance", {"rows": [{"target": 1, "pregnant": "?"}]}),
    ("post", "/auth/token", {"username": "", "password": ""}),
    ("get", "/persons?age_min=-1&sex=X&status=nope", None),
    ("get", "/units?page=0&page_size=abc&active=maybe", None),
    ("get", "/worklist?limit=1000", None),
    ("get", "/services/letters?year=1&open=perhaps", None),
    ("get", "/indicators?unit=&period=", None),
]


@pytest.mark.parametrize(("method", "path", "body"), BAD_BODIES)
def test_schema_errors_answer_in_chinese(client_for, method, path, body):
    client = client_for("admin")
    if method == "get":
        response = client.client.get(f"/api/v1{path}", headers=client.headers)
    elif isinstance(body, bytes):
        response = client.request(method, path, data=body, content_type="application/json")
    else:
        response = client.post_json(path, body)
    assert 400 <= response.status_code < 500, response.content
    assert_chinese_error(response)


def test_a_validators_own_chinese_message_is_kept():
    error = {"type": "value_error", "ctx": {"error": ValueError("出生日期不能晚于今天。")}}
    assert _field_message(error) == "出生日期不能晚于今天。"
    with translation.override("zh-hans"):
        english = {"type": "value_error", "ctx": {"error": ValueError("bad thing")}}
        assert is_chinese(_field_message(english))
