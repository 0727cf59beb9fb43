"""``jisheng restore ARCHIVE [--force]``: put back what ``jisheng backup`` saved.

See :mod:`jisheng.core.backup`. Stop ``jisheng serve`` and any ``jisheng worker`` first.
It runs without the system checks (the keys it restores are the ones they would miss).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core import backup


class Command(BaseCommand):
    help = gettext_lazy("Restore the database, the keys and the uploaded files from a backup.")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help=gettext_lazy("The archive written by jisheng backup."))
        parser.add_argument(
            "--force",
            action="store_true",
            help=gettext_lazy("Overwrite a database that already holds data."),
        )
        parser.add_argument("--database", default="default", help=gettext_lazy("Database alias."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = backup.restore(
                Path(options["archive"]), using=options["database"], force=options["force"]
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for note in outcome.notes:
            self.stderr.write(note)
        self.stdout.write(
            _(
                "Restored from %(path)s: the database (%(engine)s, %(method)s), the keys "
                "field_key and lookup_key, and %(count)d uploaded files."
            )
            % {"path": outcome.archive, **backup.summary_values(outcome)}
        )
