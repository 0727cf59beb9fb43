from __future__ import annotations

import uuid

from jisheng.core.context import RequestMeta, current_request


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Makes the request's IP, path and a request id available to the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = RequestMeta(
            ip_address=client_ip(request),
            path=request.path[:500],
            request_id=uuid.uuid4().hex,
        )
        token = current_request.set(meta)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
