"""The population registry: persons, their dated state, life events, families, births.

State that changes over time (residence unit, employer, marital status, registry status)
lives in :class:`PersonPeriod` rows, each valid over ``[valid_from, valid_to)``. The
periods are derived from the person's :class:`LifeEvent` history (services rebuild them),
so the registry "as of" any date is one query and a correction is a new event, never a
silent edit. The columns on :class:`Person` with the same names are the current state,
kept for fast lists and always equal to the open period.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jisheng.core.models import TimeStampedModel
from jisheng.orgs.models import Unit
from jisheng.people.choices import (
    CoupleEnd,
    Education,
    EventKind,
    HouseholdRelation,
    HukouType,
    IdStatus,
    MaritalStatus,
    PersonStatus,
    PregnancyOutcome,
    Sex,
    TransferReason,
    TransferStatus,
)


class Person(TimeStampedModel):
    name = models.CharField(_("name"), max_length=50)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=200, blank=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=60, blank=True)
    # jisheng.core.pinyin.sort_key: the usual reading, syllables apart ("chen bo").
    name_sort = models.CharField(_("name sort key"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    id_status = models.CharField(
        _("ID status"), max_length=10, choices=IdStatus.choices, default=IdStatus.VALID
    )
    # The ID number is stored encrypted; id_hash (keyed HMAC) serves exact look-up and
    # id_masked (110105********002X) the lists.
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True)
    id_hash = models.CharField(_("ID number hash"), max_length=64, blank=True, db_index=True)
    id_masked = models.CharField(_("ID number"), max_length=18, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True, default="汉族")
    hukou_place = models.CharField(_("household registration place"), max_length=200, blank=True)
    hukou_type = models.CharField(
        _("household registration type"), max_length=20, choices=HukouType.choices, blank=True
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, blank=True
    )
    # Current state (= the open PersonPeriod), for lists and scope.
    unit = models.ForeignKey(
        Unit, verbose_name=_("residence unit"), on_delete=models.PROTECT, related_name="residents"
    )
    employer = models.ForeignKey(
        Unit,
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
    )
    marital_status = models.CharField(
        _("marital status"),
        max_length=20,
        choices=MaritalStatus.choices,
        default=MaritalStatus.SINGLE,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PersonStatus.choices, default=PersonStatus.REGISTERED
    )
    notes = models.TextField(_("notes"), blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        # By pinyin syllable by syllable (陈 chen before 程 cheng), not code point.
        ordering = ["name_sort", "name", "id"]
        permissions = [
            ("view_full_id", _("Can see full ID numbers")),
            ("import_person", _("Can import persons from Excel")),
            ("export_person", _("Can export person lists")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_hash"], condition=~Q(id_hash=""), name="people_person_unique_id"
            ),
        ]
        indexes = [
            # Ordering; on PostgreSQL migration 0004 adds a pattern index for LIKE 'x%'.
            # Pinyin and given-name search go through PersonNameKey.
            models.Index(fields=["name"], name="people_person_name"),
            models.Index(fields=["name_sort", "name", "id"], name="people_person_sort"),
            models.Index(fields=["unit", "status"], name="people_person_unit_status"),
            models.Index(fields=["sex", "birth_date"], name="people_person_sex_birth"),
        ]

    def __str__(self) -> str:
        return self.name


class PersonNameKey(models.Model):
    """One string a search for the person's name may start with (``people.search``).

    Every pinyin reading of the name (``zhangsan``, ``shanli`` and ``danli`` for a
    polyphonic name), their initials (``zs``) and the given name without the surname
    (``三``), one row each, so that every search is a prefix look-up in one index on
    both databases. The row repeats the person's name, sort key (``name_sort``) and
    residence unit, so that a
    search is counted, scoped and ordered from the key index alone, and only the
    persons of the page shown are read. Kept in step with the person by the services
    (:func:`jisheng.people.services.name_keys_sync`, ``rebuild_periods``) and the bulk
    writers.
    """

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="name_keys", verbose_name=_("person")
    )
    key = models.CharField(_("search key"), max_length=200)
    name = models.CharField(_("name"), max_length=50)
    # A copy of Person.name_sort: pages of a search are ordered by it, as the lists.
    sort_key = models.CharField(_("sort key"), max_length=200, blank=True, default="")
    # A copy of Person.unit (no constraint of its own: the person's holds).
    unit = models.ForeignKey(
        Unit,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # searched through people_namekey_key
        related_name="+",
        verbose_name=_("residence unit"),
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("name search key")
        verbose_name_plural = _("name search keys")
        indexes = [
            # varchar_pattern_ops on PostgreSQL, so that LIKE 'zs%' uses it (SQLite
            # ignores operator classes and is queried with a range). Holds every column
            # a search reads: counts and pages are index-only.
            models.Index(
                fields=["key", "unit", "sort_key", "name", "person"],
                name="people_namekey_key",
                opclasses=["varchar_pattern_ops", "int8_ops", "text_ops", "text_ops", "int8_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.key


class PersonPeriod(models.Model):
    """The state of a person over ``[valid_from, valid_to)`` (``valid_to`` None: open)."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="periods"
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("residence unit"), on_delete=models.PROTECT, related_name="+"
    )
    employer = models.ForeignKey(
        Unit,
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    marital_status = models.CharField(
        _("marital status"), max_length=20, choices=MaritalStatus.choices
    )
    status = models.CharField(_("status"), max_length=20, choices=PersonStatus.choices)
    # Copies of the person's fixed facts so that "married women aged 15–49 in X on D"
    # is answered from this table alone.
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    event = models.ForeignKey(
        "LifeEvent",
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("person period")
        verbose_name_plural = _("person periods")
        ordering = ["person", "valid_from", "id"]
        indexes = [
            models.Index(fields=["person", "valid_from"], name="people_period_person"),
            models.Index(fields=["unit", "valid_from", "valid_to"], name="people_period_unit"),
            models.Index(fields=["sex", "marital_status", "birth_date"], name="people_period_wra"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.valid_from}–{self.valid_to or ''}"


class LifeEvent(models.Model):
    """One dated event of the 信息报告单. Never edited: a mistake gets a CORRECTION event."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    date = models.DateField(_("date"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("recorded in unit"), on_delete=models.PROTECT, related_name="+"
    )
    # Kind-specific data: target unit, employer, spouse, place, reason …
    data = models.JSONField(_("details"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        ordering = ["person", "date", "id"]
        indexes = [
            models.Index(fields=["kind", "date"], name="people_event_kind_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class Household(TimeStampedModel):
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="households"
    )
    number = models.CharField(_("household number"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    head = models.ForeignKey(
        Person,
        verbose_name=_("head of household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["unit", "number", "id"]

    def __str__(self) -> str:
        return self.number or self.address or str(self.pk)


class HouseholdMember(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="household_memberships",
    )
    relation = models.CharField(
        _("relation to head"), max_length=20, choices=HouseholdRelation.choices
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    scope_path_field = "household__unit__path"

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household", "relation", "id"]

    def __str__(self) -> str:
        return f"{self.household} {self.person}"


class Couple(TimeStampedModel):
    """A marriage: two registered persons, or one and a spouse outside the system."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="couples"
    )
    wife = models.ForeignKey(
        Person,
        verbose_name=_("wife"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="marriages_as_wife",
    )
    husband = models.ForeignKey(
        Person,
        verbose_name=_("husband"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="marriages_as_husband",
    )
    # The spouse outside the system (for letters of inquiry, 函调).
    outside_name = models.CharField(_("spouse's name"), max_length=50, blank=True)
    outside_sex = models.CharField(_("spouse's sex"), max_length=1, choices=Sex.choices, blank=True)
    outside_id_encrypted = models.TextField(_("spouse's ID number (encrypted)"), blank=True)
    outside_id_hash = models.CharField(
        _("spouse's ID hash"), max_length=64, blank=True, db_index=True
    )
    outside_id_masked = models.CharField(_("spouse's ID number"), max_length=18, blank=True)
    outside_work_unit = models.CharField(_("spouse's work unit"), max_length=200, blank=True)
    outside_township = models.CharField(_("spouse's township"), max_length=200, blank=True)
    outside_phone = models.CharField(_("spouse's phone"), max_length=32, blank=True)
    married_on = models.DateField(_("married on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=10, choices=CoupleEnd.choices, blank=True
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("couple")
        verbose_name_plural = _("couples")
        ordering = ["-married_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(wife__isnull=False) | Q(husband__isnull=False),
                name="people_couple_has_a_person",
            ),
        ]

    def __str__(self) -> str:
        wife = self.wife.name if self.wife_id else self.outside_name
        husband = self.husband.name if self.husband_id else self.outside_name
        return f"{husband} — {wife}"


class Birth(TimeStampedModel):
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="births"
    )
    mother = models.ForeignKey(
        Person, verbose_name=_("mother"), on_delete=models.PROTECT, related_name="births_as_mother"
    )
    father = models.ForeignKey(
        Person,
        verbose_name=_("father"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="births_as_father",
    )
    couple = models.ForeignKey(
        Couple,
        verbose_name=_("couple"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="births",
    )
    child = models.OneToOneField(
        Person,
        verbose_name=_("child"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="birth_record",
    )
    child_name = models.CharField(_("child's name"), max_length=50, blank=True)
    date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    computed_order = models.PositiveSmallIntegerField(_("computed birth order"))
    order_override = models.PositiveSmallIntegerField(
        _("birth order (overridden)"), null=True, blank=True
    )
    order_override_reason = models.CharField(
        _("reason for the override"), max_length=200, blank=True
    )
    place = models.CharField(_("place of birth"), max_length=200, blank=True)
    # A statistic only (SPEC §0): whether the birth order is within the policy in force.
    within_policy = models.BooleanField(_("within policy"), default=True)
    policy_limit = models.PositiveSmallIntegerField(_("policy limit applied"), default=3)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("birth")
        verbose_name_plural = _("births")
        ordering = ["-date", "id"]
        indexes = [models.Index(fields=["date"], name="people_birth_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.child_name or self.child or ''}"

    @property
    def birth_order(self) -> int:
        return self.order_override or self.computed_order


class Pregnancy(TimeStampedModel):
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="pregnancies"
    )
    woman = models.ForeignKey(
        Person, verbose_name=_("woman"), on_delete=models.PROTECT, related_name="pregnancies"
    )
    registered_on = models.DateField(_("registered on"))
    expected_on = models.DateField(_("expected date"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=PregnancyOutcome.choices, blank=True
    )
    outcome_on = models.DateField(_("outcome date"), null=True, blank=True)
    birth = models.OneToOneField(
        Birth,
        verbose_name=_("birth"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pregnancy",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("pregnancy")
        verbose_name_plural = _("pregnancies")
        ordering = ["-registered_on", "id"]

    def __str__(self) -> str:
        return f"{self.woman} {self.registered_on}"


class Transfer(TimeStampedModel):
    """管理移交: a departing person's records handed over, ending in a clearance."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="transfers"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="transfers"
    )
    event = models.OneToOneField(
        LifeEvent,
        verbose_name=_("departure event"),
        on_delete=models.PROTECT,
        related_name="transfer",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=TransferReason.choices)
    opened_on = models.DateField(_("opened on"))
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.OPEN
    )
    receiving_unit = models.ForeignKey(
        Unit,
        verbose_name=_("receiving unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiving_name = models.CharField(_("receiving unit or township"), max_length=200, blank=True)
    records_handed = models.TextField(_("records handed over"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    clearance_number = models.CharField(
        _("clearance number"), max_length=30, blank=True, unique=False
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("management transfer")
        verbose_name_plural = _("management transfers")
        ordering = ["status", "-opened_on", "id"]
        indexes = [models.Index(fields=["status", "opened_on"], name="people_transfer_open")]

    def __str__(self) -> str:
        return f"{self.person} {self.get_reason_display()}"
