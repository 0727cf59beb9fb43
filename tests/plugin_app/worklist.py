"""A worklist source of work about a record, not a person: returned with a message."""

import datetime
from typing import Any

from jisheng.core.registry import WorkItem, WorklistSource, register_worklist_source

KIND = "plugin_widgets"


def collect(
    user: Any, *, unit: Any, today: datetime.date, limit: int
) -> tuple[int, list[WorkItem]]:
    from tests.plugin_app.models import Widget

    widgets = Widget.objects.order_by("name")
    items = [
        WorkItem(
            None,
            f"Widget {w.name}",
            "plugin",
            today,
            "Count the widget again",
            "/plugin/",
            message=f"Returned: {w.name} was miscounted",
        )
        for w in widgets[:limit]
    ]
    return widgets.count(), items


SOURCE = WorklistSource(
    kind=KIND,
    label="Widgets to recount",
    collect=collect,
    permission="plugin_app.view_widget",
    order=900,
)


def register() -> None:
    register_worklist_source(SOURCE)
