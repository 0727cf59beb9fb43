"""Assessments (考核): half-year (``2026H1``) and annual (``2026``) for the units directly
below an assessing unit.

Two steps, so that entering a score by hand does not recount the registry:

1. :func:`compute_basis` — for each child, the items of its signed contract for the
   year (or, without one, of the pack in force, said so on the page), and the value of
   every indicator item from the grouped engine: ONE ``engine.compute_units`` call for
   all children and all indicators. For an annual assessment with a composite, the
   half-year assessment's totals are taken too. Stored as the assessment's ``basis``.
2. :func:`score_basis` — pure: scores every item (:mod:`jisheng.indicators.scoring`)
   from the basis and the entries made by hand (points, yes/no answers, veto findings,
   composite parts scored by hand), totals, composite, bands, veto, ranking, last place
   and consequences, each line explained. Stored as ``result``.

A draft is recomputed on demand (step 1 and 2) and rescored after each entry (step 2).
Approving rescores once more and freezes it: the stored basis and result (values,
targets, rules, points) are what the pages and the printed report show from then on,
whatever later happens to the registry or the contracts — until the approver reopens it
with a message saying why (a draft again). Approving and reopening go through
``core.workflow`` (the table is ``indicators/workflows.py``). Every write is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit, periods, workflow
from jisheng.core.choices import AuditAction
from jisheng.core.scope import get_in_scope_or_404, require_in_scope, restrict
from jisheng.indicators import catalogue, engine, scoring
from jisheng.indicators import contracts as contract_rules
from jisheng.indicators.models import Assessment, AssessmentEntry, Contract, ContractItem
from jisheng.orgs.models import Unit
from jisheng.policy.choices import CompositeSource, ConsequenceKind, SanctionTarget, Trigger
from jisheng.policy.measures import is_behaviour

BASIS_VERSION = 1
SOURCE_CONTRACT, SOURCE_PACK, SOURCE_NONE = "contract", "pack", "none"
PART_PREFIX = "part-"
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# File signatures of the evidence types accepted: PDF, JPEG, PNG.
EVIDENCE_TYPES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


# --------------------------------------------------------------------------- periods


def parse_period(text: str) -> periods.Period:
    """A half year (``2026H1``) or a year (``2026``); ``PeriodError`` otherwise."""
    period = periods.parse(text)
    if period.kind not in (periods.HALF, periods.YEAR):
        raise periods.PeriodError(
            _("Assessments are half-yearly (2026H1) or annual (2026), not %(text)s.")
            % {"text": text}
        )
    return period


# --------------------------------------------------------------------------- reads


def assessment_queryset() -> QuerySet[Assessment]:
    return Assessment.objects.select_related("issuer", "created_by", "approved_by")


def assessment_list(user: Any, *, issuer: Unit | None = None) -> QuerySet[Assessment]:
    qs = restrict(assessment_queryset(), user)
    if issuer is not None:
        qs = qs.filter(issuer=issuer)
    return qs


def assessment_get(user: Any, pk: Any) -> Assessment:
    """An assessment whose assessing unit is in the user's subtree (404 + audit else)."""
    return get_in_scope_or_404(assessment_queryset(), user, pk=pk)


def entries_of(assessment: Assessment, unit_id: int | None = None) -> list[AssessmentEntry]:
    qs = assessment.entries.select_related("entered_by")
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    return list(qs)


def unit_result(assessment: Assessment, unit_id: int) -> dict[str, Any] | None:
    for row in assessment.result.get("units", []):
        if row["id"] == unit_id:
            return row
    return None


def basis_unit(assessment: Assessment, unit_id: int) -> dict[str, Any] | None:
    for row in assessment.basis.get("units", []):
        if row["id"] == unit_id:
            return row
    return None


# --------------------------------------------------------------------------- step 1


def _rule(item: dict[str, Any]) -> dict[str, Any]:
    return scoring.Rule(
        kind=item.get("scoring") or "",
        weight=float(item.get("weight") or 0),
        target=item.get("target"),
        direction=item.get("direction") or scoring.AT_LEAST,
        minus_per_point=item.get("minus_per_point"),
        floor=float(item.get("floor") or 0),
        zero_at=item.get("zero_at"),
        full_at=item.get("full_at"),
        unit=item.get("unit") or "percent",
    ).as_dict()


def _contract_terms(contract: Contract) -> dict[str, Any]:
    return {
        "total_points": contract.total_points,
        "bands": contract.bands,
        "consequences": contract.consequences,
        "composite": contract.composite,
        "flag_last_place": contract.flag_last_place,
    }


def _item_dicts(items: Iterable[ContractItem]) -> list[dict[str, Any]]:
    return [
        {"key": i.key, **{name: getattr(i, name) for name in contract_rules.ITEM_FIELDS}}
        for i in items
    ]


def compute_basis(issuer: Unit, period: periods.Period) -> dict[str, Any]:
    """What an assessment of ``issuer``'s children for ``period`` is scored from."""
    children = list(
        Unit.objects.filter(path__startswith=issuer.path, depth=issuer.depth + 1).order_by("path")
    )
    signed = contract_rules.signed_contracts(children, period.year)
    without = [u for u in children if u.pk not in signed]
    packs = contract_rules.packs_for(without, period.year) if without else {}
    units: list[dict[str, Any]] = []
    for unit in children:
        row: dict[str, Any] = {"id": unit.pk, "code": unit.code, "name": unit.name}
        contract = signed.get(unit.pk)
        if contract is not None:
            items = _item_dicts(contract.items.all())
            row.update(
                source=SOURCE_CONTRACT,
                contract={
                    "id": contract.pk,
                    "version": contract.version,
                    "signed_on": contract.signed_on.isoformat() if contract.signed_on else None,
                },
                pack=f"{contract.pack_code} {contract.pack_version}".strip(),
                **_contract_terms(contract),
            )
        else:
            version, pack = packs.get(unit.pk, (None, None))
            raw = contract_rules.items_from_pack(pack)
            items = [{"key": f"pack-{n}", **item} for n, item in enumerate(raw)]
            row.update(
                source=SOURCE_PACK if pack is not None else SOURCE_NONE,
                contract=None,
                pack=f"{version.pack.code} {version.version}" if version is not None else "",
                **contract_rules.terms_from_pack(pack, raw),
            )
        row["items"] = [
            {
                "key": i["key"],
                "kind": i["kind"],
                "indicator": i["indicator"],
                "name": i["name"],
                "trigger": i["trigger"],
                "description": i["description"],
                "rule": _rule(i),
            }
            for i in items
        ]
        units.append(row)
    ids = sorted(
        {
            i["indicator"]
            for row in units
            for i in row["items"]
            if i["kind"] == ContractItem.Kind.INDICATOR
            and contract_rules.indicator_known(i["indicator"])
        }
    )
    indicators = catalogue.select(ids) if ids else []
    values: dict[int, dict[str, engine.Value]] = {}
    if indicators and children:
        for uv in engine.compute_units(indicators, issuer, period, children):
            values[uv.unit.pk] = uv.values
    by_id = {i.id: i for i in indicators}
    for row in units:
        for item in row["items"]:
            if item["kind"] != ContractItem.Kind.INDICATOR:
                continue
            indicator = by_id.get(item["indicator"])
            value = values.get(row["id"], {}).get(item["indicator"])
            item["value_unit"] = indicator.unit if indicator else ""
            item["definition"] = indicator.definition_zh if indicator else ""
            if value is None:
                item.update(value=None, numerator=None, denominator=None, unknown=True)
            else:
                item.update(value.as_dict())
    _add_trend(units, issuer, period)
    half = _half_year_totals(issuer, period) if period.kind == periods.YEAR else None
    for row in units:
        if half is not None and row["composite"]:
            row["half_year"] = half["totals"].get(str(row["id"]))
            row["half_year_status"] = half["status"]
    return {
        "version": BASIS_VERSION,
        "issuer": {"id": issuer.pk, "code": issuer.code, "name": issuer.name},
        "period": period.code,
        "kind": period.kind,
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "computed_at": timezone.now().isoformat(),
        "units": units,
    }


def _add_trend(units: list[dict[str, Any]], issuer: Unit, period: periods.Period) -> None:
    """The trend beside a behaviour indicator (shown for information, SPEC §0): its value
    in the issuer's assessment of the period before, when there is one (one query)."""
    behaviour = [
        (row, item)
        for row in units
        for item in row["items"]
        if item["kind"] == ContractItem.Kind.INDICATOR and is_behaviour(item["indicator"])
    ]
    if not behaviour:
        return
    before = period.previous()
    earlier = Assessment.objects.filter(issuer=issuer, period=before.code).first()
    values: dict[tuple[int, str], Any] = {}
    if earlier is not None:
        for row in earlier.basis.get("units", []):
            for item in row.get("items", []):
                if item.get("kind") == ContractItem.Kind.INDICATOR:
                    values[(row["id"], item["indicator"])] = item.get("value")
    for row, item in behaviour:
        item["previous"] = values.get((row["id"], item["indicator"]))
        item["previous_period"] = before.code


def _half_year_totals(issuer: Unit, period: periods.Period) -> dict[str, Any] | None:
    """The first half-year assessment's item totals by unit id (approved or draft)."""
    half = Assessment.objects.filter(issuer=issuer, period=f"{period.year}H1").first()
    if half is None:
        return None
    totals = {
        str(row["id"]): row.get("items_total", {}).get("points")
        for row in half.result.get("units", [])
    }
    return {"status": half.status, "totals": totals}


# --------------------------------------------------------------------------- step 2


def _entry_dict(entry: AssessmentEntry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {
        "id": entry.pk,
        "points": entry.points,
        "answer": entry.answer,
        "failed": entry.failed,
        "note": entry.note,
        "evidence": bool(entry.evidence),
        "entered_by": str(entry.entered_by) if entry.entered_by_id else "",
        "entered_at": entry.entered_at.isoformat() if entry.entered_at else None,
    }


def score_unit(row: dict[str, Any], entries: dict[str, AssessmentEntry], kind: str) -> dict:
    """One unit's lines, totals, composite, band and veto (rank and consequences later)."""
    lines, vetoes, scores = [], [], []
    for item in row["items"]:
        entry = entries.get(item["key"])
        if item["kind"] == ContractItem.Kind.VETO:
            failed = bool(entry is not None and entry.failed)
            vetoes.append(
                {
                    "key": item["key"],
                    "name": item["name"],
                    "trigger": item["trigger"],
                    "description": item["description"],
                    "failed": failed,
                    "checked": entry is not None and entry.failed is not None,
                    "entry": _entry_dict(entry),
                }
            )
            continue
        rule = scoring.Rule.from_dict(item["rule"])
        value = item.get("value")
        if item["kind"] == ContractItem.Kind.INDICATOR and item.get("unknown"):
            value = None
        result = scoring.score(
            rule,
            value,
            answer=entry.answer if entry is not None else None,
            points=entry.points if entry is not None else None,
            behaviour=item["kind"] == ContractItem.Kind.INDICATOR
            and is_behaviour(item["indicator"]),
        )
        if item.get("unknown") and result.status == scoring.NO_CASES:
            result = scoring.ItemScore(
                None,
                result.max_points,
                None,
                scoring.NO_CASES,
                _("The catalogue does not compute this indicator: not scored."),
            )
        scores.append(result)
        lines.append(
            {
                **{k: v for k, v in item.items() if k != "rule"},
                "rule": item["rule"],
                "points": scoring.rounded(result.points),
                "max_points": result.max_points,
                "met": result.met,
                "status": result.status,
                "note": result.note,
                "entry": _entry_dict(entry),
            }
        )
    items_total = scoring.total(scores, declared=row.get("total_points"))
    parts = []
    total = items_total.points
    if kind == periods.YEAR and row.get("composite"):
        for n, part in enumerate(row["composite"]):
            source = part.get("source") or CompositeSource.MANUAL
            if source == CompositeSource.YEAR_END:
                value = items_total.points
            elif source == CompositeSource.HALF_YEAR:
                value = row.get("half_year")
            else:
                entry = entries.get(f"{PART_PREFIX}{n}")
                value = entry.points if entry is not None else None
            parts.append(
                {
                    "key": f"{PART_PREFIX}{n}",
                    "name": part["part"],
                    "weight": part["weight"],
                    "source": source,
                    "score": scoring.rounded(value),
                    "entry": _entry_dict(entries.get(f"{PART_PREFIX}{n}")),
                }
            )
        total = scoring.composite(
            [scoring.Part(p["name"], p["weight"], p["score"], p["source"]) for p in parts]
        )
    vetoed = any(v["failed"] for v in vetoes)
    band = scoring.band_for(total, row.get("bands") or [])
    return {
        "id": row["id"],
        "code": row["code"],
        "name": row["name"],
        "source": row["source"],
        "contract": row.get("contract"),
        "pack": row.get("pack", ""),
        "lines": lines,
        "vetoes": vetoes,
        "items_total": {
            "points": items_total.points,
            "earned": scoring.rounded(items_total.earned),
            "max_points": items_total.max_points,
            "left_out": items_total.left_out,
            "declared": items_total.declared,
            "rescaled": items_total.rescaled,
            "mismatch": items_total.mismatch,
        },
        "parts": parts,
        "parts_missing": [p["name"] for p in parts if p["score"] is None],
        "total": total,
        "declared": items_total.declared,
        "band": band.get("label") if isinstance(band, dict) else None,
        "vetoed": vetoed,
        "failed_triggers": sorted({v["trigger"] for v in vetoes if v["failed"]}),
        # only service and data-quality items: a behaviour item fires nothing (SPEC §0)
        "below_target": any(
            line["kind"] == ContractItem.Kind.INDICATOR
            and line["status"] != scoring.INFORMATION
            and line["met"] is False
            for line in lines
        ),
        "flag_last_place": row.get("flag_last_place", False),
        "consequence_rules": row.get("consequences") or [],
    }


def score_basis(basis: dict[str, Any], entries: Iterable[AssessmentEntry]) -> dict[str, Any]:
    """The scored, ranked result of ``basis`` with the ``entries`` made by hand."""
    by_unit: dict[int, dict[str, AssessmentEntry]] = {}
    for entry in entries:
        by_unit.setdefault(entry.unit_id, {})[entry.key] = entry
    kind = basis.get("kind", periods.YEAR)
    rows = [score_unit(row, by_unit.get(row["id"], {}), kind) for row in basis.get("units", [])]
    standings = scoring.rank((r["id"], r["total"], r["vetoed"]) for r in rows)
    for row in rows:
        standing = standings[row["id"]]
        # the last place is flagged only where the contract (or pack) says so
        is_last = standing.is_last and bool(row["flag_last_place"])
        row.update(rank=standing.rank, tied=standing.tied, is_last=is_last)
        outcome = scoring.Outcome(
            score=row["total"],
            vetoed=row["vetoed"],
            last_place=is_last,
            below_target=row["below_target"],
            failed_triggers=frozenset(row["failed_triggers"]),
        )
        row["consequences"] = scoring.consequences_for(row.pop("consequence_rules"), outcome)
    rows.sort(key=lambda r: (r["rank"], r["code"]))
    return {
        "version": BASIS_VERSION,
        "period": basis.get("period"),
        "kind": kind,
        "computed_at": basis.get("computed_at"),
        "scored_at": timezone.now().isoformat(),
        "units": rows,
        "pending": pending_entries(rows),
    }


def pending_entries(rows: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """What must still be entered by hand before approval: items scored by hand and
    composite parts scored by hand, per unit."""
    out = []
    for row in rows:
        for line in row["lines"]:
            if line["status"] == scoring.NOT_ENTERED:
                out.append({"unit": row["name"], "item": line["name"]})
        for part in row["parts"]:
            if part["source"] == CompositeSource.MANUAL and part["score"] is None:
                out.append({"unit": row["name"], "item": part["name"]})
    return out


# --------------------------------------------------------------------------- writes


def _require_draft(assessment: Assessment) -> None:
    if assessment.frozen:
        raise ValidationError(_("This assessment was approved; it can no longer change."))


def _rescore(assessment: Assessment) -> None:
    assessment.result = score_basis(assessment.basis, assessment.entries.all())


def assessment_create(*, actor: Any, issuer: Unit, period: str) -> Assessment:
    """Compute the assessment of ``issuer``'s children for ``period`` (a half year or a
    year that has begun), stored as a draft."""
    require_in_scope(actor, issuer)
    try:
        parsed = parse_period(period)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from None
    if parsed.first > timezone.localdate():
        raise ValidationError({"period": _("The period has not begun.")})
    if Assessment.objects.filter(issuer=issuer, period=parsed.code).exists():
        raise ValidationError(
            {
                "period": _("%(unit)s has an assessment for %(period)s already.")
                % {"unit": issuer.name, "period": parsed.label}
            }
        )
    if not Unit.objects.filter(path__startswith=issuer.path, depth=issuer.depth + 1).exists():
        raise ValidationError(_("%(unit)s has no units below it.") % {"unit": issuer.name})
    basis = compute_basis(issuer, parsed)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            issuer=issuer,
            period=parsed.code,
            year=parsed.year,
            basis=basis,
            result=score_basis(basis, []),
            computed_at=timezone.now(),
            created_by=audit.user_of(actor),
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=assessment,
            changes={"issuer": [None, issuer.code], "period": [None, parsed.code]},
            message=_("Assessment computed."),
        )
    return assessment


def assessment_recompute(*, actor: Any, assessment: Assessment) -> Assessment:
    """Recount a draft from today's data (the entries made by hand are kept)."""
    require_in_scope(actor, assessment.issuer)
    _require_draft(assessment)
    basis = compute_basis(assessment.issuer, parse_period(assessment.period))
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _require_draft(assessment)
        before = {r["id"]: r["total"] for r in assessment.result.get("units", [])}
        assessment.basis = basis
        assessment.computed_at = timezone.now()
        _rescore(assessment)
        assessment.save()
        after = {r["id"]: r["total"] for r in assessment.result["units"]}
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=assessment,
            changes={"totals": [before, after]} if before != after else {},
            message=_("Assessment recomputed."),
        )
    return assessment


def approval_problems(assessment: Assessment) -> list[str]:
    """Why the assessment cannot be approved yet (empty: it can)."""
    problems = []
    pending = assessment.result.get("pending", [])
    if pending:
        shown = "; ".join(f"{p['unit']}: {p['item']}" for p in pending[:10])
        more = len(pending) - 10
        problems.append(
            _("Enter these items scored by hand first: %(items)s") % {"items": shown}
            + (_(" and %(n)s more.") % {"n": more} if more > 0 else "")
        )
    if not assessment.result.get("units"):
        problems.append(_("The assessment has no units."))
    return problems


def assessment_approve(*, actor: Any, assessment: Assessment) -> Assessment:
    """Rescore with the last entries and freeze: nothing about it changes afterwards."""
    require_in_scope(actor, assessment.issuer)
    _require_draft(assessment)
    workflow.transition(actor=actor, obj=assessment, to=Assessment.Status.APPROVED)
    return assessment


def freeze(ctx: workflow.Context) -> None:
    """Hook of approval (on the locked draft): rescored, refused while something must
    still be entered by hand, then frozen with the ranking in the audit row."""
    assessment: Assessment = ctx.obj
    _rescore(assessment)
    problems = approval_problems(assessment)
    if problems:
        raise ValidationError(problems)
    assessment.approved_by = audit.user_of(ctx.actor)
    assessment.approved_at = timezone.now()
    ctx.fields += ["result", "approved_by", "approved_at"]
    ctx.changes["ranking"] = [
        None,
        [[r["code"], r["total"], r["rank"]] for r in assessment.result["units"]],
    ]
    ctx.note = _("Assessment approved and frozen.")


def assessment_reopen(*, actor: Any, assessment: Assessment, message: str) -> Assessment:
    """Reopen an approved assessment (a draft again: entries, recomputing, approving),
    by whoever may approve it, with a message saying why; the earlier approval stays in
    its decision history."""
    require_in_scope(actor, assessment.issuer)
    if not assessment.frozen:
        raise ValidationError(_("Only an approved assessment can be reopened."))
    workflow.transition(actor=actor, obj=assessment, to=Assessment.Status.DRAFT, message=message)
    return assessment


def thaw(ctx: workflow.Context) -> None:
    """Hook of reopening: the approval's who and when cleared (kept in the history)."""
    assessment: Assessment = ctx.obj
    ctx.changes["approved_by"] = [assessment.approved_by_id, None]
    assessment.approved_by = None
    assessment.approved_at = None
    ctx.fields += ["approved_by", "approved_at"]


def evidence_check(upload: UploadedFile) -> None:
    """Refuse evidence that is not a PDF, JPEG or PNG file of at most 10 MB."""
    name = (upload.name or "").lower()
    ext = name[name.rfind(".") :] if "." in name else ""
    if ext not in EVIDENCE_TYPES:
        raise ValidationError(_("The evidence must be a PDF, JPEG or PNG file."))
    if upload.size is None or upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(_("The evidence is larger than 10 MB; send a smaller scan."))
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in EVIDENCE_TYPES[ext]):
        raise ValidationError(
            _("The file's content is not a PDF, JPEG or PNG file, whatever its name says.")
        )


def entry_slots(assessment: Assessment, unit_id: int) -> list[dict[str, Any]]:
    """What can be entered by hand for a unit: items scored by hand (points or yes/no),
    veto items (failed or not) and composite parts scored by hand (points)."""
    row = basis_unit(assessment, unit_id)
    if row is None:
        return []
    slots = []
    for item in row["items"]:
        rule = item["rule"]
        if item["kind"] == ContractItem.Kind.VETO:
            slots.append({"key": item["key"], "mode": "veto", "name": item["name"], "item": item})
        elif rule.get("kind") in scoring.BY_HAND and float(rule.get("weight") or 0) > 0:
            mode = "yes_no" if rule["kind"] == scoring.ScoringKind.YES_NO else "points"
            slots.append(
                {
                    "key": item["key"],
                    "mode": mode,
                    "name": item["name"],
                    "max": float(rule["weight"]),
                    "item": item,
                }
            )
    if assessment.basis.get("kind") == periods.YEAR:
        for n, part in enumerate(row.get("composite") or []):
            if (part.get("source") or CompositeSource.MANUAL) == CompositeSource.MANUAL:
                slots.append(
                    {
                        "key": f"{PART_PREFIX}{n}",
                        "mode": "points",
                        "name": part["part"],
                        "max": float(row.get("total_points") or 100),
                        "item": {"name": part["part"], "description": ""},
                        "part": True,
                    }
                )
    return slots


def entries_save(
    *,
    actor: Any,
    assessment: Assessment,
    unit: Unit,
    values: dict[str, dict[str, Any]],
) -> list[AssessmentEntry]:
    """Save what was entered by hand for ``unit`` (``{key: {points|answer|failed, note,
    evidence}}``) in one transaction, then rescore. A slot left empty is not saved (an
    existing entry is cleared). Points or a yes need evidence (a file already attached
    or a new one); a failed veto item needs a note saying what was found."""
    require_in_scope(actor, assessment.issuer)
    _require_draft(assessment)
    slots = {s["key"]: s for s in entry_slots(assessment, unit.pk)}
    if not slots:
        raise ValidationError(_("Nothing is scored by hand for this unit."))
    existing = {e.key: e for e in entries_of(assessment, unit.pk)}
    errors: dict[str, list[str]] = {}
    planned: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for key, data in values.items():
        slot = slots.get(key)
        if slot is None:
            errors.setdefault("__all__", []).append(_("Unknown item: %(key)s.") % {"key": key})
            continue
        try:
            planned.append((slot, _clean_entry(slot, data, existing.get(key))))
        except ValidationError as exc:
            errors[key] = exc.messages
    if errors:
        raise ValidationError(errors)
    saved = []
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _require_draft(locked)
        for slot, clean in planned:
            entry = existing.get(slot["key"])
            if clean is None:
                if entry is not None:
                    audit.record(
                        actor=actor,
                        action=AuditAction.DELETE,
                        obj=entry,
                        changes={"points": [entry.points, None], "answer": [entry.answer, None]},
                    )
                    entry.delete()
                continue
            before = _entry_snapshot(entry) if entry is not None else {}
            if entry is None:
                entry = AssessmentEntry(assessment=locked, unit=unit, key=slot["key"])
            entry.points = clean["points"]
            entry.answer = clean["answer"]
            entry.failed = clean["failed"]
            entry.note = clean["note"]
            entry.entered_by = audit.user_of(actor)
            upload = clean["evidence"]
            if upload is not None:
                entry.evidence.save(upload.name, upload, save=False)
            entry.save()
            changes = audit.diff(before, _entry_snapshot(entry))
            if changes:
                audit.record(
                    actor=actor,
                    action=AuditAction.UPDATE if before else AuditAction.CREATE,
                    obj=entry,
                    changes=changes,
                    message=slot["name"][:200],
                )
            saved.append(entry)
        _rescore(locked)
        locked.save(update_fields=["result", "updated_at"])
    assessment.result = locked.result
    return saved


def _entry_snapshot(entry: AssessmentEntry) -> dict[str, Any]:
    return {
        "points": entry.points,
        "answer": entry.answer,
        "failed": entry.failed,
        "note": entry.note,
        "evidence": entry.evidence.name or "",
    }


def _clean_entry(
    slot: dict[str, Any], data: dict[str, Any], entry: AssessmentEntry | None
) -> dict[str, Any] | None:
    """The values to store for one slot, or None to clear it; ``ValidationError``."""
    note = (data.get("note") or "").strip()[:500]
    evidence = data.get("evidence")
    if evidence is not None:
        evidence_check(evidence)
    has_evidence = evidence is not None or bool(entry is not None and entry.evidence)
    clean = {"points": None, "answer": None, "failed": None, "note": note, "evidence": evidence}
    mode = slot["mode"]
    if mode == "veto":
        failed = data.get("failed")
        if failed is None:
            return None
        if failed and not note:
            raise ValidationError(_("Say what was found."))
        clean["failed"] = bool(failed)
        return clean
    if mode == "yes_no":
        answer = data.get("answer")
        if answer is None:
            return None
        if answer and not has_evidence:
            raise ValidationError(_("Attach the evidence."))
        clean["answer"] = bool(answer)
        return clean
    points = data.get("points")
    if points is None:
        return None
    try:
        points = float(points)
    except (TypeError, ValueError):
        raise ValidationError(_("Give a number of points.")) from None
    if points < 0 or points > slot["max"] + scoring.EPS:
        raise ValidationError(
            _("Give between 0 and %(weight)s points.") % {"weight": scoring.num(slot["max"])}
        )
    if points > 0 and not has_evidence:
        raise ValidationError(_("Attach the evidence."))
    clean["points"] = points
    return clean


# --------------------------------------------------------------------------- presentation


def consequence_text(c: dict[str, Any]) -> dict[str, str]:
    """A triggered consequence as words: whom (a unit or a staff role, §0) and what."""
    from jisheng.orgs.choices import PositionRole

    if c.get("applies_to") == SanctionTarget.STAFF_ROLE and c.get("role"):
        whom = str(PositionRole(c["role"]).label)
    else:
        whom = str(SanctionTarget.UNIT.label)
    what = str(ConsequenceKind(c["kind"]).label) if c.get("kind") else ""
    if c.get("amount_yuan") is not None:
        what += " " + _("%(amount)s yuan") % {"amount": scoring.num(c["amount_yuan"])}
    return {
        "whom": whom,
        "what": what,
        "trigger": str(Trigger(c["trigger"]).label) if c.get("trigger") else "",
        "description": c.get("description", ""),
    }


def present(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The result's units with the words the pages print (rule in words, target, …),
    in the current language; the stored result is not changed."""
    out = []
    for row in result.get("units", []):
        lines, information = [], []
        for line in row["lines"]:
            rule = scoring.Rule.from_dict(line["rule"])
            value_unit = line.get("value_unit") or ""
            suffix = value_unit if value_unit in ("%", "‰") else ""
            previous = line.get("previous")
            # behaviour indicators go to their own block, 统计信息（不计分） (SPEC §0)
            (information if line.get("status") == scoring.INFORMATION else lines).append(
                {
                    **line,
                    "rule_text": scoring.describe(rule),
                    "target_text": scoring.target_text(rule),
                    "value_text": scoring.num(line.get("value")) + suffix
                    if line.get("value") is not None
                    else "—",
                    "fraction": _fraction(line),
                    "previous_text": scoring.num(previous) + suffix if previous is not None else "",
                    "previous_period": periods.parse(line["previous_period"]).label
                    if line.get("previous_period")
                    else "",
                    "points_text": scoring.num(line["points"]),
                    "max_text": scoring.num(line["max_points"]),
                }
            )
        out.append(
            {
                **row,
                "lines": lines,
                "information": information,
                "total_text": scoring.num(row["total"]),
                "declared_text": scoring.num(row["declared"]),
                "consequence_rows": [consequence_text(c) for c in row.get("consequences", [])],
            }
        )
    return out


def _fraction(line: dict[str, Any]) -> str:
    if line.get("kind") != ContractItem.Kind.INDICATOR or line.get("unknown"):
        return ""
    numerator, denominator = line.get("numerator"), line.get("denominator")
    if denominator is None:
        return ""
    return f"{scoring.num(numerator)} / {scoring.num(denominator)}"
