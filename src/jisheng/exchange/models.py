"""Two-way notification (双向通报, SPEC §4; issue 17).

A :class:`Notice` is one message about one person between the office where she lives
and the office of her household registration: what was done (registration,
verification, a service, a method change, a birth, a pregnancy outcome, a departure) and
the reply (反馈). Between two units of this instance it is one row (the sender's outbox,
the receiver's inbox); to or from another instance it is a row with the other side's
unit code and the signed message as it was exported or imported.

A message has a unique ``uid`` (UUID), the sender's and receiver's unit codes, the
sending instance, an Ed25519 signature over its canonical JSON, and may correct an
earlier message (``corrects_uid``). A correction that arrives before its original is
held (``HELD``) until the original comes. :class:`PeerKey` holds the public keys of the
other instances, exchanged as files.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.core.models import TimeStampedModel
from jisheng.orgs.models import Unit
from jisheng.people.models import Person

USER = settings.AUTH_USER_MODEL


class NoticeKind(models.TextChoices):
    REGISTRATION = "registration", _("Registration where she lives")  # 流入登记
    VERIFICATION = "verification", _("Certificate verified")  # 婚育证明查验
    SERVICE = "service", _("Service given")  # 服务（随访、查环查孕）
    METHOD = "method", _("Contraceptive method")  # 节育措施变更
    BIRTH = "birth", _("Birth")  # 出生
    PREGNANCY_OUTCOME = "pregnancy_outcome", _("Pregnancy outcome")  # 妊娠结局
    DEPARTURE = "departure", _("Departure")  # 离开现居住地
    CONTACT = "contact", _("Visit by the office where she lives")  # 现居住地走访
    REPLY = "reply", _("Reply")  # 反馈


class Direction(models.TextChoices):
    INTERNAL = "internal", _("Within this system")
    OUTGOING = "outgoing", _("To another system")
    INCOMING = "incoming", _("From another system")


class NoticeStatus(models.TextChoices):
    SENT = "sent", _("Awaiting reply")  # 待反馈
    REPLIED = "replied", _("Replied")  # 已反馈
    CLOSED = "closed", _("No reply needed")  # 无需反馈 (a reply itself)
    HELD = "held", _("Correction held for its original")  # 更正待原件


class Notice(TimeStampedModel):
    uid = models.UUIDField(_("message id"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.SENT
    )
    # The instance that wrote the message (settings.JISHENG_INSTANCE_ID for our own).
    instance = models.CharField(_("sending system"), max_length=64)
    sender_code = models.CharField(_("sender unit code"), max_length=32)
    receiver_code = models.CharField(_("receiver unit code"), max_length=32)
    sender_unit = models.ForeignKey(
        Unit,
        verbose_name=_("sender"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiver_unit = models.ForeignKey(
        Unit,
        verbose_name=_("receiver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The person it is about: the local record when known, and as the message names her.
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person_name = models.CharField(_("name"), max_length=50)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True)
    id_hash = models.CharField(_("ID number hash"), max_length=64, blank=True, db_index=True)
    event_on = models.DateField(_("date of the event"))
    # What happened, by kind (method code, service kind, outcome, destination, reply text…).
    payload = models.JSONField(_("content"), default=dict, blank=True)
    in_reply_to = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
    )
    corrects_uid = models.UUIDField(_("corrects message"), null=True, blank=True)
    corrected_by_uid = models.UUIDField(_("corrected by message"), null=True, blank=True)
    reply_due = models.DateField(_("reply due"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    # The signed message as exported or imported (other instances only).
    message = models.JSONField(_("signed message"), null=True, blank=True)
    signature = models.TextField(_("signature"), blank=True)
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Scope: an office sees what it sent and what is addressed to it; the row's scope
    # path is the receiver's for the inbox and the sender's for the outbox (selectors).
    scope_path_field = "receiver_unit__path"

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["receiver_unit", "status", "reply_due"], name="exchange_inbox"),
            models.Index(fields=["sender_unit", "created_at"], name="exchange_outbox"),
            models.Index(fields=["direction", "exported_at"], name="exchange_export"),
            models.Index(fields=["corrects_uid"], name="exchange_corrects"),
        ]

    def __str__(self) -> str:
        return f"{self.uid} {self.get_kind_display()}"


class PeerKey(TimeStampedModel):
    """The public key of another instance (imported from its key file)."""

    instance = models.CharField(_("system id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    public_key = models.CharField(_("public key"), max_length=100)  # base64 of 32 bytes
    is_active = models.BooleanField(_("active"), default=True)
    added_by = models.ForeignKey(
        USER,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("key of another system")
        verbose_name_plural = _("keys of other systems")
        ordering = ["instance"]

    def __str__(self) -> str:
        return self.name
