"""``jisheng benefits sweep``: the yearly (or monthly) sweep of a benefit kind, for the
scheduler.

    jisheng benefits sweep --kind childcare_subsidy --unit CODE --year 2026 [--month 3]

It runs as the system (no user: the power it uses is recorded on the batch by the office
that reviews it) and prints the batch, its cases and total.
"""

from __future__ import annotations

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jisheng.benefits.services_sweep import sweep
from jisheng.orgs.models import Unit


class Command(BaseCommand):
    help = "Benefits: run the eligibility sweep of a kind for a unit and a year or month."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{sweep}")
        run = sub.add_parser("sweep", help="Find the candidates of a benefit kind.")
        run.add_argument("--kind", required=True)
        run.add_argument("--unit", required=True, help="Code of the unit.")
        run.add_argument("--year", type=int, required=True)
        run.add_argument("--month", type=int, default=None)

    def handle(self, *args: str, **options: str | int | None) -> None:
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
