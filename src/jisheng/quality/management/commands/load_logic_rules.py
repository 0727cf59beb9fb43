"""``jisheng load_logic_rules [FILE.yaml …] [--dry-run]``: validate the logic rule files
(default: every ``jisheng/quality/rules/*.yaml``) and load them; a changed rule becomes a
new version, an unchanged file changes nothing. Every error names the file and the rule
(exit status 1, nothing stored)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jisheng.quality.definitions_rules import RulesInvalid, default_files, read_files, rules_load


class Command(BaseCommand):
    help = "Validate and load the logic rules (YAML) of the data-quality checks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="Rule files (default: the shipped ones).")
        parser.add_argument("--dry-run", action="store_true", help="Validate only.")

    def handle(self, *args, **options) -> None:
        paths = [Path(f) for f in options["files"]] or default_files()
        try:
            rules = read_files(paths)
        except RulesInvalid as exc:
            raise CommandError("\n".join(exc.errors)) from exc
        if options["dry_run"]:
            self.stdout.write(_("%(n)d rules are valid.") % {"n": len(rules)})
            return
        result = rules_load(actor=None, rules=rules, sources=[p.name for p in paths])
        self.stdout.write(
            _(
                "Logic rules: %(created)d new, %(changed)d changed, %(unchanged)d unchanged, "
                "%(retired)d retired."
            )
            % {
                "created": len(result.created),
                "changed": len(result.changed),
                "unchanged": len(result.unchanged),
                "retired": len(result.retired),
            }
        )
