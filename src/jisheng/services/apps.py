from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "jisheng.services"
    label = "services"
    verbose_name = _("Services and follow-up")

    def ready(self) -> None:
        from jisheng.core.registry import register_worklist_source
        from jisheng.people.signals import history_changed
        from jisheng.services import tasks  # noqa: F401  (registers the nightly job)
        from jisheng.services.campaign_selectors import ROUNDS_SOURCE
        from jisheng.services.services import rebuild_on_history_change

        history_changed.connect(
            rebuild_on_history_change, dispatch_uid="jisheng.services.rebuild_schedule"
        )
        register_worklist_source(ROUNDS_SOURCE)
