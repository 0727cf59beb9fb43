"""``jisheng generate persons N [--unit CODE] [--seed S] [--batch B] [--end DATE]``.

Fills the subtree of a unit with a synthetic population (see
:mod:`jisheng.people.synthetic`): fictional households with ten years of history,
written in bulk (:mod:`jisheng.people.bulk`). ``jisheng generate --persons N`` is the
same. The same seed, unit, number and end date give the same people; running the
command again changes nothing, and a different number with a seed already used is
refused rather than duplicating people.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.orgs.models import Unit
from jisheng.orgs.synthetic import fictional_county
from jisheng.people.bulk import DEFAULT_BATCH, GenerateError, generate_persons


class Command(BaseCommand):
    help = (
        "Generate a synthetic population: jisheng generate persons N "
        "[--unit CODE] [--seed S] [--batch B] [--end YYYY-MM-DD]"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", nargs="?", choices=["persons"], help="what to generate")
        parser.add_argument("count", nargs="?", type=int, help="how many persons")
        parser.add_argument(
            "--persons", dest="persons", type=int, default=None, help="how many persons"
        )
        parser.add_argument(
            "--unit",
            metavar="CODE",
            default=None,
            help=(
                "unit whose subtree receives the people, completed with villages and "
                "groups to fit them (default: the only top-level unit; none: a new "
                "fictional county)"
            ),
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--batch",
            type=int,
            default=DEFAULT_BATCH,
            help=f"persons written per transaction (default {DEFAULT_BATCH})",
        )
        parser.add_argument(
            "--workers",
            type=int,
            choices=[0, 1],
            default=None,
            help="1: prepare rows in a second process while writing (default for 20,000+)",
        )
        parser.add_argument(
            "--end",
            metavar="YYYY-MM-DD",
            default=None,
            help="the last day of the generated history (default: today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["persons"] if options["persons"] is not None else options["count"]
        if options["kind"] is None and options["persons"] is None:
            raise CommandError(_("Say what to generate: jisheng generate persons N."))
        if count is None:
            raise CommandError(_("Say how many persons to generate."))
        if count < 1:
            raise CommandError(_("The number of persons must be at least 1."))
        if options["batch"] < 1:
            raise CommandError(_("The batch size must be at least 1."))
        root = self._unit(options["unit"])
        end = self._end(options["end"])
        verbosity = options["verbosity"]

        def progress(done: int, total: int, seconds: float) -> None:
            if verbosity >= 1:
                self.stdout.write(
                    _("  %(done)d / %(total)d persons, %(s).1f s (%(rate)d per second)")
                    % {
                        "done": done,
                        "total": total,
                        "s": seconds,
                        "rate": int(done / seconds) if seconds else 0,
                    }
                )

        try:
            result = generate_persons(
                root=root,
                count=count,
                seed=options["seed"],
                end=end,
                batch=options["batch"],
                workers=options["workers"],
                progress=progress,
            )
        except GenerateError as exc:
            raise CommandError(str(exc)) from exc
        if result.skipped:
            self.stdout.write(
                _(
                    "The %(n)d persons of seed %(seed)d are already there under %(unit)s; "
                    "nothing was changed."
                )
                % {"n": result.persons, "seed": options["seed"], "unit": root.name}
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Generated %(persons)d persons in %(households)d households under "
                    "%(unit)s in %(s).1f s: %(events)d events, %(periods)d periods, "
                    "%(couples)d couples, %(births)d births, %(pregnancies)d pregnancies, "
                    "%(transfers)d transfers."
                )
                % {
                    "persons": result.persons,
                    "households": result.households,
                    "unit": root.name,
                    "s": result.seconds,
                    "events": result.events,
                    "periods": result.periods,
                    "couples": result.couples,
                    "births": result.births,
                    "pregnancies": result.pregnancies,
                    "transfers": result.transfers,
                }
            )
        )

    def _unit(self, code: str | None) -> Unit:
        if code:
            unit = Unit.objects.filter(code=code).first()
            if unit is None:
                raise CommandError(_("No unit has the code %(code)s.") % {"code": code})
            return unit
        roots = list(Unit.objects.filter(depth=1)[:2])
        if not roots:  # an empty system: a fictional county, built to size
            return fictional_county()
        if len(roots) != 1:
            raise CommandError(
                _("Choose the unit with --unit CODE (there are %(n)d top-level units).")
                % {"n": Unit.objects.filter(depth=1).count()}
            )
        return roots[0]

    def _end(self, value: str | None) -> datetime.date:
        today = timezone.localdate()
        if not value:
            return today
        try:
            end = datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                _("The end date %(value)s is not a date (YYYY-MM-DD).") % {"value": value}
            ) from None
        if end > today:
            raise CommandError(_("The end date is in the future."))
        return end
