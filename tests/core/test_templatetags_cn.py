"""The cn_date filter of printed documents: 2026年11月23日."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from jisheng.core.templatetags.cn import format_cn_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2026, 11, 23), "2026年11月23日"),
        (datetime.date(2026, 1, 5), "2026年1月5日"),  # no leading zeros
        ("2024-02-29", "2024年2月29日"),
        (None, ""),
        ("", ""),
        ("not a date", "not a date"),
    ],
)
def test_format(value, expected):
    assert format_cn_date(value) == expected


def test_aware_datetime_is_shown_in_local_time():
    # 2026-11-22 17:30 UTC is already 23 November in Asia/Shanghai (UTC+8)
    moment = datetime.datetime(2026, 11, 22, 17, 30, tzinfo=datetime.UTC)
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"
    assert format_cn_date(moment) == "2026年11月23日"
    assert format_cn_date(datetime.datetime(2026, 11, 22, 17, 30)) == "2026年11月22日"


def test_template_filter():
    template = Template("{% load cn %}{{ day|cn_date }}|{{ missing|cn_date }}")
    rendered = template.render(Context({"day": datetime.date(2026, 11, 23)}))
    assert rendered == "2026年11月23日|"
