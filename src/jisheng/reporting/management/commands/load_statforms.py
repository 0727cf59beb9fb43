"""``jisheng load_statforms [FILE.yaml ...] [--dry-run]``: validate statistical form
definitions and store each as a version of its form (default: the shipped definitions,
``reporting/forms/*.yaml``). Every error names the file and the column (exit status 1);
loading the identical file again changes nothing; a changed form needs a new version."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jisheng.reporting.definitions import DefinitionInvalid, parse_definition, shipped_files
from jisheng.reporting.services_statforms import load_files


class Command(BaseCommand):
    help = "Validate and load statistical form definitions (YAML)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="*", help="Definition files (default: the shipped ones)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate only; store nothing.")

    def handle(self, *args, **options) -> None:
        paths = [Path(f) for f in options["files"]] or shipped_files()
        for path in paths:
            if not path.exists():
                raise CommandError(_("File not found: %(path)s") % {"path": str(path)})
        try:
            if options["dry_run"]:
                errors: list[str] = []
                for path in paths:
                    try:
                        parse_definition(path.read_text(encoding="utf-8"), path.name)
                    except DefinitionInvalid as exc:
                        errors.extend(exc.errors)
                if errors:
                    raise DefinitionInvalid(errors)
                self.stdout.write(_("%(count)s definitions are valid.") % {"count": len(paths)})
                return
            loaded = load_files(actor=None, paths=paths)
        except DefinitionInvalid as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(_("Nothing was loaded.")) from exc
        for item in loaded:
            state = _("loaded") if item.created else _("unchanged")
            self.stdout.write(f"{item.row.key} v{item.row.version}: {item.row.title} ({state})")
