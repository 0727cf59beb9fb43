"""Models of the indicators app: versioned reference tables, contracts and assessments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.core.models import TimeStampedModel
from jisheng.policy.choices import Direction, ScoringKind, TargetUnit, Trigger


class CypFactorTable(models.Model):
    """A version of the couple-years-of-protection conversion factors (e.g. USAID 2021).

    Versions are never edited: a new table with a later ``valid_from`` replaces the old
    one for periods ending on or after that day; past figures keep their table."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"), unique=True)

    class Meta:
        verbose_name = _("CYP factor table")
        verbose_name_plural = _("CYP factor tables")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return self.name


class CypFactor(models.Model):
    """``quantity`` units of ``item`` give ``cyp`` couple-years of protection
    (15 pill cycles → 1; one copper IUD → 4.6)."""

    class Item(models.TextChoices):
        PILL_CYCLE = "pill_cycle", _("Oral pill, cycle")
        CONDOM = "condom", _("Condom, piece")
        INJECTABLE_DOSE = "injectable_dose", _("Injectable (DMPA), dose")
        IUD_COPPER = "iud_copper", _("Copper IUD inserted")
        IMPLANT_3Y = "implant_3y", _("Implant, 3-year")
        IMPLANT_4Y = "implant_4y", _("Implant, 4-year")
        IMPLANT_5Y = "implant_5y", _("Implant, 5-year")
        FEMALE_STERILISATION = "female_sterilisation", _("Female sterilisation")
        MALE_STERILISATION = "male_sterilisation", _("Male sterilisation")

    table = models.ForeignKey(
        CypFactorTable, verbose_name=_("table"), on_delete=models.PROTECT, related_name="factors"
    )
    item = models.CharField(_("item"), max_length=30, choices=Item.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    cyp = models.DecimalField(_("couple-years of protection"), max_digits=8, decimal_places=3)

    class Meta:
        verbose_name = _("CYP factor")
        verbose_name_plural = _("CYP factors")
        ordering = ["table", "item"]
        constraints = [
            models.UniqueConstraint(fields=["table", "item"], name="indicators_cyp_item"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0) & models.Q(cyp__gt=0),
                name="indicators_cyp_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.quantity} → {self.cyp}"


# --------------------------------------------------------------------------- contracts


class Contract(TimeStampedModel):
    """A target-responsibility contract (目标责任书) for one year between ``issuer`` and
    ``unit``, a unit directly below it: indicator items with targets and weights, items
    scored by hand and veto items (一票否决). Editable while a draft; a signed contract
    is read-only, and a change is a new version that supersedes it when signed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        SUPERSEDED = "superseded", _("Superseded")

    year = models.PositiveSmallIntegerField(_("year"))
    issuer = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("issuing unit"),
        on_delete=models.PROTECT,
        related_name="contracts_issued",
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    pack_code = models.CharField(_("policy pack"), max_length=50, blank=True)
    pack_version = models.CharField(_("pack version"), max_length=32, blank=True)
    total_points = models.FloatField(_("total points"), default=100)
    bands = models.JSONField(_("bands"), default=list, blank=True)
    consequences = models.JSONField(_("consequences"), default=list, blank=True)
    composite = models.JSONField(_("composite parts"), default=list, blank=True)
    flag_last_place = models.BooleanField(_("flag the last place"), default=False)
    issuer_signatory = models.CharField(
        _("signed for the issuing unit by"), max_length=100, blank=True
    )
    unit_signatory = models.CharField(
        _("signed for the responsible unit by"), max_length=100, blank=True
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signing recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn up by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("target-responsibility contract")
        verbose_name_plural = _("target-responsibility contracts")
        ordering = ["-year", "unit__path", "-version"]
        permissions = [("sign_contract", _("Can record the signing of a contract"))]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "version"], name="indicators_contract_version"
            ),
            models.UniqueConstraint(
                fields=["unit", "year"],
                condition=models.Q(status="draft"),
                name="indicators_contract_one_draft",
            ),
            models.UniqueConstraint(
                fields=["unit", "year"],
                condition=models.Q(status="signed"),
                name="indicators_contract_one_signed",
            ),
        ]
        indexes = [models.Index(fields=["issuer", "year"], name="indicators_contract_issuer")]

    def __str__(self) -> str:
        return f"{self.year} {self.unit} v{self.version}"

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT


class ContractItem(models.Model):
    """One line of a contract: an indicator with its target, weight and scoring rule; an
    item scored by hand (meetings held, ledgers complete …); or a veto item."""

    class Kind(models.TextChoices):
        INDICATOR = "indicator", _("Indicator")
        MANUAL = "manual", _("Scored by hand")
        VETO = "veto", _("Veto item")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    indicator = models.CharField(_("indicator"), max_length=50, blank=True)
    name = models.CharField(_("name"), max_length=200)
    target = models.FloatField(_("target"), null=True, blank=True)
    unit = models.CharField(
        _("unit of the target"),
        max_length=10,
        choices=TargetUnit.choices,
        default=TargetUnit.PERCENT,
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.AT_LEAST
    )
    weight = models.FloatField(_("weight (points)"), default=0)
    scoring = models.CharField(
        _("scoring rule"), max_length=24, choices=ScoringKind.choices, blank=True
    )
    minus_per_point = models.FloatField(_("minus per point"), null=True, blank=True)
    floor = models.FloatField(_("floor"), default=0)
    zero_at = models.FloatField(_("0 points at"), null=True, blank=True)
    full_at = models.FloatField(_("full points at"), null=True, blank=True)
    trigger = models.CharField(
        _("veto trigger"), max_length=32, choices=Trigger.choices, blank=True
    )
    description = models.TextField(_("description"), blank=True)

    scope_path_field = "contract__unit__path"

    class Meta:
        verbose_name = _("contract item")
        verbose_name_plural = _("contract items")
        ordering = ["contract", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=0), name="indicators_item_weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        """The item's key in an assessment (manual entries are keyed by it)."""
        return f"item-{self.pk}"


# --------------------------------------------------------------------------- assessments


def _evidence_path(instance: AssessmentEntry, filename: str) -> str:
    suffix = filename.lower()[filename.rfind(".") :] if "." in filename else ""
    return f"assessments/{instance.assessment_id}/{instance.unit_id}-{instance.key}{suffix}"


class Assessment(TimeStampedModel):
    """The half-year (``2026H1``) or annual (``2026``) assessment of the units directly
    below ``issuer``. ``basis`` holds what was computed (each unit's contract items with
    the indicator values), ``result`` the scored, ranked outcome; a draft is recomputed
    on demand, an approved assessment is frozen (its stored result never changes)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    issuer = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("assessing unit"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    period = models.CharField(_("period"), max_length=8)
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    basis = models.JSONField(_("computed basis"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    scope_path_field = "issuer__path"

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-year", "-period", "issuer__path"]
        permissions = [("approve_assessment", _("Can approve an assessment"))]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "period"], name="indicators_assessment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.period}"

    @property
    def frozen(self) -> bool:
        return self.status == self.Status.APPROVED


class AssessmentEntry(models.Model):
    """What an assessor entered for one unit and one item of an assessment: the points
    of an item scored by hand, the answer to a yes/no item, the finding on a veto item,
    or the score of a composite part scored by hand (e.g. 平时抽查), with evidence."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="entries"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(_("item"), max_length=40)
    points = models.FloatField(_("points"), null=True, blank=True)
    answer = models.BooleanField(_("answer"), null=True, blank=True)
    failed = models.BooleanField(_("veto item failed"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    evidence = models.FileField(_("evidence"), upload_to=_evidence_path, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("assessment entry")
        verbose_name_plural = _("assessment entries")
        ordering = ["assessment", "unit", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "unit", "key"], name="indicators_entry_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} {self.unit} {self.key}"
