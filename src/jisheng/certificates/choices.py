from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CertificateKind(models.TextChoices):
    """The keys of the shipped certificate kinds (their definitions are data:
    ``certificates/kinds.yaml``, :mod:`jisheng.certificates.kinds`)."""

    ONE_CHILD_PARENTS = "one_child_parents", _("Honour certificate for parents of an only child")
    BIRTH_REGISTRATION = "birth_registration", _("Birth registration service form")
    MIGRANT_MARRIAGE = (
        "migrant_marriage",
        _("Floating population marriage and childbearing certificate"),
    )
    MIGRANT_VERIFICATION = (
        "migrant_verification",
        _("Verification of a marriage and childbearing certificate"),
    )
    STATUS = "status", _("Family planning status certificate")
    TRANSFER_CLEARANCE = "transfer_clearance", _("Management transfer clearance")
    LEAVE_SLIP = "leave_slip", _("Leave approval slip")


class CertificateStatus(models.TextChoices):
    """Application → review → issue (``certificates/workflows.py``); an issued one is
    revoked with a reason or replaced by a reissue."""

    APPLIED = "applied", pgettext_lazy("certificate status", "Applied")
    REVIEWED = "reviewed", pgettext_lazy("certificate status", "Reviewed")
    RETURNED = "returned", pgettext_lazy("certificate status", "Returned")
    ISSUED = "issued", pgettext_lazy("certificate status", "Valid")
    REVOKED = "revoked", pgettext_lazy("certificate status", "Revoked")
    REPLACED = "replaced", pgettext_lazy("certificate status", "Replaced by a reissue")


class LookupResult(models.TextChoices):
    """What a verification look-up answered."""

    VALID = "valid", pgettext_lazy("verification", "Valid")
    REVOKED = "revoked", pgettext_lazy("verification", "Revoked")
    REPLACED = "replaced", pgettext_lazy("verification", "Replaced by a reissue")
    EXPIRED = "expired", pgettext_lazy("verification", "Expired")
    UNKNOWN = "unknown", pgettext_lazy("verification", "Unknown")
    LIMITED = "limited", pgettext_lazy("verification", "Refused: too many look-ups")


class LookupChannel(models.TextChoices):
    PUBLIC = "public", _("Public page (QR code)")
    NUMBER = "number", _("By number, inside the system")
    API = "api", _("API")
