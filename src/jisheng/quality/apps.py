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
        from jisheng.core.registry import register_api_router
        from jisheng.quality import api_underreporting, menu, permissions

        menu.register()
        permissions.register()
        register_api_router("/quality/underreporting", api_underreporting.router, order=90)

        # logic checks
        from jisheng.core.registry import register_demo_loader
        from jisheng.core.statforms import register_submission_check
        from jisheng.quality import api_rules, checks, services_rules
        from jisheng.quality.definitions_rules import load_files

        checks.register_populations()
        register_submission_check("logic_rules", services_rules.submission_check)
        register_api_router("/quality", api_rules.router, order=950)
        register_demo_loader("logic_rules", lambda: load_files(actor=None), order=900)
        from django.db.models.signals import post_migrate

        from jisheng.quality.definitions_rules import ensure_shipped_rules

        post_migrate.connect(
            ensure_shipped_rules, sender=self, dispatch_uid="jisheng.quality.shipped_rules"
        )

        # cross-checks at the five checkpoints (五关)
        from jisheng.core.registry import register_worklist_source
        from jisheng.quality import api_crosscheck, demo_crosscheck, indicators_crosscheck
        from jisheng.quality.worklist import CROSSCHECK_SOURCE

        indicators_crosscheck.register()
        register_worklist_source(CROSSCHECK_SOURCE)
        register_api_router("/quality/lists", api_crosscheck.router, order=80)
        register_demo_loader("crosscheck", demo_crosscheck.load_demo_crosscheck, order=90)
