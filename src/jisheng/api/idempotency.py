"""``Idempotency-Key``: a POST that creates something, retried after a lost answer, is
not done twice.

A client sends ``Idempotency-Key: <its own unique text>`` (1–255 visible ASCII
characters, e.g. a UUID) with a POST decorated with :func:`idempotent`. The first request
with that key (per user and path) runs and, when it succeeds (2xx), its status and JSON
body are stored in the same transaction as what it wrote
(:class:`jisheng.core.models.IdempotencyKey`). A retry with the same key and the same
body then answers the stored status and body (header ``Idempotent-Replayed: true``) and
writes nothing; the same key with another body answers 422 ``idempotency_key_reused``.
A request that fails (4xx, 5xx) keeps nothing: its retry runs again.

Two simultaneous requests with one key cannot both write: the key's row is inserted
first, in the request's transaction, under a unique constraint, so the second insert
waits for the first transaction (PostgreSQL; SQLite serialises writers) and then finds
the stored answer. Keys are kept :data:`KEEP_HOURS` hours; older ones are deleted as new
ones are stored (at most once every :data:`PRUNE_EVERY` per process).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view
from ninja.utils import contribute_operation_callback

from jisheng.api.errors import ApiError, error_response

HEADER = "Idempotency-Key"
KEEP_HOURS = 48
PRUNE_EVERY = datetime.timedelta(minutes=10)
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")

# The OpenAPI description of the header, added to each decorated operation.
OPENAPI_PARAMETER: dict[str, Any] = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    "description": (
        "Optional. A unique text chosen by the client (e.g. a UUID) so that a retry after a "
        "lost answer is not done twice: a request with a key already used by the same user "
        "on the same path answers the first result (status and body, header "
        f"`Idempotent-Replayed: true`) and writes nothing; the same key with a different "
        f"body answers 422 `idempotency_key_reused`. Keys are kept {KEEP_HOURS} hours."
    ),
}

_last_prune = 0.0
_prune_lock = threading.Lock()


def fingerprint(request: HttpRequest) -> str:
    """The request's method, path and body as one SHA-256."""
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b" " + request.path.encode() + b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def prune(now: datetime.datetime | None = None) -> int:
    """Delete the keys older than :data:`KEEP_HOURS`; their number."""
    from jisheng.core.models import IdempotencyKey

    cutoff = (now or timezone.now()) - datetime.timedelta(hours=KEEP_HOURS)
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _prune_now_and_then() -> None:
    global _last_prune
    with _prune_lock:
        if time.monotonic() - _last_prune < PRUNE_EVERY.total_seconds():
            return
        _last_prune = time.monotonic()
    prune()


def _replay(record: Any) -> HttpResponse:
    response = HttpResponse(
        record.body, status=record.status, content_type="application/json; charset=utf-8"
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _caller(request: HttpRequest) -> Any:
    """The user of the request's bearer token (None: ninja's own check answers 401)."""
    from jisheng.core.tokens import token_authenticate

    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token_authenticate(token.strip())


def _guard(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap an operation's ``run`` (authentication, parsing, the view and its rendering)."""
    operation = run.__self__  # type: ignore[attr-defined]

    @functools.wraps(run)
    def guarded(request: HttpRequest, **kw: Any) -> HttpResponse:
        key = request.headers.get(HEADER)
        user = _caller(request) if key is not None else None
        if user is None:
            return run(request, **kw)
        try:
            return _run_once(run, request, user, key, **kw)
        except ApiError as exc:
            return error_response(
                operation.api, request, status=exc.status, code=exc.code, message=exc.message
            )

    return guarded


def _run_once(
    run: Callable[..., HttpResponse], request: HttpRequest, user: Any, key: str, **kw: Any
) -> HttpResponse:
    from jisheng.core.models import IdempotencyKey

    if not _KEY_RE.match(key):
        raise ApiError(
            400,
            "invalid",
            _(
                "The Idempotency-Key header must be 1 to 255 visible ASCII characters "
                "(e.g. a UUID)."
            ),
        )
    path = request.path[:500]
    print_ = fingerprint(request)
    with _writer_lock(), transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=user, path=path, key=key, fingerprint=print_
                )
        except IntegrityError:
            record = IdempotencyKey.objects.get(user=user, path=path, key=key)
            if record.fingerprint != print_:
                raise ApiError(
                    422,
                    "idempotency_key_reused",
                    _(
                        "This Idempotency-Key was already used with a different request: "
                        "use a new key for a new request."
                    ),
                ) from None
            if record.status is None:  # only while the first is running (not committed)
                raise ApiError(
                    409,
                    "idempotency_in_progress",
                    _("A request with this Idempotency-Key is still being processed."),
                ) from None
            return _replay(record)
        response = run(request, **kw)
        if 200 <= response.status_code < 300:
            record.status = response.status_code
            record.body = response.content.decode("utf-8")
            record.save(update_fields=["status", "body"])
        else:  # nothing was written: a retry runs again
            record.delete()
    _prune_now_and_then()
    return response


def _writer_lock() -> Any:
    """On SQLite, the ledger's lock of the writing threads, taken before this transaction
    begins (as the ledger takes it): a movement posted inside would otherwise take it
    while holding the database, and a thread holding it wait for the database — a
    deadlock until the busy timeout. Nothing on PostgreSQL (row locks)."""
    if connection.vendor != "sqlite":
        return contextlib.nullcontext()
    from jisheng.commodities.ledger import _SQLITE_WRITE_LOCK

    return _SQLITE_WRITE_LOCK


def _contribute(operation: Any) -> None:
    extra = dict(operation.openapi_extra or {})
    extra["parameters"] = [*extra.get("parameters", []), OPENAPI_PARAMETER]
    operation.openapi_extra = extra


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Make a ninja POST operation honour ``Idempotency-Key`` (see the module). Apply it
    under the router's decorator: ``@router.post(…)`` then ``@idempotent``."""
    contribute_operation_callback(view, _contribute)
    return decorate_view(_guard)(view)
