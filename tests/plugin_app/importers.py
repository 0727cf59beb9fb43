from typing import Any

from jisheng.core.excel import Importer, ImportResult
from jisheng.core.registry import register_importer


def run(*, actor: Any, rows: Any, dry_run: bool, **kwargs: Any) -> ImportResult:
    from tests.plugin_app.models import Widget

    result = ImportResult(dry_run=dry_run)
    for row in rows:
        if not dry_run:
            Widget.objects.get_or_create(name=row["name"])
        result.created += 1
    result.written = not dry_run and result.created > 0
    return result


IMPORTER = Importer(
    kind="plugin_widgets",
    sheet_name="widgets",
    headers=("name",),
    required_headers=("name",),
    permissions=("plugin_app.add_widget",),
    run=run,
    description="Widgets of the plugin test app",
)


def register() -> None:
    register_importer(IMPORTER)
