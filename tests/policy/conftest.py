"""Fixtures of the policy-pack tests.

The tests read the Chinese texts (the interface language by default).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

from jisheng.policy.services import PACKS_DIR

HERE = Path(__file__).parent


@pytest.fixture(autouse=True)
def _chinese():
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


def pack_file(name: str) -> str:
    return (PACKS_DIR / name).read_text(encoding="utf-8")


@pytest.fixture
def default_text() -> str:
    return pack_file("default-2026.yaml")


MINIMAL = """\
id: test-pack
name: 测试政策
organisation_kind: any
version: "{version}"
effective_from: {effective_from}
target_groups:
  married_wra:
    sex: F
    age_min: 15
    age_max: 49
    marital: [first_marriage, remarried]
followup:
  target: married_wra
  methods:
    pill: {{every_months: 1}}
    iud: {{every_months: {iud_months}}}
births:
  policy_limit: {limit}
"""


def minimal(
    *,
    code: str = "test-pack",
    version: str = "1",
    effective_from: str = "2020-01-01",
    iud_months: int = 3,
    limit: int = 3,
) -> str:
    text = MINIMAL.format(
        version=version, effective_from=effective_from, iud_months=iud_months, limit=limit
    )
    return text.replace("id: test-pack", f"id: {code}")


# An assessment whose items add up to 80 points while it declares 100 (what the
# county pack did before its behaviour items became information, issue 14).
MISMATCHED_TOTAL = """\
assessment:
  total_points: 100
  targets:
    - indicator: followup_rate
      name: 随访率
      target: 95
      weight: 50
      scoring: {kind: all_or_nothing}
    - {indicator: leading_group, name: 成立领导小组, weight: 30, scoring: {kind: manual}}
"""


def mismatched_total() -> str:
    return minimal() + MISMATCHED_TOTAL


def grant(user, codename: str = "view_policypack") -> None:
    user.user_permissions.add(
        Permission.objects.get(codename=codename, content_type__app_label="policy")
    )
    # drop Django's per-object permission cache
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)
