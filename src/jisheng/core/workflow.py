"""One workflow for every status machine (issue 14, item 3).

An app declares the table of its model — which (from, to) steps are allowed, the
permission each needs, which need a message, and the guards and hooks that run with
them — as a :class:`Workflow` and registers it from its ``ready()``
(:func:`register`, store ``registry["workflows"]``, keyed by the model's label).
Every status change then goes through :func:`transition`:

1. the step (the object's status as the caller saw it → ``to``) must be in the table,
   and a step that needs a message (a return or a rejection always does) must have one;
2. the actor needs the step's permission and the object in their data scope; a refusal
   is audited (``denied``) and raises ``PermissionDenied``;
3. in ONE transaction: the row is locked (``select_for_update``) and its status read
   again — a status changed meanwhile by someone else is an error (:class:`StaleStatus`),
   never a silent overwrite; the step's guards and its hook run on the locked row; the
   new status is written with a :class:`~jisheng.core.models.Decision` (who, when,
   from, to, message) and the audit row.

Errors are raised, never swallowed (openIMIS logs and swallows them): a guard or hook
that raises rolls everything back and the error reaches the caller. ``actor=None`` is
the system itself: it needs no permission and may act anywhere.

``core`` imports no domain app: the tables live in the apps (``commodities/workflows.py``,
``indicators/workflows.py``, …).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.models import Decision
from jisheng.core.registry import RegistryConflict, WorkItem, registry
from jisheng.core.scope import path_in_scope, record_denied, require_in_scope, restrict_within

# The actions a step may be (the verb of the Decision).
SUBMIT = "submit"
APPROVE = "approve"
RETURN = "return"  # sent back to whoever must act again (退回): always with a message
REJECT = "reject"  # refused for good: always with a message
REOPEN = "reopen"  # a closed or approved object opened again
CANCEL = "cancel"
SIGN = "sign"
CLOSE = "close"
COMPLETE = "complete"
SUPERSEDE = "supersede"

ACTION_LABELS: dict[str, Any] = {
    SUBMIT: pgettext_lazy("workflow step", "Submitted"),
    APPROVE: pgettext_lazy("workflow step", "Approved"),
    RETURN: pgettext_lazy("workflow step", "Returned"),
    REJECT: pgettext_lazy("workflow step", "Rejected"),
    REOPEN: pgettext_lazy("workflow step", "Reopened"),
    CANCEL: pgettext_lazy("workflow step", "Cancelled"),
    SIGN: pgettext_lazy("workflow step", "Signed"),
    CLOSE: pgettext_lazy("workflow step", "Closed"),
    COMPLETE: pgettext_lazy("workflow step", "Completed"),
    SUPERSEDE: pgettext_lazy("workflow step", "Superseded"),
}
# Steps that always need a message, whatever the table says.
MESSAGE_ALWAYS = frozenset({RETURN, REJECT})
MESSAGE_MAX = 1000


# --------------------------------------------------------------------------- errors


class WorkflowError(ValidationError):
    """A step the workflow refuses (a ``ValidationError``: pages show its message)."""


class TransitionNotAllowed(WorkflowError):
    """The table has no step from the object's status to the one asked for."""


class MessageRequired(WorkflowError):
    """A return, a rejection (or a step the table marks) was asked for without a message."""


class StaleStatus(WorkflowError):
    """The object's status changed since the caller read it (someone else acted first)."""


class NoWorkflow(LookupError):
    """The model has no registered workflow (a programming error)."""


# --------------------------------------------------------------------------- the table


@dataclass
class Context:
    """What a guard or a hook gets: the locked row and the step. A hook changes
    ``obj`` and names the fields it changed in ``fields``; ``changes`` and ``note`` go
    into the audit row (``note`` as its message, instead of the step's message)."""

    actor: Any
    obj: Any
    step: Step
    message: str
    fields: list[str] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    # What the caller hands the hook (e.g. the signatories of a contract).
    params: dict[str, Any] = field(default_factory=dict)


Guard = Callable[[Context], None]


@dataclass(frozen=True)
class Step:
    """One allowed change of status. ``guards`` may refuse it (``PermissionDenied``,
    audited; ``ValidationError``); ``hook`` does the step's work on the locked row."""

    source: str
    target: str
    action: str
    permission: str | None = None
    needs_message: bool = False
    guards: tuple[Guard, ...] = ()
    hook: Guard | None = None
    label: str | Promise = ""

    @property
    def message_required(self) -> bool:
        return self.needs_message or self.action in MESSAGE_ALWAYS

    @property
    def verb(self) -> str:
        return str(self.label or ACTION_LABELS.get(self.action, self.action))


@dataclass(frozen=True)
class Workflow:
    """The status machine of one model (``app_label.modelname``).

    ``scope_path(obj)`` gives the tree path the actor must hold (default: the object's
    own, through its ``scope_path_field``); ``unit_of(obj)`` the unit its decisions
    belong to (default: the unit that path is read from); ``url(obj)`` the page the
    worklist links to; ``name(obj)`` how the worklist names it."""

    model: str
    steps: tuple[Step, ...]
    field: str = "status"
    scope_path: Callable[[Any], str] | None = None
    unit_of: Callable[[Any], Any] | None = None
    url: Callable[[Any], str] | None = None
    name: Callable[[Any], str] | None = None
    kind_label: str | Promise = ""
    # The transaction the step runs in (an app may serialise its writers, e.g. the ledger).
    atomic: Callable[[], Any] = transaction.atomic

    def __post_init__(self) -> None:
        seen = set()
        for step in self.steps:
            if (step.source, step.target) in seen:
                raise ValueError(f"{self.model}: two steps {step.source} → {step.target}")
            seen.add((step.source, step.target))

    def step(self, source: str, target: str) -> Step | None:
        for step in self.steps:
            if step.source == source and step.target == target:
                return step
        return None

    def steps_from(self, source: str) -> list[Step]:
        return [s for s in self.steps if s.source == source]

    def path_of(self, obj: Any) -> str:
        return self.scope_path(obj) if self.scope_path is not None else audit.scope_path(obj)

    def unit(self, obj: Any) -> Any:
        if self.unit_of is not None:
            return self.unit_of(obj)
        path_field = getattr(type(obj), "scope_path_field", "") or ""
        if path_field == "path":
            return obj
        value: Any = obj
        for part in path_field.removesuffix("__path").split("__") if path_field else []:
            value = getattr(value, part, None)
            if value is None:
                return None
        return value if path_field else None


def register(flow: Workflow) -> Workflow:
    """Register ``flow`` under its model label (from the app's ``ready()``)."""
    key = flow.model.lower()
    existing = registry["workflows"].get(key)
    if existing is not None and existing != flow:
        raise RegistryConflict(f"workflows: {key!r} is already registered")
    registry["workflows"][key] = flow
    return flow


def follow(model: str, target: str, fn: Guard) -> Guard:
    """Run ``fn(ctx)`` after the hook of every step of ``model`` to ``target``, on the
    locked row in the same transaction: how an app above acts on a lower app's step
    (the certificates app numbers the clearance when a 管理移交 is completed) without
    the lower app importing it. Registered from the upper app's ``ready()``."""
    followers = registry["step_followers"].setdefault((model.lower(), target), [])
    if fn not in followers:
        followers.append(fn)
    return fn


def workflow_for(obj_or_model: Any) -> Workflow:
    label = obj_or_model._meta.label_lower
    flow = registry["workflows"].get(label)
    if flow is None:
        raise NoWorkflow(f"no workflow is registered for {label}")
    return flow


def _status_label(model: Any, field_name: str, value: str) -> str:
    choices = dict(model._meta.get_field(field_name).flatchoices)
    return str(choices.get(value, value))


# --------------------------------------------------------------------------- checks


def may(actor: Any, obj: Any, step: Step, flow: Workflow | None = None) -> bool:
    """Whether ``actor`` holds the step's permission and ``obj`` is in their scope
    (no audit: for showing a button)."""
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    if step.permission and not actor.has_perm(step.permission):
        return False
    flow = flow or workflow_for(obj)
    return path_in_scope(flow.path_of(obj), actor)


def available(actor: Any, obj: Any) -> list[Step]:
    """The steps ``actor`` may take on ``obj`` from its present status."""
    flow = workflow_for(obj)
    return [s for s in flow.steps_from(getattr(obj, flow.field)) if may(actor, obj, s, flow)]


def _authorise(actor: Any, obj: Any, step: Step, flow: Workflow) -> None:
    if actor is None:
        return
    if step.permission and not actor.has_perm(step.permission):
        record_denied(
            actor,
            obj,
            _("Workflow step refused: %(step)s needs the permission %(perm)s.")
            % {"step": step.verb, "perm": step.permission},
        )
        raise PermissionDenied(
            _("You do not have permission to do this: %(step)s.") % {"step": step.verb}
        )
    require_in_scope(actor, obj, path=flow.path_of(obj))


# --------------------------------------------------------------------------- transition


def transition(
    *,
    actor: Any,
    obj: models.Model,
    to: str,
    message: str = "",
    params: dict[str, Any] | None = None,
) -> Decision:
    """Move ``obj`` to the status ``to`` by its model's workflow (see the module's text);
    returns the :class:`Decision`. ``obj`` is updated in place (status and the fields
    the hook changed); ``params`` reach the guards and the hook as ``ctx.params``."""
    flow = workflow_for(obj)
    model = type(obj)
    seen = getattr(obj, flow.field)
    step = flow.step(seen, to)
    if step is None:
        raise TransitionNotAllowed(
            _("“%(object)s” cannot go from “%(from)s” to “%(to)s”.")
            % {
                "object": obj,
                "from": _status_label(model, flow.field, seen),
                "to": _status_label(model, flow.field, to),
            },
            code="not_allowed",
        )
    message = (message or "").strip()
    if step.message_required and not message:
        raise MessageRequired(
            {"message": _("Say why (%(step)s needs a message).") % {"step": step.verb}},
            code="message_required",
        )
    if len(message) > MESSAGE_MAX:
        raise WorkflowError(
            {"message": _("At most %(n)s characters.") % {"n": MESSAGE_MAX}}, code="too_long"
        )
    _authorise(actor, obj, step, flow)
    try:
        with flow.atomic():
            locked = model._default_manager.select_for_update().get(pk=obj.pk)
            current = getattr(locked, flow.field)
            if current != seen:
                raise StaleStatus(
                    _(
                        "Someone else changed “%(object)s” meanwhile: it is now “%(status)s”. "
                        "Reload the page and try again."
                    )
                    % {"object": locked, "status": _status_label(model, flow.field, current)},
                    code="stale",
                )
            ctx = Context(
                actor=actor, obj=locked, step=step, message=message, params=dict(params or {})
            )
            for guard in step.guards:
                guard(ctx)
            if step.hook is not None:
                step.hook(ctx)
            for follower in registry["step_followers"].get((flow.model.lower(), to), ()):
                follower(ctx)
            setattr(locked, flow.field, to)
            fields = [flow.field, *dict.fromkeys(f for f in ctx.fields if f != flow.field)]
            if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                fields.append("updated_at")
            locked.save(update_fields=fields)
            found = flow.unit(locked)
            # an orgs.Unit (core names no domain model), or None
            unit: Any = found if isinstance(found, models.Model) else None
            user = audit.user_of(actor)
            decision = Decision.objects.create(
                content_type=ContentType.objects.get_for_model(model),
                object_id=locked.pk,
                action=step.action,
                from_status=seen,
                to_status=to,
                message=message,
                actor=user,
                # the name the office knows (孙丽华), else the login: shown in the
                # 退回意见 box, the history and the worklist
                actor_name=(
                    (getattr(actor, "full_name", "") or getattr(actor, "username", "") or "")[:150]
                    if actor is not None
                    else "system"
                ),
                unit=unit,
            )
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=locked,
                changes={flow.field: [seen, to], **ctx.changes},
                message=ctx.note or message,
            )
    except PermissionDenied as exc:  # a guard refused: audited after the rollback
        record_denied(actor, obj, str(exc) or _("Workflow step refused."))
        raise
    for name in fields:
        setattr(obj, name, getattr(locked, name))
    return decision


# --------------------------------------------------------------------------- selectors


def history(obj: models.Model) -> models.QuerySet[Decision]:
    """The decisions taken on ``obj``, oldest first."""
    return Decision.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).select_related("actor")


def last_return(obj: models.Model) -> Decision | None:
    """The return ``obj`` is in now (its latest decision, if it is a return or a
    rejection and the object still has the status it was returned to)."""
    latest = history(obj).order_by("-at", "-id").first()
    if latest is None or latest.action not in MESSAGE_ALWAYS:
        return None
    try:
        flow = workflow_for(obj)
    except NoWorkflow:
        return latest
    return latest if getattr(obj, flow.field) == latest.to_status else None


@dataclass
class Returned:
    decision: Decision
    obj: Any
    flow: Workflow


def returned_to(user: Any, *, unit: Any | None = None) -> list[Returned]:
    """Objects whose latest decision is a return, still in the status they were
    returned to, in the user's scope (and ``unit``'s), that the user can act on (holds
    the permission of a step from that status) and did not return themselves (who
    returned it waits for the others); oldest return first."""
    latest = (
        Decision.objects.filter(
            content_type=OuterRef("content_type"), object_id=OuterRef("object_id")
        )
        .order_by("-at", "-id")
        .values("id")[:1]
    )
    decisions = (
        restrict_within(Decision.objects.filter(action=RETURN), user, unit)
        .annotate(latest_id=Subquery(latest))
        .filter(id=F("latest_id"))
        .exclude(actor_id=getattr(user, "pk", None))
        .select_related("content_type", "actor", "unit")
        .order_by("at", "id")
    )
    by_type: dict[int, list[Decision]] = {}
    for found in decisions:
        by_type.setdefault(found.content_type_id, []).append(found)
    out: list[Returned] = []
    for rows in by_type.values():
        model = rows[0].content_type.model_class()
        if model is None:
            continue
        flow = registry["workflows"].get(model._meta.label_lower)
        if flow is None:
            continue
        objects = model._default_manager.in_bulk([d.object_id for d in rows])
        for decision in rows:
            obj = objects.get(decision.object_id)
            if obj is None or getattr(obj, flow.field) != decision.to_status:
                continue
            if not any(may(user, obj, s, flow) for s in flow.steps_from(decision.to_status)):
                continue
            out.append(Returned(decision, obj, flow))
    out.sort(key=lambda r: (r.decision.at, r.decision.pk))
    return out


def collect_returned(
    user: Any, *, unit: Any | None = None, today: Any = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    """The worklist source "returned" (退回待处理): what was returned to ``user``."""
    rows = returned_to(user, unit=unit)
    items = []
    for row in rows[:limit]:
        flow, obj, decision = row.flow, row.obj, row.decision
        kind = str(flow.kind_label or obj._meta.verbose_name)
        items.append(
            WorkItem(
                person_id=None,
                person_name=flow.name(obj) if flow.name is not None else str(obj),
                unit_name=decision.unit.name if decision.unit is not None else "",
                date=timezone.localdate(decision.at),
                what=_("%(kind)s returned by %(who)s") % {"kind": kind, "who": decision.actor_name},
                url=flow.url(obj) if flow.url is not None else "",
                message=decision.message,
            )
        )
    return len(rows), items


def status_labels(obj: models.Model, decisions: Iterable[Decision]) -> list[dict[str, Any]]:
    """The decisions as rows for a page: verb, who, when, from and to in words, message."""
    model = type(obj)
    try:
        field_name = workflow_for(obj).field
    except NoWorkflow:
        field_name = "status"
    return [
        {
            "decision": d,
            "verb": str(ACTION_LABELS.get(d.action, d.action)),
            "from": _status_label(model, field_name, d.from_status),
            "to": _status_label(model, field_name, d.to_status),
        }
        for d in decisions
    ]
