"""The floating population's records (流动人口, SPEC §4; issue 17).

- :class:`Arrival` — 流入: a person who came to live in a unit, from the first report of
  her arrival (a landlord, a tenant list, a sweep) to her registration within the pack's
  days (deadline ``in_migrant_registration``), her 婚育证明 and its verification, and her
  departure. The person's registry status (流入) is the people app's; this is the work.
- :class:`Outflow` — 流出: a person of the unit away more than the pack's months, where
  she is and how to reach her, the 婚育证明 issued to her, :class:`ContactRecord` rows,
  a :class:`ServiceAgreement` (services she wants where she lives — never a penalty,
  SPEC §0) and the :class:`AwayTeam` she works in.
- :class:`RentalProperty` with :class:`LandlordAgreement` and :class:`Tenancy` — 出租房屋.
- :class:`Sweep` with :class:`SweepItem` (the checklist) and :class:`SweepFinding` — 清查.

Every row has a ``unit`` (the unit where the work is done) and ``scope_path_field``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.certificates.models import Certificate
from jisheng.core.models import TimeStampedModel
from jisheng.floating.choices import (
    ArrivalSource,
    ArrivalStatus,
    ContactChannel,
    FindingKind,
    FindingResolution,
    OutflowStatus,
    PropertyKind,
    SweepItemOutcome,
    SweepStatus,
)
from jisheng.orgs.models import Unit
from jisheng.people.models import Household, Person

USER = settings.AUTH_USER_MODEL


class RentalProperty(TimeStampedModel):
    """A rented property (出租房屋): surveyed and filed by the unit it stands in."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=12, choices=PropertyKind.choices, default=PropertyKind.HOUSE
    )
    rooms = models.PositiveSmallIntegerField(_("rooms to let"), default=1)
    landlord_name = models.CharField(_("landlord"), max_length=50)
    landlord_phone = models.CharField(_("landlord's phone"), max_length=32, blank=True)
    landlord = models.ForeignKey(
        Person,
        verbose_name=_("landlord in the registry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_on = models.DateField(_("filed on"))
    is_active = models.BooleanField(_("let"), default=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("rental property")
        verbose_name_plural = _("rental properties")
        ordering = ["address", "id"]
        indexes = [models.Index(fields=["unit", "is_active"], name="floating_property_unit")]

    def __str__(self) -> str:
        return self.address


class LandlordAgreement(TimeStampedModel):
    """A landlord's agreement to report tenants' arrivals and departures within the
    pack's days (房屋出租人计划生育责任书, without any penalty: SPEC §0)."""

    property = models.ForeignKey(
        RentalProperty,
        verbose_name=_("rental property"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    report_within_days = models.PositiveSmallIntegerField(_("report within days"))
    signed_by = models.ForeignKey(
        USER,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("landlord agreement")
        verbose_name_plural = _("landlord agreements")
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.property_id} {self.signed_on}"


class Arrival(TimeStampedModel):
    """An in-migrant (流入) where she lives: reported → registered → left."""

    # Null while she is only reported (a tenant, a finding) and not in the registry.
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="arrivals",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("residence unit"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ArrivalStatus.choices, default=ArrivalStatus.REPORTED
    )
    source = models.CharField(
        _("source"), max_length=12, choices=ArrivalSource.choices, default=ArrivalSource.OFFICE
    )
    # As reported (before the person exists in the registry); the ID number encrypted and
    # its keyed hash, like people.Person.
    name = models.CharField(_("name"), max_length=50)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True)
    id_hash = models.CharField(_("ID number hash"), max_length=64, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    arrived_on = models.DateField(_("arrived on"))
    # arrived_on + the pack's ``in_migrant_registration`` deadline (15 days by default).
    due_on = models.DateField(_("register by"))
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    registered_by = models.ForeignKey(
        USER,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Household registration (户籍地): a GB/T 2260 region code (checked like the region of
    # an ID number) and the place in words; the home township when it is a unit of this
    # instance, else its unit code in another system (the exchange's receiver).
    hukou_region = models.CharField(
        _("household registration region code"), max_length=6, blank=True
    )
    hukou_place = models.CharField(_("household registration place"), max_length=200, blank=True)
    home_unit = models.ForeignKey(
        Unit,
        verbose_name=_("home township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    home_code = models.CharField(_("home office code"), max_length=32, blank=True)
    employer = models.CharField(_("work unit"), max_length=200, blank=True)
    property = models.ForeignKey(
        RentalProperty,
        verbose_name=_("rental property"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="arrivals",
    )
    room = models.CharField(_("room"), max_length=20, blank=True)
    # The 婚育证明 she brings: issued by this instance (any unit) or from outside (number
    # and issuer as shown).
    certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("marriage and childbearing certificate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    certificate_issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")
        ordering = ["-arrived_on", "-id"]
        indexes = [
            models.Index(fields=["unit", "arrived_on"], name="floating_arrival_unit"),
            models.Index(fields=["home_unit", "status"], name="floating_arrival_home"),
            # the two worklists of a unit (issue 17): reported, to register; registered,
            # her certificate not verified — small partial indexes, by unit and due date
            models.Index(
                fields=["unit", "due_on"],
                condition=models.Q(status="reported"),
                name="floating_arrival_toregister",
            ),
            models.Index(
                fields=["unit", "due_on"],
                condition=models.Q(status="registered", verified_on__isnull=True),
                name="floating_arrival_toverify",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.arrived_on}"


class Tenancy(TimeStampedModel):
    """A tenant of a rental property as the landlord or the office reported her. A tenant
    not found registered where she lives gets a reported :class:`Arrival`."""

    property = models.ForeignKey(
        RentalProperty,
        verbose_name=_("rental property"),
        on_delete=models.PROTECT,
        related_name="tenancies",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=50)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True)
    id_hash = models.CharField(_("ID number hash"), max_length=64, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)
    moved_in = models.DateField(_("moved in"))
    moved_out = models.DateField(_("moved out"), null=True, blank=True)
    reported_on = models.DateField(_("reported on"))
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    arrival = models.ForeignKey(
        Arrival,
        verbose_name=_("arrival"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tenancies",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("tenancy")
        verbose_name_plural = _("tenancies")
        ordering = ["-moved_in", "-id"]

    def __str__(self) -> str:
        return f"{self.name} {self.moved_in}"


class AwayTeam(TimeStampedModel):
    """A team working away (外出务工队): its responsible leader and its part-time 宣传员
    (``000:103``)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("home unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    destination = models.CharField(_("destination"), max_length=200)
    leader_name = models.CharField(_("responsible leader"), max_length=50)
    leader_phone = models.CharField(_("leader's phone"), max_length=32, blank=True)
    propagandist_name = models.CharField(_("part-time propagandist"), max_length=50)
    propagandist_phone = models.CharField(_("propagandist's phone"), max_length=32, blank=True)
    formed_on = models.DateField(_("formed on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("team working away")
        verbose_name_plural = _("teams working away")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Outflow(TimeStampedModel):
    """A person of the unit away (流出) — where she is and how to reach her."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="outflows"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("home unit"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=OutflowStatus.choices, default=OutflowStatus.AWAY
    )
    left_on = models.DateField(_("left on"))
    recorded_on = models.DateField(_("recorded on"))
    destination_region = models.CharField(_("destination region code"), max_length=6, blank=True)
    destination = models.CharField(_("destination"), max_length=200)
    # The office where she lives, when it is a unit of this instance, else its code in
    # another system (the exchange's receiver).
    destination_unit = models.ForeignKey(
        Unit,
        verbose_name=_("office where she lives"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    destination_code = models.CharField(_("destination office code"), max_length=32, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    employer = models.CharField(_("work unit"), max_length=200, blank=True)
    expected_return = models.DateField(_("expected return"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("marriage and childbearing certificate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        AwayTeam,
        verbose_name=_("team working away"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("out-migrant record")
        verbose_name_plural = _("out-migrant records")
        ordering = ["-left_on", "-id"]
        indexes = [
            models.Index(fields=["status", "unit"], name="floating_outflow_status"),
            models.Index(fields=["person", "left_on"], name="floating_outflow_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.left_on}"


class ContactRecord(TimeStampedModel):
    """One contact with a person away (联系记录)."""

    outflow = models.ForeignKey(
        Outflow,
        verbose_name=_("out-migrant record"),
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    contacted_on = models.DateField(_("contacted on"))
    channel = models.CharField(_("channel"), max_length=20, choices=ContactChannel.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The exchange message a destination office's visit came in (its uid), if any.
    message_uid = models.CharField(_("message"), max_length=36, blank=True)
    recorded_by = models.ForeignKey(
        USER,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("contact record")
        verbose_name_plural = _("contact records")
        ordering = ["-contacted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.outflow_id} {self.contacted_on}"


class ServiceAgreement(TimeStampedModel):
    """The 流出人员 service agreement: her contact details and the services she wants
    where she lives. Its clauses come from the pack (``floating.agreement``), whose loader
    refuses any penalty (SPEC §0); the text signed is kept as it was."""

    outflow = models.OneToOneField(
        Outflow,
        verbose_name=_("out-migrant record"),
        on_delete=models.PROTECT,
        related_name="agreement",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    signed_on = models.DateField(_("signed on"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.CharField(_("address where she lives"), max_length=200, blank=True)
    # Codes of the pack's ``floating.agreement.services``.
    services = models.JSONField(_("services wanted"), default=list, blank=True)
    text = models.TextField(_("agreement text"))
    pack_version = models.PositiveIntegerField(_("policy pack version"), null=True, blank=True)
    signed_by = models.ForeignKey(
        USER,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("service agreement")
        verbose_name_plural = _("service agreements")

    def __str__(self) -> str:
        return f"{self.outflow_id} {self.signed_on}"


class Sweep(TimeStampedModel):
    """A sweep (清查) over a unit with the security department, twice a year (``000:86``)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    partner = models.CharField(_("with"), max_length=100, blank=True)  # 派出所
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=10, choices=SweepStatus.choices, default=SweepStatus.OPEN
    )
    closed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("sweep")
        verbose_name_plural = _("sweeps")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name


class SweepItem(models.Model):
    """One line of a sweep's checklist: a rental property or a household to visit."""

    sweep = models.ForeignKey(
        Sweep, verbose_name=_("sweep"), on_delete=models.CASCADE, related_name="items"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    property = models.ForeignKey(
        RentalProperty,
        verbose_name=_("rental property"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        choices=SweepItemOutcome.choices,
        default=SweepItemOutcome.PENDING,
    )
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    visited_by = models.ForeignKey(
        USER,
        verbose_name=_("visited by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("sweep checklist line")
        verbose_name_plural = _("sweep checklist lines")
        ordering = ["unit_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(property__isnull=False) | models.Q(household__isnull=False),
                name="floating_sweepitem_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sweep_id} {self.property_id or self.household_id}"


class SweepFinding(TimeStampedModel):
    """A finding of a sweep: a task on the responsible unit's worklist until resolved.
    Records are flagged for the office; no person is labelled (SPEC §0)."""

    sweep = models.ForeignKey(
        Sweep, verbose_name=_("sweep"), on_delete=models.PROTECT, related_name="findings"
    )
    item = models.ForeignKey(
        SweepItem,
        verbose_name=_("checklist line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("finding"), max_length=20, choices=FindingKind.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    found_on = models.DateField(_("found on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=12, choices=FindingResolution.choices, blank=True
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        USER,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution_note = models.CharField(_("resolution note"), max_length=500, blank=True)
    found_by = models.ForeignKey(
        USER,
        verbose_name=_("found by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("sweep finding")
        verbose_name_plural = _("sweep findings")
        ordering = ["found_on", "id"]
        indexes = [models.Index(fields=["resolved_on", "unit"], name="floating_finding_open")]

    def __str__(self) -> str:
        return f"{self.sweep_id} {self.get_kind_display()}"
