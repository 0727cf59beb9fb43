"""``jisheng policy load|list``: load policy packs and list them.

    jisheng policy load FILE.yaml [--unit CODE] [--dry-run]
    jisheng policy list

``load`` validates the file and prints every error with its line number (exit status 1),
or stores it as a new version of its pack; loading the identical file again changes
nothing. ``--unit`` attaches the pack to a unit (and so to its subtree); without it the
pack is the default for every unit.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jisheng.orgs.models import Unit
from jisheng.policy import selectors
from jisheng.policy.loader import PackInvalid
from jisheng.policy.models import PolicyPackVersion
from jisheng.policy.services import pack_load


class Command(BaseCommand):
    help = "Load a policy pack (YAML) as a new version, or list the packs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load,list}")
        load = sub.add_parser("load", help="Validate and load a policy pack file.")
        load.add_argument("file")
        load.add_argument("--unit", default=None, help="Code of the unit the pack applies to.")
        load.add_argument("--dry-run", action="store_true", help="Validate only; store nothing.")
        sub.add_parser("list", help="List the loaded packs and their versions.")

    def handle(self, *args, **options) -> None:
        if options["action"] == "load":
            self._load(Path(options["file"]), options["unit"], options["dry_run"])
        else:
            self._list()

    def _load(self, path: Path, unit_code: str | None, dry_run: bool) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise CommandError(_("File not found: %(path)s") % {"path": str(path)}) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(
                _("The file is not UTF-8 text: %(path)s") % {"path": str(path)}
            ) from exc
        unit = None
        if unit_code:
            unit = Unit.objects.filter(code=unit_code).first()
            if unit is None:
                raise CommandError(_("No unit has the code %(code)s.") % {"code": unit_code})
        try:
            result = pack_load(
                actor=None, text=text, unit=unit, source_name=path.name, dry_run=dry_run
            )
        except PackInvalid as exc:
            for message in exc.messages:
                self.stderr.write(f"{path.name}: {message}")
            raise CommandError(
                _("%(file)s is not a valid policy pack (%(count)s errors); nothing was loaded.")
                % {"file": path.name, "count": len(exc.errors)},
                returncode=1,
            ) from exc
        for warning in result.warnings:
            self.stderr.write(_("Warning: %(warning)s") % {"warning": warning})
        where = unit.name if unit else _("all units (default)")
        values = {"pack": result.pack.id, "version": result.pack.version, "where": where}
        if dry_run:
            self.stdout.write(_("Valid: %(pack)s version %(version)s for %(where)s.") % values)
        elif result.created:
            self.stdout.write(_("Loaded %(pack)s version %(version)s for %(where)s.") % values)
        else:
            self.stdout.write(
                _("%(pack)s version %(version)s for %(where)s is already loaded; nothing changed.")
                % values
            )

    def _list(self) -> None:
        versions = PolicyPackVersion.objects.select_related("pack", "unit").order_by(
            "pack__code", "unit__path", "-effective_from", "-id"
        )
        if not versions:
            self.stdout.write(_("No policy packs are loaded."))
            return
        header = (_("pack"), _("version"), _("effective from"), _("unit"), _("in force"), "sha256")
        self.stdout.write("\t".join(str(h) for h in header))
        for v in versions:
            in_force = selectors.version_in_force(v.unit)
            row = (
                v.pack.code,
                v.version,
                v.effective_from.isoformat(),
                v.unit.code if v.unit else "-",
                "*" if in_force is not None and in_force.pk == v.pk else "",
                v.sha256[:12],
            )
            self.stdout.write("\t".join(row))
