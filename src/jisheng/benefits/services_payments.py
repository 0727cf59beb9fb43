"""Payments (发放, issue 18): bank accounts (直通车), the payment roster (发放花名册), the
bank's export and return files, and failed payments back to the office.

Every act on a batch is the PAY power (四权分离): :func:`duties.check` before the
transaction (a refusal audited), :func:`duties.exercise` inside it (the batch locked, the
act recorded). Money is ``Decimal`` throughout; sums are made in Python over the stored
fen, never by the database's own arithmetic. The full account number leaves the
database only in the bank's file and in the audited :func:`account_number_read`.

A batch's status moves (FUNDED → EXPORTED → CLOSED) in :func:`_move`: through
``jisheng.core.workflow`` when a workflow is registered for ``benefits.batch`` (the flow
part's), else set here with an audit row.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.benefits import accounts, bankfiles, duties
from jisheng.benefits.choices import (
    BankFileDirection,
    BatchStatus,
    CaseStatus,
    PaymentStatus,
    Power,
)
from jisheng.benefits.models import BankAccount, BankFile, Batch, Case, Payment
from jisheng.benefits.services_changes import mark_cases_paid
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.scope import require_in_scope
from jisheng.core.workflow import transition
from jisheng.orgs.models import Unit, User
from jisheng.people.models import Person

FEN = Decimal("0.01")
CHUNK = 2000
T = TypeVar("T")


# --------------------------------------------------------------------------- status


def _move(batch: Batch, to: str, actor: User | None) -> None:
    """Move ``batch`` to status ``to`` through the batch's workflow
    (``benefits/workflows.py``: a Decision row and the audit)."""
    transition(actor=actor, obj=batch, to=to)


def _fresh(batch: Batch) -> Batch:
    """The batch as stored now (a page's copy may be older than the last act)."""
    return Batch.objects.select_related("unit").get(pk=batch.pk)


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --------------------------------------------------------------------------- accounts


def account_record(
    *,
    actor: User | None,
    person: Person,
    bank: str,
    holder_name: str,
    number: str,
) -> BankAccount:
    """Record ``person``'s account (直通车); the one in use before is kept, no longer
    in use. The number is validated, stored encrypted with its hash and mask; the audit
    row holds the mask only."""
    require_in_scope(actor, person)
    bank = (bank or "").strip()
    holder_name = (holder_name or "").strip()
    errors: dict[str, str] = {}
    if not bank:
        errors["bank"] = _("Enter the bank (开户行).")
    if not holder_name:
        errors["holder_name"] = _("Enter the account holder's name.")
    try:
        stored = accounts.protect(number)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        stored = None
    if errors or stored is None:
        raise ValidationError(errors)
    with transaction.atomic():
        current = list(
            BankAccount.objects.select_for_update().filter(person=person, is_active=True)
        )
        for old in current:
            same = old.number_hash == stored.hash and old.bank == bank
            if same and old.holder_name == holder_name:
                raise ValidationError({"number": _("This account is already the one in use.")})
        replaced = [a.number_masked for a in current]
        BankAccount.objects.filter(pk__in=[a.pk for a in current]).update(
            is_active=False, updated_at=timezone.now()
        )
        account = BankAccount.objects.create(
            person=person,
            unit=person.unit,
            bank=bank,
            holder_name=holder_name,
            number_encrypted=stored.encrypted,
            number_hash=stored.hash,
            number_masked=stored.masked,
            is_active=True,
            recorded_by=audit.user_of(actor),
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=account,
            object_repr=f"{person.name} {stored.masked}",
            changes={
                "number_masked": [", ".join(replaced) or None, stored.masked],
                "bank": [None, bank],
            },
        )
    return account


def account_number_read(*, actor: User | None, account: BankAccount) -> str:
    """The full number of ``account`` for the user who must see it: audited (``view``)."""
    require_in_scope(actor, account)
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=account,
        object_repr=account.number_masked,
        message=_("Read the full account number."),
    )
    return accounts.reveal(account.number_encrypted)


# --------------------------------------------------------------------------- roster


@dataclass
class RosterResult:
    created: int
    relinked: int
    reissued: int
    without_account: int
    total: Decimal


def _active_accounts(person_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted(set(person_ids))
    found: dict[int, int] = {}
    for chunk in _chunks(ids):
        for pk, person_id in BankAccount.objects.filter(
            person_id__in=chunk, is_active=True
        ).values_list("pk", "person_id"):
            found[person_id] = pk
    return found


def _require_status(batch: Batch, allowed: Sequence[str], what: str) -> None:
    if batch.status not in allowed:
        raise ValidationError(
            _("%(what)s: the batch is “%(status)s”; it must be “%(allowed)s”.")
            % {
                "what": what,
                "status": BatchStatus(batch.status).label,
                "allowed": "、".join(str(BatchStatus(s).label) for s in allowed),
            }
        )


def reissue_candidates(batch: Batch) -> QuerySet[Payment]:
    """Failed payments of the same kind in the batch's subtree, handled by the office
    (account fixed), not yet paid again: the new roster takes them."""
    return (
        Payment.objects.filter(
            status=PaymentStatus.FAILED,
            failure_seen=True,
            reissued_by__isnull=True,
            batch__kind=batch.kind,
            unit__path__startswith=batch.unit.path,
        )
        .exclude(batch=batch)
        .order_by("unit__path", "pk")
    )


def _insert_case_lines(batch: Batch, *, after_line: int) -> int:
    """One roster line for each approved case of ``batch`` not on it yet, numbered
    after ``after_line`` by village (the unit's tree path) then case, each with the
    beneficiary's account in use (none: the line waits for one) — one INSERT … SELECT,
    so a county's 50,000 lines take a second, not a minute of row-by-row inserts."""
    q = connection.ops.quote_name
    payment, case = Payment._meta.db_table, Case._meta.db_table
    person, unit = Person._meta.db_table, Unit._meta.db_table
    account = BankAccount._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    order = f"ROW_NUMBER() OVER (ORDER BY u.{q('path')}, c.{q('id')})"
    columns = (
        "created_at", "updated_at", "batch_id", "case_id", "beneficiary_id", "payee_name",
        "unit_id", "line", "reference", "account_id", "amount", "status", "failure_reason",
        "failure_seen",
    )  # fmt: skip
    sql = (
        f"INSERT INTO {q(payment)} ({', '.join(q(c) for c in columns)}) "
        f"SELECT %s, %s, c.{q('batch_id')}, c.{q('id')}, c.{q('beneficiary_id')}, "
        f"p.{q('name')}, c.{q('unit_id')}, %s + {order}, "
        f"%s || CAST(%s + {order} AS TEXT), "
        f"(SELECT a.{q('id')} FROM {q(account)} a WHERE a.{q('person_id')} = "
        f"c.{q('beneficiary_id')} AND a.{q('is_active')} ORDER BY a.{q('id')} DESC LIMIT 1), "
        f"c.{q('amount')}, %s, '', %s "
        f"FROM {q(case)} c JOIN {q(person)} p ON p.{q('id')} = c.{q('beneficiary_id')} "
        f"JOIN {q(unit)} u ON u.{q('id')} = c.{q('unit_id')} "
        f"WHERE c.{q('batch_id')} = %s AND c.{q('status')} = %s AND c.{q('eligible')} "
        f"AND NOT EXISTS (SELECT 1 FROM {q(payment)} x WHERE x.{q('case_id')} = c.{q('id')})"
    )
    params = [
        now, now, after_line, f"B{batch.pk}-", after_line, PaymentStatus.PENDING, False,
        batch.pk, CaseStatus.APPROVED,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def roster_build(*, actor: User | None, batch: Batch) -> RosterResult:
    """Build (or bring up to date) the payment roster of a FUNDED batch: one line per
    approved case not yet on it, each with the beneficiary's account in use; failed
    payments of earlier batches of the kind that the office handled are paid again
    here (the old line REISSUED). Lines already there whose account was missing or
    replaced take the account in use now. A case without an account stays on the
    roster without one: it blocks the export until the office records it."""
    batch = _fresh(batch)
    duties.check(batch, actor, Power.PAY, action="roster")
    _require_status(batch, [BatchStatus.FUNDED], _("Payment roster"))
    with transaction.atomic():
        duties.exercise(batch, actor, Power.PAY, action="roster")
        batch = Batch.objects.select_related("unit").get(pk=batch.pk)
        _require_status(batch, [BatchStatus.FUNDED], _("Payment roster"))
        existing = list(
            Payment.objects.filter(batch=batch).values_list(
                "pk", "case_id", "beneficiary_id", "account_id", "status", "line"
            )
        )
        if any(row[4] != PaymentStatus.PENDING for row in existing):
            raise ValidationError(_("This roster has been sent to the bank; it cannot change."))
        reissues = list(
            reissue_candidates(batch).values_list(
                "pk", "beneficiary_id", "payee_name", "unit_id", "amount"
            )
        )
        people = [r[1] for r in reissues if r[1] is not None]
        people += [row[2] for row in existing if row[2] is not None]
        account_of = _active_accounts(people)
        # lines already on the roster: the account in use now
        relinked = 0
        for pk, _case, person_id, account_id, _status, _line in existing:
            now = account_of.get(person_id) if person_id is not None else None
            if now != account_id:
                Payment.objects.filter(pk=pk).update(account_id=now, updated_at=timezone.now())
                relinked += 1
        line = max((row[5] for row in existing), default=0)
        created = _insert_case_lines(batch, after_line=line)
        line += created
        new: list[Payment] = []
        for old_id, person_id, name, unit_id, amount in reissues:
            line += 1
            new.append(
                Payment(
                    batch=batch,
                    beneficiary_id=person_id,
                    payee_name=name,
                    unit_id=unit_id,
                    line=line,
                    reference=f"B{batch.pk}-{line}",
                    account_id=account_of.get(person_id) if person_id else None,
                    amount=amount,
                    status=PaymentStatus.PENDING,
                    reissue_of_id=old_id,
                )
            )
        Payment.objects.bulk_create(new, batch_size=CHUNK)
        if reissues:
            Payment.objects.filter(pk__in=[r[0] for r in reissues]).update(
                status=PaymentStatus.REISSUED, updated_at=timezone.now()
            )
        lines = list(Payment.objects.filter(batch=batch).values_list("amount", "account_id"))
        total = sum((a for a, _acc in lines), Decimal("0.00"))
        missing = sum(1 for _a, acc in lines if acc is None)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=batch,
            message=_(
                "Payment roster: %(new)s lines added, %(re)s paid again, total %(total)s yuan."
            )
            % {"new": created, "re": len(reissues), "total": total},
            changes={
                "roster_lines": [len(existing), len(lines)],
                "roster_total": [None, str(total)],
            },
        )
    return RosterResult(created, relinked, len(reissues), missing, total)


# --------------------------------------------------------------------------- export


@dataclass
class Exported:
    bank_file: BankFile
    content: bytes
    filename: str
    content_type: str


def roster_export(*, actor: User | None, batch: Batch) -> Exported:
    """The bank's file of the batch's roster in the layout of its kind: the full
    account numbers appear here only. Audited (``export``, the file's SHA-256) and kept
    as a :class:`BankFile`; the lines and the batch go to EXPORTED. A batch already sent
    gives the same lines again (a lost file), audited the same way."""
    batch = _fresh(batch)
    duties.check(batch, actor, Power.PAY, action="export")
    _require_status(batch, [BatchStatus.FUNDED, BatchStatus.EXPORTED], _("Export for the bank"))
    key, layout = bankfiles.layout_for(batch)
    with transaction.atomic():
        duties.exercise(batch, actor, Power.PAY, action="export")
        batch = Batch.objects.select_related("unit").get(pk=batch.pk)
        sending = (
            [PaymentStatus.PENDING]
            if batch.status == BatchStatus.FUNDED
            else [PaymentStatus.EXPORTED]
        )
        rows = list(
            Payment.objects.filter(batch=batch, status__in=sending)
            .order_by("line")
            .values_list(
                "pk",
                "line",
                "reference",
                "payee_name",
                "amount",
                "account__number_encrypted",
                "account__bank",
                "account__is_active",
                "unit__name",
                "unit__code",
            )
        )
        if not rows:
            raise ValidationError(_("The roster has no line to send: build it first."))
        blocked = [r for r in rows if r[5] is None or not r[7]]
        if blocked:
            raise ValidationError(
                _(
                    "%(n)s lines have no account in use (e.g. %(names)s): record their accounts "
                    "and build the roster again before sending it to the bank."
                )
                % {"n": len(blocked), "names": "、".join(r[3] for r in blocked[:3])}
            )
        memo = batch.title[:40]
        written = bankfiles.write(
            layout,
            (
                {
                    "line": r[1],
                    "reference": r[2],
                    "payee": r[3],
                    "account": accounts.reveal(r[5]),
                    "amount": f"{r[4]:.2f}",
                    "bank": r[6],
                    "unit": r[8],
                    "unit_code": r[9],
                    "memo": memo,
                }
                for r in rows
            ),
        )
        digest = bankfiles.sha256(written.content)
        total = sum((r[4] for r in rows), Decimal("0.00"))
        stamp = timezone.localtime().strftime("%Y%m%d%H%M")
        filename = f"发放-{batch.pk}-{stamp}.{written.extension}"
        bank_file = BankFile.objects.create(
            batch=batch,
            unit=batch.unit,
            direction=BankFileDirection.EXPORT,
            layout=key,
            filename=filename,
            sha256=digest,
            lines=len(rows),
            accepted=len(rows),
            total_amount=total,
            by=audit.user_of(actor),
        )
        if batch.status == BatchStatus.FUNDED:
            Payment.objects.filter(batch=batch, status=PaymentStatus.PENDING).update(
                status=PaymentStatus.EXPORTED, updated_at=timezone.now()
            )
            _move(batch, BatchStatus.EXPORTED, actor)
        audit.record(
            actor=actor,
            action=AuditAction.EXPORT,
            obj=bank_file,
            object_repr=filename,
            message=_("Bank file of %(n)s lines, %(total)s yuan, SHA-256 %(sha)s")
            % {"n": len(rows), "total": total, "sha": digest},
        )
    return Exported(bank_file, written.content, filename, written.content_type)


# --------------------------------------------------------------------------- return


@dataclass
class Refused:
    row: int
    reference: str
    reason: str


@dataclass
class Imported:
    bank_file: BankFile
    seen_before: bool = False
    refused: list[Refused] = field(default_factory=list)


def _amount(text: str) -> Decimal | None:
    cleaned = (text or "").replace(",", "").replace("，", "").replace("¥", "").strip()
    try:
        value = Decimal(cleaned)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite():
        return None
    return value


def _account_matches(text: str, number_hash: str, masked: str) -> bool:
    given = accounts.normalise(text)
    if "*" in given:  # the bank returned it masked: its visible digits must agree
        shown = masked.replace(" ", "")
        return len(given) >= 8 and given[:4] == shown[:4] and given[-4:] == shown[-4:]
    return accounts.number_hash(given) == number_hash


def return_import(
    *,
    actor: User | None,
    batch: Batch,
    data: bytes,
    filename: str,
    paid_on: datetime.date | None = None,
) -> Imported:
    """Read the bank's return file of ``batch``: paid lines get ``paid_on`` (today),
    failed lines their reason — after every row is checked. A file without the
    layout's headers is refused whole (:class:`ValidationError` naming the header); a
    row with an unknown reference, a reference twice in the file or already applied, an
    amount or an account that disagrees is refused with its reason; the others are
    applied in one transaction. The same file again (its SHA-256 seen) changes
    nothing."""
    batch = _fresh(batch)
    duties.check(batch, actor, Power.PAY, action="return")
    paid_on = paid_on or timezone.localdate()
    digest = bankfiles.sha256(data)
    seen = (
        BankFile.objects.filter(batch=batch, direction=BankFileDirection.RETURN, sha256=digest)
        .order_by("pk")
        .first()
    )
    if seen is not None:
        return Imported(seen, seen_before=True)
    _require_status(batch, [BatchStatus.EXPORTED], _("Bank return file"))
    key, layout = bankfiles.layout_for(batch)
    try:
        rows = bankfiles.parse_return(layout, data, filename)
    except bankfiles.BankFileError as exc:
        audit.record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=batch,
            message=_("Bank return file refused: %(reason)s") % {"reason": str(exc)},
        )
        raise ValidationError({"file": str(exc)}) from exc
    paid_values = {v.strip() for v in layout.paid_values}
    with transaction.atomic():
        duties.exercise(batch, actor, Power.PAY, action="return")
        seen = BankFile.objects.filter(
            batch=batch, direction=BankFileDirection.RETURN, sha256=digest
        ).first()
        if seen is not None:  # the same file, imported while this request waited
            return Imported(seen, seen_before=True)
        known: dict[str, tuple[int, Decimal, str, str, str, int | None, int | None]] = {}
        for pk, ref, amount, status, nhash, masked, case_id, reissue_of in Payment.objects.filter(
            batch=batch
        ).values_list(
            "pk",
            "reference",
            "amount",
            "status",
            "account__number_hash",
            "account__number_masked",
            "case_id",
            "reissue_of_id",
        ):
            known[ref] = (pk, amount, status, nhash or "", masked or "", case_id, reissue_of)
        counts: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            counts[row.values["reference"].strip()].append(row.number)
        refused: list[Refused] = []
        paid: list[int] = []
        paid_cases: list[int] = []
        failed: dict[str, list[int]] = defaultdict(list)
        failed_cases: list[int] = []
        total = Decimal("0.00")
        for row in rows:
            ref = row.values["reference"].strip()
            reason = ""
            payment = known.get(ref)
            given = _amount(row.values["amount"])
            status_text = row.values["status"].strip()
            if not ref:
                reason = _("The reference (流水号) is empty.")
            elif len(counts[ref]) > 1:
                reason = _("The reference appears more than once in the file (rows %(rows)s).") % {
                    "rows": "、".join(str(n) for n in counts[ref])
                }
            elif payment is None:
                reason = _("No line of this roster has this reference.")
            elif payment[2] != PaymentStatus.EXPORTED:
                reason = _("This line was already applied (“%(status)s”).") % {
                    "status": PaymentStatus(payment[2]).label
                }
            elif given is None:
                reason = _("The amount “%(v)s” is not a number.") % {"v": row.values["amount"]}
            elif given != payment[1]:
                reason = _("The amount %(given)s disagrees with the roster's %(ours)s.") % {
                    "given": row.values["amount"],
                    "ours": payment[1],
                }
            elif not _account_matches(row.values["account"], payment[3], payment[4]):
                reason = _("The account number disagrees with the roster's (%(masked)s).") % {
                    "masked": payment[4]
                }
            elif not status_text:
                reason = _("The status (状态) is empty.")
            if reason:
                refused.append(Refused(row.number, ref, reason))
                continue
            assert payment is not None
            if status_text in paid_values:
                paid.append(payment[0])
                total += payment[1]
                if payment[5] is not None:
                    paid_cases.append(payment[5])
                if payment[6] is not None:  # paid again: the first line's case is paid
                    paid_cases.extend(
                        Case.objects.filter(payment__pk=payment[6]).values_list("pk", flat=True)
                    )
            else:
                why = (row.values["reason"].strip() or status_text)[:200]
                failed[why].append(payment[0])
                if payment[5] is not None:
                    failed_cases.append(payment[5])
        batch = Batch.objects.select_related("unit").get(pk=batch.pk)
        accepted = len(paid) + sum(len(v) for v in failed.values())
        bank_file = BankFile.objects.create(
            batch=batch,
            unit=batch.unit,
            direction=BankFileDirection.RETURN,
            layout=key,
            filename=filename[:200],
            sha256=digest,
            lines=len(rows),
            accepted=accepted,
            refused=len(refused),
            total_amount=total,
            report=[{"row": r.row, "reference": r.reference, "reason": r.reason} for r in refused],
            by=audit.user_of(actor),
        )
        now = timezone.now()
        for chunk in _chunks(paid):
            Payment.objects.filter(pk__in=chunk).update(
                status=PaymentStatus.PAID,
                paid_on=paid_on,
                returned_in=bank_file,
                failure_reason="",
                updated_at=now,
            )
        for why, ids in failed.items():
            for chunk in _chunks(ids):
                Payment.objects.filter(pk__in=chunk).update(
                    status=PaymentStatus.FAILED,
                    failure_reason=why,
                    returned_in=bank_file,
                    failure_seen=False,
                    updated_at=now,
                )
        for status, case_ids in ((CaseStatus.PAID, paid_cases), (CaseStatus.FAILED, failed_cases)):
            for chunk in _chunks(case_ids):
                Case.objects.filter(pk__in=chunk).update(status=status, updated_at=now)
        # the entitlements are paid through the months of the paid cases (overpayments
        # of a stop found meanwhile listed for the office: services_changes)
        mark_cases_paid(case_ids=paid_cases, note=filename[:200])
        audit.record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=bank_file,
            object_repr=filename[:200],
            message=_(
                "Bank return: %(paid)s paid (%(total)s yuan), %(failed)s failed, %(refused)s rows "
                "refused; SHA-256 %(sha)s"
            )
            % {
                "paid": len(paid),
                "total": total,
                "failed": accepted - len(paid),
                "refused": len(refused),
                "sha": digest,
            },
        )
    return Imported(bank_file, refused=refused)


def batch_close(*, actor: User | None, batch: Batch) -> Batch:
    """Close a batch whose every line the bank answered (none left EXPORTED)."""
    batch = _fresh(batch)
    duties.check(batch, actor, Power.PAY, action="close")
    _require_status(batch, [BatchStatus.EXPORTED], _("Close the batch"))
    with transaction.atomic():
        duties.exercise(batch, actor, Power.PAY, action="close")
        batch = Batch.objects.select_related("unit").get(pk=batch.pk)
        waiting = Payment.objects.filter(batch=batch, status=PaymentStatus.EXPORTED).count()
        if waiting:
            raise ValidationError(
                _("%(n)s lines still wait for the bank's answer; the batch cannot close yet.")
                % {"n": waiting}
            )
        _move(batch, BatchStatus.CLOSED, actor)
    return batch


# --------------------------------------------------------------------------- failures


def failure_handle(*, actor: User | None, payment: Payment, note: str = "") -> Payment:
    """The office has dealt with a failed payment (the account fixed, or checked with a
    note): it leaves the worklist and the next roster of the kind pays it again."""
    require_in_scope(actor, payment)
    note = (note or "").strip()
    if payment.status != PaymentStatus.FAILED or payment.failure_seen:
        raise ValidationError(_("This payment is not a failure waiting for the office."))
    current = (
        BankAccount.objects.filter(person_id=payment.beneficiary_id, is_active=True).first()
        if payment.beneficiary_id
        else None
    )
    if current is None:
        raise ValidationError(
            {"note": _("Record the account in use first: the payment is made to it.")}
        )
    if current.pk == payment.account_id and not note:
        raise ValidationError(
            {
                "note": _(
                    "The account is the one that failed: record the right one, or say why it "
                    "is correct."
                )
            }
        )
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.failure_seen:
            raise ValidationError(_("This payment is not a failure waiting for the office."))
        locked.failure_seen = True
        locked.save(update_fields=["failure_seen", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            object_repr=f"{locked.reference} {locked.payee_name}",
            changes={"failure_seen": [False, True], "account": [None, current.number_masked]},
            message=note[:500],
        )
    return locked
