"""Data quality models (SPEC §9, issue 15)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# --------------------------------------------------------------------------- under-reporting


class UnderReportingScan(models.Model):
    """No table: the holder of the permission to read the under-reporting scan
    (出生漏报筛查, :mod:`jisheng.quality.underreporting`), computed live from the
    registry. It flags villages for a check, never a person (SPEC §0)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_underreporting", _("Can view the under-reporting scan"))]
        verbose_name = _("under-reporting scan")
        verbose_name_plural = _("under-reporting scans")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
