"""API bearer tokens: create, revoke, authenticate.

A token is shown once, as ``js_<prefix>_<random>``; only the SHA-256 digest of the whole
secret is stored (``ApiToken.digest``, unique) together with the 8-character prefix that
identifies the token in lists and on the command line. Looking a secret up by its digest
means no stored secret is ever compared character by character, and a final
``hmac.compare_digest`` keeps the comparison constant-time anyway.

Every token expires: :data:`DEFAULT_LIFETIME` (90 days) unless a shorter or longer one is
asked for, never more than :data:`MAX_LIFETIME` (one year) after it was made. Tokens made
before expiry was compulsory (``expires_at`` empty, or further away than the maximum) are
held to the same rule when they are checked: they end one year after they were made and
at the latest on :data:`LEGACY_DEADLINE` (90 days after the change). A user's tokens end
when the password changes or the account is deactivated (:func:`on_user_pre_save`,
:func:`on_user_post_save`, connected in ``CoreConfig.ready``).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.models import ApiToken
from jisheng.core.scope import restrict

SECRET_PREFIX = "js_"
PREFIX_LENGTH = 8
RANDOM_BYTES = 32
# ``last_used_at`` is written at most this often per token (a read must not always write).
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
MAX_SECRET_LENGTH = 128
# Lifetimes: the default and the longest a token may be given.
DEFAULT_DAYS = 90
MAX_DAYS = 365
DEFAULT_LIFETIME = datetime.timedelta(days=DEFAULT_DAYS)
MAX_LIFETIME = datetime.timedelta(days=MAX_DAYS)
# Tokens made before expiry was compulsory (issue 13, 2026-12-07) end 90 days later at the
# latest, whatever they were given.
LEGACY_DEADLINE = datetime.datetime(
    2027, 3, 7, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
)
# Slack for "at most one year from now" (the caller computed now a moment ago).
_CLOCK_SLACK = datetime.timedelta(minutes=5)


def token_digest(secret: str) -> str:
    """SHA-256 hex digest of a plain secret (what the database stores)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_prefix() -> str:
    for _attempt in range(10):
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix
    raise RuntimeError("could not find a free token prefix")  # pragma: no cover


def _require_token_admin(actor: Any, user: Any) -> None:
    """A user manages their own tokens; others need ``change_user`` on a user in scope.

    ``actor=None`` is the system (the ``jisheng token`` command run by the operator).
    """
    if actor is None:
        return
    if getattr(actor, "pk", None) is not None and actor.pk == user.pk:
        return
    user_model = get_user_model()
    perm = f"{user_model._meta.app_label}.change_user"
    if actor.has_perm(perm) and restrict(user_model.objects.filter(pk=user.pk), actor).exists():
        return
    raise PermissionDenied(_("You may not manage the API tokens of this user."))


@transaction.atomic
def token_create(
    *,
    actor: Any,
    user: Any,
    name: str = "",
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the plain secret (shown once).

    ``expires_at=None`` gives the default lifetime (:data:`DEFAULT_DAYS` days); an
    expiry more than :data:`MAX_DAYS` days away is refused.
    """
    _require_token_admin(actor, user)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    now = timezone.now()
    if expires_at is None:
        expires_at = now + DEFAULT_LIFETIME
    if len(name) > ApiToken._meta.get_field("name").max_length:
        errors["name"] = _("The name is too long.")
    if expires_at <= now:
        errors["expires_at"] = _("The expiry time must be in the future.")
    elif expires_at > now + MAX_LIFETIME + _CLOCK_SLACK:
        errors["expires_at"] = _("A token is valid for at most %(days)d days.") % {"days": MAX_DAYS}
    if not getattr(user, "is_active", False):
        errors["user"] = _("This user account is inactive.")
    if errors:
        raise ValidationError(errors)

    prefix = _new_prefix()
    secret = f"{SECRET_PREFIX}{prefix}_{secrets.token_urlsafe(RANDOM_BYTES)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        digest=token_digest(secret),
        expires_at=expires_at,
    )
    audit.record(
        actor=actor,
        action=AuditAction.TOKEN,
        obj=token,
        object_repr=f"{prefix} ({user.get_username()})",
        changes={
            "user": [None, user.get_username()],
            "name": [None, name],
            "expires_at": [None, expires_at.isoformat()],
        },
        message=_("API token created."),
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token now. Revoking an already revoked token changes nothing."""
    _require_token_admin(actor, token.user)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action=AuditAction.TOKEN,
        obj=token,
        object_repr=f"{token.prefix} ({token.user.get_username()})",
        changes={"revoked_at": [None, token.revoked_at.isoformat()]},
        message=_("API token revoked."),
    )
    return token


def token_expiry(token: ApiToken) -> datetime.datetime:
    """When ``token`` stops working: its ``expires_at``, but never more than one year
    after it was made; a token without an expiry (made before expiry was compulsory)
    ends one year after it was made and on :data:`LEGACY_DEADLINE` at the latest."""
    created = token.created_at or timezone.now()
    limit = created + MAX_LIFETIME
    if token.expires_at is None:
        return min(limit, LEGACY_DEADLINE)
    return min(token.expires_at, limit)


def token_is_usable(token: ApiToken, *, now: datetime.datetime | None = None) -> bool:
    return token_status(token, now=now) == "active"


def token_status(token: ApiToken, *, now: datetime.datetime | None = None) -> str:
    """``"active"``, ``"revoked"`` or ``"expired"``."""
    now = now or timezone.now()
    if token.revoked_at is not None:
        return "revoked"
    if token_expiry(token) <= now:
        return "expired"
    return "active"


def token_authenticate(secret: str) -> Any | None:
    """The active user a secret belongs to, or ``None``.

    Rejects malformed, unknown, revoked and expired tokens and inactive users. Records
    the time of use, at most once a minute per token.
    """
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
        return None
    digest = token_digest(secret)
    token = ApiToken.objects.select_related("user", "user__unit").filter(digest=digest).first()
    if token is None or not hmac.compare_digest(token.digest, digest):
        return None
    now = timezone.now()
    if not token_is_usable(token, now=now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    user = token.user
    user.api_token = token  # lets a view tell which token was used
    return user


def token_list(*, user: Any) -> QuerySet[ApiToken]:
    """The tokens of one user, newest first (the secrets are never stored)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_get_by_prefix(prefix: str) -> ApiToken:
    """The one token with this prefix (``js_`` and the random part may be included)."""
    text = (prefix or "").strip()
    if text.startswith(SECRET_PREFIX):
        text = text[len(SECRET_PREFIX) :]
    text = text.split("_", 1)[0]
    matches = list(ApiToken.objects.select_related("user").filter(prefix=text)[:2])
    if not matches:
        raise ApiToken.DoesNotExist(_("No API token has the prefix %(prefix)s.") % {"prefix": text})
    if len(matches) > 1:  # pragma: no cover - prefixes are chosen unique
        raise ApiToken.MultipleObjectsReturned(
            _("Several API tokens have the prefix %(prefix)s.") % {"prefix": text}
        )
    return matches[0]


# --------------------------------------------------------------------------- ending tokens


def tokens_end(*, user: Any, reason: str) -> int:
    """Revoke every token of ``user`` that is not revoked yet (audited as the system);
    returns how many were ended."""
    live = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    if not live:
        return 0
    now = timezone.now()
    ApiToken.objects.filter(pk__in=[token.pk for token in live]).update(revoked_at=now)
    for token in live:
        token.revoked_at = now
        audit.record(
            actor=None,
            action=AuditAction.TOKEN,
            obj=token,
            object_repr=f"{token.prefix} ({user.get_username()})",
            changes={"revoked_at": [None, now.isoformat()]},
            message=reason,
        )
    return len(live)


_END_REASON = "_jisheng_end_tokens"


def on_user_pre_save(
    sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    """Before a user is saved: note whether the password changes or the account is
    deactivated, so that :func:`on_user_post_save` ends the user's tokens.

    A password is "changed" when ``set_password`` was called with a new password (any
    path: the password page, a command, an administrator's form) or it was made
    unusable; the re-hash of the same password that Django does at log-in when its
    hasher's settings changed is not a change.
    """
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return
    old = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    reasons = []
    if old["password"] != instance.password and (
        getattr(instance, "_password", None) is not None or not instance.has_usable_password()
    ):
        reasons.append(_("API tokens ended: the password was changed."))
    if old["is_active"] and not instance.is_active:
        reasons.append(_("API tokens ended: the account was deactivated."))
    if reasons:
        setattr(instance, _END_REASON, " ".join(str(r) for r in reasons))


def on_user_post_save(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    reason = instance.__dict__.pop(_END_REASON, None)
    if reason:
        tokens_end(user=instance, reason=reason)
