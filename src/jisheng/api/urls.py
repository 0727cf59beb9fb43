"""The REST API root: /api/v1/ (django-ninja).

- OpenAPI document: ``/api/v1/openapi.json``; Swagger UI: ``/api/v1/docs`` (its files are
  served from ninja's bundled static files, so it works offline).
- Every endpoint needs ``Authorization: Bearer <token>`` except ``POST /api/v1/auth/token``.
- The routers are the apps' (each registers its own with
  ``jisheng.core.registry.register_api_router`` from its ``ready()``).
- Every error, including unknown paths and wrong methods under /api/v1/, is JSON
  ``{"code", "message", "details"?}`` (see :mod:`jisheng.api.errors`).
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from jisheng.api.account import router as account_router
from jisheng.api.errors import error_response, install_error_handlers
from jisheng.api.security import BearerTokenAuth
from jisheng.core import registry


class JishengAPI(NinjaAPI):
    """NinjaAPI whose URL patterns also answer unknown paths and methods in JSON."""

    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        not_found = self._unknown_path_view()
        wrapped = []
        for pattern in patterns:
            if isinstance(pattern, URLPattern) and pattern.name == "api-root":
                # ninja's root view raises a bare Http404 (an HTML page); keep the
                # pattern (its name locates the API) but answer in JSON.
                pattern = URLPattern(pattern.pattern, not_found, {}, pattern.name)
            elif isinstance(pattern, URLPattern):
                pattern = self._json_405(pattern)
            wrapped.append(pattern)
        wrapped.append(re_path(r"^.*$", not_found, name="api-unknown"))
        return wrapped, app_name, namespace

    def _json_405(self, pattern: URLPattern) -> URLPattern:
        view = pattern.callback

        @functools.wraps(view)
        def json_not_allowed(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed):
                allowed = response.get("Allow", "")
                json_response = error_response(
                    self,
                    request,
                    status=405,
                    code="method_not_allowed",
                    message=_("This method is not allowed here."),
                )
                json_response["Allow"] = allowed
                return json_response
            return response

        # The API authenticates by token (BearerTokenAuth), not by session: the
        # LoginRequiredMiddleware of the pages leaves it alone.
        return URLPattern(
            pattern.pattern,
            login_not_required(json_not_allowed),
            pattern.default_args,
            pattern.name,
        )

    def _unknown_path_view(self):
        @login_not_required
        @csrf_exempt
        def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return self.on_exception(request, Http404())

        return unknown_path


api = JishengAPI(
    title="jisheng API",
    version="1",
    urls_namespace="api",
    description=(
        "人口与计划生育工作管理系统 REST API.\n\n"
        "Authentication: `Authorization: Bearer <token>` on every request; get a token "
        "with `POST /api/v1/auth/token` (username + password), on the user page, or with "
        "`jisheng token create USERNAME`.\n\n"
        'Errors are JSON `{"code": …, "message": …, "details": …}`; `message` is in '
        "the request's language (`Accept-Language`, Simplified Chinese by default).\n\n"
        "Lists are paginated with `?page=&page_size=` and answer "
        '`{"items": […], "count": N, "page": P, "page_size": S}`; a page past the '
        "end has no items."
    ),
    auth=BearerTokenAuth(),
)
install_error_handlers(api)
# The account's endpoints (tokens, me) first, then the routers the apps registered from
# their ready() (jisheng.core.registry.register_api_router), in their order.
registry.register_api_router("", account_router, order=0)
for _mounted in registry.api_routers():
    api.add_router(_mounted.prefix, _mounted.router)

__all__ = ["api"]
