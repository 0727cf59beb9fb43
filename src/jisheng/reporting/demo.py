"""Demo rows of the report submissions (``jisheng demo``): last month's report of the first
monthly statistical form for the villages of one township of the demo county — some
approved, some submitted, one returned with a message, the rest not started — so the
status grid, the worklist and the submission pages show something."""

from __future__ import annotations

from django.utils import timezone

from jisheng.core.periods import MONTH, containing
from jisheng.core.statforms import statforms
from jisheng.orgs.models import Unit
from jisheng.reporting import services_submission as svc
from jisheng.reporting.models import Submission


def load_demo_submissions(root: Unit | None = None) -> str:
    spec = next((s for s in statforms() if s.frequency == MONTH), None)
    if spec is None:
        return "no monthly statistical form is registered"
    if root is None:
        from jisheng.orgs.demo import COUNTY_CODE

        root = Unit.objects.filter(code=COUNTY_CODE).first()
        if root is None:
            return "no demo county"
    period = containing(timezone.localdate(), MONTH).previous()
    if Submission.objects.filter(
        form_key=spec.key, period_code=period.code, unit__path__startswith=root.path
    ).exists():
        return "already there"
    town = next((u for u in svc.children(root) if svc.children(u)), None)
    if town is None:
        return "no township with villages"
    made = 0
    for i, village in enumerate(svc.children(town)):
        if i % 4 == 3:
            continue  # not started
        for group in svc.children(village):
            # the units below a village (association groups) report first, approved
            below = svc.start(actor=None, unit=group, form_key=spec.key, period=period)
            svc.submit(actor=None, submission=below)
            svc.approve(actor=None, submission=below)
        sub = svc.start(actor=None, unit=village, form_key=spec.key, period=period)
        svc.submit(actor=None, submission=sub)
        if i % 4 == 0:
            svc.approve(actor=None, submission=sub)
        elif i % 4 == 2:
            svc.return_(actor=None, submission=sub, message="出生数与台账不一致，请核对后重报")
        made += 1
    return f"{made} reports of {spec.key} for {period.code} in {town.name}"
