"""``jisheng import KIND FILE.xlsx``: import an Excel workbook of one kind of data.

The kinds are the importers the apps register (``jisheng.core.registry``: units,
persons, households, couples, births). The command
prints a summary and each rejected row with its reasons; when rows are rejected it
writes them, with a column ``错误原因``, to ``FILE.errors.xlsx`` next to the file.
Exit code 1 when anything was rejected and nothing was written (or the file itself is
unusable), 0 otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core.excel import (
    ExcelImportError,
    get_importer,
    importer_kinds,
    valid_rows_only_help,
)


def errors_path(path: Path) -> Path:
    """``tree.xlsx`` → ``tree.errors.xlsx`` in the same folder."""
    return path.with_name(f"{path.stem}.errors.xlsx")


class Command(BaseCommand):
    help = "Import an Excel workbook: jisheng import units FILE.xlsx [--unit CODE] [--dry-run]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=f"what the file holds: {', '.join(importer_kinds())}")
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument(
            "--unit",
            metavar="CODE",
            default=None,
            help="unit that rows with a blank parent code belong under",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("check every row and report, write nothing"),
        )
        parser.add_argument(
            "--valid-rows-only",
            action="store_true",
            help=lazy(valid_rows_only_help, str)(),
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            default=None,
            help="act as this user (their data scope and permissions apply, and the audit "
            "log names them); without it the import runs as the system",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        try:
            importer = get_importer(kind)
        except KeyError:
            raise CommandError(
                _("Unknown kind %(kind)s; the kinds are: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(importer_kinds())}
            ) from None
        actor = self._actor(options["user"], importer.permissions)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": str(path)})

        try:
            result = importer.read_and_run(
                path,
                filename=path.name,
                actor=actor,
                dry_run=options["dry_run"],
                valid_rows_only=options["valid_rows_only"],
                unit_code=options["unit"],
            )
        except (ExcelImportError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc

        out = self.stdout
        if result.dry_run:
            out.write(_("Dry run: nothing was written."))
        out.write(
            _(
                "%(file)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(rejected)d rejected."
            )
            % {
                "file": path.name,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "rejected": result.rejected_count,
            }
        )
        out.write(result.summary())
        # Notes of the importer beyond the counts (e.g. possible duplicates).
        for line in getattr(result, "report_lines", list)():
            out.write(line)
        if not result.rejected:
            return
        for row_number, _row, reasons in result.rejected:
            out.write(
                _("Row %(row)d: %(reasons)s") % {"row": row_number, "reasons": "; ".join(reasons)}
            )
        target = errors_path(path)
        importer.error_workbook(result).save(target)
        out.write(
            _("The rejected rows and their reasons were written to %(path)s.")
            % {"path": str(target)}
        )
        if not result.written:
            message = (
                _("Nothing was written.")
                if result.dry_run
                else _(
                    "Nothing was written because rows were rejected; correct them or use "
                    "--valid-rows-only."
                )
            )
            raise CommandError(message, returncode=1)

    def _actor(self, username: str | None, permissions: tuple[str, ...]) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %(name)s.") % {"name": username})
        missing = [p for p in permissions if not user.has_perm(p)]
        if missing:
            raise CommandError(
                _("User %(name)s lacks the permissions %(perms)s.")
                % {"name": username, "perms": ", ".join(missing)}
            )
        return user
