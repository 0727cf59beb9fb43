"""The building blocks every section of a policy pack's schema shares: strict models,
the text and key types, and a validation error whose message is already translated.
(``schema.py`` and ``schema_benefits.py`` build on them.)"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

SLUG = r"^[a-z][a-z0-9_]*$"

Text = Annotated[str, Field(max_length=2000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Slug = Annotated[str, Field(pattern=SLUG, max_length=50)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


def policy_error(message: str) -> PydanticCustomError:
    """A validation error whose message is already translated."""
    return PydanticCustomError("policy", "{message}", {"message": message})
