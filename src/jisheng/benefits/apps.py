from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    """Benefits and money (issue 18, SPEC §7): 育儿补贴, 奖励扶助, 特别扶助, the only-child
    parents' reward and health fee, staff allowances — eligibility from the registry,
    review, 公示, approval, the payment roster and the bank, with the four powers kept
    apart (四权分离). It sits above ``people``, ``policy`` and ``certificates``."""

    name = "jisheng.benefits"
    label = "benefits"
    verbose_name = _("Benefits")
    url_prefix = "benefits/"

    def ready(self) -> None:
        from jisheng.benefits import (
            permissions,
            plug_changes,
            plug_eligibility,
            plug_flow,
            plug_payments,
        )

        permissions.register()
        plug_eligibility.register()
        plug_flow.register()
        plug_payments.register()
        plug_changes.register()
