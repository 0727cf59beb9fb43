"""Request metadata (IP, path, request id) carried to the audit log without threading
the request through every service call."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestMeta:
    ip_address: str | None = None
    path: str = ""
    request_id: str = ""


current_request: ContextVar[RequestMeta | None] = ContextVar("jisheng_request", default=None)
