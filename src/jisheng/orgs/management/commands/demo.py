"""``jisheng demo [--no-serve] [--host H] [--port P]``: the demo county, ready to try.

Applies migrations when some are pending, collects static files when they were never
collected, loads the demo organisation (示范县) where it is missing, then each app's
demo data (the loaders the apps register with ``register_demo_loader``, the
organisation's first) — existing data is kept — prints the demo logins and then serves
the site unless ``--no-serve`` is given.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from jisheng.core.management.commands.serve import DEFAULT_HOST, DEFAULT_PORT
from jisheng.core.registry import registry
from jisheng.orgs.demo import DemoResult


def pad(text: str, width: int) -> str:
    """Left-justify ``text`` to ``width`` terminal columns (CJK characters take two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - columns, 0)


def pending_migrations() -> bool:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def run_demo_loaders() -> dict[str, Any]:
    """Run every registered demo loader in order (orgs first); their results by name."""
    return {loader.name: loader.load() for loader in registry["demo_loaders"]}


class Command(BaseCommand):
    help = _("Load the demo county (示范县) with one login per role, then serve the site.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help=_("Only prepare the database and the demo data; do not start the server."),
        )
        parser.add_argument("--host", default=DEFAULT_HOST, help=_("Address to serve on."))
        parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=_("Port to serve on."))

    def handle(self, *args: Any, **options: Any) -> None:
        if pending_migrations():
            self.stdout.write(_("Applying database migrations…"))
            call_command("migrate", interactive=False, verbosity=0)
        results = run_demo_loaders()
        result = results["orgs"]
        assert isinstance(result, DemoResult)
        if result.created_anything:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Demo data loaded: %(units)d units, %(positions)d positions, "
                        "%(committees)d committees, %(users)d logins."
                    )
                    % {
                        "units": result.units,
                        "positions": result.positions,
                        "committees": result.committees,
                        "users": result.users,
                    }
                )
            )
        else:
            self.stdout.write(_("Demo data already present; nothing was changed."))
        self.stdout.write("")
        self.stdout.write(_("Demo logins (password for all: %(pw)s)") % {"pw": result.password})
        for username, role, unit in result.logins:
            self.stdout.write(f"  {pad(username, 10)} {pad(role, 12)} {unit}")
        self.stdout.write("")
        if options["no_serve"]:
            return
        call_command("serve", host=options["host"], port=options["port"])
