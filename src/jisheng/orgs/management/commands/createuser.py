"""``jisheng createuser USERNAME --unit CODE --role ROLE [--role ROLE …]``: add a login.

Roles are given by their Chinese name (系统管理员, 计生办, 专干/宣传员 or 专干 or 宣传员,
领导, 药具管理员, 考核员, 审计员) or by their code (admin, office, field, …). The password is
read twice: from two lines of standard input when it is not a terminal (for scripts),
otherwise from two hidden prompts.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jisheng.orgs import services
from jisheng.orgs.models import Unit
from jisheng.orgs.roles import role_from_label

MAX_UNITS_LISTED = 30


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        parts = []
        for field, errors in exc.message_dict.items():
            for message in errors:
                parts.append(message if field == "__all__" else f"{field}: {message}")
        return "; ".join(parts)
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = _("Create a login in an organisation unit with one or more roles.")
    stealth_options = ("stdin",)

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help=_("Login name."))
        parser.add_argument("--unit", required=True, help=_("Code of the user's unit."))
        parser.add_argument(
            "--role",
            action="append",
            required=True,
            dest="roles",
            help=_("Role by Chinese name or code; repeat for several roles."),
        )
        parser.add_argument("--full-name", default="", help=_("The person's full name."))
        parser.add_argument("--phone", default="", help=_("Phone number."))

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].strip()
        if not username:
            raise CommandError(_("The username is required."))
        unit = self._unit(options["unit"].strip())
        roles = self._roles(options["roles"])
        password = self._password(options.get("stdin") or sys.stdin)
        try:
            user = services.user_create(
                actor=None,
                username=username,
                unit=unit,
                roles=roles,
                password=password,
                full_name=options["full_name"],
                phone=options["phone"],
            )
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        except PermissionDenied as exc:  # pragma: no cover - system actor is never denied
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Created user %(username)s in %(unit)s (%(code)s) with roles: %(roles)s.")
            % {
                "username": user.username,
                "unit": unit.name,
                "code": unit.code,
                "roles": ", ".join(user.role_labels),
            }
        )

    def _unit(self, code: str) -> Unit:
        unit = Unit.objects.filter(code=code).first()
        if unit is not None:
            return unit
        total = Unit.objects.count()
        if total == 0:
            raise CommandError(
                _("No unit has the code %(code)s: there are no units yet (try jisheng demo).")
                % {"code": code}
            )
        listed = [f"{u.code} {u.name}" for u in Unit.objects.order_by("path")[:MAX_UNITS_LISTED]]
        more = (
            "\n  " + _("… and %(n)d more.") % {"n": total - MAX_UNITS_LISTED}
            if total > MAX_UNITS_LISTED
            else ""
        )
        raise CommandError(
            _("No unit has the code %(code)s. Valid unit codes:") % {"code": code}
            + "\n  "
            + "\n  ".join(listed)
            + more
        )

    def _roles(self, labels: list[str]) -> list[str]:
        codes: list[str] = []
        for label in labels:
            try:
                code = role_from_label(label)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            if code not in codes:
                codes.append(code)
        return codes

    def _password(self, stdin: Any) -> str:
        if stdin.isatty():
            first = getpass.getpass(_("Password: "))
            second = getpass.getpass(_("Password (again): "))
        else:
            first = stdin.readline().rstrip("\r\n")
            second = stdin.readline().rstrip("\r\n")
        if not first:
            raise CommandError(_("The password is empty."))
        if first != second:
            raise CommandError(_("The two passwords do not match."))
        return first
