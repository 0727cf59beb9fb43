from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "jisheng.certificates"
    label = "certificates"
    verbose_name = _("Certificates")
    url_prefix = "certificates/"

    def ready(self) -> None:
        from jisheng.certificates import kinds, menu, permissions, workflows

        kinds.kinds()  # a wrong kinds.yaml stops the start, naming the file and the kind
        menu.register()
        permissions.register()
        workflows.register()

        from jisheng.certificates.indicators import register

        register()
