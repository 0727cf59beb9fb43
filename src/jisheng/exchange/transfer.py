"""Between systems (issue 17): export the outgoing notices as a signed file, import a
file from another system, exchange public keys.

The format is ``docs/exchange/notice-v1.schema.json`` (JSON Schema 2020-12, a copy of
``notice-v1.schema.json`` next to this module). Import is **idempotent** (a message whose
uid was seen before changes nothing: ``duplicate``), refuses — row by row, with a Chinese
reason, the other messages still going in — a wrong format version, a message the schema
refuses, an unknown sending system, a bad signature and an unknown receiver unit code,
and **holds** a correction whose original has not come yet (``HELD``) until it comes.

Bulk: a file's messages are read with a few queries (the uids seen, the receivers, the
persons by ID hash, the originals) and written with ``bulk_create``/``bulk_update``.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from jisheng.core import audit, crypto, idnumber
from jisheng.core.choices import AuditAction
from jisheng.core.scope import restrict_any, user_scope_path
from jisheng.exchange import keys, services
from jisheng.exchange.choices import ImportOutcome
from jisheng.exchange.models import Direction, Notice, NoticeKind, NoticeStatus, PeerKey
from jisheng.exchange.types import Message
from jisheng.orgs.models import Unit
from jisheng.people.models import Person

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from jisheng.orgs.models import User

FORMAT = "jisheng-exchange"
VERSION = 1
SCHEMA_FILE = Path(__file__).with_name("notice-v1.schema.json")
MAX_MESSAGES = 100_000


@lru_cache(maxsize=1)
def schema() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


def _inline(node: object, defs: dict[str, object]) -> object:
    """``node`` with each local ``{"$ref": "#/$defs/x"}`` replaced by the definition
    (merged with the keywords beside it): the same schema, checked without resolving
    references for every message (a third of the import's time otherwise)."""
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _inline(v, defs) for k, v in node.items() if k != "$ref"}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = _inline(defs[ref.removeprefix("#/$defs/")], defs)
        assert isinstance(target, dict)
        out = {**target, **out}
    return out


@lru_cache(maxsize=1)
def message_validator() -> Draft202012Validator:
    """The validator of one message (the schema's ``$defs/message``, references
    inlined)."""
    defs = schema()["$defs"]
    assert isinstance(defs, dict)
    message = _inline(defs["message"], defs)
    assert isinstance(message, dict)
    return Draft202012Validator(message)


def _text(message: Message, key: str) -> str:
    value = message.get(key)
    return value if isinstance(value, str) else ""


def _part(message: Message, key: str) -> dict[str, object]:
    value = message.get(key)
    return value if isinstance(value, dict) else {}


# --------------------------------------------------------------------------- keys


def key_file() -> dict[str, str]:
    """This system's public key file: ``{"instance", "name", "public_key"}``."""
    root = Unit.objects.filter(depth=1).order_by("path").first()
    return {
        "instance": settings.JISHENG_INSTANCE_ID,
        "name": root.name if root is not None else settings.JISHENG_INSTANCE_ID,
        "public_key": keys.public_key_text(),
    }


def peer_key_add(*, actor: User | None, content: object) -> PeerKey:
    """Add (or replace) the public key of another system from its key file's content
    (a dict, or JSON text). Refuses a damaged file and this system's own id."""
    data = content
    if isinstance(content, str | bytes):
        try:
            data = json.loads(content)
        except ValueError:
            data = None
    errors: dict[str, str] = {}
    if not isinstance(data, dict):
        raise ValidationError({"file": _("This is not a key file of another system.")})
    instance = str(data.get("instance", "")).strip()
    name = str(data.get("name", "") or instance).strip()[:100]
    public = str(data.get("public_key", "")).strip()
    if not instance or len(instance) > 64:
        errors["instance"] = _("The key file names no system.")
    elif instance == settings.JISHENG_INSTANCE_ID:
        errors["instance"] = _("This is the key of this system itself.")
    try:
        keys.load_public_key(public)
    except ValueError:
        errors["public_key"] = _("The key file holds no valid public key.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        peer, created = PeerKey.objects.update_or_create(
            instance=instance,
            defaults={
                "name": name,
                "public_key": public,
                "is_active": True,
                "added_by": audit.user_of(actor),
            },
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=peer,
            changes={"instance": [None, instance], "public_key": [None, public]},
        )
    return peer


# --------------------------------------------------------------------------- export


def message_of(notice: Notice, *, now: datetime.datetime) -> Message:
    """The unsigned message of an outgoing notice."""
    person = notice.person
    number = crypto.decrypt(notice.id_number_encrypted) if notice.id_number_encrypted else ""
    birth_date = person.birth_date.isoformat() if person is not None else None
    sex = person.sex if person is not None else ""
    if number and birth_date is None:
        try:
            parsed = idnumber.parse(number)
            birth_date, sex = parsed.birth_date.isoformat(), parsed.sex
        except ValidationError:
            pass
    sender = notice.sender_unit
    reply_to = notice.in_reply_to
    return {
        "version": VERSION,
        "uid": str(notice.uid),
        "kind": notice.kind,
        "instance": notice.instance or settings.JISHENG_INSTANCE_ID,
        "sender": {
            "code": notice.sender_code,
            "name": sender.name if sender is not None else notice.sender_code,
        },
        "receiver": {"code": notice.receiver_code},
        "created_at": notice.created_at.isoformat() if notice.created_at else now.isoformat(),
        "person": {
            "name": notice.person_name,
            "id_number": number,
            "birth_date": birth_date,
            "sex": sex,
        },
        "event_on": notice.event_on.isoformat(),
        "payload": dict(notice.payload),
        "in_reply_to": str(reply_to.uid) if reply_to is not None else None,
        "corrects": str(notice.corrects_uid) if notice.corrects_uid else None,
    }


def to_export(actor: User | None, *, receiver_code: str = "") -> list[Notice]:
    """The outgoing notices and replies of the actor's offices not exported yet (all of
    them for the system itself, ``actor`` None), oldest first."""
    qs = Notice.objects.filter(direction=Direction.OUTGOING, exported_at__isnull=True).exclude(
        receiver_code=""
    )
    if actor is not None:
        qs = restrict_any(qs, actor, ("sender_unit__path",))
    if receiver_code:
        qs = qs.filter(receiver_code=receiver_code)
    return list(
        qs.select_related("sender_unit", "person", "in_reply_to").order_by("created_at", "id")
    )


def export_file(
    *, actor: User | None, receiver_code: str = "", notices: list[Notice] | None = None
) -> dict[str, object]:
    """A signed file of every outgoing notice/reply not exported yet (to
    ``receiver_code`` only, when given); marks them exported now, and their reply due
    (the pack's ``reply_within_days`` after today). Audited as an export."""
    now = timezone.now()
    today = timezone.localdate()
    rows = notices if notices is not None else to_export(actor, receiver_code=receiver_code)
    messages: list[object] = []
    days: dict[int | None, int] = {}
    with transaction.atomic():
        for notice in rows:
            message = message_of(notice, now=now)
            message["signature"] = keys.sign(message)
            messages.append(message)
            notice.message = message
            notice.signature = str(message["signature"])
            notice.exported_at = now
            if notice.kind != NoticeKind.REPLY and notice.corrects_uid is None:
                unit_id = notice.sender_unit_id
                if unit_id not in days:
                    days[unit_id] = services.reply_days(notice.sender_unit, today)
                notice.reply_due = today + datetime.timedelta(days=days[unit_id])
        Notice.objects.bulk_update(
            rows, ["message", "signature", "exported_at", "reply_due"], batch_size=1000
        )
        audit.record(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type="exchange.notice",
            object_repr=_("Notifications exported"),
            changes={"messages": len(rows), "receiver_code": receiver_code},
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "instance": settings.JISHENG_INSTANCE_ID,
        "created_at": now.isoformat(),
        "messages": messages,
    }


# --------------------------------------------------------------------------- import


@dataclass
class ImportRow:
    index: int  # 1-based position in the file
    uid: str
    outcome: str
    reason: str = ""


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    file_error: str = ""

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(r.outcome for r in self.rows)
        return {o.value: found.get(o.value, 0) for o in ImportOutcome}

    def lines(self) -> list[str]:
        """The report in words (Chinese when the language is)."""
        if self.file_error:
            return [self.file_error]
        labels = dict(ImportOutcome.choices)
        out = [
            _("%(total)s messages: ") % {"total": len(self.rows)}
            + "，".join(f"{labels[k]} {v}" for k, v in self.counts.items() if v)
        ]
        for row in self.rows:
            if row.outcome == ImportOutcome.REFUSED:
                out.append(
                    _("Message %(index)s (%(uid)s): %(reason)s")
                    % {"index": row.index, "uid": row.uid or "-", "reason": row.reason}
                )
        return out


def _parse_file(content: object) -> tuple[list[object], str]:
    data = content
    if isinstance(content, bytes | str):
        try:
            data = json.loads(content)
        except ValueError:
            return [], _("The file is not a JSON exchange file.")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return [], _("The file is not a jisheng exchange file.")
    if data.get("version") != VERSION:
        return [], _("The file is of format version %(version)s; this system reads version 1.") % {
            "version": data.get("version")
        }
    messages = data.get("messages")
    if not isinstance(messages, list):
        return [], _("The file holds no list of messages.")
    if len(messages) > MAX_MESSAGES:
        return [], _("The file holds more than %(n)s messages; split it.") % {"n": MAX_MESSAGES}
    return messages, ""


def _schema_reason(message: Message) -> str:
    error = next(iter(message_validator().iter_errors(message)), None)
    if error is None:
        return ""
    where = "/".join(str(p) for p in error.absolute_path) or _("the message")
    return _("The message does not follow the format (%(where)s).") % {"where": where}


def _uuid(text: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text)) if text else None
    except ValueError:
        return None


def import_file(*, actor: User | None, content: object) -> ImportReport:
    """Import a file of another system (a dict, or JSON text/bytes): see the module.
    ``actor`` None is the system (the command); a user imports only messages to units
    of their scope (others refused: "not addressed to your office")."""
    report = ImportReport()
    messages, error = _parse_file(content)
    if error:
        report.file_error = error
        return report
    uids = {str(m.get("uid")) for m in messages if isinstance(m, dict) and _uuid(m.get("uid"))}
    seen = {
        str(u)
        for u in Notice.objects.filter(uid__in=[uuid.UUID(u) for u in uids]).values_list(
            "uid", flat=True
        )
    }
    peers: dict[str, Ed25519PublicKey] = {}
    for peer in PeerKey.objects.filter(is_active=True):
        try:
            peers[peer.instance] = keys.load_public_key(peer.public_key)
        except ValueError:
            continue
    codes = {
        str(_part(m, "receiver").get("code"))
        for m in messages
        if isinstance(m, dict) and isinstance(m.get("receiver"), dict)
    }
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    scope = user_scope_path(actor) if actor is not None else ""
    now = timezone.now()
    today = timezone.localdate()
    accepted: list[tuple[ImportRow, Message, Unit]] = []
    in_file: set[str] = set()
    for index, raw in enumerate(messages, start=1):
        message: Message = raw if isinstance(raw, dict) else {}
        uid_text = _text(message, "uid")
        row = ImportRow(index=index, uid=uid_text, outcome=ImportOutcome.REFUSED)
        report.rows.append(row)
        if not message:
            row.reason = _("The message is not a JSON object.")
            continue
        if message.get("version") != VERSION:
            row.reason = _(
                "The message is of format version %(version)s; this system reads version 1."
            ) % {"version": message.get("version")}
            continue
        if uid_text in seen or uid_text in in_file:
            row.outcome, row.reason = ImportOutcome.DUPLICATE, ""
            continue
        reason = _schema_reason(message)
        if reason:
            row.reason = reason
            continue
        instance = _text(message, "instance")
        public = peers.get(instance)
        if public is None:
            row.reason = _(
                "The sending system %(instance)s is unknown here: add its key first."
            ) % {"instance": instance}
            continue
        if not keys.verify(message, public):
            row.reason = _(
                "The signature does not match: the message was changed or not "
                "signed by %(instance)s."
            ) % {"instance": instance}
            continue
        code = str(_part(message, "receiver").get("code", ""))
        unit = units.get(code)
        if unit is None:
            row.reason = _("The receiver unit code %(code)s is not a unit of this system.") % {
                "code": code
            }
            continue
        if scope is None or not unit.path.startswith(scope):
            row.reason = _("The message is not addressed to your office (%(code)s).") % {
                "code": code
            }
            continue
        in_file.add(uid_text)
        accepted.append((row, message, unit))
    if accepted:
        _write(accepted, actor=actor, now=now, today=today)
    audit.record(
        actor=actor,
        action=AuditAction.IMPORT,
        object_type="exchange.notice",
        object_repr=_("Notifications imported"),
        changes=report.counts,
    )
    return report


def _person_fields(message: Message) -> tuple[str, str, str]:
    person = _part(message, "person")
    number = str(person.get("id_number") or "")
    return str(person.get("name") or ""), number, crypto.lookup_hash(number) if number else ""


def _write(
    accepted: list[tuple[ImportRow, Message, Unit]],
    *,
    actor: User | None,
    now: datetime.datetime,
    today: datetime.date,
) -> None:
    """Write the accepted messages: new notices, replies and corrections applied, held
    corrections released."""
    hashes = {_person_fields(m)[2] for _r, m, _u in accepted} - {""}
    persons = (
        dict(Person.objects.filter(id_hash__in=hashes).values_list("id_hash", "pk"))
        if hashes
        else {}
    )
    refs = {
        u
        for _r, m, _u in accepted
        for u in (_uuid(m.get("in_reply_to")), _uuid(m.get("corrects")))
        if u is not None
    }
    own_uids = [u for u in (_uuid(m.get("uid")) for _r, m, _u in accepted) if u is not None]
    with transaction.atomic():
        originals = (
            {n.uid: n for n in Notice.objects.select_for_update().filter(uid__in=refs)}
            if refs
            else {}
        )
        held = {
            n.corrects_uid: n
            for n in Notice.objects.select_for_update().filter(
                corrects_uid__in=own_uids, status=NoticeStatus.HELD
            )
        }
        days: dict[int, int] = {}
        new: list[Notice] = []
        rows: list[ImportRow] = []
        for row, message, unit in accepted:
            name, number, id_hash = _person_fields(message)
            event_on = parse_date(_text(message, "event_on")) or today
            kind = _text(message, "kind")
            notice = Notice(
                uid=uuid.UUID(_text(message, "uid")),
                kind=kind,
                direction=Direction.INCOMING,
                status=NoticeStatus.CLOSED if kind == NoticeKind.REPLY else NoticeStatus.SENT,
                instance=_text(message, "instance"),
                sender_code=str(_part(message, "sender").get("code", "")),
                receiver_code=unit.code,
                receiver_unit=unit,
                person_id=persons.get(id_hash),
                person_name=name,
                id_number_encrypted=crypto.encrypt(number) if number else "",
                id_hash=id_hash,
                event_on=event_on,
                payload=_part(message, "payload"),
                message=message,
                signature=_text(message, "signature"),
                received_at=now,
                created_by=audit.user_of(actor),
            )
            if notice.status == NoticeStatus.SENT:
                if unit.pk not in days:
                    days[unit.pk] = services.reply_days(unit, today)
                notice.reply_due = today + datetime.timedelta(days=days[unit.pk])
            reply_to = _uuid(message.get("in_reply_to"))
            if reply_to is not None:
                original = originals.get(reply_to)
                if original is None or original.direction != Direction.OUTGOING:
                    row.reason = _("The notification it replies to was not sent by this system.")
                    continue
                notice.in_reply_to = original
            corrects = _uuid(message.get("corrects"))
            if corrects is not None:
                notice.corrects_uid = corrects
                notice.reply_due = None
                notice.status = NoticeStatus.HELD
                row.outcome = ImportOutcome.HELD
            else:
                row.outcome = ImportOutcome.ADDED
            new.append(notice)
            rows.append(row)
        Notice.objects.bulk_create(new, batch_size=1000)
        by_uid = {n.uid: n for n in new}
        changed: dict[int, tuple[Notice, set[str]]] = {}

        def touch(notice: Notice, fields: list[str]) -> None:
            notice.updated_at = now  # bulk_update leaves auto_now alone
            entry = changed.setdefault(notice.pk, (notice, set()))
            entry[1].update(fields)

        contacts: list[Notice] = []
        for notice, row in zip(new, rows, strict=True):
            if notice.in_reply_to is not None:
                original = notice.in_reply_to
                if original.status == NoticeStatus.SENT:
                    original.status = NoticeStatus.REPLIED
                    original.replied_at = now
                    touch(original, ["status", "replied_at", "updated_at"])
            if notice.corrects_uid is not None:
                target = originals.get(notice.corrects_uid) or by_uid.get(notice.corrects_uid)
                if target is not None:
                    touch(target, services.apply_correction(target, notice))
                    touch(notice, ["status", "updated_at"])
                    row.outcome = ImportOutcome.APPLIED
            if notice.kind == NoticeKind.CONTACT:
                contacts.append(notice)
            waiting = held.get(notice.uid)
            if waiting is not None:  # a correction that came first: apply it now
                touch(notice, services.apply_correction(notice, waiting))
                touch(waiting, ["status", "updated_at"])
        by_fields: dict[tuple[str, ...], list[Notice]] = {}
        for notice, fields in changed.values():
            by_fields.setdefault(tuple(sorted(fields)), []).append(notice)
        for fields_key, group in by_fields.items():
            Notice.objects.bulk_update(group, list(fields_key), batch_size=500)
        services.contacts_on_outflows(actor=actor, notices=contacts)
