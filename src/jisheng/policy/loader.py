"""Read a policy pack from YAML: parse keeping line numbers, validate, explain errors.

:func:`parse_pack` returns the validated :class:`PolicyPackSchema` and the warnings,
or raises :class:`PackInvalid` whose errors each name the YAML line and the key path,
in the current language, e.g. ``第 12 行 followup.methods.iud.every_months：必须是正整数``.

Besides the schema, every piece of free text in the pack is scanned for sanctions on
private persons (SPEC §0), and references between sections are checked (a campaign's
target group must exist, …).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from jisheng.policy.choices import Trigger
from jisheng.policy.measures import is_behaviour
from jisheng.policy.schema import (
    PolicyPackSchema,
    behaviour_scored_message,
    behaviour_trigger_message,
    forbidden_reason,
    section0_message,
)

Path = tuple[str | int, ...]

MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class PackError:
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.path or _("(the whole file)")
        if self.line is None:
            return _("%(path)s: %(message)s") % {"path": where, "message": self.message}
        return _("Line %(line)s %(path)s: %(message)s") % {
            "line": self.line,
            "path": where,
            "message": self.message,
        }


class PackInvalid(Exception):
    """The pack cannot be loaded; ``errors`` says where and why."""

    def __init__(self, errors: list[PackError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors

    @property
    def messages(self) -> list[str]:
        return [str(e) for e in self.errors]


@dataclass
class ParsedPack:
    pack: PolicyPackSchema
    warnings: list[str] = field(default_factory=list)


# --- YAML with line numbers ----------------------------------------------------------


def _key_text(node: yaml.Node) -> Any:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _record_lines(
    node: yaml.Node, path: Path, lines: dict[Path, int], errors: list[PackError]
) -> None:
    """Map every key path of ``node`` to the 1-based line where it starts."""
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = _key_text(key_node)
            child = (*path, str(key))
            line = key_node.start_mark.line + 1
            if key in seen:
                errors.append(PackError(line, format_path(child), _("This key appears twice.")))
            seen.add(key)
            lines.setdefault(child, line)
            _record_lines(value_node, child, lines, errors)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines.setdefault(child, item.start_mark.line + 1)
            _record_lines(item, child, lines, errors)


class _PackLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so the schema reports a bad date in its
    own words (``2026-13-01``) instead of the YAML library failing."""


_PackLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> tuple[Any, dict[Path, int]]:
    """The data of a YAML document and the line of each key path (``()`` is line 1)."""
    errors: list[PackError] = []
    loader = _PackLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise PackInvalid(
            [PackError(line, "", _("This is not valid YAML (%(problem)s).") % {"problem": problem})]
        ) from exc
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise PackInvalid([PackError(None, "", _("This is not valid YAML."))]) from exc
    finally:
        loader.dispose()
    lines: dict[Path, int] = {(): 1}
    if node is not None:
        _record_lines(node, (), lines, errors)
    if errors:
        raise PackInvalid(errors)
    return data, lines


def format_path(path: Path) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def line_of(path: Path, lines: dict[Path, int]) -> int | None:
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[Path, Path]:
    """Split pydantic's ``loc`` into the path that exists in ``data`` and the rest.

    Union tags and validator names in ``loc`` that are not keys of the data are
    skipped; a missing key stays in the displayed path.
    """
    current = data
    existing: list[str | int] = []
    shown: list[str | int] = []
    for part in loc:
        if isinstance(current, dict) and part in {str(k) for k in current}:
            current = next(v for k, v in current.items() if str(k) == part)
            existing.append(part)
            shown.append(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
            existing.append(part)
            shown.append(part)
        elif part == "[key]":
            continue
        elif isinstance(part, str) and part not in _UNION_TAGS:
            shown.append(part)
            current = None
    return tuple(existing), tuple(shown)


_UNION_TAGS = {"quarter_month_day", "days_after", "months_after", "month_day", "year_month_day"}

_FORBIDDEN_KEY = re.compile(
    r"fine|penalt(y|ies)_(person|individual)|social_maintenance|dismiss|suspen|compulsory|"
    r"mandatory|required_method|withhold|relative|sanction"
)


# --- messages ------------------------------------------------------------------------


def _choices(ctx: dict[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")


def error_message(error: dict[str, Any], key: str = "") -> str:
    """A translated message for one pydantic error."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("policy", "section0"):
        return str(ctx.get("message", error.get("msg", "")))
    if kind == "missing":
        return _("This key is required.")
    if kind == "extra_forbidden":
        if _FORBIDDEN_KEY.search(key.lower()):
            return section0_message(
                _("The key %(key)s would configure a sanction on a person.") % {"key": key}
            )
        return _("Unknown key %(key)s (check its spelling and indentation).") % {"key": key}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("must be a whole number")
    if kind == "greater_than":
        if ctx.get("gt") == 0:
            return _("must be a positive whole number")
        return _("must be greater than %(limit)s") % {"limit": ctx.get("gt")}
    if kind == "greater_than_equal":
        return _("must be at least %(limit)s") % {"limit": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("must be at most %(limit)s") % {"limit": ctx.get("le")}
    if kind in ("float_parsing", "float_type"):
        return _("must be a number")
    if kind in ("bool_parsing", "bool_type"):
        return _("must be true or false")
    if kind in ("string_type",):
        return _("must be text")
    if kind == "string_too_short":
        return _("must not be empty")
    if kind == "string_too_long":
        return _("is too long (at most %(limit)s characters)") % {"limit": ctx.get("max_length")}
    if kind == "string_pattern_mismatch":
        return _("has the wrong form (expected %(pattern)s)") % {"pattern": ctx.get("pattern")}
    if kind in (
        "date_parsing",
        "date_type",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
    ):
        return _("must be a date written YYYY-MM-DD")
    if kind in ("enum", "literal_error"):
        return _("must be one of: %(choices)s") % {"choices": _choices(ctx)}
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("must be a mapping of keys to values")
    if kind == "list_type":
        return _("must be a list")
    if kind == "union_tag_invalid":
        tags = str(ctx.get("expected_tags", "")).replace("'", "")
        return _("kind must be one of: %(choices)s") % {"choices": tags}
    if kind == "union_tag_not_found":
        return _("The key kind is required.")
    return str(error.get("msg", ""))


# --- free-text scan (SPEC §0) --------------------------------------------------------

_PERSON = r"(?:当事人|当事者|本人|个人|职工|亲属|家属|配偶|育龄妇女|妇女|对象|person|relative)"
TEXT_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"社会抚养费|超生费|计划外生育费|social maintenance fee", re.I), "fee"),
    (
        re.compile(r"开除|辞退|除名|解聘|解除劳动关系|停班|停岗|下岗|dismiss|expel", re.I),
        "dismissal",
    ),
    (
        re.compile(
            r"强制|必须(?:施行|实行|落实|采取)?(?:上环|放环|结扎|绝育|节育|避孕)|compulsory|forced",
            re.I,
        ),
        "compulsory",
    ),
    (re.compile(r"扣发|停发|withhold", re.I), "withhold"),
    (re.compile(_PERSON + r".{0,10}(?:罚|处分|一票否决)", re.I), "person_text"),
    (re.compile(r"(?:罚|处分|一票否决).{0,8}" + _PERSON, re.I), "person_text"),
]


def _strings(data: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*path, index))


def scan_text(data: Any, lines: dict[Path, int]) -> list[PackError]:
    """Free text that would sanction a private person (SPEC §0)."""
    errors = []
    for path, text in _strings(data):
        for pattern, reason in TEXT_RULES:
            match = pattern.search(text)
            if match:
                message = section0_message(
                    _("“%(words)s”: %(reason)s")
                    % {"words": match.group(0), "reason": forbidden_reason(reason)}
                )
                errors.append(PackError(line_of(path, lines), format_path(path), message))
                break
    return errors


# --- references and warnings ---------------------------------------------------------


def check_references(pack: PolicyPackSchema) -> list[tuple[Path, str]]:
    problems: list[tuple[Path, str]] = []
    groups = set(pack.target_groups)

    def unknown_group(name: str) -> str:
        known = ", ".join(sorted(groups)) or "—"
        return _("No target group %(name)s in target_groups (known: %(known)s).") % {
            "name": name,
            "known": known,
        }

    if pack.followup is not None and pack.followup.target not in groups:
        problems.append((("followup", "target"), unknown_group(pack.followup.target)))
    seen: set[str] = set()
    for index, campaign in enumerate(pack.campaigns):
        if campaign.target not in groups:
            problems.append((("campaigns", index, "target"), unknown_group(campaign.target)))
        if campaign.id in seen:
            problems.append((("campaigns", index, "id"), _("Two campaigns have this id.")))
        seen.add(campaign.id)
    if pack.assessment is not None:
        ids: set[str] = set()
        for index, item in enumerate(pack.assessment.targets):
            if item.indicator in ids:
                problems.append(
                    (
                        ("assessment", "targets", index, "indicator"),
                        _("This indicator is listed twice."),
                    )
                )
            ids.add(item.indicator)
    return problems


def check_behaviour(pack: PolicyPackSchema) -> list[tuple[Path, str]]:
    """SPEC §0: a behaviour indicator is information only. No points, weight or scoring
    on its item, and no consequence or veto it could fire — ``indicator_below_target``
    fires when an item misses its target, so it is refused while a behaviour item has a
    target. Score bands and the last place stay allowed: the total holds only service
    and data-quality points."""
    assessment = pack.assessment
    if assessment is None:
        return []
    problems: list[tuple[Path, str]] = []
    with_target = []
    for index, item in enumerate(assessment.targets):
        if not is_behaviour(item.indicator):
            continue
        if item.target is not None:
            with_target.append(item.indicator)
        for key, present in (
            ("weight", item.weight is not None and item.weight > 0),
            ("scoring", item.scoring is not None),
        ):
            if present:
                problems.append(
                    (
                        ("assessment", "targets", index, key),
                        behaviour_scored_message(item.indicator),
                    )
                )
    if with_target:
        names = ", ".join(with_target)
        sections: tuple[tuple[str, Sequence[Any]], ...] = (
            ("consequences", assessment.consequences),
            ("veto_items", assessment.veto_items),
        )
        for section, rows in sections:
            problems.extend(
                (("assessment", section, index, "trigger"), behaviour_trigger_message(names))
                for index, row in enumerate(rows)
                if row.trigger == Trigger.INDICATOR_BELOW_TARGET
            )
    return problems


def pack_warnings(pack: PolicyPackSchema) -> list[str]:
    warnings: list[str] = []
    assessment = pack.assessment
    if assessment is not None:
        weights = [t.weight for t in assessment.targets if t.weight is not None]
        if assessment.total_points is not None and weights:
            total = sum(weights)
            if abs(total - assessment.total_points) > 1e-6:
                warnings.append(
                    _(
                        "assessment: the declared total is %(declared)s points but the "
                        "targets' weights add up to %(sum)s."
                    )
                    % {"declared": _num(assessment.total_points), "sum": _num(total)}
                )
        if assessment.composite:
            total = sum(p.weight for p in assessment.composite)
            if abs(total - 100) > 1e-6:
                warnings.append(
                    _("assessment.composite: the weights add up to %(sum)s%%, not 100%%.")
                    % {"sum": _num(total)}
                )
    if pack.effective_from > timezone.localdate() + datetime.timedelta(days=3660):
        warnings.append(_("effective_from is more than ten years ahead."))
    return warnings


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --- the entry point -----------------------------------------------------------------


def parse_pack(text: str) -> ParsedPack:
    """Validate the YAML ``text`` of a pack; raise :class:`PackInvalid` with every error."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise PackInvalid(
            [
                PackError(
                    None, "", _("The file is larger than %(kb)s KB.") % {"kb": MAX_BYTES // 1024}
                )
            ]
        )
    data, lines = load_yaml(text)
    if not isinstance(data, dict):
        raise PackInvalid(
            [PackError(1, "", _("A policy pack is a mapping of keys to values (id: …, name: …)."))]
        )
    errors: list[PackError] = []
    pack = None
    try:
        pack = PolicyPackSchema.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            existing, shown = _data_path(tuple(error["loc"]), data)
            key = str(error["loc"][-1]) if error["loc"] else ""
            errors.append(
                PackError(line_of(existing, lines), format_path(shown), error_message(error, key))
            )
    # Free text that the schema did not already reject (an enum value is not prose).
    reported = {e.path for e in errors}
    errors += [e for e in scan_text(data, lines) if e.path not in reported]
    if pack is not None:
        for path, message in (*check_references(pack), *check_behaviour(pack)):
            errors.append(PackError(line_of(path, lines), format_path(path), message))
    if errors:
        errors.sort(key=lambda e: (e.line or 0, e.path))
        raise PackInvalid(_dedupe(errors))
    assert pack is not None
    return ParsedPack(pack=pack, warnings=pack_warnings(pack))


def _dedupe(errors: list[PackError]) -> list[PackError]:
    seen: set[tuple[int | None, str, str]] = set()
    result = []
    for error in errors:
        key = (error.line, error.path, error.message)
        if key not in seen:
            seen.add(key)
            result.append(error)
    return result
