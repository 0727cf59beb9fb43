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

        from jisheng.certificates import api_verify
        from jisheng.core.registry import register_api_router

        # After the other routers (the registry test keeps their order); its own prefix
        # so the engine's /certificates router is another file.
        register_api_router("/certificates/verify", api_verify.router, order=960)

        from jisheng.certificates.indicators import register

        register()
