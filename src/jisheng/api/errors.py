"""Every API error is JSON: ``{"code": "<machine code>", "message": "<translated>", "details"?}``.

``code`` is stable and meant for programs; ``message`` is for people, translated to the
request's language (Simplified Chinese unless ``Accept-Language`` asks for English);
``details`` is present only where there is more to say (the field errors of ``invalid``).

One status per kind of error, on every endpoint of every app (issue 14), each declared in
the OpenAPI document (``jisheng.api.schemas``: ``SCOPED_ERRORS``, ``WRITE_ERRORS``):

- **400** a malformed request, one that cannot be read as sent: a body that is not JSON,
  a NUL character, an ID number in a URL (``id_in_url``), a bad ``Idempotency-Key``;
- **401** no valid token (``unauthorized``, ``invalid_credentials``);
- **403** a permission the caller lacks (``forbidden``, ``locked_out``);
- **404** not found — or outside the caller's data scope, answered the same way;
- **409** a conflict: the object changed meanwhile (a service's ``ValidationError`` with
  the code ``stale`` or ``conflict``), a request with the same ``Idempotency-Key``
  still running (``conflict``, ``idempotency_in_progress``);
- **422** ``invalid``: the content is refused — by the input schema (a field missing,
  of the wrong type, out of range) or by a service (its ``ValidationError``: a date in
  the future, stock short, a rule of the pack …), one detail per field message;
- 405 ``method_not_allowed``, 429 ``throttled``, 500 ``server_error``.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
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


# A translated message for every error type of pydantic-core (``ErrorType``): the type's
# msgid and the ``ctx`` key whose value fills ``%(limit)s`` (``choices`` for the enums).
# Custom errors (``PydanticCustomError``) carry their translated text in ``ctx["message"]``.
_REQUIRED = gettext_noop("This field is required.")
_NOT_EXPECTED = gettext_noop("This field is not expected here: remove it.")
_OBJECT = gettext_noop("The request body is not valid JSON of the expected shape.")
_LIST = gettext_noop("Enter a list.")
_WHOLE = gettext_noop("Enter a whole number.")
_NUMBER = gettext_noop("Enter a number.")
_TEXT = gettext_noop("Enter a text value.")
_DATE = gettext_noop("Enter a date as YYYY-MM-DD.")
_DATETIME = gettext_noop("Enter a date and time as YYYY-MM-DDTHH:MM:SS.")
_TIME = gettext_noop("Enter a time as HH:MM:SS.")
_INVALID = gettext_noop("The value is invalid.")
_URL = gettext_noop("Enter a valid web address (URL).")
_UUID = gettext_noop("Enter a valid UUID.")
_DECIMAL = gettext_noop("Enter a decimal number.")
_CHOICE = gettext_noop("Choose one of: %(choices)s.")
_KIND = gettext_noop("The kind of the object is missing or unknown.")

ERROR_MESSAGES: dict[str, tuple[str, str | None]] = {
    # presence and shape
    "missing": (_REQUIRED, None),
    "missing_argument": (_REQUIRED, None),
    "missing_keyword_only_argument": (_REQUIRED, None),
    "missing_positional_only_argument": (_REQUIRED, None),
    "missing_sentinel_error": (_INVALID, None),
    "extra_forbidden": (_NOT_EXPECTED, None),
    "unexpected_keyword_argument": (_NOT_EXPECTED, None),
    "unexpected_positional_argument": (_NOT_EXPECTED, None),
    "no_such_attribute": (_NOT_EXPECTED, None),
    "multiple_argument_values": (gettext_noop("This field is given more than once."), None),
    "json_invalid": (gettext_noop("The request body is not valid JSON."), None),
    "json_type": (gettext_noop("The request body is not valid JSON."), None),
    "model_type": (_OBJECT, None),
    "model_attributes_type": (_OBJECT, None),
    "dict_type": (_OBJECT, None),
    "frozen_dict_type": (_OBJECT, None),
    "ordered_dict_type": (_OBJECT, None),
    "counter_type": (_OBJECT, None),
    "mapping_type": (_OBJECT, None),
    "dataclass_type": (_OBJECT, None),
    "dataclass_exact_type": (_OBJECT, None),
    "named_tuple_type": (_OBJECT, None),
    "arguments_type": (_OBJECT, None),
    "invalid_key": (gettext_noop("A field name is not valid text."), None),
    "get_attribute_error": (_INVALID, None),
    "needs_python_object": (_INVALID, None),
    "default_factory_not_called": (_INVALID, None),
    "is_instance_of": (_INVALID, None),
    "is_subclass_of": (_INVALID, None),
    "callable_type": (_INVALID, None),
    "ellipsis_error": (_INVALID, None),
    "none_required": (gettext_noop("Leave this field empty."), None),
    "frozen_field": (gettext_noop("This field cannot be changed."), None),
    "frozen_instance": (gettext_noop("This field cannot be changed."), None),
    "recursion_loop": (gettext_noop("The data refers to itself."), None),
    "recursion_depth_exceeded": (gettext_noop("The data is nested too deeply."), None),
    "union_tag_invalid": (_KIND, None),
    "union_tag_not_found": (_KIND, None),
    "value_error": (_INVALID, None),
    "assertion_error": (_INVALID, None),
    # lists
    "list_type": (_LIST, None),
    "tuple_type": (_LIST, None),
    "set_type": (_LIST, None),
    "deque_type": (_LIST, None),
    "frozen_set_type": (_LIST, None),
    "iterable_type": (_LIST, None),
    "iteration_error": (_LIST, None),
    "set_item_not_hashable": (
        gettext_noop("The list holds a value that cannot be compared."),
        None,
    ),
    "too_short": (gettext_noop("Enter at least %(limit)s items."), "min_length"),
    "too_long": (gettext_noop("Enter at most %(limit)s items."), "max_length"),
    # text
    "string_type": (_TEXT, None),
    "string_unicode": (gettext_noop("The text is not valid Unicode."), None),
    "string_too_short": (gettext_noop("Enter at least %(limit)s characters."), "min_length"),
    "string_too_long": (gettext_noop("Enter at most %(limit)s characters."), "max_length"),
    "string_pattern_mismatch": (gettext_noop("The text does not have the expected form."), None),
    "string_not_ascii": (gettext_noop("Use only half-width letters, digits and signs."), None),
    "bytes_type": (_TEXT, None),
    "bytes_too_short": (gettext_noop("Enter at least %(limit)s characters."), "min_length"),
    "bytes_too_long": (gettext_noop("Enter at most %(limit)s characters."), "max_length"),
    "bytes_invalid_encoding": (gettext_noop("The text is not correctly encoded."), None),
    # choices
    "enum": (_CHOICE, "expected"),
    "literal_error": (_CHOICE, "expected"),
    # numbers
    "bool_type": (gettext_noop("Enter true or false."), None),
    "bool_parsing": (gettext_noop("Enter true or false."), None),
    "int_type": (_WHOLE, None),
    "int_parsing": (_WHOLE, None),
    "int_from_float": (_WHOLE, None),
    "int_parsing_size": (gettext_noop("The number is too large."), None),
    "float_type": (_NUMBER, None),
    "float_parsing": (_NUMBER, None),
    "finite_number": (gettext_noop("Enter a finite number."), None),
    "greater_than": (gettext_noop("Enter a value greater than %(limit)s."), "gt"),
    "greater_than_equal": (gettext_noop("Enter a value of at least %(limit)s."), "ge"),
    "less_than": (gettext_noop("Enter a value less than %(limit)s."), "lt"),
    "less_than_equal": (gettext_noop("Enter a value of at most %(limit)s."), "le"),
    "multiple_of": (gettext_noop("Enter a multiple of %(limit)s."), "multiple_of"),
    "decimal_type": (_DECIMAL, None),
    "decimal_parsing": (_DECIMAL, None),
    "decimal_max_digits": (gettext_noop("Enter at most %(limit)s digits."), "max_digits"),
    "decimal_max_places": (
        gettext_noop("Enter at most %(limit)s digits after the decimal point."),
        "decimal_places",
    ),
    "decimal_whole_digits": (
        gettext_noop("Enter at most %(limit)s digits before the decimal point."),
        "whole_digits",
    ),
    "fraction_type": (gettext_noop("Enter a fraction."), None),
    "fraction_parsing": (gettext_noop("Enter a fraction."), None),
    "complex_type": (gettext_noop("Enter a complex number."), None),
    "complex_str_parsing": (gettext_noop("Enter a complex number."), None),
    # dates and times
    "date_type": (_DATE, None),
    "date_parsing": (_DATE, None),
    "date_from_datetime_parsing": (_DATE, None),
    "date_from_datetime_inexact": (_DATE, None),
    "date_past": (gettext_noop("Enter a date in the past."), None),
    "date_future": (gettext_noop("Enter a date in the future."), None),
    "time_type": (_TIME, None),
    "time_parsing": (_TIME, None),
    "datetime_type": (_DATETIME, None),
    "datetime_parsing": (_DATETIME, None),
    "datetime_object_invalid": (_DATETIME, None),
    "datetime_from_date_parsing": (_DATETIME, None),
    "datetime_past": (gettext_noop("Enter a time in the past."), None),
    "datetime_future": (gettext_noop("Enter a time in the future."), None),
    "timezone_naive": (gettext_noop("Enter the time without a time zone."), None),
    "timezone_aware": (gettext_noop("Enter the time with its time zone."), None),
    "timezone_offset": (gettext_noop("The time zone is not the expected one."), None),
    "time_delta_type": (gettext_noop("Enter a duration."), None),
    "time_delta_parsing": (gettext_noop("Enter a duration."), None),
    # addresses and identifiers
    "url_type": (_URL, None),
    "url_parsing": (_URL, None),
    "url_syntax_violation": (_URL, None),
    "url_scheme": (_URL, None),
    "url_too_long": (gettext_noop("The web address is too long."), None),
    "uuid_type": (_UUID, None),
    "uuid_parsing": (_UUID, None),
    "uuid_version": (_UUID, None),
}


# A message already in Chinese (a validator raised ``ValueError(_("…"))``).
_TRANSLATED = re.compile(r"[\u4e00-\u9fff]")


def _choices(expected: Any) -> str:
    """pydantic's ``"'a', 'b' or 'c'"`` as ``'a'、'b'、'c'``."""
    return re.sub(r",\s*|\s+or\s+", "、", str(expected))


def _field_message(error: dict[str, Any]) -> str:
    """The translated message of one pydantic error (its ``type`` and ``ctx``)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if "message" in ctx:  # a custom error: translated where it was raised
        return str(ctx["message"])
    if kind in {"value_error", "assertion_error"} and _TRANSLATED.search(str(ctx.get("error", ""))):
        return str(ctx["error"])  # a validator's own translated ValueError
    msgid, key = ERROR_MESSAGES.get(kind, (_INVALID, None))
    if key == "expected":
        return _(msgid) % {"choices": _choices(ctx.get(key, ""))}
    if key is not None:
        return _(msgid) % {"limit": ctx.get(key, "")}
    return _(msgid)


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


# A service's ValidationError whose every error has one of these codes is a conflict (409).
CONFLICT_CODES = frozenset({"stale", "conflict"})


def _is_conflict(exc: DjangoValidationError) -> bool:
    errors = (
        [e for messages in exc.error_dict.values() for e in messages]
        if hasattr(exc, "error_dict")
        else exc.error_list
    )
    return bool(errors) and all(getattr(e, "code", None) in CONFLICT_CODES for e in errors)


def service_invalid(exc: DjangoValidationError) -> ApiError:
    """A service's refusal (its ``ValidationError``) as 422 ``invalid``, one detail per
    field message — or 409 ``conflict`` when it says the object changed meanwhile (codes
    in :data:`CONFLICT_CODES`); the message is the error itself when there is only one."""
    details = _django_field_errors(exc)
    message = details[0]["message"] if len(details) == 1 else _("The request is invalid.")
    if _is_conflict(exc):
        return ApiError(409, "conflict", message, details=details)
    return ApiError(422, "invalid", message, details=details)


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
        # a service's refusal that its endpoint did not catch: the same answer as if it had
        return on_api_error(request, service_invalid(exc))

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
