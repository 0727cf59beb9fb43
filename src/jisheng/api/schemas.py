"""Schemas shared by every API module: the error body, tokens, the caller."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from jisheng.api.inputs import InputModel, column
from jisheng.core.models import ApiToken


class ErrorOut(Schema):
    code: str = Field(description="Stable machine-readable code, e.g. not_found.")
    message: str = Field(description="Human-readable message in the request's language.")
    details: Any | None = Field(None, description="Field errors for code invalid.")


# The error answers an endpoint may give, declared in the OpenAPI document; one status per
# kind of error everywhere (jisheng.api.errors): 400 a malformed request, 401, 403, 404,
# 409 a conflict, 422 invalid content (the input schema's or a service's refusal).
AUTH_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 422: ErrorOut}
SCOPED_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}
# Every write endpoint: a service may refuse (422) or find the object changed (409).
WRITE_ERRORS: dict[int, Any] = {**SCOPED_ERRORS, 409: ErrorOut}


class TokenIn(InputModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)  # a password as typed

    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096)
    name: str = column(ApiToken, "name", "", description="What the token is for (optional).")


class TokenOut(Schema):
    token: str = Field(description="The bearer token. It is shown only this once.")
    prefix: str = Field(description="The token's public prefix, shown in token lists.")
    expires_at: datetime.datetime | None


class UnitRefOut(Schema):
    code: str
    name: str
    unit_type: str
    path: str


class RoleOut(Schema):
    code: str
    label: str


class MeOut(Schema):
    username: str
    full_name: str
    is_superuser: bool
    unit: UnitRefOut | None
    roles: list[RoleOut]
    permissions: list[str]
