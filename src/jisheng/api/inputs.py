"""What every API input body shares, and fields derived from the columns they fill.

- :class:`InputModel`: the base of every request body — unknown fields refused, text
  stripped, and a NUL character (``\\x00``, which PostgreSQL cannot store) refused in any
  text, at any depth, with a translated message on the field.
- :func:`column`: a pydantic field whose limits come from the model field it is written
  to — ``max_length`` of a ``CharField`` (``NOTE_MAX_LENGTH`` for a ``TextField``), the
  integer range of an integer column (strict: ``true`` is not 1, ``"5"`` is not 5) — so
  that the schema and the column cannot drift apart. The column is kept in the field's
  metadata (:class:`Column`), which ``tests/api/test_input_columns.py`` checks.
- :data:`Name`: a name cleaned like the pages and the services clean it
  (:func:`jisheng.core.validation.clean_text`): a name of zero-width characters is empty.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError, PydanticUndefined

from jisheng.core.validation import NOTE_MAX_LENGTH, clean_text, has_nul, nul_message

# The integer range of each integer column type on every supported database (the
# narrowest: PostgreSQL's; SQLite stores 64 bits).
INTEGER_RANGES: dict[str, tuple[int, int]] = BaseDatabaseOperations.integer_field_ranges

# The largest row id (``DEFAULT_AUTO_FIELD`` is a ``BigAutoField``): ids in bodies are
# strict integers from 1 to this.
MAX_ID = INTEGER_RANGES["BigIntegerField"][1]


@dataclasses.dataclass(frozen=True)
class Column:
    """Marks a schema field as written to ``model.field``."""

    model: type[models.Model]
    field: str


def integer_range(model_field: models.Field) -> tuple[int, int]:
    """The (lowest, highest) value the column can hold."""
    return INTEGER_RANGES[model_field.get_internal_type()]


def column(
    model: type[models.Model], name: str, default: Any = PydanticUndefined, **kwargs: Any
) -> Any:
    """A ``Field`` for ``model.name`` with the column's limits (``kwargs`` may narrow them)."""
    model_field = model._meta.get_field(name)
    if isinstance(model_field, models.CharField) and model_field.max_length:
        kwargs["max_length"] = min(kwargs.get("max_length", model_field.max_length),
                                   model_field.max_length)  # fmt: skip
    elif isinstance(model_field, models.TextField):
        kwargs["max_length"] = min(kwargs.get("max_length", NOTE_MAX_LENGTH), NOTE_MAX_LENGTH)
    elif model_field.get_internal_type() in INTEGER_RANGES:
        low, high = integer_range(model_field)
        kwargs["ge"] = max(kwargs.get("ge", low), low)
        kwargs["le"] = min(kwargs.get("le", high), high)
        kwargs["strict"] = True
    info = Field(default, **kwargs)
    info.metadata.append(Column(model, name))
    return info


def columns_of(schema: type[BaseModel]) -> dict[str, Column]:
    """The fields of ``schema`` that name their column."""
    found = {}
    for name, info in schema.model_fields.items():
        for item in info.metadata:
            if isinstance(item, Column):
                found[name] = item
    return found


def _no_nul(value: Any) -> Any:
    if has_nul(value):
        raise PydanticCustomError("string_nul", "{message}", {"message": nul_message()})
    return value


Name = Annotated[str, BeforeValidator(lambda v: clean_text(v) if isinstance(v, str) else v)]


class InputModel(BaseModel):
    """The base of request bodies (see the module's docstring)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        return _no_nul(value)
