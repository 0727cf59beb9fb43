from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """Two-way notification (双向通报, issue 17): the inbox of each office, signed
    messages to and from other systems. Above ``floating``."""

    name = "jisheng.exchange"
    label = "exchange"
    verbose_name = _("Two-way notification")
    url_prefix = "exchange/"

    def ready(self) -> None:
        from jisheng.exchange import plug

        plug.register()
