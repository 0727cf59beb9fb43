"""Hand-built registry and lists for the cross-check tests (五关).

东城镇 (town) — 甲村 (village A), 乙村 (village B). Births of 2026Q1:

- b_exact: 王兰's son 王小宝, 2026-01-10, registered with his own ID number;
- b_id_other: 李梅's daughter 李朵朵, 2026-02-01, registered with her ID number;
- b_fuzzy: 陈红's daughter 刘丽, 2026-01-20 (no ID numbers on the list);
- b_twin_a, b_twin_b: two mothers both named 张敏 (A and B), a son each on 2026-03-03;
- b_unit: 周静's son 周一, 2026-02-14, in village A;
- b_unlisted: 孙悦's daughter 孙小悦, 2026-03-20: on no list;
- b_outside: 吴霞's son, 2026-03-21, in 丙社区 (another area).
"""

from __future__ import annotations

import csv
import datetime
import io
from types import SimpleNamespace

from jisheng.people.family import birth_record
from tests import factories

D = datetime.date

HUKOU_HEADERS = [
    "新生儿姓名",
    "性别",
    "出生日期",
    "公民身份号码",
    "母亲姓名",
    "母亲身份证号",
    "出生医学证明编号",
    "住址单位代码",
    "家庭住址",
]
HOSPITAL_HEADERS = [
    "出生医学证明编号",
    "新生儿姓名",
    "性别",
    "出生日期",
    "母亲姓名",
    "母亲身份证号",
]


def csv_bytes(headers: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(headers: list[str], rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build(tree, make_person) -> SimpleNamespace:
    a, b = tree.village_a, tree.village_b

    def mother(name, unit=a, seq=None):
        return make_person(
            unit=unit, name=name, birth_date=D(1994, 4, 4), **({"seq": seq} if seq else {})
        )

    def birth(mom, day, sex, name="", child_seq=None):
        return birth_record(
            actor=None,
            mother=mom,
            date=day,
            sex=sex,
            child_name=name,
            register_child=bool(child_seq),
            child_id_number=factories.id_number(day, sex, child_seq) if child_seq else "",
        )

    wang, li, chen = mother("王兰"), mother("李梅"), mother("陈红")
    zhang_a, zhang_b = mother("张敏", a), mother("张敏", b)
    zhou, sun, wu = mother("周静"), mother("孙悦", b), mother("吴霞", tree.community)
    ns = SimpleNamespace(wang=wang, li=li, chen=chen, zhang_a=zhang_a, zhang_b=zhang_b, zhou=zhou)
    ns.b_exact = birth(wang, D(2026, 1, 10), "M", "王小宝", child_seq=11)
    ns.b_id_other = birth(li, D(2026, 2, 1), "F", "李朵朵", child_seq=12)
    ns.b_fuzzy = birth(chen, D(2026, 1, 20), "F", "刘丽")
    ns.b_twin_a = birth(zhang_a, D(2026, 3, 3), "M")
    ns.b_twin_b = birth(zhang_b, D(2026, 3, 3), "M")
    ns.b_unit = birth(zhou, D(2026, 2, 14), "M", "周一")
    ns.b_unlisted = birth(sun, D(2026, 3, 20), "F", "孙小悦")
    ns.b_outside = birth(wu, D(2026, 3, 21), "M", "吴一")
    ns.exact_id = factories.id_number(D(2026, 1, 10), "M", 11)
    ns.other_id = factories.id_number(D(2026, 2, 1), "F", 12)
    return ns


def hukou_rows(tree, ns) -> list[list[str]]:
    """One row per case (see the module's docstring), in the list's order (rows 2–7)."""
    return [
        # exact by the child's ID (dates written three ways across the rows)
        ["王小宝", "男", "2026-01-10", ns.exact_id, "王兰", "", "", "", ""],
        # exact by ID, but the list says a boy born two days later
        ["李朵朵", "男", "2026/2/3", ns.other_id, "李梅", "", "", "", ""],
        # fuzzy: 刘莉 reads liuli like the registry's 刘丽; full-width digits
        ["刘莉", "女", "２０２６年１月２０日", "", "陈 红", "", "", "", ""],
        # no registry birth at all
        ["赵小云", "女", "20260315", "", "赵云", "", "", "", ""],
        # the list places 周一 in village B; the registry in village A
        ["周一", "男", "2026-02-14", "", "周静", "", "", tree.village_b.code, ""],
    ]
