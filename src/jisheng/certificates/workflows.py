"""The status machine of a certificate, run by ``core.workflow``.

applied ─review→ reviewed ─issue→ issued          (a kind with ``review: false``:
applied ─issue→ issued)                            applied ─issue→ issued directly)
applied / reviewed ─return (message)→ returned ─resubmit→ applied
issued ─revoke (reason)→ revoked
issued ─reissue→ replaced                          (``services.certificate_reissue``)
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from jisheng.certificates import services
from jisheng.certificates.choices import CertificateStatus as S
from jisheng.certificates.kinds import kind
from jisheng.core import workflow as wf

CHANGE = "certificates.change_certificate"
ADD = "certificates.add_certificate"


def _no_review_needed(ctx: wf.Context) -> None:
    if kind(ctx.obj.kind).review:
        raise ValidationError(_("This kind of certificate is reviewed before it is issued."))


CERTIFICATE = wf.Workflow(
    model="certificates.certificate",
    steps=(
        wf.Step(
            S.APPLIED, S.REVIEWED, wf.APPROVE, CHANGE, label=pgettext_lazy("certificate", "Review")
        ),
        wf.Step(
            S.APPLIED,
            S.ISSUED,
            wf.APPROVE,
            CHANGE,
            guards=(_no_review_needed,),
            hook=services.issue_hook,
            label=pgettext_lazy("certificate", "Issue"),
        ),
        wf.Step(
            S.REVIEWED,
            S.ISSUED,
            wf.APPROVE,
            CHANGE,
            hook=services.issue_hook,
            label=pgettext_lazy("certificate", "Issue"),
        ),
        wf.Step(S.APPLIED, S.RETURNED, wf.RETURN, CHANGE),
        wf.Step(S.REVIEWED, S.RETURNED, wf.RETURN, CHANGE),
        wf.Step(
            S.RETURNED,
            S.APPLIED,
            wf.SUBMIT,
            ADD,
            hook=services.resubmit_hook,
            label=pgettext_lazy("certificate", "Apply again"),
        ),
        wf.Step(
            S.ISSUED,
            S.REVOKED,
            wf.CANCEL,
            CHANGE,
            needs_message=True,
            hook=services.revoke_hook,
            label=pgettext_lazy("certificate", "Revoke"),
        ),
        wf.Step(
            S.ISSUED,
            S.REPLACED,
            wf.SUPERSEDE,
            CHANGE,
            needs_message=True,
            label=pgettext_lazy("certificate", "Reissue"),
        ),
    ),
    scope_path=lambda c: c.unit.path,
    unit_of=lambda c: c.issuer,
    url=lambda c: reverse("certificates:detail", args=[c.pk]),
    name=lambda c: f"{kind(c.kind).title} {c.holder_name}",
    kind_label=gettext_lazy("certificate"),
)


def register() -> None:
    wf.register(CERTIFICATE)
