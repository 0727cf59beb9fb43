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
