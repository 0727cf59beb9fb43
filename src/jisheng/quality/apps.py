from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Data quality (数据质量): logic checks, cross-checks at the five checkpoints (五关),
    under-reporting detection and the year-end reconciliation (SPEC §9, issue 15)."""

    name = "jisheng.quality"
    label = "quality"
    verbose_name = _("Data quality")
    url_prefix = "quality/"

    def ready(self) -> None:
        from jisheng.quality import menu, permissions

        menu.register()
        permissions.register()

        from jisheng.core.registry import (
            register_api_router,
            register_demo_loader,
            register_worklist_source,
        )
        from jisheng.quality import api_crosscheck, demo_crosscheck, indicators_crosscheck
        from jisheng.quality.worklist import CROSSCHECK_SOURCE

        indicators_crosscheck.register()
        register_worklist_source(CROSSCHECK_SOURCE)
        register_api_router("/quality/lists", api_crosscheck.router, order=80)
        register_demo_loader("crosscheck", demo_crosscheck.load_demo_crosscheck, order=90)
