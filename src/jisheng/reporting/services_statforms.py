"""Loading statistical form definitions (``jisheng load_statforms``, migrate, demo)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.reporting.definitions import (
    DefinitionInvalid,
    parse_definition,
    shipped_files,
)
from jisheng.reporting.models import FormDefinition

if TYPE_CHECKING:
    from jisheng.orgs.models import User


@dataclass(frozen=True)
class Loaded:
    row: FormDefinition
    created: bool


@transaction.atomic
def definition_load(*, actor: User | None, text: str, source_name: str = "") -> Loaded:
    """Store the definition of YAML ``text`` as a new version (idempotent: the same
    key, version and content is left as it is). A changed content under a version
    already loaded is refused: a change needs a new version, and the old one is kept."""
    definition = parse_definition(text, source_name)
    existing = FormDefinition.objects.filter(key=definition.key, version=definition.version).first()
    if existing is not None:
        if existing.digest != definition.digest:
            raise DefinitionInvalid(
                [
                    _(
                        "%(file)s: version %(version)s of %(key)s is already loaded with "
                        "other content; give the changed form a new version."
                    )
                    % {"file": source_name, "version": definition.version, "key": definition.key}
                ]
            )
        return Loaded(existing, False)
    row = FormDefinition.objects.create(
        key=definition.key,
        version=definition.version,
        title=definition.title,
        frequency=definition.frequency,
        definition=definition.data,
        digest=definition.digest,
        source_name=source_name,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=row,
        changes={"key": row.key, "version": row.version, "digest": row.digest},
        message=_("Loaded the statistical form %(title)s, version %(version)s.")
        % {"title": row.title, "version": row.version},
    )
    return Loaded(row, True)


def load_files(*, actor: User | None, paths: list[Path] | None = None) -> list[Loaded]:
    """Load ``paths`` (default: the shipped definitions); every file is validated first,
    and nothing is stored when one of them is invalid."""
    paths = paths if paths is not None else shipped_files()
    errors: list[str] = []
    texts = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
            parse_definition(text, Path(path).name)
        except (OSError, UnicodeDecodeError):
            errors.append(_("%(file)s: cannot be read.") % {"file": Path(path).name})
            continue
        except DefinitionInvalid as exc:
            errors.extend(exc.errors)
            continue
        texts.append((text, Path(path).name))
    if errors:
        raise DefinitionInvalid(errors)
    with transaction.atomic():
        return [definition_load(actor=actor, text=text, source_name=name) for text, name in texts]


def ensure_shipped_forms(sender: object = None, **kwargs: object) -> None:
    """post_migrate and the demo: the shipped definitions are loaded (idempotent)."""
    if kwargs.get("using", "default") != "default":
        return
    if FormDefinition._meta.db_table not in connection.introspection.table_names():
        return
    try:
        load_files(actor=None)
    except DefinitionInvalid as exc:  # a newer version is loaded with other content
        raise ValidationError(str(exc)) from exc
