"""Excel exports of the family and transfer lists (households, births, pregnancies,
management transfers), like the person list's (:mod:`jisheng.people.views_list`).

Each export writes the rows the list shows with its current filters (the list view and
its export read the query string through the same function), with Chinese column
headers, masked ID and phone numbers, and choice values as their labels. Rows are read
with ``values_list(...).iterator()`` (no model objects) and a list longer than
:data:`EXPORT_MAX_ROWS` is refused with a message asking to narrow it, so memory stays
bounded. Exports need the list's view permission and ``people.export_person`` (the
permission to export personal data), and each is written to the audit log (``export``)
with its filters and row count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import write_workbook, xlsx_response
from jisheng.core.web import require_perm
from jisheng.orgs.models import Unit
from jisheng.people import privacy
from jisheng.people.choices import (
    IdStatus,
    PregnancyOutcome,
    Sex,
    TransferReason,
    TransferStatus,
)
from jisheng.people.search import QueryKind, interpret
from jisheng.people.tables import mask_phone

EXPORT_PERSON = "people.export_person"
# Larger lists must be narrowed by the filters first (as for the person list).
EXPORT_MAX_ROWS = 100_000
CHUNK_SIZE = 2000


def can_export(request: HttpRequest) -> bool:
    return request.user.has_perm(EXPORT_PERSON)


def require_export(request: HttpRequest, view_perm: str) -> None:
    """403 unless the user may see the list (``view_perm``) and export personal data."""
    require_perm(request, view_perm)
    require_perm(request, EXPORT_PERSON)


def audited_text(value: str) -> str:
    """A search text as written to the audit log: an ID number is masked."""
    term = interpret(value)
    return term.masked() if term.kind == QueryKind.ID_NUMBER else value


def _labels(choices: Iterable[tuple[Any, Any]]) -> dict[Any, str]:
    return {value: str(label) for value, label in choices}


def _masked_id(id_masked: str | None, id_status: str | None, id_labels: dict[Any, str]) -> str:
    if id_masked:
        return id_masked
    if id_status:
        return id_labels.get(id_status, id_status)
    return ""


def export_list(
    request: HttpRequest,
    *,
    queryset: QuerySet,
    title: str,
    headers: Sequence[str],
    rows: Callable[[QuerySet], Iterable[Sequence[Any]]],
    filters: dict[str, Any],
    list_url: str,
    message: str,
    unit: Unit | None = None,
    widths: dict[str, int] | None = None,
) -> HttpResponse:
    """The filtered list ``queryset`` as an .xlsx download, audited. The caller has
    checked the permissions (:func:`require_export`).

    ``title`` names the sheet and the file; ``rows`` turns the queryset into rows in
    the order of ``headers``; ``filters`` are written to the audit log; ``message`` is
    the audit message with ``%(count)d``; ``unit`` is the unit whose subtree is listed
    (default: the user's own unit, the root of the data scope).
    """
    count = queryset.count()
    if count > EXPORT_MAX_ROWS:
        messages.error(
            request,
            _(
                "The list has %(count)d rows; an export holds at most %(max)d. Narrow it "
                "with the filters and export again."
            )
            % {"count": count, "max": EXPORT_MAX_ROWS},
        )
        return redirect(list_url)
    unit = unit if unit is not None else getattr(request.user, "unit", None)
    workbook = write_workbook(title=title, headers=headers, rows=rows(queryset), widths=widths)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=unit,
        changes={"filters": filters, "rows": count},
        message=message % {"count": count},
    )
    code = unit.code if unit is not None else "all"
    return xlsx_response(workbook, f"{title}_{code}_{timezone.localdate():%Y-%m-%d}.xlsx")


# --------------------------------------------------------------------------- households

HOUSEHOLD_TITLE = "户名单"
HOUSEHOLD_HEADERS = (
    "户编号",
    "地址",
    "户主",
    "户主公民身份号码",
    "户主联系电话",
    "现有成员数",
    "所属单位",
    "单位代码",
)


def household_rows(queryset: QuerySet) -> Iterator[tuple[Any, ...]]:
    ids = _labels(IdStatus.choices)
    rows = queryset.values_list(
        "number",
        "address",
        "head__name",
        "head__id_masked",
        "head__id_status",
        "head__phone",
        "member_count",
        "unit__name",
        "unit__code",
    )
    for number, address, head, id_masked, id_status, phone, members, unit, code in rows.iterator(
        chunk_size=CHUNK_SIZE
    ):
        yield (
            number,
            address,
            head or "",
            _masked_id(id_masked, id_status, ids) if head else "",
            mask_phone(phone or ""),
            members,
            unit,
            code,
        )


# --------------------------------------------------------------------------- births

BIRTH_TITLE = "出生名单"
BIRTH_HEADERS = (
    "出生日期",
    "孩子姓名",
    "性别",
    "孩次",
    "母亲姓名",
    "母亲公民身份号码",
    "父亲姓名",
    "父亲公民身份号码",
    "出生地点",
    "政策内(统计)",
    "所属单位",
    "单位代码",
)


def birth_rows(queryset: QuerySet) -> Iterator[tuple[Any, ...]]:
    ids = _labels(IdStatus.choices)
    sexes = _labels(Sex.choices)
    rows = queryset.values_list(
        "date",
        "child_name",
        "child__name",
        "sex",
        "computed_order",
        "order_override",
        "mother__name",
        "mother__id_masked",
        "mother__id_status",
        "father__name",
        "father__id_masked",
        "father__id_status",
        "couple__husband_id",
        "couple__outside_name",
        "couple__outside_id_masked",
        "place",
        "within_policy",
        "unit__name",
        "unit__code",
    )
    for (
        date,
        child_name,
        child_registered_name,
        sex,
        computed_order,
        order_override,
        mother,
        mother_id,
        mother_id_status,
        father,
        father_id,
        father_id_status,
        couple_husband_id,
        outside_name,
        outside_id,
        place,
        within_policy,
        unit,
        code,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        if father:
            father_id_text = _masked_id(father_id, father_id_status, ids)
        elif outside_name and couple_husband_id is None:
            # the husband of the couple lives outside the registry
            father, father_id_text = outside_name, outside_id or ""
        else:
            father, father_id_text = "", ""
        yield (
            date,
            child_name or child_registered_name or "",
            sexes.get(sex, sex),
            order_override or computed_order,
            mother,
            _masked_id(mother_id, mother_id_status, ids),
            father,
            father_id_text,
            place,
            bool(within_policy),
            unit,
            code,
        )


# --------------------------------------------------------------------------- pregnancies

PREGNANCY_TITLE = "孕情名单"
PREGNANCY_HEADERS = (
    "姓名",
    "公民身份号码",
    "出生日期",
    "联系电话",
    "登记日期",
    "预产期",
    "结果",
    "结果日期",
    "所属单位",
    "单位代码",
)


def pregnancy_rows(queryset: QuerySet, *, full_birth: bool = False) -> Iterator[tuple[Any, ...]]:
    """``full_birth``: the woman's birth date in full, else as year-month (``1990-05``:
    ``people.privacy``, for exporters without ``people.view_full_id``)."""
    ids = _labels(IdStatus.choices)
    outcomes = _labels(PregnancyOutcome.choices)
    rows = queryset.values_list(
        "woman__name",
        "woman__id_masked",
        "woman__id_status",
        "woman__birth_date",
        "woman__phone",
        "registered_on",
        "expected_on",
        "outcome",
        "outcome_on",
        "unit__name",
        "unit__code",
    )
    for (
        name,
        id_masked,
        id_status,
        birth_date,
        phone,
        registered_on,
        expected_on,
        outcome,
        outcome_on,
        unit,
        code,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        yield (
            name,
            _masked_id(id_masked, id_status, ids),
            privacy.shown_birth(birth_date, full=full_birth, fmt="month"),
            mask_phone(phone or ""),
            registered_on,
            expected_on,
            outcomes.get(outcome or "", outcome),
            outcome_on,
            unit,
            code,
        )


# --------------------------------------------------------------------------- transfers

TRANSFER_TITLE = "管理移交名单"
TRANSFER_HEADERS = (
    "姓名",
    "公民身份号码",
    "移交原因",
    "发起日期",
    "状态",
    "已历天数",
    "所属单位",
    "单位代码",
    "接收单位或乡镇",
    "移交材料",
    "完成日期",
    "移交证明编号",
)


def transfer_rows(queryset: QuerySet) -> Iterator[tuple[Any, ...]]:
    today = timezone.localdate()
    ids = _labels(IdStatus.choices)
    reasons = _labels(TransferReason.choices)
    statuses = _labels(TransferStatus.choices)
    rows = queryset.values_list(
        "person__name",
        "person__id_masked",
        "person__id_status",
        "reason",
        "opened_on",
        "status",
        "unit__name",
        "unit__code",
        "receiving_name",
        "records_handed",
        "completed_on",
        "clearance_number",
    )
    for (
        name,
        id_masked,
        id_status,
        reason,
        opened_on,
        status,
        unit,
        code,
        receiving_name,
        records_handed,
        completed_on,
        clearance_number,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        until = completed_on if status == TransferStatus.COMPLETED and completed_on else today
        yield (
            name,
            _masked_id(id_masked, id_status, ids),
            reasons.get(reason, reason),
            opened_on,
            statuses.get(status, status),
            (until - opened_on).days,
            unit,
            code,
            receiving_name,
            records_handed,
            completed_on,
            clearance_number,
        )
