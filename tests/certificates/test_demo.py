"""certificates.demo: the demo county gets certificates of each state through the
engine, numbered by the holders' townships, and a second load writes nothing."""

from __future__ import annotations

from collections import Counter

from jisheng.certificates.choices import CertificateStatus as S
from jisheng.certificates.demo import load_demo_certificates
from jisheng.certificates.models import Certificate, NumberSeries
from jisheng.core import workflow
from jisheng.orgs.demo import load_demo
from jisheng.people.demo import load_demo_persons


def test_the_demo_certificates_are_loaded_once(db):
    load_demo()
    load_demo_persons(count=400)
    written = load_demo_certificates()
    states = Counter((c.kind, c.status) for c in Certificate.objects.all())
    assert written == sum(states.values()) and written >= 6
    assert states[("status", S.APPLIED)] == 1 and states[("status", S.RETURNED)] == 1
    assert states[("migrant_marriage", S.ISSUED)] == 1
    assert states[("migrant_marriage", S.REVOKED)] == 1
    assert states[("birth_registration", S.ISSUED)] >= 1
    for cert in Certificate.objects.filter(status__in=[S.ISSUED, S.REVOKED]):
        assert cert.number and cert.code and cert.issuer.unit_type in ("township", "street")
        assert cert.unit.path.startswith(cert.issuer.path)
    returned = Certificate.objects.get(status=S.RETURNED)
    assert "用途说明" in workflow.last_return(returned).message
    series = NumberSeries.objects.count()
    assert load_demo_certificates() == 0  # idempotent
    assert Certificate.objects.count() == written and NumberSeries.objects.count() == series
