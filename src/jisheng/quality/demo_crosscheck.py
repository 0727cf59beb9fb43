"""Demo data of the cross-checks: a hospital births list (出生医学证明) of the demo
county for the year up to the newest birth, made from the registry's births with a few
rows altered, one left out and one added — so the pages show every outcome."""

from __future__ import annotations

import csv
import datetime
import io

from django.db.models import Max

from jisheng.orgs.models import Unit
from jisheng.people.models import Birth
from jisheng.quality.models import CrossCheckList
from jisheng.quality.sources import HOSPITAL_BIRTHS

HEADERS = ["出生医学证明编号", "新生儿姓名", "性别", "出生日期", "母亲姓名", "接生机构"]


def load_demo_crosscheck() -> CrossCheckList | None:
    from jisheng.orgs.demo import COUNTY_CODE
    from jisheng.quality.services_crosscheck import list_import, mapping_of

    county = (
        Unit.objects.filter(code=COUNTY_CODE).first()
        or Unit.objects.filter(depth=1).order_by("path").first()
    )
    newest = Birth.objects.aggregate(day=Max("date"))["day"]
    if county is None or newest is None or CrossCheckList.objects.exists():
        return None
    last = newest
    first = last - datetime.timedelta(days=365)
    births = list(
        Birth.objects.filter(date__gte=first, date__lte=last, unit__path__startswith=county.path)
        .select_related("mother", "child")
        .order_by("date", "pk")[:300]
    )
    if not births:
        return None
    mapping = mapping_of(HOSPITAL_BIRTHS)
    headers = [
        mapping.get(k, h)
        for k, h in zip(
            ("certificate", "child_name", "sex", "birth_date", "mother_name", "hospital"),
            HEADERS,
            strict=True,
        )
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for n, birth in enumerate(births):
        if n == 3:
            continue  # left out: the registry's birth is unlisted
        sex = "男" if birth.sex == "M" else "女"
        day = birth.date
        if n == 5:
            sex = "女" if sex == "男" else "男"  # contradicting: the sex differs
        if n == 7:
            day = day + datetime.timedelta(days=2)  # the date differs
        name = birth.child.name if birth.child else birth.child_name
        writer.writerow(
            [
                f"Q{260000000 + n}",
                name,
                sex,
                f"{day:%Y年%-m月%-d日}",
                birth.mother.name,
                "县妇幼保健院",
            ]
        )
    writer.writerow(
        ["Q269999999", "", "女", f"{last:%Y/%-m/%-d}", "甄示例", "县妇幼保健院"]
    )  # missing
    writer.writerow(["Q269999998", "", "男", "2026-02-30", "甄示例", "县妇幼保健院"])  # unreadable
    return list_import(
        actor=None,
        source=HOSPITAL_BIRTHS.key,
        unit=county,
        first=first,
        last=last,
        data=out.getvalue().encode("utf-8"),
        filename="医院出生名单.csv",
    )
