"""What the benefits app's flow part plugs in: the batch's workflow, menu items and
shortcuts, worklist sources, API routers (issue 18)."""

from __future__ import annotations


def register() -> None:
    from jisheng.benefits import workflows

    workflows.register()
