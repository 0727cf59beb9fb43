"""Reading statistical form definitions and the registered forms."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import QuerySet

from jisheng.core.periods import Period
from jisheng.core.statforms import Form, FormSpec, statforms
from jisheng.orgs.models import Unit
from jisheng.reporting import generate
from jisheng.reporting.definitions import Definition, definition_from_data, shipped_definitions
from jisheng.reporting.models import FormDefinition


@lru_cache(maxsize=256)
def _parsed(digest: str, key: str, data_json: str) -> Definition:
    import json

    return definition_from_data(json.loads(data_json), key)


@lru_cache(maxsize=1)
def shipped() -> dict[str, Definition]:
    return {d.key: d for d in shipped_definitions()}


def definition_in_force(key: str) -> Definition:
    """The highest loaded version of form ``key`` (the shipped file when none is loaded);
    ``KeyError`` for an unknown form."""
    import json

    row = FormDefinition.objects.filter(key=key).order_by("-version").first()
    if row is not None:
        data_json = json.dumps(row.definition, sort_keys=True, ensure_ascii=False)
        return _parsed(row.digest, key, data_json)
    return shipped()[key]


def definition_versions(key: str | None = None) -> QuerySet[FormDefinition]:
    qs = FormDefinition.objects.order_by("key", "-version")
    return qs.filter(key=key) if key else qs


def column_groups(spec: FormSpec) -> dict[str, tuple[str, str]]:
    """Column key → (group key, group label), for a form defined by a file (the two-row
    header of the page, the workbook and a submission's frozen figures)."""
    if spec.source != "reporting":
        return {}
    definition = definition_in_force(spec.key)
    labels = dict(definition.groups)
    return {c.key: (c.group, labels[c.group]) for c in definition.columns if c.group}


def build(key: str, unit: Unit, period: Period, *, with_records: bool = True) -> Form:
    """Form ``key`` of ``unit`` for ``period`` (the version in force), with the records
    behind each cell unless ``with_records`` is False."""
    return generate.build(definition_in_force(key), unit, period, with_records=with_records)


def cell_records(key: str, unit: Unit, period: Period, column: str) -> Form:
    """Form ``key`` reduced to ``column`` (and what it adds up), with its records."""
    return generate.cell_records(definition_in_force(key), unit, period, column)


def build_all(key: str, root: Unit, period: Period) -> dict[int, dict[str, int]]:
    """Form ``key``'s own figures for every unit of ``root``'s subtree."""
    return generate.build_all(definition_in_force(key), root, period)


def deadline(key: str, unit: Unit, period: Period) -> datetime.date:
    return generate.due(definition_in_force(key), unit, period)


@dataclass(frozen=True)
class FormEntry:
    spec: FormSpec
    versions: list[FormDefinition]


def form_entries() -> list[FormEntry]:
    """Every registered form, with the loaded versions of those defined by a file."""
    versions: dict[str, list[FormDefinition]] = {}
    for row in definition_versions():
        versions.setdefault(row.key, []).append(row)
    return [FormEntry(spec, versions.get(spec.key, [])) for spec in statforms()]
