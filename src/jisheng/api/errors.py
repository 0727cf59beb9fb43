"""Every API error is JSON: ``{"code": "<machine code>", "message": "<translated>", "details"?}``.

``code`` is stable and meant for programs; ``message`` is for people, translated to the
request's language (Simplified Chinese unless ``Accept-Language`` asks for English);
``details`` is present only where there is more to say (the field errors of ``invalid``).

Codes: ``unauthorized`` 401, ``invalid_credentials`` 401, ``forbidden`` 403,
``locked_out`` 403, ``not_found`` 404, ``method_not_allowed`` 405, ``invalid`` 400/422,
``throttled`` 429, ``server_error`` 500.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("jisheng.api")


class ApiError(Exception):
    """Raised by endpoints for an error answer with its own code and message."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return body


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    details: Any = None,
) -> HttpResponse:
    return api.create_response(request, error_body(code, message, details), status=status)


# Messages for the most common pydantic error types, so field errors are translated too.
def _field_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind in {"string_type"}:
        return _("Enter a text value.")
    if kind == "greater_than_equal":
        return _("Enter a value of at least %(limit)s.") % {"limit": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("Enter a value of at most %(limit)s.") % {"limit": ctx.get("le")}
    if kind == "string_too_long":
        return _("Enter at most %(limit)s characters.") % {"limit": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("Enter at least %(limit)s characters.") % {"limit": ctx.get("min_length")}
    if kind == "enum":
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in {"json_invalid", "model_attributes_type", "dict_type", "model_type"}:
        return _("The request body is not valid JSON of the expected shape.")
    return str(error.get("msg", ""))


# Parameters that ninja wraps around a body or a query schema; not part of a field name.
_WRAPPER_NAMES = {"payload", "filters", "ninja_pagination"}


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ninja/pydantic errors as ``[{"field", "location", "message", "type"}]``."""
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc else ""
        parts = loc[1:]
        if parts and parts[0] in _WRAPPER_NAMES:
            parts = parts[1:]
        result.append(
            {
                "field": ".".join(parts),
                "location": location,
                "message": _field_message(error),
                "type": error.get("type", ""),
            }
        )
    return result


def _django_field_errors(exc: DjangoValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {
                "field": "" if field == NON_FIELD_ERRORS else field,
                "location": "body",
                "message": message,
                "type": "invalid",
            }
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [
        {"field": "", "location": "body", "message": message, "type": "invalid"}
        for message in exc.messages
    ]


def service_invalid(exc: DjangoValidationError, *, status: int = 422) -> ApiError:
    """A service's ``ValidationError`` as ``invalid``, one detail per field message; the
    message is the error itself when there is only one."""
    details = _django_field_errors(exc)
    message = details[0]["message"] if len(details) == 1 else _("The request is invalid.")
    return ApiError(status, "invalid", message, details=details)


_HTTP_CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


def _http_message(status: int) -> str:
    return {
        400: _("The request is invalid."),
        401: _("Authentication required: send a valid API token."),
        403: _("You do not have permission to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        429: _("Too many requests; try again later."),
    }.get(status, _("The request could not be processed."))


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers so that every error has the same JSON shape."""

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(
            api,
            request,
            status=exc.status,
            code=exc.code,
            message=exc.message,
            details=exc.details,
        )

    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return error_response(
            api,
            request,
            status=422,
            code="invalid",
            message=_("The request is invalid."),
            details=field_errors(exc.errors),
        )

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            api,
            request,
            status=401,
            code="unauthorized",
            message=_("Authentication required: send a valid API token."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="jisheng"'
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        return error_response(
            api,
            request,
            status=status,
            code=_HTTP_CODES.get(status, "error"),
            message=_http_message(status),
        )

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, status=404, code="not_found", message=_("Not found."))

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(
            api,
            request,
            status=403,
            code="forbidden",
            message=_("You do not have permission to do this."),
        )

    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return error_response(
            api,
            request,
            status=400,
            code="invalid",
            message=_("The data is invalid."),
            details=_django_field_errors(exc),
        )

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled error in API %s %s", request.method, request.path)
        return error_response(
            api,
            request,
            status=500,
            code="server_error",
            message=_("An internal error occurred. It has been logged."),
        )

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(Exception, on_unexpected)
