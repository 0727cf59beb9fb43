"""The organisation tree, positions, committees and users."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from jisheng.core.models import TimeStampedModel
from jisheng.orgs.choices import (
    CommitteeKind,
    CommitteeRole,
    PositionRole,
    Role,
    UnitType,
)
from jisheng.orgs.validators import is_territorial, validate_unit_code


class Unit(MP_Node, TimeStampedModel):
    """An organisation unit: a territory (county … village) or a work unit and its parts.

    Materialised path (django-treebeard): "unit X and everything below it" is the
    prefix filter ``path__startswith=X.path``, which the path index serves.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    unit_type = models.CharField(_("type"), max_length=16, choices=UnitType.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    node_order_by = ["code"]
    scope_path_field = "path"

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        indexes = [
            # PostgreSQL serves ``path LIKE 'prefix%'`` only from a pattern-ops index;
            # other databases ignore the opclass.
            models.Index(
                fields=["path"], name="orgs_unit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["unit_type"], name="orgs_unit_type"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_territorial(self) -> bool:
        return is_territorial(self.unit_type)

    @property
    def parent_unit(self) -> Unit | None:
        return Unit.objects.get_parent(self) if self.depth > 1 else None

    def clean(self) -> None:
        parent = self.parent_unit if self.path else getattr(self, "_pending_parent", None)
        validate_unit_code(
            self.code,
            self.unit_type,
            parent.code if parent else "",
            parent.unit_type if parent else "",
        )
        if self.name is not None and not self.name.strip():
            raise ValidationError({"name": _("The name is required.")})


class Position(TimeStampedModel):
    """A post in a unit held by a named person for a period (任职)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="positions"
    )
    role = models.CharField(_("position"), max_length=32, choices=PositionRole.choices)
    holder_name = models.CharField(_("holder"), max_length=50)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    user = models.ForeignKey(
        "orgs.User",
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="positions",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["unit__path", "role", "-start_date"]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_role_display()} {self.holder_name}"

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})


class Committee(TimeStampedModel):
    """A committee or leading group (人口与计划生育委员会, 领导小组) of a unit."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="committees"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=CommitteeKind.choices)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["unit__path", "name"]

    def __str__(self) -> str:
        return self.name


class CommitteeMember(TimeStampedModel):
    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(
        _("role"), max_length=16, choices=CommitteeRole.choices, default=CommitteeRole.MEMBER
    )
    affiliation = models.CharField(_("department / post"), max_length=100, blank=True)
    duties = models.TextField(_("division of labour"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    scope_path_field = "committee__unit__path"

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee", "role", "name"]

    def __str__(self) -> str:
        return f"{self.committee} {self.name}"


class User(AbstractUser):
    """A login. It belongs to one unit and sees that unit's subtree only."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    scope_path_field = "unit__path"

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def role_codes(self) -> list[str]:
        valid = set(Role.values)
        return sorted(g.name for g in self.groups.all() if g.name in valid)

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(code).label) for code in self.role_codes]
