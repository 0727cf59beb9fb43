"""Contraception records, follow-up visits and the visits due (derived schedules).

:class:`ContraceptionRecord` is effective-dated like the registry: a method runs from
``started_on`` until the next record starts (``ended_on``). Records are never edited;
a wrong one is voided with a reason (the previous method then runs on). Visits likewise.
:class:`FollowUpDue` rows are derived (``services.schedule``) — never typed — and
rebuilt whenever the person's history, methods or visits change, and every night.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jisheng.core.models import TimeStampedModel
from jisheng.orgs.models import Unit
from jisheng.people.models import Couple, Person
from jisheng.policy.choices import CampaignKind
from jisheng.services.choices import (
    ChangeReason,
    DueKind,
    Method,
    Satisfaction,
    VisitWay,
)


class Voidable(models.Model):
    """A record that is never edited or deleted: a mistake is voided, with a reason."""

    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


class ContraceptionRecord(TimeStampedModel, Voidable):
    """One method used over ``[started_on, ended_on)``, with the informed choice behind it."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="methods"
    )
    # The residence unit when recorded: whose staff recorded it (scope of the record).
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("method"), max_length=24, choices=Method.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    provider = models.CharField(_("provider"), max_length=100, blank=True)
    reason = models.CharField(
        _("reason"), max_length=20, choices=ChangeReason.choices, default=ChangeReason.FIRST
    )
    reason_note = models.CharField(_("reason, details"), max_length=300, blank=True)
    # Informed choice (知情选择) and the Method Information Index's three questions.
    explained_by = models.CharField(_("explained by"), max_length=50, blank=True)
    options_offered = models.JSONField(_("methods offered"), default=list, blank=True)
    told_other_methods = models.BooleanField(_("told about other methods"), null=True)
    told_side_effects = models.BooleanField(_("told about side effects"), null=True)
    told_what_to_do = models.BooleanField(_("told what to do about side effects"), null=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("contraception record")
        verbose_name_plural = _("contraception records")
        ordering = ["person", "started_on", "id"]
        indexes = [models.Index(fields=["person", "started_on"], name="services_method_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.method} {self.started_on}"

    @property
    def informed(self) -> bool:
        """Informed choice recorded: who explained and the options offered."""
        return bool(self.explained_by and self.options_offered)

    @property
    def mii_complete(self) -> bool:
        """The three questions of the Method Information Index all answered yes."""
        return bool(self.told_other_methods and self.told_side_effects and self.told_what_to_do)


class FollowUpVisit(TimeStampedModel, Voidable):
    """A follow-up visit (随访) made: a service, whatever it found."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="visits"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("visited on"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visitor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visitor_name = models.CharField(_("visitor"), max_length=50, blank=True)
    way = models.CharField(_("way"), max_length=12, choices=VisitWay.choices)
    method_in_use = models.CharField(
        _("method in use"), max_length=24, choices=Method.choices, blank=True
    )
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    side_effects = models.CharField(_("side effects"), max_length=300, blank=True)
    needs = models.CharField(_("needs"), max_length=300, blank=True)
    commodities = models.CharField(_("commodities handed over"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The visit due it was made for, when chosen on the worklist (its key, which a
    # rebuild keeps): it clears that one, even overdue (see services.schedule.assign).
    for_kind = models.CharField(_("made for"), max_length=16, choices=DueKind.choices, blank=True)
    for_starts_on = models.DateField(_("made for the period from"), null=True, blank=True)
    # 需另约时间: the visit could not be made (away, asked for another day); the day
    # agreed instead. Such a visit clears nothing (services.schedule.assign).
    appointment_on = models.DateField(_("another appointment on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["person", "visited_on"], name="services_visit_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.visited_on}"


class FollowUpDue(models.Model):
    """A visit due (derived): done on time by a visit inside ``[starts_on, due_on]``.

    The rows are a derived table, rebuilt per person and for everyone nightly, so their
    foreign keys carry no database constraint (Django still cascades deletions): a
    rebuild writes a million rows without a million constraint checks.
    """

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,  # services_due_unique starts with the person
        related_name="visits_due",
    )
    # The unit responsible: where the person lives on the due date.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # services_due_unit
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DueKind.choices)
    method = models.CharField(_("method"), max_length=24, choices=Method.choices, blank=True)
    starts_on = models.DateField(_("from"))
    due_on = models.DateField(_("due on"))
    sequence = models.PositiveSmallIntegerField(_("visit number"), default=1)
    event_on = models.DateField(_("event date"), null=True, blank=True)
    visit = models.ForeignKey(
        FollowUpVisit,
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    # While open: the day agreed for another visit (需另约时间); the worklist has it due then.
    appointment_on = models.DateField(_("appointment on"), null=True, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("visit due")
        verbose_name_plural = _("visits due")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "starts_on"], name="services_due_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "due_on"], name="services_due_unit"),
            # the worklist: open items by due date
            models.Index(
                fields=["due_on", "unit"], name="services_due_open", condition=Q(done_on=None)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.due_on}"

    @property
    def on_time(self) -> bool:
        return self.done_on is not None and self.done_on <= self.due_on


# --------------------------------------------------------------------------- campaigns


class CampaignRound(TimeStampedModel):
    """One round of a service campaign (综合服务/查环查孕, 妇女病普查) for a unit: its
    period and the pack campaign it follows. Attendance is a service statistic only."""

    kind = models.CharField(_("kind"), max_length=32, choices=CampaignKind.choices)
    name = models.CharField(_("name"), max_length=200)
    campaign_id = models.CharField(_("pack campaign"), max_length=50)
    target_group = models.CharField(_("target group"), max_length=50)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    # The organising unit: the targets are drawn from its subtree (scope of the round).
    unit = models.ForeignKey(
        Unit, verbose_name=_("organising unit"), on_delete=models.PROTECT, related_name="+"
    )
    pack_code = models.CharField(_("policy pack"), max_length=50)
    pack_version = models.CharField(_("pack version"), max_length=32)
    drawn_at = models.DateTimeField(_("target list drawn at"), null=True, blank=True)
    # Created by the nightly job from the pack's campaign months (not by hand).
    from_pack = models.BooleanField(_("created from the policy pack"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("campaign round")
        verbose_name_plural = _("campaign rounds")
        ordering = ["-period_start", "id"]
        indexes = [
            models.Index(fields=["period_end", "period_start"], name="services_round_period")
        ]
        constraints = [
            # one round from the pack per office, campaign and month, however many workers
            models.UniqueConstraint(
                fields=["unit", "campaign_id", "period_start"],
                condition=Q(from_pack=True),
                name="services_round_from_pack",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignTarget(TimeStampedModel, Voidable):
    """One person on a round's target list, with her attendance and results.

    Drawn from the registry (never typed); a re-draw adds newcomers and never deletes a
    row. A row put on the list by mistake (or of someone who left) is voided, with a
    reason, and leaves the statistics.
    """

    class YesNoNA(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        NA = "na", _("Not applicable")

    round = models.ForeignKey(
        CampaignRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="targets"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    # The person's residence unit when drawn (scope of the row, statistics by unit).
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    attended_on = models.DateField(_("attended on"), null=True, blank=True)
    iud_in_place = models.CharField(
        _("IUD in place"), max_length=3, choices=YesNoNA.choices, blank=True
    )
    pregnant = models.CharField(
        _("pregnant"), max_length=3, choices=YesNoNA.choices[:2], blank=True
    )
    findings = models.CharField(_("other findings"), max_length=500, blank=True)
    referred = models.BooleanField(_("referred"), default=False)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    checked_elsewhere = models.BooleanField(_("checked elsewhere"), default=False)
    checked_elsewhere_on = models.DateField(_("checked elsewhere on"), null=True, blank=True)
    # 需另约时间: the day agreed with a person not seen yet; the worklist has her due then.
    appointment_on = models.DateField(_("appointment on"), null=True, blank=True)
    certificate = models.FileField(
        _("check certificate"), upload_to="campaigns/certificates/%Y/", blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        ordering = ["round", "unit", "person", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="services_target_unique"),
        ]
        indexes = [
            models.Index(fields=["round", "unit"], name="services_target_round_unit"),
            # the worklist: not attended, not checked elsewhere
            models.Index(
                fields=["round", "unit"],
                name="services_target_open",
                condition=Q(attended_on=None, checked_elsewhere=False, voided_at=None),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.person_id}"

    @property
    def covered(self) -> bool:
        return self.attended_on is not None or self.checked_elsewhere


# --------------------------------------------------------------------------- letters


class Letter(TimeStampedModel):
    """A letter of inquiry (函调) to the unit or township of a man's wife, once a year,
    numbered per issuing unit and year, and the reply."""

    class Result(models.TextChoices):
        CONFIRMED = "confirmed", _("Status confirmed")
        DIFFERS = "differs", _("Status differs from the record")
        UNKNOWN = "unknown", _("Unit could not say")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    couple = models.ForeignKey(
        Couple, verbose_name=_("couple"), on_delete=models.PROTECT, related_name="+"
    )
    # The person's residence unit when written (scope of the row).
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    # The organisation whose rule it follows and whose office signs and numbers it.
    issuer = models.ForeignKey(
        Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("number"))
    sent_on = models.DateField(_("sent on"))
    addressed_to = models.CharField(_("addressed to"), max_length=200)
    spouse_name = models.CharField(_("spouse's name"), max_length=50, blank=True)
    reply_received_on = models.DateField(_("reply received on"), null=True, blank=True)
    reply_result = models.CharField(_("reply"), max_length=12, choices=Result.choices, blank=True)
    reply_text = models.TextField(_("reply, details"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reply recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("letter of inquiry")
        verbose_name_plural = _("letters of inquiry")
        ordering = ["-year", "issuer", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year", "sequence"], name="services_letter_number"
            ),
            models.UniqueConstraint(fields=["couple", "year"], name="services_letter_yearly"),
        ]
        indexes = [
            models.Index(
                fields=["sent_on", "unit"],
                name="services_letter_open",
                condition=Q(reply_received_on=None),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"{self.year}-{self.sequence:03d}"
