from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "jisheng.policy"
    label = "policy"
    verbose_name = _("Policy packs")
    url_prefix = "policy/"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from jisheng.core.registry import register_api_router, register_worklist_source
        from jisheng.policy import api, menu, permissions
        from jisheng.policy.selectors import DEADLINES_SOURCE
        from jisheng.policy.services import ensure_default_pack

        menu.register()
        permissions.register()
        register_api_router("/policy", api.router, order=40)

        post_migrate.connect(
            ensure_default_pack, sender=self, dispatch_uid="jisheng.policy.default_pack"
        )
        register_worklist_source(DEADLINES_SOURCE)
