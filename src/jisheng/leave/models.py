"""Leave requests (假期审批, SPEC §7): an employee's leave for marriage, a birth, parenting
or a family-planning operation, with its evidence in the registry, signed by the unit
leader and approved by the family-planning office, which issues the numbered slip."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.certificates.models import Certificate
from jisheng.core.models import TimeStampedModel
from jisheng.leave.choices import DayCount, LeaveKind, LeaveStatus
from jisheng.orgs.models import Unit
from jisheng.people.models import Birth, Couple, Person, Pregnancy
from jisheng.services.models import ContraceptionRecord


class LeaveRequest(TimeStampedModel):
    # The employer: the request belongs to it (scope) and its leader signs it.
    unit = models.ForeignKey(
        Unit, verbose_name=_("employer"), on_delete=models.PROTECT, related_name="leave_requests"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="leave_requests"
    )
    kind = models.CharField(_("kind of leave"), max_length=24, choices=LeaveKind.choices)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    days = models.PositiveSmallIntegerField(_("days"))
    count = models.CharField(_("counted in"), max_length=10, choices=DayCount.choices)
    basis = models.CharField(_("legal basis"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    # Evidence in the registry (one, by kind).
    couple = models.ForeignKey(
        Couple, verbose_name=_("marriage"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    birth = models.ForeignKey(
        Birth, verbose_name=_("birth"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    method = models.ForeignKey(
        ContraceptionRecord, verbose_name=_("operation record"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    pregnancy = models.ForeignKey(
        Pregnancy, verbose_name=_("pregnancy outcome"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    difficult_birth = models.BooleanField(_("difficult birth"), default=False)
    babies = models.PositiveSmallIntegerField(_("babies born"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=LeaveStatus.choices, default=LeaveStatus.APPLIED
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applied by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    slip = models.OneToOneField(
        Certificate, verbose_name=_("leave slip"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="leave_request",
    )  # fmt: skip

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-start", "-id"]
        permissions = [
            ("sign_leaverequest", _("Can sign leave requests as the unit leader")),
            ("approve_leaverequest", _("Can approve leave requests")),
        ]
        indexes = [
            models.Index(fields=["person", "start"], name="leave_request_person"),
            models.Index(fields=["status", "start"], name="leave_request_status"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.start}"
