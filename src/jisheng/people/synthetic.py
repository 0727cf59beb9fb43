"""A synthetic population: households of fictional people with ten years of history.

Pure Python, no database: :func:`generate_chunk` returns households, persons (each with
the state at registration and the life events after it), couples, births and
pregnancies; :mod:`jisheng.people.bulk` turns them into rows exactly as the services
would and writes them. The same ``(seed, unit, chunk index, size, end date)`` gives the
same people, so a generated county can be rebuilt and compared.

What the people look like (China, close to the 2020 census):

- ages 10 and over follow the census pyramid by five-year group and sex; the children
  under 10 are born inside the ten-year window, by age-specific fertility of married
  women scaled to a total fertility rate near 1.1, with a sex ratio at birth near 110;
- marital status by age and sex (census shares of married, divorced and widowed),
  first marriage at about 25.5 (women) and 27.5 (men), spouses paired by age;
- households: couples with their children, three generations, people living alone,
  single parents; about 12% of households are in-migrants (流入, whole households) and
  about 9% of persons are away as out-migrants (流出), some of whom returned;
- ten years of events: marriages, divorces, births, deaths of old people, moves out of
  the county, moves inside it, out-migration and return, retirements and people leaving
  the work units (the mine, the school) — each a :class:`SynEvent`.

Every name is put together from common surnames and given names, every ID number is
valid (GB 11643 checksum) with a REAL GB/T 2260 region code (the demo county's own
codes, 9901…, never appear inside an ID number) and agrees with the birth date and sex.
"""

from __future__ import annotations

import bisect
import datetime
import gc
import itertools
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from jisheng.people.choices import (
    CoupleEnd,
    Education,
    EventKind,
    HouseholdRelation,
    HukouType,
    IdStatus,
    MaritalStatus,
    PersonStatus,
    PregnancyOutcome,
)

YEAR = 365.2425
WINDOW_YEARS = 10

# Region codes (GB/T 2260) of the local population's ID numbers, and of the places
# in-migrants and outside spouses come from. python-stdnum's cn.ric checks a region
# against the birth year (its list dates most codes from 1983), so these are codes it
# accepts for every birth year from 1900 on.
HOME_REGIONS = ("110105", "310104", "120101", "510121", "430121")
AWAY_REGIONS = (
    ("140121", "山西省太原市清徐县"),
    ("340121", "安徽省合肥市长丰县"),
    ("350121", "福建省福州市闽侯县"),
    ("360121", "江西省南昌市南昌县"),
    ("422822", "湖北省恩施土家族苗族自治州建始县"),
    ("430321", "湖南省湘潭市湘潭县"),
    ("520203", "贵州省六盘水市六枝特区"),
    ("530124", "云南省昆明市富民县"),
    ("610323", "陕西省宝鸡市岐山县"),
    ("620121", "甘肃省兰州市永登县"),
    ("640121", "宁夏回族自治区银川市永宁县"),
    ("330122", "浙江省杭州市桐庐县"),
    ("150121", "内蒙古自治区呼和浩特市土默特左旗"),
    ("210321", "辽宁省鞍山市台安县"),
)
ALL_REGIONS = HOME_REGIONS + tuple(code for code, _place in AWAY_REGIONS)

# --- the 2020 census ----------------------------------------------------------------

# Population by five-year age group (millions; the last group is 90+) and the share of
# men in each group (第七次全国人口普查).
CENSUS_AGE_MILLIONS = (
    77.88, 90.24, 85.26, 72.69, 74.94, 91.85, 124.14, 99.01, 93.30, 114.23, 121.16, 101.40,
    73.38, 74.01, 49.59, 29.15, 17.89, 9.56, 4.26,
)  # fmt: skip
CENSUS_MALE_SHARE = (
    0.526, 0.535, 0.538, 0.537, 0.530, 0.517, 0.512, 0.511, 0.510, 0.508, 0.505, 0.499, 0.496,
    0.492, 0.486, 0.476, 0.458, 0.420, 0.370,
)  # fmt: skip
MAX_AGE = 100

# Shares of the currently married (有配偶), divorced and widowed by five-year group
# from 15 (index 0 = 15–19 … 14 = 85+).
MARRIED_F = (
    0.01, 0.18, 0.58, 0.83, 0.91, 0.93, 0.93, 0.92, 0.90, 0.87, 0.81, 0.72, 0.60, 0.43, 0.22,
)  # fmt: skip
MARRIED_M = (
    0.005, 0.08, 0.42, 0.73, 0.85, 0.88, 0.90, 0.91, 0.91, 0.90, 0.88, 0.84, 0.78, 0.68, 0.50,
)  # fmt: skip
DIVORCED_F = (
    0.0, 0.003, 0.015, 0.03, 0.04, 0.04, 0.04, 0.035, 0.035, 0.02, 0.02, 0.015, 0.01, 0.01,
    0.01,
)  # fmt: skip
DIVORCED_M = (
    0.0, 0.002, 0.01, 0.03, 0.05, 0.05, 0.05, 0.045, 0.045, 0.03, 0.025, 0.02, 0.02, 0.02,
    0.02,
)  # fmt: skip
WIDOWED_F = (
    0.0, 0.0, 0.001, 0.002, 0.004, 0.008, 0.012, 0.025, 0.045, 0.08, 0.15, 0.25, 0.37, 0.54,
    0.76,
)  # fmt: skip
WIDOWED_M = (
    0.0, 0.0, 0.0, 0.001, 0.002, 0.004, 0.006, 0.01, 0.018, 0.03, 0.06, 0.10, 0.16, 0.27, 0.45,
)  # fmt: skip

# Age-specific fertility of all women (births per woman-year, ages 15–19 … 45–49), and
# the total fertility rate the generator aims at.
ASFR_ALL = (0.006, 0.055, 0.098, 0.062, 0.025, 0.006, 0.001)
TARGET_TFR = 1.1
SEX_RATIO_AT_BIRTH = 110  # boys per 100 girls
PARITY_FACTOR = (1.0, 0.8, 0.25, 0.1)  # relative chance of a 1st, 2nd, 3rd, 4th+ child
# Married women's rates are all women's rates over the married share, times this factor,
# found by running the generator: it makes up for the parity factors and birth spacing.
FERTILITY_CALIBRATION = 1.7
FIRST_MARRIAGE_AGE = {"F": (25.5, 3.0), "M": (27.5, 3.0)}
LEGAL_MARRIAGE_AGE = {"F": 20, "M": 22}

# Shares of the generated persons.
POOL_SHARE = 0.84  # alive, aged 10+ at the end date
DEAD_SHARE = 0.05  # died inside the window (old people)
MOVED_OUT_SHARE = 0.025  # moved out of the county inside the window
IN_MIGRANT_HOUSEHOLDS = 0.12
OUT_MIGRANT_SHARE = 0.30  # of local persons aged 18–49: left as out-migrants (流出)
RETURNED_SHARE = 0.35  # of out-migrants: came back since
OUTSIDE_SPOUSE_SHARE = 0.06  # married persons whose spouse is not in the registry
WORK_UNIT_HOUSEHOLDS = 0.08  # when the subtree holds work units
INTERNAL_MOVE_HOUSEHOLDS = 0.05
RETIREMENT_AGE = {"M": 60, "F": 50}
NEWBORN_WITHOUT_ID_DAYS = 60
WIDOWED_IN_WINDOW = 0.4  # of the widowed: lost their spouse inside the window

# --- names ----------------------------------------------------------------------------

SURNAMES = (
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.6), ("杨", 3.1), ("黄", 2.2),
    ("赵", 2.0), ("吴", 1.8), ("周", 1.7), ("徐", 1.3), ("孙", 1.2), ("马", 1.1), ("朱", 1.1),
    ("胡", 1.0), ("郭", 0.97), ("何", 0.94), ("林", 0.9), ("高", 0.9), ("罗", 0.86),
    ("郑", 0.78), ("梁", 0.7), ("谢", 0.58), ("宋", 0.55), ("唐", 0.54), ("许", 0.49),
    ("韩", 0.47), ("冯", 0.45), ("邓", 0.45), ("曹", 0.43), ("彭", 0.42), ("曾", 0.41),
    ("肖", 0.41), ("田", 0.4), ("董", 0.39), ("潘", 0.37), ("袁", 0.37), ("蔡", 0.35),
    ("蒋", 0.35), ("余", 0.34), ("于", 0.34), ("杜", 0.33), ("叶", 0.33), ("程", 0.32),
    ("魏", 0.31), ("苏", 0.31), ("吕", 0.31), ("丁", 0.3), ("任", 0.3), ("卢", 0.3),
    ("姚", 0.29), ("沈", 0.29), ("钟", 0.28), ("姜", 0.27), ("崔", 0.27), ("谭", 0.27),
    ("陆", 0.26), ("范", 0.25), ("汪", 0.25), ("廖", 0.25), ("石", 0.24), ("金", 0.24),
    ("韦", 0.23), ("贾", 0.23), ("夏", 0.22), ("付", 0.22), ("方", 0.22), ("邹", 0.21),
    ("熊", 0.21), ("白", 0.21), ("孟", 0.21), ("秦", 0.2), ("邱", 0.2), ("侯", 0.2),
    ("江", 0.2), ("尹", 0.19), ("薛", 0.18), ("闫", 0.18), ("段", 0.18), ("雷", 0.17),
    ("龙", 0.16), ("黎", 0.16), ("史", 0.16), ("陶", 0.16), ("贺", 0.16), ("毛", 0.15),
    ("郝", 0.15), ("顾", 0.15), ("龚", 0.15), ("邵", 0.14), ("万", 0.14), ("覃", 0.14),
    ("武", 0.14), ("钱", 0.13), ("戴", 0.13), ("严", 0.12), ("莫", 0.12), ("孔", 0.12),
    ("向", 0.12), ("常", 0.11), ("单", 0.05), ("欧阳", 0.03), ("司马", 0.01), ("诸葛", 0.005),
)  # fmt: skip


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Given names by birth cohort (before 1960, 1960–79, 1980–99, 2000 on) and sex.
GIVEN_NAMES: dict[tuple[int, str], tuple[str, ...]] = {
    (0, "M"): _words(
        "建国 建华 国强 国华 志强 德明 振华 文明 世明 永福 福生 长庚 春生 金生 树林 保国 "
        "卫国 向阳 庆丰 玉才 德胜 桂林 有才 宝山 兴旺 明德 广才 国栋 守仁 荣华 汉明 秋生 "
        "家驹 连生 来福 根生 德华 志远 洪亮 占魁"
    ),
    (0, "F"): _words(
        "秀英 桂英 秀兰 玉兰 桂兰 凤英 淑珍 素珍 玉珍 秀珍 兰英 翠花 凤兰 淑英 桂珍 玉梅 "
        "桂芳 素芬 秀云 玉英 冬梅 腊梅 金凤 凤芝 淑华 秀芳 惠兰 月娥 春花 银花 玉芬 雪英 "
        "素英 美英 爱华 秀琴 巧云 彩云 月英 淑兰"
    ),
    (1, "M"): _words(
        "卫东 建军 勇 军 伟 强 磊 斌 平 刚 辉 峰 涛 明 华 新华 红军 建平 海涛 志刚 晓东 "
        "立新 小平 国平 建新 永刚 春雷 宏伟 文军 学军 建明 志勇 继红 东升 国良 海峰 长江 "
        "卫华 晓光 跃华"
    ),
    (1, "F"): _words(
        "丽 红 艳 敏 霞 芳 燕 玲 萍 红梅 丽华 晓红 春燕 丽萍 海燕 小红 雪梅 美玲 桂香 "
        "红霞 彩霞 翠萍 玉霞 秀梅 慧 静 丽娟 晓梅 春梅 小燕 丽君 卫红 建萍 爱玲 秋菊 "
        "金凤 素梅 晓霞 亚萍 红英"
    ),
    (2, "M"): _words(
        "伟 磊 涛 超 鹏 杰 浩 鑫 斌 勇 亮 宇 帅 凯 俊 波 健 晨 明 辉 飞 龙 阳 博 文 志伟 "
        "海波 建伟 晓峰 鹏飞 家豪 子豪 浩然 宇航 振宇 俊杰 文杰 志鹏 天宇 明辉"
    ),
    (2, "F"): _words(
        "静 丽 娜 婷 敏 燕 芳 颖 雪 倩 琳 丹 莉 洁 蕾 璐 佳 晶 慧 玲 婷婷 丽娜 晓燕 静怡 "
        "佳慧 欣怡 梦琪 雅婷 思雨 雪莹 晓丽 文静 丹丹 佳琪 美琳 莹莹 艳芳 晓雪 慧敏 悦"
    ),
    (3, "M"): _words(
        "浩然 子轩 宇轩 浩宇 梓豪 俊杰 子墨 宇航 皓轩 明轩 睿 泽宇 博文 思远 梓睿 奕辰 铭 "
        "沐宸 宇泽 浩轩 弘文 嘉乐 一鸣 天佑 俊熙 子健 梓航 昊然 锦程 煜祺 诚 思源 晨阳 "
        "星宇 瑞霖 梓杰 家乐 文博 志轩 子默"
    ),
    (3, "F"): _words(
        "子涵 欣怡 梓涵 诗涵 一诺 语桐 雨萱 可馨 梓萱 思涵 紫涵 雨涵 欣妍 佳怡 梦瑶 梓晴 "
        "语嫣 若汐 依诺 诗雨 悦 心怡 雨桐 梓琪 思琪 静怡 欣然 可欣 嘉怡 安琪 晨曦 雅琪 "
        "梓妍 沐晴 书瑶 紫萱 思彤 芷若 雨欣 诗琪"
    ),
}

ETHNICITIES = (
    ("汉族", 91.1), ("壮族", 1.4), ("回族", 0.8), ("满族", 0.75), ("维吾尔族", 0.83),
    ("苗族", 0.79), ("彝族", 0.69), ("土家族", 0.68), ("藏族", 0.5), ("蒙古族", 0.45),
)  # fmt: skip

# Education by cohort (as for names): (value, weight).
EDUCATION_BY_COHORT = (
    ((Education.NONE, 20), (Education.PRIMARY, 40), (Education.JUNIOR, 28),
     (Education.SENIOR, 9), (Education.COLLEGE, 2), (Education.BACHELOR, 1)),
    ((Education.NONE, 3), (Education.PRIMARY, 20), (Education.JUNIOR, 45),
     (Education.SENIOR, 18), (Education.COLLEGE, 8), (Education.BACHELOR, 5.5),
     (Education.POSTGRADUATE, 0.5)),
    ((Education.NONE, 1), (Education.PRIMARY, 6), (Education.JUNIOR, 33),
     (Education.SENIOR, 20), (Education.COLLEGE, 18), (Education.BACHELOR, 19),
     (Education.POSTGRADUATE, 3)),
    ((Education.PRIMARY, 2), (Education.JUNIOR, 20), (Education.SENIOR, 30),
     (Education.COLLEGE, 22), (Education.BACHELOR, 22), (Education.POSTGRADUATE, 4)),
)  # fmt: skip

HOSPITALS = ("县人民医院", "县妇幼保健院", "县中医院", "乡镇卫生院")
OUTSIDE_WORK = ("外地务工", "个体经营", "建筑公司", "物流公司", "电子厂", "部队", "本地企业")
MOBILE_PREFIXES = ("13", "15", "17", "18", "19")


# --- what the generator returns ---------------------------------------------------------


@dataclass(frozen=True)
class UnitRef:
    """A unit people can be placed in: its id, code and place text (county … village)."""

    id: int
    code: str
    name: str
    place: str
    work: bool = False  # a work unit (mine, school …) rather than a village/community


@dataclass(slots=True)
class SynEvent:
    kind: str
    date: datetime.date
    data: dict[str, Any]
    unit_id: int = 0  # the person's unit when the event happens (set by _finish_person)


@dataclass(slots=True)
class SynPerson:
    key: int  # index in the chunk
    name: str
    sex: str
    birth: int  # ordinal
    id_number: str = ""
    id_status: str = IdStatus.VALID
    id_region: str = ""
    ethnicity: str = "汉族"
    hukou_place: str = ""
    hukou_type: str = ""
    phone: str = ""
    education: str = ""
    # registration (建档) and the state it records
    registered_on: datetime.date | None = None
    unit_id: int = 0
    employer_id: int | None = None
    marital_status: str = MaritalStatus.SINGLE
    status: str = PersonStatus.REGISTERED
    events: list[SynEvent] = field(default_factory=list)
    # plan (used while generating)
    marital_now: str = MaritalStatus.SINGLE
    married_on: int | None = None  # first (or current) marriage
    first_married_on: int | None = None
    divorced_on: int | None = None
    widowed_on: int | None = None
    died_on: int | None = None
    moved_out_on: int | None = None
    flow_out_on: int | None = None
    returned_on: int | None = None
    retire_on: int | None = None
    retire_kind: str = ""
    left_job_on: int | None = None
    employee: bool = False
    household: int = -1
    mother: int | None = None  # key
    father: int | None = None  # key
    in_pool: bool = True

    @property
    def birth_date(self) -> datetime.date:
        return datetime.date.fromordinal(self.birth)


@dataclass(slots=True)
class SynCouple:
    wife: int | None  # person keys; None: the spouse outside the registry
    husband: int | None
    married_on: datetime.date
    ended_on: datetime.date | None = None
    end_reason: str = ""
    outside_name: str = ""
    outside_sex: str = ""
    outside_id: str = ""
    outside_work_unit: str = ""
    outside_township: str = ""
    outside_phone: str = ""
    household: int = -1


@dataclass(slots=True)
class SynBirth:
    mother: int
    father: int | None
    child: int
    couple: int | None  # index into chunk.couples
    date: datetime.date
    sex: str
    order: int
    place: str


@dataclass(slots=True)
class SynPregnancy:
    woman: int
    registered_on: datetime.date
    expected_on: datetime.date | None
    outcome: str
    outcome_on: datetime.date | None
    birth: int | None  # index into chunk.births


@dataclass(slots=True)
class SynMember:
    person: int
    relation: str
    joined_on: datetime.date | None
    left_on: datetime.date | None


@dataclass(slots=True)
class SynHousehold:
    index: int
    number: str = ""
    unit_id: int = 0
    address: str = ""
    head: int | None = None
    members: list[SynMember] = field(default_factory=list)
    # plan
    kind: str = "local"  # local | in_migrant | work
    arrived_on: int | None = None
    moved_on: int | None = None
    from_unit: UnitRef | None = None
    unit: UnitRef | None = None


@dataclass
class Chunk:
    index: int
    persons: list[SynPerson]
    households: list[SynHousehold]
    couples: list[SynCouple]
    births: list[SynBirth]
    pregnancies: list[SynPregnancy]


# --- small helpers --------------------------------------------------------------------------


class Weighted:
    """Draw from fixed (value, weight) pairs with one random number and a bisect."""

    __slots__ = ("cum", "total", "values")

    def __init__(self, pairs: Any) -> None:
        pairs = list(pairs)
        self.values = [v for v, _w in pairs]
        self.cum = list(itertools.accumulate(w for _v, w in pairs))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total)]


_SURNAMES = Weighted(SURNAMES)
_ETHNICITIES = Weighted(ETHNICITIES)
_EDUCATION = tuple(Weighted(pairs) for pairs in EDUCATION_BY_COHORT)
_AGE_GROUPS_10 = Weighted((g, CENSUS_AGE_MILLIONS[g]) for g in range(2, len(CENSUS_AGE_MILLIONS)))


def cohort(birth_year: int) -> int:
    return 0 if birth_year < 1960 else 1 if birth_year < 1980 else 2 if birth_year < 2000 else 3


def age_years(birth: int, day: int) -> float:
    return (day - birth) / YEAR


def add_years(ordinal: int, years: int) -> int:
    day = datetime.date.fromordinal(ordinal)
    try:
        return day.replace(year=day.year + years).toordinal()
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28).toordinal()


def group15(age: float) -> int:
    """Index into the marital tables (0 = 15–19 … 14 = 85+)."""
    return min(14, max(0, int(age // 5) - 3))


def window_start(end: datetime.date) -> datetime.date:
    return datetime.date.fromordinal(add_years(end.toordinal(), -WINDOW_YEARS))


_CHECK_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class IdAllocator:
    """Unique ID numbers for one generation run: region + birth date + order code + check.

    The order code's last digit is odd for men and even for women; each (region, birth
    date, sex) hands out its 500 codes in turn, starting at an offset given by the seed
    and the unit so that two runs rarely meet. :meth:`taken` marks a number that exists
    already (the loader checks the database) and :meth:`next` then gives another.
    """

    def __init__(self, seed: int, salt: str = "") -> None:
        offset_rng = random.Random(f"jisheng-ids/{seed}/{salt}")
        self.offset = offset_rng.randrange(500)
        self.counters: dict[tuple[str, str, int], int] = defaultdict(int)
        self._sums: dict[str, int] = {}

    def next(self, region: str, birth: datetime.date, sex: str) -> str:
        sexbit = 1 if sex == "M" else 0
        ymd = f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"
        for code in (region, *ALL_REGIONS):
            key = (code, ymd, sexbit)
            used = self.counters[key]
            if used < 500:
                self.counters[key] = used + 1
                order = ((self.offset + used) % 500) * 2 + sexbit
                head = code + ymd
                partial = self._sums.get(head)
                if partial is None:
                    partial = self._sums[head] = sum(
                        int(c) * w for c, w in zip(head, _CHECK_WEIGHTS, strict=False)
                    )
                total = partial + (order // 100) * 8 + (order // 10 % 10) * 4 + (order % 10) * 2
                return f"{head}{order:03d}{'10X98765432'[total % 11]}"
        raise RuntimeError("no ID numbers left for this birth date")


# --- the generator ----------------------------------------------------------------------------


class _Builder:
    def __init__(
        self,
        *,
        rng: random.Random,
        chunk_index: int,
        size: int,
        end: datetime.date,
        residence: list[UnitRef],
        work: list[UnitRef],
        ids: IdAllocator,
        number_prefix: str,
    ) -> None:
        self.rng = rng
        self.chunk_index = chunk_index
        self.size = size
        self.end = end.toordinal()
        self.start = window_start(end).toordinal()
        self.residence = residence or work
        self.work = work
        self.work_only = not residence  # a mine or a school: every household works there
        self._next_residence = 0
        self.ids = ids
        self.number_prefix = number_prefix
        self.persons: list[SynPerson] = []
        self.households: list[SynHousehold] = []
        self.couples: list[SynCouple] = []
        self.births: list[SynBirth] = []
        self.pregnancies: list[SynPregnancy] = []
        self.fertility_scale = self._fertility_scale()

    def _residence_unit(self) -> UnitRef:
        """The residence units take households in turn, so that each gets as many (an
        association group: 20–30 households when the territory is sized for them)."""
        unit = self.residence[self._next_residence % len(self.residence)]
        self._next_residence += 1
        return unit

    # persons ------------------------------------------------------------------------------

    def _name(self, sex: str, birth: int, surname: str | None = None) -> str:
        rng = self.rng
        surname = surname or _SURNAMES.draw(rng)
        pool = GIVEN_NAMES[(cohort(datetime.date.fromordinal(birth).year), sex)]
        return surname + pool[int(rng.random() * len(pool))]

    def new_person(self, sex: str, birth: int, *, surname: str | None = None) -> SynPerson:
        person = SynPerson(
            key=len(self.persons), name=self._name(sex, birth, surname), sex=sex, birth=birth
        )
        self.persons.append(person)
        return person

    def _pool_person(self) -> SynPerson:
        rng = self.rng
        group = _AGE_GROUPS_10.draw(rng)
        low = group * 5
        high = MAX_AGE if group == len(CENSUS_AGE_MILLIONS) - 1 else low + 5
        age_days = (low + rng.random() * (high - low)) * YEAR
        birth = self.end - int(age_days)
        sex = "M" if rng.random() < CENSUS_MALE_SHARE[group] else "F"
        person = self.new_person(sex, birth)
        person.marital_now = self._marital(sex, age_days / YEAR)
        if (
            person.marital_now == MaritalStatus.WIDOWED
            and age_years(birth, self.start) >= 25
            and self.rng.random() < WIDOWED_IN_WINDOW
        ):
            person.widowed_on = (
                self.start + 1 + int(self.rng.random() * (self.end - self.start - 2))
            )
        return person

    def _marital(self, sex: str, age: float) -> str:
        if age < 18:
            return MaritalStatus.SINGLE
        g = group15(age)
        married = (MARRIED_F if sex == "F" else MARRIED_M)[g]
        divorced = (DIVORCED_F if sex == "F" else DIVORCED_M)[g]
        widowed = (WIDOWED_F if sex == "F" else WIDOWED_M)[g]
        r = self.rng.random()
        if r < married:
            remarried = 0.05 if age >= 35 else 0.01
            return (
                MaritalStatus.REMARRIED
                if self.rng.random() < remarried
                else MaritalStatus.FIRST_MARRIAGE
            )
        if r < married + divorced:
            return MaritalStatus.DIVORCED
        if r < married + divorced + widowed:
            return MaritalStatus.WIDOWED
        return MaritalStatus.SINGLE

    def _first_marriage_day(self, person: SynPerson, latest: int) -> int:
        mean, sd = FIRST_MARRIAGE_AGE[person.sex]
        legal = add_years(person.birth, LEGAL_MARRIAGE_AGE[person.sex])
        age = max(LEGAL_MARRIAGE_AGE[person.sex], self.rng.gauss(mean, sd))
        day = person.birth + int(age * YEAR)
        if day > latest:
            day = legal + int(self.rng.random() * max(1, latest - legal))
        return max(legal, min(day, latest))

    # households ---------------------------------------------------------------------------

    def new_household(self, *members: tuple[SynPerson, str]) -> SynHousehold:
        household = SynHousehold(index=len(self.households))
        self.households.append(household)
        for person, relation in members:
            self.join(household, person, relation)
        return household

    def join(self, household: SynHousehold, person: SynPerson, relation: str) -> None:
        person.household = household.index
        household.members.append(SynMember(person.key, relation, None, None))
        if relation == HouseholdRelation.HEAD:
            household.head = person.key

    def build(self) -> Chunk:
        pool = [self._pool_person() for _ in range(round(self.size * POOL_SHARE))]
        couples = self._pair(pool)
        self._place_children_and_elders(pool, couples)
        self._births()
        self._extras()
        self._fit_size()
        self._plan_households()
        self._make_births()
        self._spouses = self._spouse_names()
        self._children: dict[int, list[SynPerson]] = defaultdict(list)
        for person in self.persons:
            if person.mother is not None:
                self._children[person.mother].append(person)
        for person in self.persons:
            self._finish_person(person)
        self._pregnancies()
        self._number_households()
        return Chunk(
            self.chunk_index,
            self.persons,
            self.households,
            self.couples,
            self.births,
            self.pregnancies,
        )

    def _pair(self, pool: list[SynPerson]) -> list[int]:
        """Marry the married: pair wives and husbands by age; the rest have outside spouses."""
        rng = self.rng
        wives: list[tuple[float, SynPerson]] = []
        husbands: list[tuple[float, SynPerson]] = []
        outside: list[SynPerson] = []
        for person in pool:
            if person.marital_now not in (MaritalStatus.FIRST_MARRIAGE, MaritalStatus.REMARRIED):
                continue
            if rng.random() < OUTSIDE_SPOUSE_SHARE:
                outside.append(person)
            elif person.sex == "F":
                wives.append((person.birth + rng.gauss(0, 500), person))
            else:
                husbands.append((person.birth + 2.2 * YEAR + rng.gauss(0, 500), person))
        wives.sort(key=lambda pair: pair[0])
        husbands.sort(key=lambda pair: pair[0])
        couple_indexes: list[int] = []
        i = j = 0
        while i < len(wives) and j < len(husbands):
            wkey, wife = wives[i]
            hkey, husband = husbands[j]
            if abs(wkey - hkey) > 4 * YEAR:
                if wkey < hkey:
                    outside.append(wife)
                    i += 1
                else:
                    outside.append(husband)
                    j += 1
                continue
            i += 1
            j += 1
            index = self._couple(wife, husband)
            if index is None:
                outside.extend((wife, husband))
            else:
                couple_indexes.append(index)
        outside.extend(w for _k, w in wives[i:])
        outside.extend(h for _k, h in husbands[j:])
        for person in outside:
            couple_indexes.append(self._outside_couple(person))
        for person in pool:
            if person.marital_now == MaritalStatus.DIVORCED:
                self._divorced(person)
        return couple_indexes

    def _marriage_day(self, wife: SynPerson | None, husband: SynPerson | None) -> int | None:
        latest = self.end - 1
        legal = max(
            add_years(p.birth, LEGAL_MARRIAGE_AGE[p.sex]) for p in (wife, husband) if p is not None
        )
        if legal > latest:
            return None
        anchor = wife or husband
        assert anchor is not None
        day = self._first_marriage_day(anchor, latest)
        day = max(day, legal)
        remarried = any(
            p is not None and p.marital_now == MaritalStatus.REMARRIED for p in (wife, husband)
        )
        if remarried:
            first = day
            day = min(latest, first + int((5 + self.rng.random() * 15) * YEAR))
            for p in (wife, husband):
                if p is not None and p.marital_now == MaritalStatus.REMARRIED:
                    p.first_married_on = first
        return day

    def _couple(self, wife: SynPerson | None, husband: SynPerson | None) -> int | None:
        day = self._marriage_day(wife, husband)
        if day is None:
            return None
        for p in (wife, husband):
            if p is not None:
                p.married_on = day
        self.couples.append(
            SynCouple(
                wife=wife.key if wife else None,
                husband=husband.key if husband else None,
                married_on=datetime.date.fromordinal(day),
            )
        )
        return len(self.couples) - 1

    def _outside_spouse(self, couple: SynCouple, person: SynPerson) -> None:
        rng = self.rng
        sex = "M" if person.sex == "F" else "F"
        gap = rng.gauss(2.2, 2.0) * YEAR
        birth = int(person.birth - gap if sex == "M" else person.birth + gap)
        birth = min(birth, add_years(self.end, -LEGAL_MARRIAGE_AGE[sex]))
        region, place = AWAY_REGIONS[int(rng.random() * len(AWAY_REGIONS))]
        couple.outside_sex = sex
        couple.outside_name = self._name(sex, birth)
        couple.outside_id = self.ids.next(region, datetime.date.fromordinal(birth), sex)
        couple.outside_work_unit = OUTSIDE_WORK[int(rng.random() * len(OUTSIDE_WORK))]
        couple.outside_township = place
        couple.outside_phone = self._mobile()

    def _outside_couple(self, person: SynPerson) -> int:
        wife, husband = (person, None) if person.sex == "F" else (None, person)
        index = self._couple(wife, husband)
        if index is None:  # too young to have married: single after all
            person.marital_now = MaritalStatus.SINGLE
            person.married_on = None
            index = -1
        else:
            self._outside_spouse(self.couples[index], person)
        return index

    def _divorced(self, person: SynPerson) -> None:
        latest = self.end - 1
        married = self._first_marriage_day(person, latest - 30)
        divorced = married + 30 + int(self.rng.random() * max(1, latest - married - 30))
        if divorced > latest:
            person.marital_now = MaritalStatus.SINGLE
            return
        person.married_on = married
        person.divorced_on = divorced
        wife, husband = (person, None) if person.sex == "F" else (None, person)
        couple = SynCouple(
            wife=wife.key if wife else None,
            husband=husband.key if husband else None,
            married_on=datetime.date.fromordinal(married),
            ended_on=datetime.date.fromordinal(divorced),
            end_reason=CoupleEnd.DIVORCE,
        )
        self._outside_spouse(couple, person)
        self.couples.append(couple)

    def _place_children_and_elders(self, pool: list[SynPerson], couples: list[int]) -> None:
        rng = self.rng
        # couples that live together (both registered) or a registered wife alone
        homes: dict[int, SynHousehold] = {}
        by_mother_year: dict[int, list[int]] = defaultdict(list)
        capacity: dict[int, int] = {}
        for index in couples:
            if index < 0:
                continue
            couple = self.couples[index]
            wife = self.persons[couple.wife] if couple.wife is not None else None
            husband = self.persons[couple.husband] if couple.husband is not None else None
            members = []
            if husband is not None:
                members.append((husband, HouseholdRelation.HEAD))
            if wife is not None:
                members.append(
                    (wife, HouseholdRelation.SPOUSE if husband else HouseholdRelation.HEAD)
                )
            household = self.new_household(*members)
            couple.household = household.index
            homes[index] = household
            if wife is not None:
                year = datetime.date.fromordinal(wife.birth).year
                by_mother_year[year].append(index)
                capacity[index] = (2 if rng.random() < 0.6 else 1) + (
                    1 if cohort(year) <= 1 and rng.random() < 0.3 else 0
                )
        # single parents: divorced or widowed women
        single_mothers: dict[int, list[SynPerson]] = defaultdict(list)
        for person in pool:
            if (
                person.sex == "F"
                and person.household < 0
                and person.marital_now in (MaritalStatus.DIVORCED, MaritalStatus.WIDOWED)
                and age_years(person.birth, self.end) < 70
            ):
                single_mothers[datetime.date.fromordinal(person.birth).year].append(person)

        single_capacity: dict[int, int] = defaultdict(lambda: 2)

        def find_mother(child: SynPerson, force: bool) -> tuple[int | None, SynPerson | None]:
            child_year = datetime.date.fromordinal(child.birth).year
            mother_age = min(40, max(20, int(rng.gauss(27, 4))))
            fallback: int | None = None
            for delta in (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 8, -8, 10):
                year = child_year - mother_age + delta
                if not 18 <= child_year - year <= 45:
                    continue
                bucket = by_mother_year.get(year)
                while bucket:
                    index = bucket[-1]
                    if capacity[index] > 0:
                        return index, None
                    bucket.pop()
                    full_by_year[year].append(index)
                mothers = single_mothers.get(year)
                while mothers:
                    mother = mothers[int(rng.random() * len(mothers))]
                    if single_capacity[mother.key] > 0:
                        single_capacity[mother.key] -= 1
                        return None, mother
                    mothers.remove(mother)
                if force and fallback is None and full_by_year.get(year):
                    full = full_by_year[year]
                    fallback = full[int(rng.random() * len(full))]
            return fallback, None

        full_by_year: dict[int, list[int]] = defaultdict(list)
        for bucket in by_mother_year.values():
            rng.shuffle(bucket)

        children = [
            p
            for p in pool
            if p.household < 0
            and p.marital_now == MaritalStatus.SINGLE
            and age_years(p.birth, self.end) < 30
        ]
        rng.shuffle(children)
        for child in children:
            age = age_years(child.birth, self.end)
            if age >= 18 and rng.random() < (0.12 if age < 24 else 0.35):
                continue  # lives on their own
            index, mother = find_mother(child, force=age < 18)
            if index is not None:
                couple = self.couples[index]
                capacity[index] -= 1
                self._adopt(homes[index], child, couple.wife, couple.husband)
            elif mother is not None:
                if mother.household < 0:
                    self.new_household((mother, HouseholdRelation.HEAD))
                self._adopt(self.households[mother.household], child, mother.key, None)
        # elders (65+, not living with a spouse) join a son's household now and then
        by_head_year: dict[int, list[SynHousehold]] = defaultdict(list)
        for household in self.households:
            head = self.persons[household.head] if household.head is not None else None
            if head is not None and head.sex == "M" and age_years(head.birth, self.end) < 60:
                by_head_year[datetime.date.fromordinal(head.birth).year].append(household)
        for person in pool:
            if person.household >= 0 or age_years(person.birth, self.end) < 65:
                continue
            if rng.random() < 0.55:
                year = datetime.date.fromordinal(person.birth).year + int(rng.gauss(29, 4))
                for delta in (0, 1, -1, 2, -2, 3, -3):
                    candidates = by_head_year.get(year + delta)
                    if candidates:
                        household = candidates.pop(int(rng.random() * len(candidates)))
                        self.join(household, person, HouseholdRelation.PARENT)
                        break
        for person in pool:
            if person.household < 0:
                self.new_household((person, HouseholdRelation.HEAD))

    def _adopt(
        self, household: SynHousehold, child: SynPerson, mother: int | None, father: int | None
    ) -> None:
        """``child`` is the child of ``mother``/``father`` and lives in their household."""
        child.mother = mother
        child.father = father
        if father is not None:
            child.name = self.persons[father].name[0] + child.name[1:]
            if self.persons[father].name[:2] in ("欧阳", "司马", "诸葛"):
                child.name = self.persons[father].name[:2] + child.name[1:]
        self.join(household, child, HouseholdRelation.CHILD)

    def _fertility_scale(self) -> float:
        """Scale of married women's rates that gives the target total fertility rate."""
        tfr = sum(ASFR_ALL) * 5
        return TARGET_TFR / tfr

    def _birth_chance(self, age: float, parity: int) -> float:
        if age < 15 or age >= 50:
            return 0.0
        g = int((age - 15) // 5)
        married_share = max(MARRIED_F[g], 0.05)
        rate = ASFR_ALL[g] / married_share * self.fertility_scale
        # the parity factors lower the rate; divide by their mean effect to keep the TFR
        return min(0.45, rate * PARITY_FACTOR[min(parity, 3)] * FERTILITY_CALIBRATION)

    def _births(self) -> None:
        """Children born inside the window to the registered wives (and single wives)."""
        rng = self.rng
        for couple in list(self.couples):
            if couple.wife is None or couple.household < 0 or couple.ended_on is not None:
                continue
            mother = self.persons[couple.wife]
            household = self.households[couple.household]
            father = self.persons[couple.husband] if couple.husband is not None else None
            children = [
                self.persons[m.person]
                for m in household.members
                if self.persons[m.person].mother == mother.key
            ]
            parity = len(children)
            if parity == 0 and age_years(mother.birth, self.start) > 32:
                parity = 1 if rng.random() < 0.85 else 0  # earlier children live elsewhere
            married = couple.married_on.toordinal()
            day = max(self.start, married + 120)
            last = max((c.birth for c in children), default=0)
            while day <= self.end:
                if day - last < 600:
                    day = last + 600
                    continue
                age = age_years(mother.birth, day)
                if age >= 50:
                    break
                if rng.random() < self._birth_chance(age, parity):
                    birth = day + int(rng.random() * YEAR)
                    if birth > self.end:
                        break
                    boy = rng.random() < SEX_RATIO_AT_BIRTH / (100 + SEX_RATIO_AT_BIRTH)
                    sex = "M" if boy else "F"
                    child = self.new_person(sex, birth)
                    child.in_pool = False
                    self._adopt(household, child, mother.key, father.key if father else None)
                    parity += 1
                    last = birth
                    day = birth + 600
                else:
                    day += int(YEAR)

    def _extras(self) -> None:
        """Old people who died and young people who moved out, both inside the window."""
        rng = self.rng
        span = self.end - self.start
        heads: dict[int, list[SynHousehold]] = defaultdict(list)
        mothers: dict[int, list[SynHousehold]] = defaultdict(list)
        for household in self.households:
            head = self.persons[household.head] if household.head is not None else None
            if head is None:
                continue
            if head.sex == "M":
                heads[datetime.date.fromordinal(head.birth).year].append(household)
            for member in household.members:
                p = self.persons[member.person]
                if p.sex == "F" and member.relation in (
                    HouseholdRelation.SPOUSE,
                    HouseholdRelation.HEAD,
                ):
                    mothers[datetime.date.fromordinal(p.birth).year].append(household)
        for _ in range(round(self.size * DEAD_SHARE)):
            died = self.start + 1 + int(rng.random() * (span - 2))
            age = min(99.0, max(55.0, rng.gauss(78, 9)))
            birth = died - int(age * YEAR)
            sex = "M" if rng.random() < 0.55 else "F"
            person = self.new_person(sex, birth)
            person.in_pool = False
            person.died_on = died
            person.marital_now = (
                MaritalStatus.WIDOWED if rng.random() < 0.7 else MaritalStatus.SINGLE
            )
            year = datetime.date.fromordinal(birth).year + int(rng.gauss(29, 4))
            candidates = heads.get(year)
            if candidates and rng.random() < 0.8:
                household = candidates[int(rng.random() * len(candidates))]
                self.join(household, person, HouseholdRelation.PARENT)
            else:
                self.new_household((person, HouseholdRelation.HEAD))
        for _ in range(round(self.size * MOVED_OUT_SHARE)):
            moved = self.start + 1 + int(rng.random() * (span - 2))
            age = 18 + rng.random() * 17
            birth = moved - int(age * YEAR)
            sex = "F" if rng.random() < 0.55 else "M"  # marriage takes more women away
            person = self.new_person(sex, birth)
            person.in_pool = False
            person.moved_out_on = moved
            year = datetime.date.fromordinal(birth).year - int(rng.gauss(27, 4))
            candidates = mothers.get(year)
            if candidates and rng.random() < 0.8:
                household = candidates[int(rng.random() * len(candidates))]
                wife = next(
                    (
                        self.persons[m.person]
                        for m in household.members
                        if self.persons[m.person].sex == "F"
                        and m.relation in (HouseholdRelation.SPOUSE, HouseholdRelation.HEAD)
                    ),
                    None,
                )
                husband = next(
                    (
                        self.persons[m.person].key
                        for m in household.members
                        if m.relation == HouseholdRelation.HEAD
                        and self.persons[m.person].sex == "M"
                    ),
                    None,
                )
                self._adopt(household, person, wife.key if wife else None, husband)
            else:
                self.new_household((person, HouseholdRelation.HEAD))

    def _fit_size(self) -> None:
        """Drop whole households from the end, then fill up with people living alone."""
        while len(self.persons) > self.size:
            household = self.households.pop()
            drop = {m.person for m in household.members}
            self.couples = [c for c in self.couples if not (c.wife in drop or c.husband in drop)]
            self.births = [b for b in self.births if b.mother not in drop]
            keep = [p for p in self.persons if p.key not in drop]
            if any(p.key != i for i, p in enumerate(keep)):
                self._renumber(keep)
            else:
                self.persons = keep
        while len(self.persons) < self.size:
            person = self._pool_person()
            if person.marital_now not in (MaritalStatus.SINGLE, MaritalStatus.WIDOWED):
                person.marital_now = (
                    MaritalStatus.SINGLE
                    if age_years(person.birth, self.end) < 40
                    else MaritalStatus.WIDOWED
                )
            if age_years(person.birth, self.end) < 18:
                person.birth = add_years(self.end, -18) - int(self.rng.random() * 10 * YEAR)
                person.name = self._name(person.sex, person.birth)
            self.new_household((person, HouseholdRelation.HEAD))

    def _renumber(self, keep: list[SynPerson]) -> None:
        mapping = {p.key: i for i, p in enumerate(keep)}
        for person in keep:
            person.key = mapping[person.key]
            person.mother = mapping.get(person.mother) if person.mother is not None else None
            person.father = mapping.get(person.father) if person.father is not None else None
        for household in self.households:
            for member in household.members:
                member.person = mapping[member.person]
            household.head = mapping[household.head] if household.head is not None else None
        for couple in self.couples:
            couple.wife = mapping[couple.wife] if couple.wife is not None else None
            couple.husband = mapping[couple.husband] if couple.husband is not None else None
        for birth in self.births:
            birth.mother = mapping[birth.mother]
            birth.father = mapping.get(birth.father) if birth.father is not None else None
            birth.child = mapping[birth.child]
        self.persons = keep

    def _plan_households(self) -> None:
        """Units, in-migration, moves, employment, out-migration of each household."""
        rng = self.rng
        # couples' indexes may have shifted in _fit_size: re-link households
        for couple in self.couples:
            key = couple.wife if couple.wife is not None else couple.husband
            couple.household = self.persons[key].household if key is not None else -1
        for household in self.households:
            members = [self.persons[m.person] for m in household.members]
            head = self.persons[household.head] if household.head is not None else members[0]
            head_age = age_years(head.birth, self.end)
            extras = any(not p.in_pool and (p.died_on or p.moved_out_on) for p in members)
            r = rng.random()
            in_migrant = IN_MIGRANT_HOUSEHOLDS * 1.6
            if not self.work_only and not extras and 20 <= head_age < 55 and r < in_migrant:
                household.kind = "in_migrant"
                household.unit = self._residence_unit()
                earliest_birth = (
                    max(p.birth for p in members if p.in_pool)
                    if any(p.in_pool for p in members)
                    else self.start
                )
                arrived = self.end - 20 - int(rng.random() * 14 * YEAR)
                household.arrived_on = max(arrived, earliest_birth + 1)
            elif (
                self.work
                and head_age < 75
                and (self.work_only or r < in_migrant + WORK_UNIT_HOUSEHOLDS * 1.3)
            ):
                household.kind = "work"
                household.unit = self.work[int(rng.random() * len(self.work))]
                employees = [
                    p
                    for p in members
                    if (p.in_pool and p.key == head.key)
                    or (
                        p.in_pool
                        and age_years(p.birth, self.end) >= 20
                        and p.mother is None
                        and rng.random() < 0.4
                    )
                ]
                for person in employees:
                    if age_years(person.birth, self.end) < 20:
                        continue
                    person.employee = True
                    retire_age = RETIREMENT_AGE[person.sex]
                    if rng.random() < 0.08 and person.sex == "M":
                        retire_age = 50 + int(rng.random() * 8)
                        person.retire_kind = EventKind.EARLY_RETIREMENT
                    else:
                        person.retire_kind = EventKind.RETIREMENT
                    retire = add_years(person.birth, retire_age)
                    if retire <= self.end - 1:
                        person.retire_on = retire
                    elif rng.random() < 0.04:
                        person.left_job_on = (
                            self.start + 1 + int(rng.random() * (self.end - self.start - 2))
                        )
            else:
                household.kind = "local"
                household.unit = self._residence_unit()
                if len(self.residence) > 1 and rng.random() < INTERNAL_MOVE_HOUSEHOLDS:
                    household.moved_on = (
                        self.start + 1 + int(rng.random() * (self.end - self.start - 2))
                    )
                    others = [u for u in self.residence if u.id != household.unit.id]
                    household.from_unit = others[int(rng.random() * len(others))]
                for person in members:
                    age = age_years(person.birth, self.end)
                    if person.in_pool and 18 <= age < 50 and rng.random() < OUT_MIGRANT_SHARE:
                        earliest = max(self.start + 1, add_years(person.birth, 18))
                        flow_out = earliest + int(rng.random() * max(1, self.end - 30 - earliest))
                        person.flow_out_on = flow_out
                        if rng.random() < RETURNED_SHARE:
                            back = (
                                flow_out + 90 + int(rng.random() * max(1, self.end - flow_out - 90))
                            )
                            if back < self.end:
                                person.returned_on = back
            household.unit_id = household.unit.id
            self._identity(household, members)

    def _identity(self, household: SynHousehold, members: list[SynPerson]) -> None:
        """Ethnicity, household registration, ID numbers, phones, education."""
        rng = self.rng
        unit = household.unit
        assert unit is not None
        ethnicity = _ETHNICITIES.draw(rng)
        if household.kind == "in_migrant":
            region, place = AWAY_REGIONS[int(rng.random() * len(AWAY_REGIONS))]
            hukou_type = HukouType.AGRICULTURAL if rng.random() < 0.75 else HukouType.RESIDENT
        else:
            region = HOME_REGIONS[sum(map(ord, unit.code)) % len(HOME_REGIONS)]
            place = unit.place
            if household.kind == "work":
                hukou_type = HukouType.NON_AGRICULTURAL
            elif "村" in unit.place[-3:]:
                hukou_type = HukouType.AGRICULTURAL if rng.random() < 0.7 else HukouType.RESIDENT
            else:
                hukou_type = (
                    HukouType.NON_AGRICULTURAL if rng.random() < 0.4 else HukouType.RESIDENT
                )
        for person in members:
            person.ethnicity = ethnicity
            person.hukou_place = place
            person.hukou_type = hukou_type
            person.id_region = region
            birth = person.birth_date
            if (
                not person.in_pool
                and person.died_on is None
                and self.end - person.birth < (NEWBORN_WITHOUT_ID_DAYS)
            ):
                person.id_status = IdStatus.NONE_NEWBORN
            else:
                person.id_number = self.ids.next(region, birth, person.sex)
            age = age_years(person.birth, self.end if person.died_on is None else person.died_on)
            if age >= 16 and rng.random() < 0.95:
                person.phone = self._mobile()
            if age >= 18:
                person.education = _EDUCATION[cohort(birth.year)].draw(rng)
            elif age >= 15:
                person.education = Education.JUNIOR
            elif age >= 12:
                person.education = Education.PRIMARY

    def _mobile(self) -> str:
        rng = self.rng
        prefix = MOBILE_PREFIXES[int(rng.random() * len(MOBILE_PREFIXES))]
        return f"{prefix}{int(rng.random() * 1_000_000_000):09d}"

    def _finish_person(self, person: SynPerson) -> None:
        """Registration date and state, and the events after it, in date order."""
        household = self.households[person.household]
        start = self.start
        registered = max(start, person.birth)
        if household.kind == "in_migrant" and household.arrived_on is not None:
            registered = max(registered, household.arrived_on)
        unit = household.unit
        assert unit is not None
        moved_on = household.moved_on
        reg_unit = household.from_unit if moved_on is not None and registered < moved_on else unit
        assert reg_unit is not None
        person.registered_on = datetime.date.fromordinal(registered)
        person.unit_id = reg_unit.id
        person.employer_id = unit.id if person.employee else None
        person.status = (
            PersonStatus.IN_MIGRANT if household.kind == "in_migrant" else PersonStatus.REGISTERED
        )
        events: list[tuple[int, int, str, dict[str, Any]]] = []  # (day, order, kind, data)

        # marital history
        marital = MaritalStatus.SINGLE
        status_now = person.marital_now
        couple_spouse = self._spouses.get(person.key, "")
        if status_now in (MaritalStatus.FIRST_MARRIAGE, MaritalStatus.REMARRIED):
            married = person.married_on
            if married is None or married <= registered:
                marital = status_now
            else:
                marital = (
                    MaritalStatus.DIVORCED
                    if status_now == MaritalStatus.REMARRIED
                    else MaritalStatus.SINGLE
                )
                events.append((married, 1, EventKind.MARRIAGE, {"spouse": couple_spouse}))
        elif status_now == MaritalStatus.DIVORCED and person.married_on is not None:
            married, divorced = person.married_on, person.divorced_on
            assert divorced is not None
            if divorced <= registered:
                marital = MaritalStatus.DIVORCED
            else:
                if married <= registered:
                    marital = MaritalStatus.FIRST_MARRIAGE
                else:
                    events.append((married, 1, EventKind.MARRIAGE, {"spouse": couple_spouse}))
                events.append((divorced, 2, EventKind.DIVORCE, {"spouse": couple_spouse}))
        elif status_now == MaritalStatus.WIDOWED:
            if person.widowed_on is not None and person.widowed_on > registered:
                marital = MaritalStatus.FIRST_MARRIAGE
                events.append((person.widowed_on, 2, EventKind.WIDOWED, {}))
            else:
                marital = MaritalStatus.WIDOWED
        person.marital_status = marital

        # where the household lives
        if moved_on is not None and registered < moved_on:
            events.append(
                (
                    moved_on,
                    3,
                    EventKind.INTERNAL_TRANSFER,
                    {"unit_id": unit.id, "unit_code": unit.code},
                )
            )
        # work
        if person.employee:
            if person.retire_on is not None:
                if person.retire_on <= registered:
                    person.status = (
                        PersonStatus.RETIRED
                        if person.retire_kind == EventKind.RETIREMENT
                        else PersonStatus.EARLY_RETIRED
                    )
                else:
                    events.append((person.retire_on, 4, person.retire_kind, {}))
            elif person.left_job_on is not None and person.left_job_on > registered:
                events.append((person.left_job_on, 4, EventKind.LEAVE_EMPLOYMENT, {}))
        # away and back
        if person.flow_out_on is not None and person.flow_out_on > registered:
            to = AWAY_REGIONS[person.key % len(AWAY_REGIONS)][1]
            events.append((person.flow_out_on, 5, EventKind.FLOW_OUT, {"to": to}))
            if person.returned_on is not None:
                events.append((person.returned_on, 6, EventKind.RETURN, {}))
        # births of her children
        for child in self._children.get(person.key, ()):
            if child.birth > registered:
                events.append(
                    (child.birth, 7, EventKind.BIRTH, {"child": child.name, "sex": child.sex})
                )
        # leaving the registry
        if person.moved_out_on is not None:
            to = AWAY_REGIONS[(person.key * 7) % len(AWAY_REGIONS)][1]
            events.append((person.moved_out_on, 8, EventKind.MOVE_OUT, {"to": to}))
        if person.died_on is not None:
            events.append((person.died_on, 9, EventKind.DEATH, {}))
        # nothing after leaving or dying, nothing before registering
        last = min(d for d in (person.died_on, person.moved_out_on, self.end + 1) if d is not None)
        events = [e for e in events if registered <= e[0] <= last]
        events.sort(key=lambda e: (e[0], e[1]))
        person.events = [
            SynEvent(kind, datetime.date.fromordinal(day), data) for day, _o, kind, data in events
        ]

    def _spouse_names(self) -> dict[int, str]:
        names: dict[int, str] = {}
        for couple in self.couples:
            wife = self.persons[couple.wife].name if couple.wife is not None else ""
            husband = self.persons[couple.husband].name if couple.husband is not None else ""
            if couple.wife is not None:
                names[couple.wife] = husband or couple.outside_name
            if couple.husband is not None:
                names[couple.husband] = wife or couple.outside_name
        return names

    def _make_births(self) -> None:
        """A birth record for every child whose mother is registered; order by her children."""
        couple_of: dict[int, int] = {}
        for index, couple in enumerate(self.couples):
            if couple.wife is not None and couple.ended_on is None:
                couple_of[couple.wife] = index
        by_mother: dict[int, list[SynPerson]] = defaultdict(list)
        for person in self.persons:
            if person.mother is not None:
                by_mother[person.mother].append(person)
        for mother, children in by_mother.items():
            children.sort(key=lambda c: (c.birth, c.key))
            for order, child in enumerate(children, start=1):
                recent = child.birth >= self.start
                self.births.append(
                    SynBirth(
                        mother=mother,
                        father=child.father,
                        child=child.key,
                        couple=couple_of.get(mother) if child.father is not None else None,
                        date=child.birth_date,
                        sex=child.sex,
                        order=order,
                        place=HOSPITALS[child.key % len(HOSPITALS)] if recent else "",
                    )
                )

    def _pregnancies(self) -> None:
        """The pregnancies behind recent births, some that ended otherwise, ongoing ones."""
        rng = self.rng
        end = self.end
        for index, birth in enumerate(self.births):
            day = birth.date.toordinal()
            if day < self.start + 280:
                continue
            mother = self.persons[birth.mother]
            registered = max(day - 200 - int(rng.random() * 60), mother.registered_on.toordinal())
            expected = day + int(rng.gauss(0, 7))
            self.pregnancies.append(
                SynPregnancy(
                    woman=mother.key,
                    registered_on=datetime.date.fromordinal(registered),
                    expected_on=datetime.date.fromordinal(expected),
                    outcome=PregnancyOutcome.LIVE_BIRTH,
                    outcome_on=birth.date,
                    birth=index,
                )
            )
        for couple in self.couples:
            if couple.wife is None or couple.ended_on is not None:
                continue
            woman = self.persons[couple.wife]
            if woman.died_on is not None or woman.moved_out_on is not None:
                continue
            age = age_years(woman.birth, end)
            parity = len(self._children.get(woman.key, ()))
            chance = self._birth_chance(age, parity)
            r = rng.random()
            if r < chance * 0.6:
                registered = end - int(rng.random() * 150)
                registered = max(registered, woman.registered_on.toordinal())
                self.pregnancies.append(
                    SynPregnancy(
                        woman=woman.key,
                        registered_on=datetime.date.fromordinal(registered),
                        expected_on=datetime.date.fromordinal(
                            registered + 190 + int(rng.random() * 40)
                        ),
                        outcome=PregnancyOutcome.ONGOING,
                        outcome_on=None,
                        birth=None,
                    )
                )
            elif r < chance * 0.75:
                first = max(self.start, woman.registered_on.toordinal())
                registered = first + int(rng.random() * max(1, end - 120 - first))
                outcome = (
                    PregnancyOutcome.MISCARRIAGE
                    if rng.random() < 0.5
                    else PregnancyOutcome.ABORTION
                )
                self.pregnancies.append(
                    SynPregnancy(
                        woman=woman.key,
                        registered_on=datetime.date.fromordinal(registered),
                        expected_on=datetime.date.fromordinal(registered + 220),
                        outcome=outcome,
                        outcome_on=datetime.date.fromordinal(
                            min(end, registered + 20 + int(rng.random() * 60))
                        ),
                        birth=None,
                    )
                )

    def _number_households(self) -> None:
        """Household numbers (the run's prefix + chunk + serial), addresses, member dates."""
        counters: dict[int, int] = defaultdict(int)
        for household in self.households:
            assert household.unit is not None
            household.number = f"{self.number_prefix}{self.chunk_index:05d}{household.index:04d}"
            counters[household.unit.id] += 1
            serial = counters[household.unit.id] + self.chunk_index * 1000
            household.address = f"{household.unit.name}{serial}号"
            for member in household.members:
                person = self.persons[member.person]
                member.joined_on = person.registered_on
                left = person.died_on or person.moved_out_on
                member.left_on = datetime.date.fromordinal(left) if left else None
            if household.head is None and household.members:
                household.head = household.members[0].person


def generate_chunk(
    *,
    seed: int,
    salt: str,
    chunk_index: int,
    size: int,
    end: datetime.date,
    residence: list[UnitRef],
    work: list[UnitRef],
    ids: IdAllocator,
    number_prefix: str,
) -> Chunk:
    """``size`` persons in whole households; the same arguments give the same people."""
    if not residence and not work:
        raise ValueError("no unit to place people in")
    rng = random.Random(f"jisheng-population/{seed}/{salt}/{chunk_index}/{size}/{end}")
    # Many small objects and no cycles: the cyclic garbage collector only slows this down.
    collecting = gc.isenabled()
    gc.disable()
    try:
        builder = _Builder(
            rng=rng,
            chunk_index=chunk_index,
            size=size,
            end=end,
            residence=residence,
            work=work,
            ids=ids,
            number_prefix=number_prefix,
        )
        return builder.build()
    finally:
        if collecting:
            gc.enable()


def total_fertility_rate(
    persons: list[SynPerson], births: list[SynBirth], end: datetime.date
) -> float:
    """The period TFR of the last five years: the sum over age groups of births per woman-year."""
    last = end.toordinal()
    first = add_years(last, -5)
    births_by_group = [0] * 7
    exposure = [0.0] * 7
    by_key = {p.key: p for p in persons}
    for birth in births:
        day = birth.date.toordinal()
        if first <= day <= last:
            age = age_years(by_key[birth.mother].birth, day)
            if 15 <= age < 50:
                births_by_group[int((age - 15) // 5)] += 1
    for person in persons:
        if person.sex != "F":
            continue
        lo = max(
            first, person.birth, person.registered_on.toordinal() if person.registered_on else first
        )
        hi = min(last, person.died_on or last, person.moved_out_on or last)
        day = lo
        while day < hi:
            age = age_years(person.birth, day)
            step_end = min(hi, person.birth + int((math.floor(age / 5) * 5 + 5) * YEAR) + 1)
            if 15 <= age < 50:
                exposure[int((age - 15) // 5)] += (step_end - day) / YEAR
            day = max(step_end, day + 1)
    return 5 * sum(b / e for b, e in zip(births_by_group, exposure, strict=True) if e > 0)
