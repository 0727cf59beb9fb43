"""Logic rules as data (DHIS2 validation rules): the file format, its strict validation
and the loader into :class:`jisheng.quality.models.LogicRule`.

A rule file (``quality/rules/*.yaml``) holds ``rules:``, a list of mappings::

    - key: births_by_sex                       # [a-z0-9_], unique across the files
      name: 出生按性别合计等于出生数
      message: 男孩与女孩出生数之和（{left}）不等于出生数（{right}）
      severity: error                          # error | warning
      periods: [month, quarter, year]          # kinds of jisheng.core.periods
      left: births[male] + births[female]      # an expression (below)
      operator: "=="                           # == != < <= > >=
      right: births

or, instead of ``left``/``operator``/``right``, a record-level check from the fixed set
of :data:`jisheng.quality.checks_records.RECORD_CHECKS`::

    - key: short_birth_interval
      ...
      check: birth_interval
      params: {days: 180}

An expression is terms joined by ``+`` and ``-`` (also ``−``), a term is factors joined by
``*`` (also ``×``); a factor is a number, ``( … )``, ``-factor``, a population count of
the indicator engine with its filters (``births``, ``wra[married, with_method]``) or a
cell of a statistical form ``form:<form key>:<column key>`` (the form's row of the unit).
The message may name ``{left}``, ``{right}`` (the two sides' values), ``{unit}`` and, for
a record check, ``{detail}``.

Every error names the file and the rule, in Chinese (:class:`RulesInvalid`).
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.periods import KINDS as PERIOD_KINDS
from jisheng.core.registry import registry

RULES_DIR = Path(__file__).resolve().parent / "rules"
OPERATORS = ("==", "!=", "<", "<=", ">", ">=")
SEVERITIES = ("error", "warning")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
AGGREGATE_FIELDS = {"left", "operator", "right"}
COMMON_FIELDS = {"key", "name", "message", "severity", "periods"}
ALLOWED_FIELDS = COMMON_FIELDS | AGGREGATE_FIELDS | {"check", "params"}
AGGREGATE_PLACEHOLDERS = {"left", "right", "unit"}
RECORD_PLACEHOLDERS = {"unit", "detail"}

# --------------------------------------------------------------------------- expressions

# An expression's tree: ("num", x) | ("pop", name, filters) | ("form", key, column)
# | ("add"|"sub"|"mul", a, b) | ("neg", a)
Node = tuple[object, ...]

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<form>form:[A-Za-z0-9_\-]+:[A-Za-z0-9_\-]+)"
    r"|(?P<name>[a-z][a-z0-9_]*)"
    r"|(?P<op>[-+*()\[\],×−]))"
)


class ExpressionError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(
                _("Cannot read “%(rest)s” in the expression “%(text)s”.")
                % {"rest": text[pos:].strip()[:20], "text": text}
            )
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "op":
            value = {"×": "*", "−": "-"}.get(value, value)
        out.append((kind, value))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError(
                _("The expression “%(text)s” ends too early.") % {"text": self.text}
            )
        self.i += 1
        return token

    def expect(self, op: str) -> None:
        kind, value = self.take()
        if (kind, value) != ("op", op):
            raise ExpressionError(
                _("Expected “%(op)s” but found “%(found)s” in the expression “%(text)s”.")
                % {"op": op, "found": value, "text": self.text}
            )

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError(_("The expression is empty."))
        node = self.expr()
        if self.peek() is not None:
            raise ExpressionError(
                _("Unexpected “%(found)s” in the expression “%(text)s”.")
                % {"found": self.peek()[1], "text": self.text}  # type: ignore[index]
            )
        return node

    def expr(self) -> Node:
        node = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            _kind, op = self.take()
            node = ("add" if op == "+" else "sub", node, self.term())
        return node

    def term(self) -> Node:
        node = self.factor()
        while self.peek() == ("op", "*"):
            self.take()
            node = ("mul", node, self.factor())
        return node

    def factor(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return ("num", float(value))
        if kind == "form":
            _prefix, key, column = value.split(":")
            return ("form", key, column)
        if kind == "name":
            filters: list[str] = []
            if self.peek() == ("op", "["):
                self.take()
                while True:
                    fkind, fname = self.take()
                    if fkind != "name":
                        raise ExpressionError(
                            _("A filter name is expected, not “%(found)s”, in “%(text)s”.")
                            % {"found": fname, "text": self.text}
                        )
                    filters.append(fname)
                    _k, sep = self.take()
                    if sep == "]":
                        break
                    if sep != ",":
                        raise ExpressionError(
                            _(
                                "Expected “%(op)s” but found “%(found)s” in the expression "
                                "“%(text)s”."
                            )
                            % {"op": ",", "found": sep, "text": self.text}
                        )
            return ("pop", value, tuple(sorted(filters)))
        if (kind, value) == ("op", "("):
            node = self.expr()
            self.expect(")")
            return node
        if (kind, value) == ("op", "-"):
            return ("neg", self.factor())
        raise ExpressionError(
            _("Unexpected “%(found)s” in the expression “%(text)s”.")
            % {"found": value, "text": self.text}
        )


def parse_expression(text: str) -> Node:
    """The tree of an expression (``ExpressionError`` with a Chinese message)."""
    return _Parser(str(text)).parse()


def walk(node: Node) -> list[Node]:
    """The leaves (populations, form cells, numbers) of an expression."""
    if node[0] in ("add", "sub", "mul"):
        return walk(node[1]) + walk(node[2])
    if node[0] == "neg":
        return walk(node[1])
    return [node]


def populations_of(node: Node) -> list[tuple[str, tuple[str, ...]]]:
    return [(leaf[1], leaf[2]) for leaf in walk(node) if leaf[0] == "pop"]


def forms_of(node: Node) -> list[tuple[str, str]]:
    return [(leaf[1], leaf[2]) for leaf in walk(node) if leaf[0] == "form"]


def evaluate(node: Node, value_of: Callable[[Node], float | None]) -> float | None:
    """The value of an expression; ``value_of(leaf)`` gives a population count or a form
    cell (``None``: not available — then the whole expression is ``None``)."""
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind in ("pop", "form"):
        value = value_of(node)
        return None if value is None else float(value)
    if kind == "neg":
        inner = evaluate(node[1], value_of)
        return None if inner is None else -inner
    a, b = evaluate(node[1], value_of), evaluate(node[2], value_of)
    if a is None or b is None:
        return None
    if kind == "add":
        return a + b
    if kind == "sub":
        return a - b
    return a * b


def compare(left: float, operator: str, right: float) -> bool:
    """Whether ``left operator right`` holds (to a millionth, for sums of decimals)."""
    eps = 1e-6
    if operator == "==":
        return abs(left - right) <= eps
    if operator == "!=":
        return abs(left - right) > eps
    if operator == "<":
        return left < right - eps
    if operator == "<=":
        return left <= right + eps
    if operator == ">":
        return left > right + eps
    return left >= right - eps


# --------------------------------------------------------------------------- validation


class RulesInvalid(ValueError):
    """A rule file that cannot be loaded: ``errors`` (Chinese, each naming file and rule)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class RuleDef:
    key: str
    name: str
    message: str
    severity: str
    periods: list[str]
    kind: str  # "aggregate" | "record"
    left: str = ""
    operator: str = ""
    right: str = ""
    check: str = ""
    params: dict[str, int] = field(default_factory=dict)
    source: str = ""
    order: int = 0

    def data(self) -> dict[str, object]:
        return {
            "key": self.key,
            "name": self.name,
            "message": self.message,
            "severity": self.severity,
            "periods": self.periods,
            "kind": self.kind,
            "left": self.left,
            "operator": self.operator,
            "right": self.right,
            "record_check": self.check,
            "params": self.params,
        }

    @property
    def digest(self) -> str:
        text = json.dumps(self.data(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def _validate_expression(text: object, side: str, problems: list[str]) -> None:
    from jisheng.indicators.engine import POPULATIONS

    if not isinstance(text, str | int | float) or isinstance(text, bool) or str(text) == "":
        problems.append(_("the %(side)s side is missing") % {"side": side})
        return
    try:
        node = parse_expression(str(text))
    except ExpressionError as exc:
        problems.append(str(exc))
        return
    for name, filters in populations_of(node):
        population = POPULATIONS.get(name)
        if population is None:
            problems.append(_("unknown population “%(name)s”") % {"name": name})
            continue
        problems.extend(
            _("the population “%(name)s” has no filter “%(filter)s”") % {"name": name, "filter": f}
            for f in filters
            if f not in population.filters
        )
    for key, _column in forms_of(node):
        if key not in registry["statforms"]:
            problems.append(_("unknown statistical form “%(key)s”") % {"key": key})


def _validate_message(message: str, allowed: set[str], problems: list[str]) -> None:
    try:
        names = {name for _t, name, _f, _c in string.Formatter().parse(message) if name is not None}
    except ValueError:
        problems.append(_("the message has an unbalanced brace"))
        return
    unknown = sorted(n for n in names if n not in allowed)
    if unknown:
        problems.append(
            _("the message names unknown values: %(names)s; allowed: %(allowed)s")
            % {"names": "、".join(unknown), "allowed": "、".join(sorted(allowed))}
        )


def _validate_rule(raw: object, index: int) -> tuple[str, RuleDef | None, list[str]]:
    from jisheng.quality.checks_records import RECORD_CHECKS

    problems: list[str] = []
    if not isinstance(raw, dict):
        return f"#{index + 1}", None, [_("a rule is a mapping of fields")]
    key = str(raw.get("key") or f"#{index + 1}")
    unknown = sorted(str(k) for k in raw if k not in ALLOWED_FIELDS)
    if unknown:
        problems.append(_("unknown fields: %(fields)s") % {"fields": "、".join(unknown)})
    if not KEY_RE.match(str(raw.get("key") or "")):
        problems.append(_("the key must be lower-case letters, digits and “_”"))
    for name in ("name", "message"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            problems.append(_("the field “%(field)s” is required") % {"field": name})
    severity = raw.get("severity")
    if severity not in SEVERITIES:
        problems.append(_("unknown severity “%(value)s” (error or warning)") % {"value": severity})
    kinds = raw.get("periods")
    if not isinstance(kinds, list) or not kinds:
        problems.append(_("“periods” must list period kinds (month, quarter, half, year)"))
        kinds = []
    for kind in kinds:
        if kind not in PERIOD_KINDS:
            problems.append(_("unknown period kind “%(value)s”") % {"value": kind})
    is_record = "check" in raw
    if is_record and AGGREGATE_FIELDS & set(raw):
        problems.append(_("a rule has either a record check or left, operator and right"))
    params = raw.get("params") or {}
    if is_record:
        check = RECORD_CHECKS.get(str(raw.get("check")))
        if check is None:
            problems.append(
                _("unknown record check “%(value)s”; known: %(known)s")
                % {"value": raw.get("check"), "known": "、".join(sorted(RECORD_CHECKS))}
            )
        elif not isinstance(params, dict):
            problems.append(_("“params” must be a mapping"))
        else:
            for name, value in params.items():
                if name not in check.params:
                    problems.append(
                        _("the check “%(check)s” has no parameter “%(name)s”")
                        % {"check": check.name, "name": name}
                    )
                elif not isinstance(value, int) or isinstance(value, bool):
                    problems.append(
                        _("the parameter “%(name)s” must be a whole number") % {"name": name}
                    )
        if isinstance(raw.get("message"), str):
            _validate_message(raw["message"], RECORD_PLACEHOLDERS, problems)
    else:
        if "params" in raw:
            problems.append(_("“params” belongs to a record check"))
        if raw.get("operator") not in OPERATORS:
            problems.append(
                _("unknown operator “%(value)s” (one of %(known)s)")
                % {"value": raw.get("operator"), "known": " ".join(OPERATORS)}
            )
        _validate_expression(raw.get("left"), _("left"), problems)
        _validate_expression(raw.get("right"), _("right"), problems)
        if isinstance(raw.get("message"), str):
            _validate_message(raw["message"], AGGREGATE_PLACEHOLDERS, problems)
    if problems:
        return key, None, problems
    rule = RuleDef(
        key=key,
        name=raw["name"].strip(),
        message=raw["message"].strip(),
        severity=severity,
        periods=list(kinds),
        kind="record" if is_record else "aggregate",
        left="" if is_record else str(raw["left"]),
        operator="" if is_record else raw["operator"],
        right="" if is_record else str(raw["right"]),
        check=str(raw.get("check") or ""),
        params=dict(params) if is_record else {},
    )
    return key, rule, []


def parse_rules(text: str, source: str) -> list[RuleDef]:
    """The rules of one file's text; :class:`RulesInvalid` naming ``source`` and each rule."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise RulesInvalid(
            [_("%(file)s: not a YAML file (line %(line)d).") % {"file": source, "line": line}]
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RulesInvalid([_("%(file)s: the file must hold a list “rules:”.") % {"file": source}])
    errors: list[str] = []
    rules: list[RuleDef] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["rules"]):
        key, rule, problems = _validate_rule(raw, index)
        if rule is not None and key in seen:
            problems = [_("the key is used twice")]
        errors.extend(
            _("%(file)s, rule %(rule)s: %(problem)s.")
            % {"file": source, "rule": key, "problem": problem}
            for problem in problems
        )
        if rule is not None and not problems:
            seen.add(key)
            rule.source = source
            rule.order = index
            rules.append(rule)
    if errors:
        raise RulesInvalid(errors)
    return rules


# --------------------------------------------------------------------------- loading


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)


def default_files() -> list[Path]:
    return sorted(RULES_DIR.glob("*.yaml"))


def read_files(paths: list[Path]) -> list[RuleDef]:
    """Every rule of the files (all errors of all files at once)."""
    errors: list[str] = []
    rules: list[RuleDef] = []
    for number, path in enumerate(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            errors.append(_("%(file)s: file not found.") % {"file": str(path)})
            continue
        except UnicodeDecodeError:
            errors.append(_("%(file)s: not UTF-8 text.") % {"file": path.name})
            continue
        try:
            found = parse_rules(text, path.name)
        except RulesInvalid as exc:
            errors.extend(exc.errors)
            continue
        for rule in found:
            rule.order += number * 1000
        rules.extend(found)
    keys: dict[str, str] = {}
    for rule in rules:
        if rule.key in keys:
            errors.append(
                _("%(file)s, rule %(rule)s: the key is also used in %(other)s.")
                % {"file": rule.source, "rule": rule.key, "other": keys[rule.key]}
            )
        keys[rule.key] = rule.source
    if errors:
        raise RulesInvalid(errors)
    return rules


@transaction.atomic
def rules_load(*, actor: object, rules: list[RuleDef], sources: list[str]) -> LoadResult:
    """Store ``rules`` (validated): a new rule or a changed one (another digest) is a new
    version in force, the previous one kept out of force; a rule of one of ``sources``
    that the files no longer hold is retired. Loading the same files again changes nothing."""
    from jisheng.quality.models import LogicRule

    result = LoadResult()
    current = {r.key: r for r in LogicRule.objects.select_for_update().filter(active=True)}
    for rule in rules:
        old = current.pop(rule.key, None)
        if old is not None and old.digest == rule.digest:
            if old.order != rule.order or old.source != rule.source:
                LogicRule.objects.filter(pk=old.pk).update(order=rule.order, source=rule.source)
            result.unchanged.append(rule.key)
            continue
        version = 1
        if old is not None:
            LogicRule.objects.filter(pk=old.pk).update(active=False)
            result.changed.append(rule.key)
        else:
            result.created.append(rule.key)
        last = LogicRule.objects.filter(key=rule.key).order_by("-version").first()
        version = last.version + 1 if last else 1
        data = rule.data()
        LogicRule.objects.create(
            **data, digest=rule.digest, version=version, source=rule.source, order=rule.order
        )
    for key, old in current.items():
        if old.source in sources:
            LogicRule.objects.filter(pk=old.pk).update(active=False)
            result.retired.append(key)
    if result.created or result.changed or result.retired:
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,  # a configuration load, not a data import
            object_type="quality.logicrule",
            changes={
                "created": result.created,
                "changed": result.changed,
                "retired": result.retired,
            },
            message=_("Loaded the logic rules of %(files)s.") % {"files": "、".join(sources)},
        )
    return result


def load_files(*, actor: object, paths: list[Path] | None = None) -> LoadResult:
    """Validate and load rule files (default: every ``quality/rules/*.yaml``)."""
    paths = paths if paths is not None else default_files()
    rules = read_files(paths)
    return rules_load(actor=actor, rules=rules, sources=[p.name for p in paths])


def ensure_shipped_rules(sender: object = None, **kwargs: object) -> None:
    """post_migrate: the shipped rules (``quality/rules/*.yaml``) are loaded, so that an
    install without the demo checks reports too (idempotent: unchanged rules stay)."""
    from django.db import connection

    from jisheng.quality.models import LogicRule

    if kwargs.get("using", "default") != "default":
        return
    if LogicRule._meta.db_table not in connection.introspection.table_names():
        return
    load_files(actor=None)
