from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "jisheng.certificates"
    label = "certificates"
    verbose_name = _("Certificates")
    url_prefix = "certificates/"

    def ready(self) -> None:
        from jisheng.certificates import menu, permissions

        menu.register()
        permissions.register()

        from jisheng.certificates.indicators import register

        register()
