"""``jisheng benefits``: the benefits' scheduled work.

    jisheng benefits sweep --kind childcare_subsidy --unit CODE --year 2026 [--month 3]
    jisheng benefits stops [--date YYYY-MM-DD]

``sweep`` runs the yearly (or monthly) eligibility sweep of a kind for a unit as the system
(no user: the power it uses is recorded on the batch by the office that reviews it) and
prints the batch, its cases and total. ``stops`` stops the entitlements whose stop is due
(deaths and moves loaded in bulk, children who reached the age limit).
"""

from __future__ import annotations

import calendar
import datetime
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jisheng.orgs.models import Unit


class Command(BaseCommand):
    help = "Benefits: the eligibility sweep of a kind (sweep) and the due stops (stops)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{sweep,stops}")
        run = sub.add_parser("sweep", help="Find the candidates of a benefit kind.")
        run.add_argument("--kind", required=True)
        run.add_argument("--unit", required=True, help="Code of the unit.")
        run.add_argument("--year", type=int, required=True)
        run.add_argument("--month", type=int, default=None)
        stops = sub.add_parser("stops", help="Stop the entitlements whose stop is due.")
        stops.add_argument("--date", help="the day to check (default: today)")

    def handle(self, *args: str, **options: str | int | None) -> None:
        if options["action"] == "stops":
            self._stops(options.get("date"))
        else:
            self._sweep(options)

    def _stops(self, date: str | int | None) -> None:
        from jisheng.benefits.services_changes import scan_stops

        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(str(date))
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

    def _sweep(self, options: dict[str, str | int | None]) -> None:
        from jisheng.benefits.services_sweep import sweep

        unit = Unit.objects.filter(code=str(options["unit"])).first()
        if unit is None:
            raise CommandError(_("No unit has the code %(code)s.") % {"code": options["unit"]})
        year = int(options["year"] or 0)
        month = int(options["month"]) if options["month"] is not None else None
        if month is None:
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        elif 1 <= month <= 12:
            start = datetime.date(year, month, 1)
            end = datetime.date(year, month, calendar.monthrange(year, month)[1])
        else:
            raise CommandError(_("A month is 1 to 12."))
        try:
            batch = sweep(
                actor=None, kind=str(options["kind"]), unit=unit, period_start=start, period_end=end
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            _("%(title)s: %(cases)s cases, %(total)s yuan.")
            % {"title": batch.title, "cases": batch.case_count, "total": batch.total_amount}
        )
