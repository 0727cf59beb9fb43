"""Error bodies (JSON, translated), the OpenAPI document, the docs page."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

from jisheng.orgs import selectors
from tests.api.conftest import ApiClient


def _message_in(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


# --- language ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_error_message_is_chinese_by_default(tree):
    response = ApiClient().get("/units")
    assert response.status_code == 401
    assert response["Content-Language"] == "zh-hans"
    body = response.json()
    assert set(body) == {"code", "message"}
    assert body["message"] == _message_in(
        "zh-hans", "Authentication required: send a valid API token."
    )


@pytest.mark.django_db
def test_error_message_follows_accept_language(tree):
    response = ApiClient(language="en").get("/units")
    assert response["Content-Language"] == "en"
    assert response.json()["message"] == "Authentication required: send a valid API token."


@pytest.mark.django_db
def test_field_error_messages_are_translated(client_for):
    zh = client_for("admin").get("/units", page_size=0).json()
    en = client_for("admin", language="en").get("/units", page_size=0).json()
    assert en["details"][0]["message"] == "Enter a value of at least 1."
    assert zh["details"][0]["message"] == _message_in(
        "zh-hans", "Enter a value of at least %(limit)s."
    ) % {"limit": 1}


@pytest.mark.django_db
def test_unit_type_labels_follow_the_language(client_for):
    en = client_for("admin", language="en").get("/units/990100001001").json()
    zh = client_for("admin").get("/units/990100001001").json()
    assert en["unit_type_label"] == "Village"
    assert zh["unit_type_label"] == _message_in("zh-hans", "Village")


# --- every error is JSON -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/nothing-here", "/units/990100001001/more", "/"])
def test_unknown_paths_are_json_404(client_for, path):
    response = client_for("admin").get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_unknown_path_post_is_json_404_not_csrf_page(tree):
    response = ApiClient().client.post("/api/v1/nothing", {}, enforce_csrf_checks=True)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_wrong_method_is_json_405(client_for, method):
    response = client_for("admin").request(method, "/units/990100001001")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"


@pytest.mark.django_db
def test_unexpected_exception_is_json_500_without_internals(client_for, monkeypatch, caplog):
    def explode(**kwargs):
        raise RuntimeError("secret internal detail /etc/passwd")

    monkeypatch.setattr(selectors, "unit_get", explode)
    response = client_for("admin", language="en").get("/units/990100001001")
    assert response.status_code == 500
    body = response.json()
    assert body == {
        "code": "server_error",
        "message": "An internal error occurred. It has been logged.",
    }
    assert "secret internal detail" not in response.content.decode()
    assert "secret internal detail" in caplog.text  # but it is logged for the operator


@pytest.mark.django_db
def test_service_validation_error_is_json_422(client_for, monkeypatch):
    """A service's refusal answers 422 everywhere (issue 14), caught by its endpoint or not."""

    def invalid(**kwargs):
        raise ValidationError({"code": ["The code is wrong."], "__all__": ["Overall."]})

    monkeypatch.setattr(selectors, "unit_list", invalid)
    response = client_for("admin", language="en").get("/units")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "The request is invalid."  # as when the endpoint catches it
    assert {(d["field"], d["message"]) for d in body["details"]} == {
        ("code", "The code is wrong."),
        ("", "Overall."),
    }


@pytest.mark.django_db
def test_service_permission_denied_is_json_403(client_for, monkeypatch):
    from django.core.exceptions import PermissionDenied

    def deny(**kwargs):
        raise PermissionDenied("internal reason")

    monkeypatch.setattr(selectors, "unit_get", deny)
    response = client_for("admin", language="en").get("/units/990100001001")
    assert response.status_code == 403
    assert response.json() == {
        "code": "forbidden",
        "message": "You do not have permission to do this.",
    }


# --- OpenAPI -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_openapi_document_loads_and_lists_the_paths(tree):
    response = ApiClient().get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert {"/api/v1/auth/token", "/api/v1/me", "/api/v1/units", "/api/v1/units/{code}"} <= set(
        paths
    )
    assert "post" in paths["/api/v1/auth/token"]
    assert schema["components"]["securitySchemes"]["BearerTokenAuth"]["scheme"] == "bearer"
    list_params = {p["name"] for p in paths["/api/v1/units"]["get"]["parameters"]}
    assert {"page", "page_size", "parent", "type", "q", "active"} <= list_params


def _operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method in methods:
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method


PUBLIC_OPERATIONS = {("/api/v1/auth/token", "post")}


@pytest.mark.django_db
def test_every_operation_but_the_token_exchange_requires_a_token(tree, bad_tokens):
    """Walks the OpenAPI document: a future endpoint cannot forget authentication."""
    schema = ApiClient().get("/openapi.json").json()
    operations = list(_operations(schema))
    assert len(operations) >= 4
    for path, method in operations:
        op = schema["paths"][path][method]
        if (path, method) in PUBLIC_OPERATIONS:
            assert "security" not in op
            continue
        assert op.get("security") == [{"BearerTokenAuth": []}], path
        url = re.sub(r"\{[^}]+\}", "990100001001", path)
        for secret in (None, bad_tokens["revoked"], bad_tokens["expired"]):
            headers = {"Authorization": f"Bearer {secret}"} if secret else {}
            response = getattr(ApiClient().client, method)(url, headers=headers)
            assert response.status_code == 401, (method, url, secret)
            assert response.json()["code"] == "unauthorized"


@pytest.mark.django_db
def test_docs_page_works_offline(tree):
    response = ApiClient().get("/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    assert "cdn." not in html and "https://" not in html


def test_swagger_files_are_found_by_staticfiles():
    from django.contrib.staticfiles import finders

    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(name), name
