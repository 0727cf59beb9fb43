from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FloatingConfig(AppConfig):
    """The floating population's work (issue 17): arrivals, people away, rental housing
    and sweeps. It sits above ``migrants`` (the check of a 婚育证明) and ``certificates``;
    the two-way notification is the ``exchange`` app above it."""

    name = "jisheng.floating"
    label = "floating"
    verbose_name = _("Floating population work")
    url_prefix = "floating/"

    def ready(self) -> None:
        from jisheng.floating import plug_arrivals, plug_housing, plug_outflows

        plug_arrivals.register()
        plug_outflows.register()
        plug_housing.register()

        from jisheng.floating import demo

        demo.register()
