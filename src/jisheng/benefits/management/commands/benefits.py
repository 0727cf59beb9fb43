"""``jisheng benefits stops [--date YYYY-MM-DD]``: stop the entitlements whose stop is
due (deaths and moves loaded in bulk, children who reached the age limit)."""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("Benefits: stop the entitlements whose stop is due.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["stops"])
        parser.add_argument("--date", help="the day to check (default: today)")

    def handle(self, *args: object, **options: object) -> None:
        from jisheng.benefits.services_changes import scan_stops

        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(str(options["date"]))
            except ValueError as exc:
                raise CommandError(_("Give the date as YYYY-MM-DD.")) from exc
        started = time.perf_counter()
        stopped = scan_stops(today=today)
        self.stdout.write(
            self.style.SUCCESS(
                _("%(n)d entitlements stopped in %(s).1f s.")
                % {"n": len(stopped), "s": time.perf_counter() - started}
            )
        )
