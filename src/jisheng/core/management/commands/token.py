"""``jisheng token create|list|revoke``: manage REST API bearer tokens.

    jisheng token create USERNAME [--name NAME] [--days DAYS]   (default 90, at most 365)
    jisheng token list USERNAME
    jisheng token revoke PREFIX

``create`` prints the secret alone on standard output (so scripts can capture it) and
a reminder on standard error; the secret cannot be shown again.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core.models import ApiToken
from jisheng.core.tokens import (
    DEFAULT_DAYS,
    MAX_DAYS,
    token_create,
    token_expiry,
    token_get_by_prefix,
    token_list,
    token_revoke,
    token_status,
)


def _when(value: datetime.datetime | None) -> str:
    if value is None:
        return "-"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class Command(BaseCommand):
    help = "Create, list or revoke REST API bearer tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = sub.add_parser("create", help="Create a token for a user and print it once.")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for.")
        create.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Days until the token expires (default {DEFAULT_DAYS}, at most {MAX_DAYS}).",
        )
        listing = sub.add_parser("list", help="List a user's tokens (never their secrets).")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke a token by its 8-character prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "create":
            self._create(options["username"], options["name"], options["days"])
        elif action == "list":
            self._list(options["username"])
        else:
            self._revoke(options["prefix"])

    def _user(self, username: str):
        user_model = get_user_model()
        try:
            return user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist as exc:
            raise CommandError(_("No user is called %(name)s.") % {"name": username}) from exc

    def _create(self, username: str, name: str, days: int | None) -> None:
        user = self._user(username)
        days = DEFAULT_DAYS if days is None else days
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(_("--days must be between 1 and %(max)s.") % {"max": MAX_DAYS})
        expires_at = timezone.now() + datetime.timedelta(days=days)
        try:
            token, secret = token_create(actor=None, user=user, name=name, expires_at=expires_at)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(secret)
        self.stderr.write(
            _(
                "Token %(prefix)s for %(user)s, expires: %(expires)s. "
                "Store it now: it cannot be shown again."
            )
            % {"prefix": token.prefix, "user": username, "expires": _when(token.expires_at)}
        )

    def _list(self, username: str) -> None:
        user = self._user(username)
        tokens = list(token_list(user=user))
        if not tokens:
            self.stdout.write(_("%(user)s has no API tokens.") % {"user": username})
            return
        header = (_("prefix"), _("status"), _("created"), _("expires"), _("last used"), _("name"))
        self.stdout.write("\t".join(str(h) for h in header))
        now = timezone.now()
        for token in tokens:
            row = (
                token.prefix,
                token_status(token, now=now),
                _when(token.created_at),
                _when(token_expiry(token)),
                _when(token.last_used_at),
                token.name or "-",
            )
            self.stdout.write("\t".join(row))

    def _revoke(self, prefix: str) -> None:
        try:
            token = token_get_by_prefix(prefix)
        except (ApiToken.DoesNotExist, ApiToken.MultipleObjectsReturned) as exc:
            raise CommandError(str(exc)) from exc
        already = token.revoked_at is not None
        token_revoke(actor=None, token=token)
        if already:
            self.stdout.write(_("Token %(prefix)s was already revoked.") % {"prefix": token.prefix})
        else:
            self.stdout.write(
                _("Revoked token %(prefix)s of %(user)s.")
                % {"prefix": token.prefix, "user": token.user.get_username()}
            )
