"""The input guard (issue 13, item 12): NUL characters in a URL, a query or a form and
URLs over 4 KB are refused before any view — JSON under /api/, a Chinese page elsewhere —
and ``jisheng serve`` lets such URLs reach it (gunicorn's request-line limit raised)."""

from __future__ import annotations

import pytest
from django.test import Client

from jisheng.core.management.commands.serve import gunicorn_argv
from jisheng.core.middleware_input import MAX_URL_BYTES
from tests.api.chinese import assert_chinese_error

pytestmark = pytest.mark.django_db


def test_a_long_api_url_is_414_json_in_chinese(api):
    client = api("admin", language=None)
    response = client.client.get("/api/v1/persons?q=" + "a" * MAX_URL_BYTES, headers=client.headers)
    assert response.status_code == 414
    assert_chinese_error(response)
    assert response.json()["code"] == "uri_too_long"


def test_a_long_page_url_is_a_chinese_page(users):
    client = Client()
    client.force_login(users.admin)
    response = client.get("/people/?q=" + "a" * (MAX_URL_BYTES + 10))
    assert response.status_code == 414
    assert response["Content-Type"].startswith("text/html")
    assert "网址过长" in response.content.decode()


def test_a_url_at_the_limit_is_served(api):
    client = api("admin", language=None)
    path = "/api/v1/units?q="
    response = client.client.get(
        path + "a" * (MAX_URL_BYTES - len(path) - 1), headers=client.headers
    )
    assert response.status_code in (200, 422)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/persons?q=%00", "/api/v1/persons?q=a%00b", "/api/v1/units/99%00", "/api/v1/x%00"],
)
def test_nul_in_an_api_url_is_400_json(api, url):
    client = api("admin", language=None)
    response = client.client.get(url, headers=client.headers)
    assert response.status_code == 400
    assert_chinese_error(response)


@pytest.mark.parametrize("url", ["/people/?q=%00", "/orgs/?q=a%00", "/login/?next=%00"])
def test_nul_in_a_page_url_is_a_chinese_page(users, url):
    client = Client()
    client.force_login(users.admin)
    response = client.get(url)
    assert response.status_code == 400
    assert "空字符" in response.content.decode()


def test_nul_in_a_posted_form_is_refused(users):
    client = Client()
    response = client.post("/login/", {"username": "ad\x00min", "password": "x"})
    assert response.status_code == 400
    assert "空字符" in response.content.decode()


def test_serve_raises_gunicorns_request_line_limit():
    argv = gunicorn_argv(host="127.0.0.1", port=8000, workers=1, threads=1)
    assert argv[argv.index("--limit-request-line") + 1] == "0"


def test_an_unreadable_form_body_is_400_json_in_chinese(api):
    client = api("admin", language=None)
    response = client.client.post(
        "/api/v1/persons",
        b"name=x",
        content_type="multipart/form-data",  # no boundary
        headers=client.headers,
    )
    assert response.status_code == 400
    assert_chinese_error(response)
