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

        from jisheng.certificates.services import issue_clearance
        from jisheng.core import workflow

        # completing a 管理移交 issues its clearance (the people app does not import this one)
        workflow.follow("people.transfer", "completed", issue_clearance)

        from jisheng.certificates import api
        from jisheng.core.registry import register_api_router

        register_api_router("/certificates", api.router, order=35)
        from jisheng.certificates import api_verify

        # Mounted before /certificates, whose /{id} would otherwise take "verify" for an id.
        register_api_router("/certificates/verify", api_verify.router, order=34)

        from jisheng.certificates.indicators import register

        register()

        from jisheng.core.registry import register_demo_loader

        register_demo_loader("certificates", _load_demo, order=40)

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


def _load_demo() -> object:
    """A few certificates of each state for the demo county."""
    from jisheng.certificates.demo import load_demo_certificates

    return load_demo_certificates()
