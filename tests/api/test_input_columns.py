"""Every input schema of the API carries the limits of the columns it writes (issue 13,
item 12): walk every operation's body and query models; each text field has a maximum
length, each field that names its column (``jisheng.api.inputs.column``) has exactly the
column's length or integer range, and each integer is strict with bounds."""

from __future__ import annotations

import types
import typing
from typing import Any

import annotated_types
import pytest
from django.db import models
from pydantic import BaseModel

from jisheng.api.inputs import INTEGER_RANGES, MAX_ID, InputModel, columns_of
from jisheng.api.urls import api
from jisheng.core.validation import NOTE_MAX_LENGTH


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    found = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found


def _walk(model: type[BaseModel], seen: set) -> None:
    if model in seen:
        return
    seen.add(model)
    for info in model.model_fields.values():
        for inner in _models_in(info.annotation):
            _walk(inner, seen)


def input_schemas() -> list[type[BaseModel]]:
    """The body schemas (and the models inside them) of every operation."""
    seen: set = set()
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for param_model in operation.models:
                    if param_model.__ninja_param_source__ == "body":
                        _walk(param_model, seen)
    return sorted((m for m in seen if issubclass(m, InputModel)), key=lambda m: m.__qualname__)


def _base_types(annotation: Any) -> set:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return set().union(*(_base_types(a) for a in args))
    if typing.get_origin(annotation) is typing.Annotated:
        return _base_types(args[0])
    return {annotation}


def _limit(info: Any, kind: type) -> Any:
    for item in info.metadata:
        if isinstance(item, kind):
            return item
    return None


SCHEMAS = input_schemas()


def test_the_walk_finds_the_bodies():
    names = {m.__name__ for m in SCHEMAS}
    assert {"PersonIn", "PersonPatchIn", "EventIn", "VisitIn", "MethodIn", "MovementIn",
            "LineIn", "AttendanceIn", "AttendanceRowIn", "TokenIn"} <= names  # fmt: skip


def test_every_body_schema_is_an_input_model():
    """Bodies refuse unknown fields and NUL characters (``InputModel``)."""
    seen: set = set()
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for param_model in operation.models:
                    if param_model.__ninja_param_source__ == "body":
                        for info in param_model.model_fields.values():
                            for model in _models_in(info.annotation):
                                seen.add(model)
    assert all(issubclass(m, InputModel) for m in seen), seen


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda m: m.__name__)
def test_text_and_numbers_are_bounded(schema):
    for name, info in schema.model_fields.items():
        kinds = _base_types(info.annotation)
        if str in kinds:
            assert _limit(info, annotated_types.MaxLen), f"{schema.__name__}.{name}: no max_length"
        if int in kinds and bool not in kinds:
            assert _limit(info, annotated_types.Le), f"{schema.__name__}.{name}: no upper bound"
            assert _limit(info, annotated_types.Ge), f"{schema.__name__}.{name}: no lower bound"
            assert _limit(info, annotated_types.Le).le <= MAX_ID
            if name in columns_of(schema) or _limit(info, annotated_types.Le).le == MAX_ID:
                # quantities and ids: ``true`` is not 1, ``"5"`` is not 5
                strict = [m for m in info.metadata if getattr(m, "strict", None)]
                assert strict, f"{schema.__name__}.{name}: not strict"


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda m: m.__name__)
def test_fields_match_the_columns_they_write(schema):
    for name, column in columns_of(schema).items():
        info = schema.model_fields[name]
        model_field = column.model._meta.get_field(column.field)
        where = f"{schema.__name__}.{name} → {column.model.__name__}.{column.field}"
        if isinstance(model_field, models.CharField):
            assert _limit(info, annotated_types.MaxLen).max_length <= model_field.max_length, where
        elif isinstance(model_field, models.TextField):
            assert _limit(info, annotated_types.MaxLen).max_length <= NOTE_MAX_LENGTH, where
        else:
            low, high = INTEGER_RANGES[model_field.get_internal_type()]
            assert _limit(info, annotated_types.Ge).ge >= low, where
            assert _limit(info, annotated_types.Le).le <= high, where


def test_the_written_text_fields_name_their_columns():
    """The body fields written to a column name it, so that they cannot drift apart."""
    from jisheng.commodities.api import LineIn, MovementIn
    from jisheng.people.schemas import OutsideSpouseIn, PersonIn, PersonPatchIn
    from jisheng.services.schemas import MethodIn, VisitIn, VoidIn

    expected = {
        PersonIn: {"name", "ethnicity", "hukou_place", "phone", "notes"},
        PersonPatchIn: {"name", "ethnicity", "hukou_place", "phone", "notes"},
        OutsideSpouseIn: {"name", "work_unit", "township", "phone"},
        VisitIn: {"visitor_name", "side_effects", "needs", "commodities", "notes"},
        MethodIn: {"reason_note", "provider", "explained_by"},
        VoidIn: {"reason"},
        MovementIn: {"supplier", "note", "staff_name", "store", "reason"},
        LineIn: {"product", "lot", "manufacturer", "quantity", "damaged"},
    }
    for schema, fields in expected.items():
        assert fields <= set(columns_of(schema)), (
            schema.__name__,
            fields - set(columns_of(schema)),
        )
