"""Issue 13 item 15: Chinese 403/404/500 pages in the layout with 返回首页 (JSON under
/api/), a lost CSRF cookie without Django's debug text, and 登录已过期，请重新登录 on the
login page after a session ran out."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from jisheng.core.views import SIGNED_IN_COOKIE
from jisheng.core.views_errors import server_error
from tests import factories

pytestmark = pytest.mark.django_db


def test_404_is_chinese_in_the_layout_with_back_home(client, users):
    client.force_login(users.office)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert "返回首页" in html and f'href="{reverse("home")}"' in html
    assert 'data-testid="main-menu"' in html  # inside the layout, with the menu
    assert "Page not found" not in html and "Not Found" not in html


def test_403_is_chinese_in_the_layout(client, users):
    client.force_login(users.field_a)
    response = client.get(reverse("core:audit_list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问此页面" in html
    assert "返回首页" in html
    assert "403 Forbidden" not in html


def test_api_errors_stay_json(client, users):
    client.force_login(users.office)
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_500_renders_without_database_or_request_context(rf):
    request = rf.get("/people/")
    # the database is what failed: the page may not query it
    with connection.execute_wrapper(_refuse_queries):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错" in html and "返回首页" in html
    assert "<html" in html and "jisheng/css/jisheng.css" in html


def _refuse_queries(execute, sql, params, many, context):
    raise AssertionError(f"the 500 page queried the database: {sql}")


def test_500_handler_answers_a_failing_view(users):
    client = Client(raise_request_exception=False)
    client.force_login(users.office)
    with override_settings(ROOT_URLCONF="tests.core.urls_boom"):
        response = client.get("/boom/")
        api = client.get("/api/boom/")
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert api.status_code == 500 and api.json()["detail"].startswith("系统出错")


def test_lost_csrf_cookie_gives_a_chinese_page_not_debug_text(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.office)
    response = client.post(reverse("password_change"), {"old_password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "表单已过期" in html
    assert "返回首页" in html
    assert "CSRF verification failed" not in html and "Forbidden" not in html
    assert "CSRF cookie not set" not in html
    assert 'data-testid="main-menu"' in html


def test_lost_csrf_cookie_on_the_api_is_json():
    from django.test import RequestFactory

    from jisheng.core.views_errors import csrf_failure

    response = csrf_failure(RequestFactory().post("/api/v1/persons"), reason="CSRF cookie not set.")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "表单" in json.loads(response.content)["detail"]


def test_login_page_says_the_session_expired_only_after_a_login(client, users):
    # a first visit: no message
    html = client.get(reverse("login") + "?next=/people/").content.decode()
    assert "登录已过期" not in html

    response = client.post(reverse("login"), {"username": "office", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert client.cookies[SIGNED_IN_COOKIE].value == "1"
    # the session runs out on the server; the browser still holds the marker
    client.session.flush()
    client.cookies.pop("sessionid", None)
    response = client.get("/people/")
    assert response.status_code == 302 and "/login/?next=/people/" in response["Location"]
    html = client.get(response["Location"]).content.decode()
    assert "登录已过期，请重新登录" in html
    assert "data-session-expired" in html and 'data-login-next="/people/"' in html


def test_logging_out_ends_the_expired_message(client, users):
    client.post(reverse("login"), {"username": "office", "password": factories.PASSWORD})
    client.post(reverse("logout"))
    html = client.get(reverse("login") + "?next=/people/").content.decode()
    assert "登录已过期" not in html
