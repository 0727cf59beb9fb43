"""The kinds of certificate, as data (``certificates/kinds.yaml``).

Each kind says who holds it, which units may issue it, who may apply, which records it
draws on, what is entered (its fields), how long it is valid, how it is printed, whether
it is reviewed before issue and which pack deadline the worklist follows. The file is
checked strictly when the app starts: an unknown key or a wrong value stops the start
with a Chinese message naming the file and the kind (:class:`KindFileError`).
"""

from __future__ import annotations

import calendar
import contextlib
import datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from django.utils.translation import get_language
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from jisheng.orgs.choices import UnitType

KINDS_FILE = Path(__file__).with_name("kinds.yaml")
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
Text = Annotated[str, Field(min_length=1, max_length=100)]


class KindFileError(ValueError):
    """The kinds file is wrong (the message names the file and the kind)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Strict):
    key: Key
    label: Text
    label_en: Text
    type: Literal["text", "date", "int", "choice"] = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: Annotated[int, Field(ge=1, le=2000)] = 200

    @model_validator(mode="after")
    def _choices(self) -> FieldSpec:
        if (self.type == "choice") != bool(self.choices):
            raise ValueError("choices are given for, and only for, a field of type choice")
        return self

    @property
    def title(self) -> str:
        return self.label_en if (get_language() or "").startswith("en") else self.label


Holder = Literal["couple", "person"]
Applicant = Literal["holder", "office", "employer"]
Source = Literal[
    "registry",
    "marriage",
    "births",
    "only_child",
    "methods",
    "migrant",
    "certificate",
    "transfer",
    "leave",
]
Paper = Literal["A4", "A5", "A4-landscape", "A5-landscape"]


class KindSpec(_Strict):
    key: Key
    name: Text
    name_en: Text
    prefix: Annotated[str, Field(pattern=r"^[A-Z]{0,4}$")] = ""
    holder: Holder
    issuers: tuple[Literal[tuple(UnitType.values)], ...]  # type: ignore[valid-type]
    applicants: tuple[Applicant, ...]
    draws_on: tuple[Source, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    validity_months: Annotated[int, Field(ge=1, le=600)] | None = None
    template: Annotated[str, Field(pattern=r"^certificates/pdf/[a-z0-9_]+\.html$")]
    paper: Paper = "A4"
    review: bool = True
    deadline: Key | None = None
    one_valid: bool = False

    @model_validator(mode="after")
    def _unique_fields(self) -> KindSpec:
        keys = [f.key for f in self.fields]
        if len(keys) != len(set(keys)):
            raise ValueError("two fields have the same key")
        if not self.issuers or not self.applicants:
            raise ValueError("issuers and applicants may not be empty")
        return self

    @property
    def title(self) -> str:
        """The kind's name in the active language."""
        return self.name_en if (get_language() or "").startswith("en") else self.name

    def field(self, key: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.key == key), None)

    def valid_until(self, issued_on: datetime.date) -> datetime.date | None:
        """The last day of validity of one issued on ``issued_on`` (None: no expiry)."""
        if self.validity_months is None:
            return None
        month = issued_on.month - 1 + self.validity_months
        year, month = issued_on.year + month // 12, month % 12 + 1
        day = min(issued_on.day, calendar.monthrange(year, month)[1])
        return datetime.date(year, month, day) - datetime.timedelta(days=1)


class KindFile(_Strict):
    kinds: tuple[KindSpec, ...]

    @model_validator(mode="after")
    def _unique(self) -> KindFile:
        keys = [k.key for k in self.kinds]
        prefixes = [k.prefix for k in self.kinds]
        if len(keys) != len(set(keys)):
            raise ValueError("two kinds have the same key")
        if len(prefixes) != len(set(prefixes)):
            raise ValueError("two kinds have the same number prefix")
        return self


def parse(text: str, *, source: str = "kinds.yaml") -> dict[str, KindSpec]:
    """The kinds of a kinds file's text, by key; :class:`KindFileError` if it is wrong."""
    try:
        raw: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KindFileError(f"{source}：不是有效的 YAML（{exc}）") from exc
    try:
        parsed = KindFile.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = list(error["loc"])
            if len(where) >= 2 and where[0] == "kinds" and isinstance(where[1], int):
                kinds = raw.get("kinds") if isinstance(raw, dict) else None
                with contextlib.suppress(TypeError, IndexError, AttributeError):
                    where[1] = kinds[where[1]].get("key", where[1])  # type: ignore[index]
            problems.append(f"{'.'.join(str(p) for p in where)}：{error['msg']}")
        raise KindFileError(f"{source}：证件种类定义有误：" + "；".join(problems)) from exc
    return {kind.key: kind for kind in parsed.kinds}


@cache
def kinds() -> dict[str, KindSpec]:
    """The shipped kinds, by key (read once)."""
    return parse(KINDS_FILE.read_text(encoding="utf-8"), source=str(KINDS_FILE.name))


def kind(key: str) -> KindSpec:
    """The kind ``key``; ``KeyError`` for an unknown one."""
    return kinds()[key]


def choices() -> list[tuple[str, str]]:
    """(key, name) of every kind, in the file's order, for forms and filters."""
    return [(k.key, k.title) for k in kinds().values()]
