from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "jisheng.services"
    label = "services"
    verbose_name = _("Services and follow-up")
    url_prefix = "services/"

    def ready(self) -> None:
        from jisheng.core.registry import (
            register_api_router,
            register_demo_loader,
            register_worklist_source,
        )
        from jisheng.services import api, menu, permissions, selectors

        menu.register()
        permissions.register()
        register_api_router("/services", api.router, order=50)
        register_api_router("", api.worklist_router, order=60)
        register_demo_loader("services", _load_demo, order=20)
        selectors.register_worklist_sources()

        from jisheng.people.signals import history_changed
        from jisheng.services import tasks  # noqa: F401  (registers the nightly job)
        from jisheng.services.followup import rebuild_on_history_change
        from jisheng.services.selectors_campaigns import ROUNDS_SOURCE

        history_changed.connect(
            rebuild_on_history_change, dispatch_uid="jisheng.services.rebuild_schedule"
        )
        register_worklist_source(ROUNDS_SOURCE)


def _load_demo() -> object:
    """Methods, visits, schedules and a campaign round of the demo residents."""
    from jisheng.services.demo import load_demo_services

    return load_demo_services()
