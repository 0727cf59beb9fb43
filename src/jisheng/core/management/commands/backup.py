"""``jisheng backup ARCHIVE``: the database, the keys and the uploads in one archive.

See :mod:`jisheng.core.backup`. The archive is created 0600; keep it as safely as the
keys it holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core import backup


class Command(BaseCommand):
    help = gettext_lazy("Back up the database, the keys and the uploaded files into one archive.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help=gettext_lazy("The archive to write (.tar or .tar.gz)."))
        parser.add_argument(
            "--method",
            choices=["auto", "sqlite", "pg_dump", "dumpdata"],
            default="auto",
            help=gettext_lazy(
                "How to dump the database: auto (SQLite: its backup API; PostgreSQL: "
                "pg_dump when installed, else dumpdata), or dumpdata (restores into "
                "either engine)."
            ),
        )
        parser.add_argument("--database", default="default", help=gettext_lazy("Database alias."))

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        if archive.exists():
            raise CommandError(
                _("%(path)s exists already; choose another name.") % {"path": archive}
            )
        try:
            outcome = backup.backup(archive, using=options["database"], method=options["method"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for note in outcome.notes:
            self.stderr.write(note)
        self.stdout.write(
            _(
                "Backed up to %(path)s: the database (%(engine)s, %(method)s), the keys "
                "field_key and lookup_key, and %(count)d uploaded files."
            )
            % {"path": archive, **backup.summary_values(outcome)}
        )
