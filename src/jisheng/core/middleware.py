from __future__ import annotations

import uuid

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from jisheng.core.clientip import client_ip
from jisheng.core.context import RequestMeta, current_request

__all__ = ["LanguageMiddleware", "RequestContextMiddleware", "client_ip"]


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


class LanguageMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user chose another language.

    Pages follow the language cookie set by the language switch (Django's
    ``set_language``) and otherwise use ``LANGUAGE_CODE`` — not the browser's
    ``Accept-Language``, so a Chinese office on an English-locale computer still gets
    Chinese. The API (``/api/``) follows ``Accept-Language`` as HTTP clients expect.
    """

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
