"""The Excel form for offices without a system (issue 17): the outgoing notices as an
.xlsx (one row per notice, Chinese headers) and the replies filled in that sheet.

A reply sheet is unsigned: it is accepted only from a signed-in user of the office that
sent the notices (the reply's receiver), row by row (the notice's id must be one of that
office's notices awaiting a reply), and audited as an unsigned Excel reply.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit, crypto, excel
from jisheng.core.choices import AuditAction
from jisheng.core.scope import path_in_scope
from jisheng.exchange import transfer
from jisheng.exchange.choices import ReplyKind
from jisheng.exchange.models import Direction, Notice, NoticeKind, NoticeStatus

if TYPE_CHECKING:
    from jisheng.orgs.models import User

EXCEL_INSTANCE = "excel"
SHEET = "双向通报"
H_UID = "通报编号"
H_SENDER_CODE = "发送单位代码"
H_SENDER = "发送单位"
H_RECEIVER_CODE = "接收单位代码"
H_KIND = "通报类别"
H_NAME = "姓名"
H_ID = "身份证号"
H_EVENT = "事项日期"
H_CONTENT = "内容"
H_REPLY_KIND = "反馈类别"
H_REPLY = "反馈内容"
HEADERS = [
    H_UID,
    H_SENDER_CODE,
    H_SENDER,
    H_RECEIVER_CODE,
    H_KIND,
    H_NAME,
    H_ID,
    H_EVENT,
    H_CONTENT,
    H_REPLY_KIND,
    H_REPLY,
]
REPLY_KINDS_ZH = {
    "已知悉": ReplyKind.NOTED,
    "已更新台账": ReplyKind.UPDATED,
    "非本地户籍": ReplyKind.NOT_OURS,
}


def export_sheet(*, actor: User | None, receiver_code: str = "") -> bytes:
    """The .xlsx of the actor's outgoing notices not exported yet (to ``receiver_code``
    only, when given); marks them exported (signed copies kept as for a JSON export)."""
    from jisheng.exchange.words import facts_line

    notices = transfer.to_export(actor, receiver_code=receiver_code)
    rows = [
        [
            str(n.uid),
            n.sender_code,
            n.sender_unit.name if n.sender_unit is not None else "",
            n.receiver_code,
            n.get_kind_display(),
            n.person_name,
            crypto.decrypt(n.id_number_encrypted) if n.id_number_encrypted else "",
            n.event_on.isoformat(),
            facts_line(n),
            "",
            "",
        ]
        for n in notices
    ]
    transfer.export_file(actor=actor, receiver_code=receiver_code, notices=notices)
    book = excel.write_workbook(title=SHEET, headers=HEADERS, rows=rows, wrap_columns=[H_CONTENT])
    return excel.workbook_bytes(book)


@dataclass
class SheetReport:
    replied: int = 0
    skipped: int = 0  # rows without a reply
    errors: list[str] = field(default_factory=list)


def import_replies(*, actor: User, source: object, filename: str | None = None) -> SheetReport:
    """Read the replies typed in a sheet of :func:`export_sheet`: each row with a reply
    becomes an incoming REPLY (unsigned, instance ``excel``) and its notice → replied.
    Refuses rows of notices that are not the actor's office's, unknown, or replied
    already, in Chinese; the other rows still go in."""
    if not getattr(actor, "is_authenticated", False):
        raise ValidationError({"file": _("Sign in to import replies from a sheet.")})
    try:
        sheet = excel.read_sheet(source, filename=filename, required_headers=[H_UID, H_REPLY])
    except excel.ExcelImportError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    report = SheetReport()
    wanted: dict[uuid.UUID, tuple[int, str, str]] = {}
    for row in sheet.rows:
        text = row.values.get(H_REPLY, "").strip()
        kind_text = row.values.get(H_REPLY_KIND, "").strip()
        if not text:
            report.skipped += 1
            continue
        try:
            uid = uuid.UUID(row.values.get(H_UID, ""))
        except ValueError:
            report.errors.append(
                _("Row %(row)s: the notification id is not valid.") % {"row": row.number}
            )
            continue
        kind = ""
        if not kind_text:
            kind = ReplyKind.NOTED
        elif kind_text in REPLY_KINDS_ZH:
            kind = REPLY_KINDS_ZH[kind_text]
        elif kind_text in ReplyKind.values:
            kind = kind_text
        if not kind:
            report.errors.append(
                _("Row %(row)s: the kind of reply is one of %(kinds)s.")
                % {"row": row.number, "kinds": "、".join(REPLY_KINDS_ZH)}
            )
            continue
        if len(text) > 500:
            report.errors.append(_("Row %(row)s: at most 500 characters.") % {"row": row.number})
            continue
        wanted[uid] = (row.number, text, kind)
    now = timezone.now()
    with transaction.atomic():
        originals = {
            n.uid: n
            for n in Notice.objects.select_for_update(of=("self",))
            .select_related("sender_unit")
            .filter(uid__in=list(wanted), direction=Direction.OUTGOING)
        }
        for uid, (number, text, kind) in wanted.items():
            original = originals.get(uid)
            if original is None or original.kind == NoticeKind.REPLY:
                report.errors.append(
                    _("Row %(row)s: no notification of this system has this id.") % {"row": number}
                )
                continue
            sender = original.sender_unit
            if sender is None or not path_in_scope(sender.path, actor):
                audit.record(
                    actor=actor,
                    action=AuditAction.DENIED,
                    obj=original,
                    message=_("Reply sheet for a notification of another office."),
                )
                report.errors.append(
                    _("Row %(row)s: the notification was not sent by your office.")
                    % {"row": number}
                )
                continue
            if original.status != NoticeStatus.SENT:
                report.errors.append(
                    _("Row %(row)s: the notification is already replied to.") % {"row": number}
                )
                continue
            reply = Notice.objects.create(
                uid=uuid.uuid4(),
                kind=NoticeKind.REPLY,
                direction=Direction.INCOMING,
                status=NoticeStatus.CLOSED,
                instance=EXCEL_INSTANCE,
                sender_code=original.receiver_code,
                receiver_code=sender.code,
                receiver_unit=sender,
                person=original.person,
                person_name=original.person_name,
                id_number_encrypted=original.id_number_encrypted,
                id_hash=original.id_hash,
                event_on=timezone.localdate(),
                payload={"reply_kind": kind, "text": text},
                in_reply_to=original,
                received_at=now,
                created_by=actor,
            )
            original.status = NoticeStatus.REPLIED
            original.replied_at = now
            original.save(update_fields=["status", "replied_at", "updated_at"])
            audit.record(
                actor=actor,
                action=AuditAction.IMPORT,
                obj=reply,
                changes={"in_reply_to": [None, str(uid)], "text": [None, text[:200]]},
                message=_("Unsigned reply from an Excel sheet, uploaded by %(user)s.")
                % {"user": actor.get_username()},
            )
            report.replied += 1
    return report
