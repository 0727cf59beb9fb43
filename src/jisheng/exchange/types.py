"""Types of the exchange: a message as JSON (a dict of JSON values, read through the
small accessors of :mod:`jisheng.exchange.transfer` after the schema has checked them)."""

from __future__ import annotations

from typing import TypeAlias

Message: TypeAlias = dict[str, object]
