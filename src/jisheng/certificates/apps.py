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

        from django.db.models.signals import post_save

        from jisheng.certificates import birth_registration, eligibility_kinds, migrant, worklist
        from jisheng.people.models import Birth

        eligibility_kinds.register()
        migrant.register()
        worklist.register()
        # a birth recorded for a couple links its open 生育登记
        post_save.connect(
            birth_registration.on_birth_saved,
            sender=Birth,
            dispatch_uid="certificates.link_birth",
        )
