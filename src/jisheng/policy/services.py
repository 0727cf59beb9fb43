"""Writes of policy packs: load a YAML file as a new, immutable version (audited)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.scope import require_in_scope
from jisheng.orgs.models import Unit
from jisheng.policy.loader import PackError, PackInvalid, parse_pack
from jisheng.policy.models import PolicyPack, PolicyPackVersion
from jisheng.policy.schema import PolicyPackSchema

logger = logging.getLogger(__name__)

PACKS_DIR = Path(__file__).resolve().parent / "packs"
DEFAULT_PACK_FILE = PACKS_DIR / "default-2026.yaml"


@dataclass
class LoadResult:
    pack: PolicyPackSchema
    version: PolicyPackVersion | None
    created: bool
    warnings: list[str] = field(default_factory=list)


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pack_load(
    *,
    actor: Any,
    text: str,
    unit: Unit | None = None,
    source_name: str = "",
    dry_run: bool = False,
) -> LoadResult:
    """Validate ``text`` and store it as a new version of its pack.

    Loading the identical text again (for the same unit) changes nothing and returns
    the existing version with ``created=False``. A version number already loaded with
    different content is refused: every change needs a new version. ``dry_run``
    validates only. Raises :class:`PackInvalid`.
    """
    parsed = parse_pack(text)
    pack = parsed.pack
    warnings = list(parsed.warnings)
    if unit is not None and pack.organisation_kind not in ("any", unit.unit_type):
        warnings.append(
            _("The pack is written for units of type %(kind)s; %(unit)s is of type %(type)s.")
            % {"kind": pack.organisation_kind, "unit": unit.name, "type": unit.unit_type}
        )
    digest = sha256_of(text)
    existing = PolicyPackVersion.objects.filter(pack__code=pack.id, version=pack.version)
    same_unit = existing.filter(unit=unit) if unit is not None else existing.filter(unit=None)
    match = same_unit.first()
    if match is not None and match.sha256 == digest:
        return LoadResult(pack=pack, version=match, created=False, warnings=warnings)
    if existing.exclude(sha256=digest).exists():
        raise PackInvalid(
            [
                PackError(
                    None,
                    "version",
                    _(
                        "Version %(version)s of pack %(pack)s is already loaded with different "
                        "content; give the changed file a new version."
                    )
                    % {"version": pack.version, "pack": pack.id},
                )
            ]
        )
    if dry_run:
        return LoadResult(pack=pack, version=None, created=False, warnings=warnings)
    if unit is not None:
        require_in_scope(actor, unit)
    with transaction.atomic():
        version = _store(
            actor=actor, pack=pack, text=text, digest=digest, unit=unit, source_name=source_name
        )
    return LoadResult(pack=pack, version=version, created=True, warnings=warnings)


def _store(
    *,
    actor: Any,
    pack: PolicyPackSchema,
    text: str,
    digest: str,
    unit: Unit | None,
    source_name: str,
) -> PolicyPackVersion:
    user = actor if getattr(actor, "is_authenticated", False) else None
    row, created = PolicyPack.objects.get_or_create(code=pack.id, defaults={"name": pack.name})
    if created:
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=row,
            changes={"code": [None, row.code], "name": [None, row.name]},
        )
    elif row.name != pack.name:
        before = row.name
        row.name = pack.name
        row.save(update_fields=["name"])
        audit.record(
            actor=actor, action=AuditAction.UPDATE, obj=row, changes={"name": [before, row.name]}
        )
    version = PolicyPackVersion(
        pack=row,
        version=pack.version,
        effective_from=pack.effective_from,
        unit=unit,
        content=pack.model_dump(mode="json"),
        source_text=text,
        source_name=source_name[:255],
        sha256=digest,
        loaded_by=user,
    )
    version.full_clean()
    version.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=version,
        changes={
            "pack": [None, pack.id],
            "version": [None, pack.version],
            "effective_from": [None, pack.effective_from.isoformat()],
            "unit": [None, unit.code if unit else ""],
            "sha256": [None, digest],
        },
        message=_("Loaded policy pack %(pack)s version %(version)s.")
        % {"pack": pack.id, "version": pack.version},
    )
    return version


def ensure_default_pack(sender: Any = None, **kwargs: Any) -> None:
    """post_migrate: make sure the shipped default pack is loaded (idempotent)."""
    using = kwargs.get("using", "default")
    if using != "default":
        return
    if PolicyPackVersion._meta.db_table not in connection.introspection.table_names():
        return
    if PolicyPackVersion.objects.filter(unit=None).exists():
        return
    text = DEFAULT_PACK_FILE.read_text(encoding="utf-8")
    pack_load(actor=None, text=text, source_name=DEFAULT_PACK_FILE.name)
