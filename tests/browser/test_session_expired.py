"""Issue 13 item 15 in a browser: a form sent after the session ran out is not lost — the
login page says 登录已过期，请重新登录, and after logging in again the form is back with
what was typed; error pages are Chinese, inside the layout, with 返回首页."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_an_expired_session_keeps_what_was_typed(page, live_server, users, login):
    login(page, "office", PASSWORD)
    page.goto(f"{live_server.url}/people/new/")
    page.locator("#id_name").fill("林小雨")
    page.locator("#id_phone").fill("13800000000")
    # the session ends on the server (its cookie is gone); the page is still open
    page.context.clear_cookies(name="sessionid")
    page.locator("main form[method=post] button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/login/" in url)
    assert page.locator("[data-testid=session-expired]").inner_text() == "登录已过期，请重新登录"

    page.locator("input[name=username]").fill("office")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"{live_server.url}/people/new/")
    assert page.locator("#id_name").input_value() == "林小雨"
    assert page.locator("#id_phone").input_value() == "13800000000"
    assert page.locator("[data-form-restored]").is_visible()

    # once sent (or left), nothing is filled in again
    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}/people/new/")
    assert page.locator("#id_name").input_value() == ""


def test_a_first_login_says_nothing_about_expiry(page, live_server, users):
    page.goto(f"{live_server.url}/people/")
    page.wait_for_url(lambda url: "/login/" in url)
    assert not page.locator("[data-testid=session-expired]").count()


def test_error_pages_in_the_layout(page, live_server, users, login):
    login(page, "field_a", PASSWORD)
    page.goto(f"{live_server.url}/no/such/page/")
    assert page.locator("[data-testid=error-page]").is_visible()
    assert "页面不存在" in page.locator("h1").inner_text()
    page.locator("[data-testid=back-home]").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/audit/")
    assert "无权访问此页面" in page.locator("h1").inner_text()
    assert page.locator("[data-testid=main-menu]").count() == 1


def test_a_lost_csrf_cookie_shows_the_chinese_page(page, live_server, users, login):
    login(page, "office", PASSWORD)
    page.goto(f"{live_server.url}/password/")
    page.context.clear_cookies(name="csrftoken")
    page.locator("input[name=old_password]").fill("x")
    page.locator("main form[method=post] button[type=submit]").first.click()
    page.wait_for_load_state()
    body = page.locator("body").inner_text()
    assert "表单已过期" in body and "返回首页" in body
    assert "CSRF" not in body
