from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateKind(models.TextChoices):
    """The kinds of numbered certificates (SPEC §5); later issues add more."""

    ONE_CHILD_PARENTS = "one_child_parents", _("Honour certificate for parents of an only child")
