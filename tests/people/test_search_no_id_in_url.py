"""Issue 13 item 8: no ID number in any URL. The person list's search form is posted and
its text reaches the list as an opaque token kept in the session (filters, paging,
sorting and the export still work); the API searches by ID number with
``POST /api/v1/persons/search`` and refuses an ID number in ``GET /api/v1/persons?q=``."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from jisheng.people.search_query import looks_like_id_number
from tests import factories

D = dt.date
URL = "/people/"
NUMBER = factories.id_number(D(1988, 9, 10), "F", 4)


@pytest.fixture
def people(tree):
    a = tree.village_a
    made = {
        "单丽": factories.person(a, "单丽", "F", D(1988, 9, 10), seq=4),
        "张三": factories.person(a, "张三", "M", D(1990, 1, 2), seq=1, phone="13812345678"),
    }
    for i in range(60):  # more than one page of 张… (50 a page)
        factories.person(a, f"张{i:02d}", "F" if i % 2 else "M", D(1980, 1, 1), seq=100 + i)
    return made


def urls_of(response) -> list[str]:
    """Every URL the exchange went through, and every link the final page holds."""
    seen = [url for url, _status in response.redirect_chain]
    seen.append(response.wsgi_request.get_full_path())
    html = response.content.decode()
    seen += re.findall(r'(?:href|action|hx-get|hx-post|src)="([^"]*)"', html)
    return seen


def assert_no_id(urls: list[str]) -> None:
    for url in urls:
        for variant in (NUMBER, NUMBER.lower(), NUMBER[:14]):
            assert variant not in url, url


def listed(response) -> list[str]:
    return [row.record.name for row in response.context["table"].page.object_list]


def test_looks_like_id_number():
    assert looks_like_id_number(NUMBER)
    assert looks_like_id_number(NUMBER.lower())
    assert looks_like_id_number(" ".join([NUMBER[:6], NUMBER[6:14], NUMBER[14:]]))
    assert looks_like_id_number("１１０１０５１９８８０９１００８１")  # full-width
    assert looks_like_id_number(NUMBER[:15])  # an old 15-digit number
    assert looks_like_id_number(NUMBER[:17])  # most of one
    for text in ("13812345678", "+86 138 1234 5678", "8613812345678", "张三", "zs", "", None):
        assert not looks_like_id_number(text)


# --------------------------------------------------------------------------- the page


def test_page_search_by_id_number_keeps_it_out_of_every_url(client, users, people):
    client.force_login(users.office)
    page = client.get(URL)
    # the search form is posted
    assert re.search(r'<form method="post"[^>]*data-testid="filter-form"', page.content.decode())
    response = client.post(URL, {"q": NUMBER, "sex": "F"}, follow=True)
    assert response.status_code == 200
    assert listed(response) == ["单丽"]
    assert response.redirect_chain[0][1] == 303
    assert "s=" in response.wsgi_request.get_full_path()
    assert_no_id(urls_of(response))
    # the form shows what was searched for
    assert f'value="{NUMBER}"' in response.content.decode()


def test_old_links_with_q_are_moved_into_a_token(client, users, people):
    client.force_login(users.office)
    response = client.get(URL, {"q": NUMBER}, follow=True)
    assert listed(response) == ["单丽"]
    assert NUMBER not in response.wsgi_request.get_full_path()


def test_filters_sorting_paging_and_export_carry_the_token(client, users, people, tree):
    client.force_login(users.office)
    response = client.post(
        URL, {"q": "张", "unit": tree.village_a.code, "sort": "name"}, follow=True
    )
    path = response.wsgi_request.get_full_path()
    assert "unit=" in path and "sort=name" in path and "张" not in path
    first = listed(response)
    assert len(first) == 50 and response.context["table"].paginator.count == 61
    html = response.content.decode()
    page_two = re.search(r'href="(\?[^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "s=" in page_two and "%E5%BC%A0" not in page_two
    second = client.get(URL + page_two)
    assert len(listed(second)) == 11 and not set(listed(second)) & set(first)
    export = re.search(r'href="(/people/export\.xlsx\?[^"]*)"', html).group(1)
    exported = client.get(export.replace("&amp;", "&"))
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_token_of_another_session_finds_nothing_of_it(client, users, people):
    client.force_login(users.office)
    found = client.post(URL, {"q": NUMBER})["Location"]
    other = Client()
    other.force_login(users.office)
    response = other.get(found, follow=True)
    assert response.status_code == 200
    assert "单丽" not in listed(response) or len(listed(response)) > 1  # q not applied
    assert response.context["filterset"].form.data.get("q") in (None, "")
    messages = [str(m) for m in response.context["messages"]]
    assert any("重新输入" in m or "type it again" in m for m in messages)


def test_bad_search_text_still_shows_the_form_error(client, users, people):
    client.force_login(users.office)
    response = client.post(URL, {"q": "123"}, follow=True)
    assert "q" in response.context["filterset"].form.errors
    assert listed(response) == []


# --------------------------------------------------------------------------- the API


def test_api_searches_by_id_number_with_post(api, people):
    response = api("office").post_json("/persons/search", {"q": NUMBER})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [p["name"] for p in body["items"]] == ["单丽"] and body["count"] == 1
    assert NUMBER not in response.content.decode()  # masked in the answer too


def test_api_search_post_filters_and_pages(api, people, tree):
    client = api("office")
    first = client.client.post(
        "/api/v1/persons/search?page=2&page_size=50",
        {"q": "张", "unit": tree.village_a.code},
        content_type="application/json",
        headers=client.headers,
    )
    assert first.status_code == 200, first.content
    assert first.json()["count"] == 61 and len(first.json()["items"]) == 11


def test_api_search_post_refuses_bad_input_in_the_body(api, people):
    response = api("office").post_json("/persons/search", {"q": "123"})
    assert response.status_code == 422
    detail = response.json()["details"][0]
    assert detail["field"] == "q" and detail["location"] == "body"


@pytest.mark.parametrize("q", [NUMBER, NUMBER.lower(), NUMBER[:17], NUMBER[:15]])
def test_api_get_refuses_an_id_number_in_the_url_in_chinese(api, people, q):
    response = api("office", language="zh-hans").get("/persons", q=q)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "id_in_url"
    assert "POST /api/v1/persons/search" in body["message"]
    assert "身份证号码" in body["message"]


def test_api_get_still_searches_names_and_phones(api, people):
    client = api("office")
    assert [p["name"] for p in client.get("/persons", q="单丽").json()["items"]] == ["单丽"]
    assert [p["name"] for p in client.get("/persons", q="13812345678").json()["items"]] == ["张三"]


# --------------------------------------------------------------------------- the person picker


def test_person_picker_posts_its_search_and_refuses_an_id_number_by_get(client, users, people):
    client.force_login(users.office)
    url = "/people/pick/"
    found = client.post(url, {"field": "wife", "wife_q": NUMBER, "sex": "F"})
    assert found.status_code == 200 and "单丽" in found.content.decode()
    refused = client.get(url, {"field": "wife", "wife_q": NUMBER})
    assert refused.status_code == 400
    assert "身份证号码" in refused.content.decode()
    # names may still be looked up by GET
    assert "单丽" in client.get(url, {"field": "wife", "wife_q": "单丽"}).content.decode()


def test_person_picker_field_uses_post():
    from pathlib import Path

    import jisheng

    html = (
        Path(jisheng.__file__).parent / "templates" / "people" / "household_pick_field.html"
    ).read_text()
    assert "hx-post=" in html and "hx-get=" not in html


def test_openapi_documents_the_refusal_and_the_search(api, people):
    schema = api("office").get("/openapi.json").json()
    assert "400" in schema["paths"]["/api/v1/persons"]["get"]["responses"]
    assert "post" in schema["paths"]["/api/v1/persons/search"]
