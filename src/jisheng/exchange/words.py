"""A notice's facts in words (the detail page, the Excel form): each code of the payload
through its choices' label, in the active language."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core.templatetags.cn import format_cn_date
from jisheng.exchange.choices import ReplyKind
from jisheng.exchange.models import Notice
from jisheng.migrants.models import CheckResult
from jisheng.people.choices import PregnancyOutcome, Sex
from jisheng.policy.choices import CampaignKind, Method
from jisheng.services.choices import ChangeReason, VisitWay

SERVICES = {
    "follow_up_visit": gettext_lazy("Follow-up visit"),
    "campaign_check": gettext_lazy("Campaign check"),
}
LABELS: dict[str, object] = {
    "arrived_on": gettext_lazy("Arrived on"),
    "residence": gettext_lazy("Lives in"),
    "result": gettext_lazy("Result"),
    "certificate_number": gettext_lazy("Certificate number"),
    "issuing_place": gettext_lazy("Issuing place"),
    "service": gettext_lazy("Service"),
    "way": gettext_lazy("Way"),
    "method": gettext_lazy("Method"),
    "reason": gettext_lazy("Reason"),
    "campaign": gettext_lazy("Campaign"),
    "sex": gettext_lazy("Sex of the child"),
    "outcome": gettext_lazy("Outcome"),
    "left_on": gettext_lazy("Left on"),
    "note": gettext_lazy("Note"),
    "reply_kind": gettext_lazy("Kind of reply"),
    "text": gettext_lazy("Reply"),
}
CODES: dict[str, type[models.TextChoices]] = {
    "result": CheckResult,
    "way": VisitWay,
    "method": Method,
    "reason": ChangeReason,
    "campaign": CampaignKind,
    "sex": Sex,
    "outcome": PregnancyOutcome,
    "reply_kind": ReplyKind,
}
DATES = ("arrived_on", "left_on")


def _value(key: str, value: object) -> str:
    text = "" if value is None else str(value)
    if key == "service":
        return str(SERVICES.get(text, text))
    if key in DATES:
        return format_cn_date(text)
    choices = CODES.get(key)
    if choices is not None:
        return str(dict(choices.choices).get(text, text))
    return text


def facts(notice: Notice) -> list[tuple[str, str]]:
    """(label, value) of each fact of ``notice``'s payload, known keys first."""
    payload = notice.payload if isinstance(notice.payload, dict) else {}
    keys = [k for k in LABELS if k in payload] + sorted(k for k in payload if k not in LABELS)
    return [
        (str(LABELS.get(k, k)), _value(k, payload[k])) for k in keys if payload[k] not in ("", None)
    ]


def facts_line(notice: Notice) -> str:
    """The facts on one line: 「事项日期：…；方法：…」."""
    parts = [_("Date of the event") + "：" + format_cn_date(notice.event_on)]
    parts.extend(f"{label}：{value}" for label, value in facts(notice))
    return "；".join(parts)
