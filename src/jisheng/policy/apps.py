from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "jisheng.policy"
    label = "policy"
    verbose_name = _("Policy packs")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from jisheng.core.registry import register_worklist_source
        from jisheng.policy.selectors import DEADLINES_SOURCE
        from jisheng.policy.services import ensure_default_pack

        post_migrate.connect(
            ensure_default_pack, sender=self, dispatch_uid="jisheng.policy.default_pack"
        )
        register_worklist_source(DEADLINES_SOURCE)
