"""``jisheng schedules rebuild [--unit CODE]``: derive every visit due again, now."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jisheng.orgs.models import Unit
from jisheng.services.followup import schedules_rebuild_all


class Command(BaseCommand):
    help = _("Rebuild the follow-up schedules from the registry and the policy packs.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])
        parser.add_argument("--unit", metavar="CODE", help="only the persons of this subtree")

    def handle(self, *args: Any, **options: Any) -> None:
        root = None
        if options["unit"]:
            root = Unit.objects.filter(code=options["unit"]).first()
            if root is None:
                raise CommandError(_("No unit has the code %(code)s.") % {"code": options["unit"]})
        started = time.perf_counter()
        count = schedules_rebuild_all(root=root)
        self.stdout.write(
            self.style.SUCCESS(
                _("%(n)d visits due derived in %(s).1f s.")
                % {"n": count, "s": time.perf_counter() - started}
            )
        )
